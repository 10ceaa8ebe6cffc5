//! The unit admin's staff roster (DESIGN.md §8): import from the CSV file Excel or WPS writes,
//! check every row first (a dry run shows them all), then write all rows or none; export the
//! same columns so that a file round-trips.
//!
//! Columns (a header row naming them, in any order, Chinese labels or API names):
//! 身份证号, 姓名, 手机, 用工类型, 工种, 等级. The text is detected, never asked for: a UTF-8 BOM,
//! else strict UTF-8, else GB18030 (Chinese Excel's "CSV (逗号分隔)" is GBK without a BOM).
//!
//! An import creates the accounts of new people, each with a one-time password that the
//! commit's answer shows once (for the printed password sheet; only its Argon2id hash is
//! kept) and that its owner must replace at the first sign-in, and updates staff of this unit whose name, phone, employment type, trade
//! or grade changed. Nothing missing from a file is deleted, and importing the same file
//! twice changes nothing the second time. A person registered in another unit is reported,
//! never moved.

use crate::access::{AccessError, Actor};
use crate::error::{unique_violation, AppError};
use crate::services::passwords;
use crate::services::spreadsheet::{CsvOut, XlsxOut};
use crate::state::AppState;
use crate::storage::roster::Person;
use crate::storage::{audit, roster as store};
use qinxue_core::account::{parse_name, TRADES};
use qinxue_core::office::{InitialPassword, RosterError, RosterReport};
use qinxue_core::time::local_date;
use qinxue_core::{EmploymentType, ErrorCode, Grade, IdNumber, Phone};
use std::collections::HashMap;

/// Largest file accepted: a roster of 10,000 people is about 700 KB as CSV.
pub const MAX_BYTES: usize = 5 * 1024 * 1024;
/// Most people in one file.
pub const MAX_ROWS: usize = 20_000;

/// The columns of the roster, in file order, with their Chinese labels.
pub const COLUMNS: [(&str, &str); 6] = [
    ("id_number", "身份证号"),
    ("name", "姓名"),
    ("phone", "手机"),
    ("employment_type", "用工类型"),
    ("trade", "工种"),
    ("grade", "等级"),
];

fn label_of(field: &str) -> &'static str {
    COLUMNS
        .iter()
        .find(|(f, _)| *f == field)
        .map_or("", |(_, l)| l)
}

fn column(name: &str) -> Option<&'static str> {
    let name = name.trim().trim_start_matches('\u{feff}').trim();
    let field = match name {
        "身份证号" | "身份证号码" | "身份证" | "证件号码" | "id_number" => {
            "id_number"
        }
        "姓名" | "name" => "name",
        "手机" | "手机号" | "手机号码" | "联系电话" | "phone" => "phone",
        "用工类型" | "用工形式" | "employment_type" => "employment_type",
        "工种" | "trade" => "trade",
        "等级" | "技能等级" | "技术等级" | "grade" => "grade",
        _ => return None,
    };
    Some(field)
}

/// Why a roster file (or an attendance file, read the same way) is refused whole, or the
/// roster is not imported or exported.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error(transparent)]
    Access(#[from] AccessError),
    #[error("empty upload")]
    EmptyUpload,
    /// Over [`MAX_BYTES`].
    #[error("file too large")]
    TooLarge,
    /// An Excel 97-2003 workbook (`.xls`).
    #[error("old Excel workbook")]
    OldExcel,
    /// A UTF-8 BOM, then text that is not UTF-8.
    #[error("not UTF-8 after a UTF-8 BOM")]
    BadUtf8,
    #[error("UTF-16 text")]
    Utf16,
    /// Binary content that is neither CSV nor XLSX.
    #[error("not a spreadsheet")]
    NotSpreadsheet,
    /// Text in none of the encodings detected.
    #[error("unknown text encoding")]
    UnknownEncoding,
    /// A CSV file whose first record cannot be read.
    #[error("no readable header")]
    NoHeader,
    /// Nothing in the file, not even a header.
    #[error("empty file")]
    Empty,
    /// A CSV record that cannot be read (a quote not closed), at this line.
    #[error("row {0} unreadable")]
    UnreadableRow(u64),
    /// A ZIP archive that is not a readable workbook.
    #[error("not an XLSX workbook")]
    NotXlsx,
    /// Not a ZIP archive (or a damaged one) where a workbook was expected.
    #[error("damaged or not an XLSX workbook")]
    NotZip,
    /// A part of the archive that cannot be read.
    #[error("damaged workbook part")]
    DamagedPart,
    /// A workbook that unpacks to more than `MAX_UNPACKED` bytes.
    #[error("workbook unpacks too large")]
    UnpackedTooLarge,
    /// Header columns missing (their labels).
    #[error("columns missing: {0:?}")]
    MissingColumns(Vec<&'static str>),
    /// More than [`MAX_ROWS`] people.
    #[error("too many rows")]
    TooManyRows,
    /// A header and no one.
    #[error("header only")]
    HeaderOnly,
    /// This many rows with errors: nothing imported.
    #[error("{0} bad rows")]
    BadRows(u64),
    /// The accounts changed between the check and the write.
    #[error("roster changed during the import")]
    ChangedMeanwhile,
    /// Someone registered a 身份证号 or phone of the file during the import.
    #[error("taken during the import")]
    TakenMeanwhile,
    /// A fault of the layers below (database, hashing, spreadsheet writers, tasks).
    #[error(transparent)]
    Fault(#[from] AppError),
}

impl From<sqlx::Error> for ImportError {
    fn from(e: sqlx::Error) -> Self {
        ImportError::Fault(e.into())
    }
}

impl From<crate::services::spreadsheet::SpreadsheetError> for ImportError {
    fn from(e: crate::services::spreadsheet::SpreadsheetError) -> Self {
        ImportError::Fault(e.into())
    }
}

/// The file's text: a BOM says UTF-8; else strict UTF-8; else GB18030 (which GBK is a part
/// of). Bytes that are none of these are not a CSV file.
pub fn decode(bytes: &[u8]) -> Result<String, ImportError> {
    if let Some(rest) = bytes.strip_prefix(crate::services::spreadsheet::BOM) {
        return String::from_utf8(rest.to_vec()).map_err(|_| ImportError::BadUtf8);
    }
    if bytes.starts_with(b"\xFF\xFE") || bytes.starts_with(b"\xFE\xFF") {
        return Err(ImportError::Utf16);
    }
    if bytes.contains(&0) {
        return Err(ImportError::NotSpreadsheet);
    }
    if let Ok(text) = std::str::from_utf8(bytes) {
        return Ok(text.to_owned());
    }
    encoding_rs::GB18030
        .decode_without_bom_handling_and_without_replacement(bytes)
        .map(|t| t.into_owned())
        .ok_or(ImportError::UnknownEncoding)
}

/// The rows of a file: how many, the valid ones, and every problem found in the file alone.
#[derive(Debug, Default)]
pub struct Parsed {
    pub rows: u64,
    pub people: Vec<Person>,
    pub errors: Vec<RosterError>,
}

fn bad(row: u64, field: &str, code: ErrorCode, message: impl Into<String>) -> RosterError {
    RosterError {
        row,
        field: field.to_owned(),
        code,
        message: format!("第 {row} 行“{}”：{}", label_of(field), message.into()),
    }
}

/// Excel writes a long number it was not told is text as `3.50502E+17`: the digits after the
/// sixth are gone and cannot be recovered from the file.
fn scientific(cell: &str) -> bool {
    let (mantissa, exp) = match cell.split_once(['E', 'e']) {
        Some(parts) => parts,
        None => return false,
    };
    let exp = exp.strip_prefix('+').unwrap_or(exp);
    !mantissa.is_empty()
        && mantissa.bytes().all(|b| b.is_ascii_digit() || b == b'.')
        && !exp.is_empty()
        && exp.bytes().all(|b| b.is_ascii_digit())
}

fn employment(cell: &str) -> Option<EmploymentType> {
    EmploymentType::ALL
        .into_iter()
        .find(|e| e.label() == cell || e.as_str() == cell)
        .or(match cell {
            "在编" | "在岗" | "在编人员" => Some(EmploymentType::InPost),
            "派遣" => Some(EmploymentType::Dispatched),
            "聘用" | "合同" | "合同制" => Some(EmploymentType::Contract),
            _ => None,
        })
}

fn grade(cell: &str) -> Option<Grade> {
    Grade::ALL
        .into_iter()
        .find(|g| g.label() == cell || g.as_str() == cell)
        .or(match cell {
            "初级" => Some(Grade::Junior),
            "中级" => Some(Grade::Intermediate),
            "高级" => Some(Grade::Senior),
            "无" | "未评定" => Some(Grade::Ungraded),
            _ => None,
        })
}

/// A cell of a roster file as the file stores it. A CSV file has text only; an XLSX cell may
/// also be a number, a date, a formula, a logical value or an error value.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    Number(f64),
    /// A date or time (an XLSX cell formatted as one); what Excel shows is not kept.
    Date,
    /// A formula, with its text; its cached value is not trusted.
    Formula(String),
    Bool(bool),
    /// `#N/A`, `#VALUE!` and the like.
    Error,
}

/// The rows of a file before they are checked: the header row's labels, then each data row
/// with its row number as the spreadsheet shows it.
#[derive(Debug, Default)]
pub struct Table {
    pub header: Vec<String>,
    pub rows: Vec<(u64, Vec<Cell>)>,
}

impl Table {
    /// The rows of a CSV text: the first record is the header, the file's line number is
    /// the row number.
    pub fn from_csv(text: &str) -> Result<Table, ImportError> {
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(text.as_bytes());
        let mut records = reader.records();
        let header = match records.next() {
            Some(Ok(h)) => h.iter().map(str::to_owned).collect(),
            Some(Err(_)) => return Err(ImportError::NoHeader),
            None => return Err(ImportError::Empty),
        };
        let mut rows = Vec::new();
        for (i, record) in records.enumerate() {
            let row = i as u64 + 2;
            let record = record.map_err(|_| ImportError::UnreadableRow(row))?;
            rows.push((
                row,
                record.iter().map(|c| Cell::Text(c.to_owned())).collect(),
            ));
            if rows.len() > MAX_ROWS + 1_000 {
                break;
            }
        }
        Ok(Table { header, rows })
    }

    /// The rows of the first sheet of an XLSX workbook: its first row is the header, row
    /// numbers are Excel's. Formulas are found apart from the values (calamine gives a
    /// formula cell's last computed value as its value).
    pub fn from_xlsx(bytes: Vec<u8>) -> Result<Table, ImportError> {
        use calamine::{Data, Reader, Xlsx};
        check_unpacked_size(&bytes)?;
        let not_xlsx = |_| ImportError::NotXlsx;
        let mut book: Xlsx<_> =
            calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).map_err(not_xlsx)?;
        let sheet = book
            .sheet_names()
            .first()
            .cloned()
            .ok_or(ImportError::Empty)?;
        let values = book.worksheet_range(&sheet).map_err(not_xlsx)?;
        let formulas = book.worksheet_formula(&sheet).map_err(not_xlsx)?;
        let mut formula_at: HashMap<(u32, u32), String> = HashMap::new();
        if let Some((r0, c0)) = formulas.start() {
            for (r, c, f) in formulas.used_cells() {
                if !f.is_empty() {
                    formula_at.insert((r0 + r as u32, c0 + c as u32), f.clone());
                }
            }
        }
        let Some((r0, c0)) = values.start() else {
            return Err(ImportError::Empty);
        };
        let mut table = Table::default();
        for (i, cells) in values.rows().enumerate() {
            let at = r0 + i as u32;
            let cells: Vec<Cell> = cells
                .iter()
                .enumerate()
                .map(|(j, v)| match formula_at.remove(&(at, c0 + j as u32)) {
                    Some(f) => Cell::Formula(f),
                    None => match v {
                        Data::String(s) => Cell::Text(s.clone()),
                        Data::Int(n) => Cell::Number(*n as f64),
                        Data::Float(n) => Cell::Number(*n),
                        Data::Bool(b) => Cell::Bool(*b),
                        Data::DateTime(_) | Data::DateTimeIso(_) | Data::DurationIso(_) => {
                            Cell::Date
                        }
                        Data::Error(_) => Cell::Error,
                        Data::Empty => Cell::Text(String::new()),
                    },
                })
                .collect();
            if table.header.is_empty() && table.rows.is_empty() {
                if cells.iter().all(blank) {
                    continue;
                }
                table.header = cells
                    .iter()
                    .map(|c| match c {
                        Cell::Text(s) => s.clone(),
                        _ => String::new(),
                    })
                    .collect();
                continue;
            }
            table.rows.push((u64::from(at) + 1, cells));
            if table.rows.len() > MAX_ROWS + 1_000 {
                break;
            }
        }
        if table.header.is_empty() {
            return Err(ImportError::Empty);
        }
        Ok(table)
    }
}

/// Most bytes the parts of an XLSX file may unpack to: a roster of 20,000 people is about
/// 10 MB of sheet XML; a small file that unpacks to gigabytes (a "zip bomb") is refused
/// before it is read.
const MAX_UNPACKED: u64 = 100 * 1024 * 1024;

fn check_unpacked_size(bytes: &[u8]) -> Result<(), ImportError> {
    let mut zip =
        zip::ZipArchive::new(std::io::Cursor::new(bytes)).map_err(|_| ImportError::NotZip)?;
    let mut total = 0u64;
    for i in 0..zip.len() {
        let part = zip.by_index_raw(i).map_err(|_| ImportError::DamagedPart)?;
        total = total.saturating_add(part.size());
    }
    if total > MAX_UNPACKED {
        return Err(ImportError::UnpackedTooLarge);
    }
    Ok(())
}

fn blank(cell: &Cell) -> bool {
    matches!(cell, Cell::Text(s) if s.trim().is_empty())
}

/// A number as Excel shows a long one in a narrow column: six significant digits
/// (`3.50502E+17`), so that the admin recognises what they see.
fn as_excel_shows(n: f64) -> String {
    let s = format!("{n:.5E}");
    match s.split_once('E') {
        Some((m, e)) if !e.starts_with('-') => format!("{m}E+{e}"),
        _ => s,
    }
}

/// A cell's text for a column that takes text, or the reason it has none.
fn cell_text(row: u64, field: &str, cell: Option<&Cell>) -> Result<String, RosterError> {
    let problem = |message: String| bad(row, field, ErrorCode::InvalidImport, message);
    match cell {
        None => Ok(String::new()),
        Some(Cell::Text(s)) if s.trim_start().starts_with('=') => {
            Err(problem("是公式，请改为填写文字".to_owned()))
        }
        Some(Cell::Text(s)) => Ok(s.trim().to_owned()),
        Some(Cell::Formula(f)) => Err(problem(format!(
            "是公式（={f}），请复制后“粘贴为数值”，或直接填写文字"
        ))),
        Some(Cell::Date) => Err(problem(
            "是日期，这一列应填写文字；请把单元格格式设为“文本”后重新填写".to_owned(),
        )),
        Some(Cell::Error) => Err(problem("是错误值（如 #N/A），请填写正确的内容".to_owned())),
        Some(Cell::Bool(_)) => Err(problem("是逻辑值（TRUE/FALSE），请填写文字".to_owned())),
        Some(Cell::Number(n)) if field == "id_number" => Err(bad(
            row,
            field,
            ErrorCode::InvalidIdNumber,
            format!(
                "被 Excel 存成了数字（{}），后几位已丢失；请把这一列设为“文本”后重新填写身份证号",
                as_excel_shows(*n)
            ),
        )),
        // A phone number typed into a number cell keeps every digit (11 digits fit a double).
        Some(Cell::Number(n)) if n.fract() == 0.0 && n.abs() < 1e15 => Ok(format!("{n:.0}")),
        Some(Cell::Number(n)) => Ok(n.to_string()),
    }
}

/// Checks every row of a CSV roster on its own and against the other rows.
pub fn parse_csv(text: &str, today: chrono::NaiveDate) -> Result<Parsed, ImportError> {
    parse_table(Table::from_csv(text)?, today)
}

/// Checks every row of a roster table on its own and against the other rows.
pub fn parse_table(table: Table, today: chrono::NaiveDate) -> Result<Parsed, ImportError> {
    let mut at: HashMap<&'static str, usize> = HashMap::new();
    for (i, name) in table.header.iter().enumerate() {
        if let Some(field) = column(name) {
            at.entry(field).or_insert(i);
        }
    }
    let missing: Vec<&str> = COLUMNS
        .iter()
        .filter(|(f, _)| !at.contains_key(f))
        .map(|(_, l)| *l)
        .collect();
    if !missing.is_empty() {
        return Err(ImportError::MissingColumns(missing));
    }
    let mut parsed = Parsed::default();
    let mut seen_id: HashMap<String, u64> = HashMap::new();
    let mut seen_phone: HashMap<String, u64> = HashMap::new();
    for (row, record) in table.rows {
        if record.iter().all(blank) {
            continue;
        }
        parsed.rows += 1;
        if parsed.rows as usize > MAX_ROWS {
            return Err(ImportError::TooManyRows);
        }
        let mut errors = Vec::new();
        let mut texts: HashMap<&str, String> = HashMap::new();
        for (field, _) in COLUMNS {
            match cell_text(row, field, record.get(at[field])) {
                Ok(text) => {
                    texts.insert(field, text);
                }
                Err(e) => errors.push(e),
            }
        }
        // A column whose cell could not be read has its error already; it is not checked
        // again as if it were empty.
        let cell = |field: &str| texts.get(field).cloned();
        let id_number = cell("id_number").and_then(|raw_id| {
            if scientific(&raw_id) {
                errors.push(bad(
                    row,
                    "id_number",
                    ErrorCode::InvalidIdNumber,
                    format!("被 Excel 写成了科学计数法（{raw_id}），后几位已丢失；请把这一列设为“文本”后重新填写身份证号"),
                ));
                return None;
            }
            match IdNumber::parse(&raw_id, today) {
                Ok(id) => Some(id.as_str().to_owned()),
                Err(e) => {
                    errors.push(bad(
                        row,
                        "id_number",
                        ErrorCode::InvalidIdNumber,
                        e.to_string(),
                    ));
                    None
                }
            }
        });
        let name = cell("name").and_then(|v| {
            parse_name(&v)
                .map_err(|e| errors.push(bad(row, "name", ErrorCode::InvalidName, e.to_string())))
                .ok()
        });
        let phone = cell("phone").and_then(|v| {
            Phone::parse(&v)
                .map(|p| p.as_str().to_owned())
                .map_err(|e| errors.push(bad(row, "phone", ErrorCode::InvalidPhone, e.to_string())))
                .ok()
        });
        let employment_type = cell("employment_type").and_then(|v| {
            let found = employment(&v);
            if found.is_none() {
                errors.push(bad(
                    row,
                    "employment_type",
                    ErrorCode::ValidationFailed,
                    format!("“{v}”不是用工类型，应为 在编在岗、劳务派遣 或 聘用合同"),
                ));
            }
            found
        });
        let trade = cell("trade").and_then(|v| {
            if TRADES.contains(&v.as_str()) {
                Some(v)
            } else {
                errors.push(bad(
                    row,
                    "trade",
                    ErrorCode::InvalidTrade,
                    format!("“{v}”不是平台的工种（如 电工、汽车驾驶员、保洁员）"),
                ));
                None
            }
        });
        let grade_ = cell("grade").and_then(|v| {
            let found = grade(&v);
            if found.is_none() {
                errors.push(bad(
                    row,
                    "grade",
                    ErrorCode::ValidationFailed,
                    format!(
                        "“{v}”不是技能等级，应为 初级工、中级工、高级工、技师、高级技师 或 未定级"
                    ),
                ));
            }
            found
        });
        if let Some(id) = &id_number {
            if let Some(first) = seen_id.insert(id.clone(), row) {
                errors.push(bad(
                    row,
                    "id_number",
                    ErrorCode::IdNumberTaken,
                    format!("与第 {first} 行重复"),
                ));
                seen_id.insert(id.clone(), first);
            }
        }
        if let Some(p) = &phone {
            if let Some(first) = seen_phone.insert(p.clone(), row) {
                errors.push(bad(
                    row,
                    "phone",
                    ErrorCode::PhoneTaken,
                    format!("与第 {first} 行重复"),
                ));
                seen_phone.insert(p.clone(), first);
            }
        }
        match (id_number, name, phone, employment_type, trade, grade_) {
            (
                Some(id_number),
                Some(name),
                Some(phone),
                Some(employment_type),
                Some(trade),
                Some(grade),
            ) if errors.is_empty() => parsed.people.push(Person {
                row,
                id_number,
                name,
                phone,
                employment_type,
                trade,
                grade,
            }),
            _ => parsed.errors.extend(errors),
        }
    }
    if parsed.rows == 0 {
        return Err(ImportError::HeaderOnly);
    }
    Ok(parsed)
}

/// What importing the people would do, given who already exists: the rows that refer to
/// someone of another unit or to another person's phone are errors.
fn plan(
    unit_id: i64,
    people: &[Person],
    existing: &store::Existing,
    report: &mut RosterReport,
) -> Vec<store::Change> {
    let mut changes = Vec::new();
    for p in people {
        let phone_owner = existing.phones.get(&p.phone);
        match existing.people.get(&p.id_number) {
            Some(found) if found.unit_id != Some(unit_id) || !found.trainee => {
                report.errors.push(bad(
                    p.row,
                    "id_number",
                    ErrorCode::IdNumberTaken,
                    "此人已在其他单位注册，请由其本人或原单位处理",
                ));
            }
            Some(found) => {
                if phone_owner.is_some_and(|owner| *owner != found.id) {
                    report.errors.push(bad(
                        p.row,
                        "phone",
                        ErrorCode::PhoneTaken,
                        "该手机号已被其他人使用",
                    ));
                    continue;
                }
                let same = found.name == p.name
                    && found.phone.as_deref() == Some(p.phone.as_str())
                    && found.employment_type == Some(p.employment_type)
                    && found.trade.as_deref() == Some(p.trade.as_str())
                    && found.grade == Some(p.grade);
                if same {
                    report.unchanged += 1;
                } else {
                    report.updated += 1;
                    changes.push(store::Change::Update(found.id, p.clone()));
                }
            }
            None => {
                if phone_owner.is_some() {
                    report.errors.push(bad(
                        p.row,
                        "phone",
                        ErrorCode::PhoneTaken,
                        "该手机号已被其他人使用",
                    ));
                    continue;
                }
                report.created += 1;
                changes.push(store::Change::Create(p.clone()));
            }
        }
    }
    report.errors.sort_by_key(|e| e.row);
    report.valid = report.rows - {
        let mut rows: Vec<u64> = report.errors.iter().map(|e| e.row).collect();
        rows.dedup();
        rows.len() as u64
    };
    changes
}

/// Checks a roster file and, unless `dry_run`, writes it: all rows or none.
pub async fn import(
    state: &AppState,
    actor: &Actor,
    bytes: Vec<u8>,
    dry_run: bool,
) -> Result<RosterReport, ImportError> {
    let (admin, unit_id) = actor.unit_admin()?;
    let admin_id = admin.id;
    if bytes.is_empty() {
        return Err(ImportError::EmptyUpload);
    }
    if bytes.len() > MAX_BYTES {
        return Err(ImportError::TooLarge);
    }
    let now = state.clock.now();
    let today = local_date(now);
    let parsed = if bytes.starts_with(b"PK\x03\x04") {
        // Unpacking and reading the sheet's XML is CPU work of a few hundred milliseconds
        // for a large roster: off the async threads.
        tokio::task::spawn_blocking(move || parse_table(Table::from_xlsx(bytes)?, today))
            .await
            .map_err(|e| AppError::Internal(format!("roster XLSX task: {e}")))??
    } else if bytes.starts_with(b"\xD0\xCF\x11\xE0") {
        return Err(ImportError::OldExcel);
    } else {
        parse_csv(&decode(&bytes)?, today)?
    };
    let mut report = RosterReport {
        rows: parsed.rows,
        valid: 0,
        errors: parsed.errors,
        dry_run,
        created: 0,
        updated: 0,
        unchanged: 0,
        passwords: Vec::new(),
    };
    let people = parsed.people;
    if dry_run {
        let existing = {
            let mut conn = state.db.read().await?;
            store::existing(&mut conn, &people).await?
        };
        plan(unit_id, &people, &existing, &mut report);
        return Ok(report);
    }
    // Checked first outside the transaction, so that a file with bad rows costs no hashing,
    // and the new accounts' one-time passwords are hashed before the write begins.
    let new_people: Vec<String> = {
        let existing = {
            let mut conn = state.db.read().await?;
            store::existing(&mut conn, &people).await?
        };
        let mut first = report.clone();
        let changes = plan(unit_id, &people, &existing, &mut first);
        if !first.errors.is_empty() {
            return Err(rows_refused(&first));
        }
        changes
            .into_iter()
            .filter_map(|c| match c {
                store::Change::Create(p) => Some(p.id_number),
                store::Change::Update(..) => None,
            })
            .collect()
    };
    let plain = new_people
        .iter()
        .map(|_| passwords::one_time_password())
        .collect::<Result<Vec<_>, _>>()?;
    let hashes = passwords::hash_one_time(state, &plain).await?;
    let one_time: HashMap<String, (String, String)> = new_people
        .into_iter()
        .zip(plain.into_iter().zip(hashes))
        .collect();
    let at = now.timestamp();
    state
        .db
        .write(move |c| {
            Box::pin(async move {
                // Checked again inside the transaction, so that what is written is what
                // the rows say against the accounts as they are now.
                let existing = store::existing(&mut *c, &people).await?;
                let changes = plan(unit_id, &people, &existing, &mut report);
                if !report.errors.is_empty() {
                    return Err(rows_refused(&report).into());
                }
                for change in &changes {
                    let hash = match change {
                        store::Change::Create(p) => match one_time.get(&p.id_number) {
                            Some((plain, hash)) => {
                                report.passwords.push(InitialPassword {
                                    row: p.row,
                                    name: p.name.clone(),
                                    id_number: p.id_number.clone(),
                                    password: plain.clone(),
                                });
                                Some(hash.as_str())
                            }
                            None => return Err(ImportError::ChangedMeanwhile.into()),
                        },
                        store::Change::Update(..) => None,
                    };
                    store::apply(&mut *c, unit_id, change, hash, at)
                        .await
                        .map_err(|e| match unique_violation(&e) {
                            Some(_) => ImportError::TakenMeanwhile.into(),
                            None => AppError::Database(e),
                        })?;
                }
                if !changes.is_empty() {
                    let detail = format!(
                        "新增 {} 人（已生成一次性密码），更新 {} 人，未变 {} 人",
                        report.created, report.updated, report.unchanged
                    );
                    audit::record(
                        &mut *c,
                        at,
                        Some(admin_id),
                        "roster.import",
                        &format!("unit:{unit_id}"),
                        &detail,
                    )
                    .await?;
                }
                Ok(report)
            })
        })
        .await
        .map_err(ImportError::from)
}

fn rows_refused(report: &RosterReport) -> ImportError {
    ImportError::BadRows(report.rows - report.valid)
}

async fn staff(state: &AppState, actor: &Actor) -> Result<Vec<Person>, ImportError> {
    let (_, unit_id) = actor.unit_admin()?;
    let mut conn = state.db.read().await?;
    Ok(store::of_unit(&mut conn, unit_id).await?)
}

fn cells(p: &Person) -> [&str; 6] {
    [
        &p.id_number,
        &p.name,
        &p.phone,
        p.employment_type.label(),
        &p.trade,
        p.grade.label(),
    ]
}

/// The unit's staff in the import's columns, as CSV with a BOM: importing it changes nothing.
pub async fn export_csv(state: &AppState, actor: &Actor) -> Result<Vec<u8>, ImportError> {
    let labels: Vec<&str> = COLUMNS.iter().map(|(_, l)| *l).collect();
    let mut out = CsvOut::new(&labels);
    for p in staff(state, actor).await? {
        out.row(&cells(&p))?;
    }
    Ok(out.finish()?)
}

/// Column widths of the roster's XLSX, in characters.
const WIDTHS: [f64; 6] = [22.0, 10.0, 14.0, 12.0, 14.0, 10.0];

/// The same columns as an XLSX workbook, every cell text: importing it changes nothing.
pub async fn export_xlsx(state: &AppState, actor: &Actor) -> Result<Vec<u8>, ImportError> {
    let staff = staff(state, actor).await?;
    let header: Vec<(&str, f64)> = COLUMNS.iter().map(|(_, l)| *l).zip(WIDTHS).collect();
    tokio::task::spawn_blocking(move || {
        let mut out = XlsxOut::new("人员名单", &header)?;
        for p in &staff {
            out.row(&cells(p))?;
        }
        out.finish()
    })
    .await
    .map_err(|e| AppError::Internal(format!("roster XLSX task: {e}")))?
    .map_err(ImportError::from)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> chrono::NaiveDate {
        chrono::NaiveDate::from_ymd_opt(2026, 9, 1).unwrap()
    }

    const HEAD: &str = "身份证号,姓名,手机,用工类型,工种,等级\n";

    #[test]
    fn gbk_utf8_and_bom_files_read_the_same() {
        let text = format!("{HEAD}350502198001011235,王建国,13805950001,在编在岗,电工,中级工\n");
        let (gbk, _, _) = encoding_rs::GBK.encode(&text);
        let mut bom = crate::services::spreadsheet::BOM.to_vec();
        bom.extend_from_slice(text.as_bytes());
        for bytes in [gbk.to_vec(), bom, text.as_bytes().to_vec()] {
            assert_eq!(decode(&bytes).unwrap(), text);
        }
    }

    #[test]
    fn every_bad_row_names_its_row_and_column() {
        let text = format!(
            "{HEAD}350502198001011234,王建国,13805950001,在编在岗,电工,中级工\n\
             3.50502E+17,李四,13805950002,劳务派遣,电工,初级工\n\
             350502198503154324,=HYPERLINK(1),1380595,临时工,飞行员,大师\n\
             350502199007223014,张三,13805950004,聘用合同,电工,高级工\n\
             350502199007223014,张三,13805950005,聘用合同,电工,高级工\n"
        );
        let p = parse_csv(&text, today()).unwrap();
        assert_eq!(p.rows, 5);
        assert_eq!(p.people.len(), 1);
        let cells: Vec<(u64, &str)> = p.errors.iter().map(|e| (e.row, e.field.as_str())).collect();
        assert_eq!(
            cells,
            [
                (2, "id_number"),
                (3, "id_number"),
                (4, "name"),
                (4, "phone"),
                (4, "employment_type"),
                (4, "trade"),
                (4, "grade"),
                (6, "id_number"),
            ]
        );
        assert!(p.errors[1].message.contains("科学计数法"));
        assert!(p.errors[0].message.starts_with("第 2 行“身份证号”"));
        assert!(p.errors[7].message.contains("与第 5 行重复"));
    }

    #[test]
    fn a_file_without_the_columns_or_rows_is_refused_whole() {
        assert!(parse_csv("", today()).is_err());
        assert!(parse_csv("姓名,手机\n王建国,13805950001\n", today()).is_err());
        assert!(parse_csv(HEAD, today()).is_err());
        assert!(decode(b"\x00\x01binary").is_err());
    }

    /// A workbook with the roster's header and these rows, written by the same crate as the
    /// export; `extra` adds cells of other kinds.
    fn workbook(
        rows: &[[&str; 6]],
        extra: impl FnOnce(&mut rust_xlsxwriter::Worksheet),
    ) -> Vec<u8> {
        let mut book = rust_xlsxwriter::Workbook::new();
        let ws = book.add_worksheet();
        for (c, (_, label)) in COLUMNS.iter().enumerate() {
            ws.write_string(0, c as u16, *label).unwrap();
        }
        for (r, row) in rows.iter().enumerate() {
            for (c, cell) in row.iter().enumerate() {
                ws.write_string(r as u32 + 1, c as u16, *cell).unwrap();
            }
        }
        extra(ws);
        book.save_to_buffer().unwrap()
    }

    const GOOD: [&str; 6] = [
        "350502198001011235",
        "王建国",
        "13805950001",
        "在编在岗",
        "电工",
        "中级工",
    ];

    #[test]
    fn an_xlsx_roster_reads_like_its_csv() {
        let bytes = workbook(&[GOOD], |_| {});
        let p = parse_table(Table::from_xlsx(bytes).unwrap(), today()).unwrap();
        assert_eq!((p.rows, p.errors.len()), (1, 0));
        assert_eq!(p.people[0].id_number, "350502198001011235");
        assert_eq!(p.people[0].row, 2);
    }

    #[test]
    fn formula_date_and_numeric_id_cells_are_named_by_row_and_column() {
        let bytes = workbook(&[GOOD, GOOD, GOOD, GOOD], |ws| {
            // Row 3: the 身份证号 as Excel stores a long number it was not told is text.
            ws.write_number(2, 0, 350502198001011235.0).unwrap();
            ws.write_string(2, 2, "13805950003").unwrap();
            // Row 4: a formula for the name.
            ws.write_formula(3, 1, "=\"王\"&\"建国\"").unwrap();
            ws.write_string(3, 0, "350502199007223014").unwrap();
            ws.write_string(3, 2, "13805950004").unwrap();
            // Row 5: a date where the trade is expected.
            let date = rust_xlsxwriter::Format::new().set_num_format("yyyy-mm-dd");
            ws.write_number_with_format(4, 4, 45000.0, &date).unwrap();
            ws.write_string(4, 0, "350502198503154324").unwrap();
            ws.write_string(4, 2, "13805950005").unwrap();
            // A phone typed as a number keeps its digits.
            ws.write_number(1, 2, 13805950001.0).unwrap();
        });
        let p = parse_table(Table::from_xlsx(bytes).unwrap(), today()).unwrap();
        let cells: Vec<(u64, &str)> = p.errors.iter().map(|e| (e.row, e.field.as_str())).collect();
        assert_eq!(
            cells,
            [(3, "id_number"), (4, "name"), (5, "trade")],
            "{:?}",
            p.errors
        );
        assert!(
            p.errors[0]
                .message
                .starts_with("第 3 行“身份证号”：被 Excel 存成了数字（3.50502E+17）"),
            "{}",
            p.errors[0].message
        );
        assert!(p.errors[1].message.contains("是公式"));
        assert!(p.errors[2].message.starts_with("第 5 行“工种”：是日期"));
        assert_eq!(p.people.len(), 1);
        assert_eq!(p.people[0].phone, "13805950001");
    }

    #[test]
    fn a_workbook_that_is_empty_or_damaged_is_refused_whole() {
        let mut empty = rust_xlsxwriter::Workbook::new();
        empty.add_worksheet();
        let empty = empty.save_to_buffer().unwrap();
        assert!(matches!(Table::from_xlsx(empty), Err(ImportError::Empty)));
        let mut damaged = workbook(&[GOOD], |_| {});
        damaged.truncate(damaged.len() / 2);
        assert!(matches!(
            Table::from_xlsx(damaged),
            Err(ImportError::NotZip)
        ));
    }
}
