//! The unit admin's staff roster (DESIGN.md §8): import from the CSV file Excel or WPS writes,
//! check every row first (a dry run shows them all), then write all rows or none; export the
//! same columns so that a file round-trips.
//!
//! Columns (a header row naming them, in any order, Chinese labels or API names):
//! 身份证号, 姓名, 手机, 用工类型, 工种, 等级. The text is detected, never asked for: a UTF-8 BOM,
//! else strict UTF-8, else GB18030 (Chinese Excel's "CSV (逗号分隔)" is GBK without a BOM).
//!
//! An import creates the accounts of new people (without a password: they cannot sign in
//! until one is set) and updates staff of this unit whose name, phone, employment type, trade
//! or grade changed. Nothing missing from a file is deleted, and importing the same file
//! twice changes nothing the second time. A person registered in another unit is reported,
//! never moved.

use crate::access::Actor;
use crate::error::{unique_violation, AppError};
use crate::services::spreadsheet::CsvOut;
use crate::state::AppState;
use crate::storage::{audit, roster as store};
use qinxue_core::account::{parse_name, TRADES};
use qinxue_core::office::{RosterError, RosterReport};
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

fn file_error(message: impl Into<String>) -> AppError {
    AppError::Explained {
        code: ErrorCode::InvalidImport,
        message: message.into(),
    }
}

/// The file's text: a BOM says UTF-8; else strict UTF-8; else GB18030 (which GBK is a part
/// of). Bytes that are none of these are not a CSV file.
pub fn decode(bytes: &[u8]) -> Result<String, AppError> {
    if let Some(rest) = bytes.strip_prefix(crate::services::spreadsheet::BOM) {
        return String::from_utf8(rest.to_vec()).map_err(|_| {
            file_error("文件开头标明是 UTF-8 编码，但其中有无法识别的文字，请重新保存后再导入")
        });
    }
    if bytes.starts_with(b"\xFF\xFE") || bytes.starts_with(b"\xFE\xFF") {
        return Err(file_error(
            "文件是 UTF-16 编码（Excel 的“Unicode 文本”），请另存为“CSV（逗号分隔）”后再导入",
        ));
    }
    if bytes.contains(&0) {
        return Err(AppError::Explained {
            code: ErrorCode::UnsupportedFileType,
            message: "文件不是 CSV 表格，请在 Excel 或 WPS 中另存为“CSV（逗号分隔）”后再导入"
                .to_owned(),
        });
    }
    if let Ok(text) = std::str::from_utf8(bytes) {
        return Ok(text.to_owned());
    }
    encoding_rs::GB18030
        .decode_without_bom_handling_and_without_replacement(bytes)
        .map(|t| t.into_owned())
        .ok_or_else(|| {
            file_error("无法识别文件的文字编码，请另存为“CSV UTF-8（逗号分隔）”后再导入")
        })
}

/// One valid row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    pub row: u64,
    pub id_number: String,
    pub name: String,
    pub phone: String,
    pub employment_type: EmploymentType,
    pub trade: String,
    pub grade: Grade,
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

/// Checks every row of a CSV roster on its own and against the other rows.
pub fn parse_csv(text: &str, today: chrono::NaiveDate) -> Result<Parsed, AppError> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut records = reader.records();
    let header = match records.next() {
        Some(Ok(h)) => h,
        Some(Err(_)) => return Err(file_error("文件不是 CSV 表格，无法读取表头")),
        None => {
            return Err(file_error(
                "文件是空的，请在第 1 行写表头，从第 2 行起每行一人",
            ))
        }
    };
    let mut at: HashMap<&'static str, usize> = HashMap::new();
    for (i, name) in header.iter().enumerate() {
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
        return Err(file_error(format!(
            "第 1 行表头缺少列：{}（应有 身份证号、姓名、手机、用工类型、工种、等级）",
            missing.join("、")
        )));
    }
    let mut parsed = Parsed::default();
    let mut seen_id: HashMap<String, u64> = HashMap::new();
    let mut seen_phone: HashMap<String, u64> = HashMap::new();
    for (i, record) in records.enumerate() {
        let row = i as u64 + 2;
        let record =
            record.map_err(|_| file_error(format!("第 {row} 行无法读取（引号不成对？）")))?;
        if record.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        parsed.rows += 1;
        if parsed.rows as usize > MAX_ROWS {
            return Err(file_error(format!(
                "一个文件最多 {MAX_ROWS} 人，请分成几个文件导入"
            )));
        }
        let cell = |field: &str| record.get(at[field]).unwrap_or("").trim().to_owned();
        let mut errors = Vec::new();
        for (field, _) in COLUMNS {
            let v = cell(field);
            if v.starts_with('=') {
                errors.push(bad(
                    row,
                    field,
                    ErrorCode::InvalidImport,
                    "是公式，请改为填写文字",
                ));
            }
        }
        let raw_id = cell("id_number");
        let id_number = if scientific(&raw_id) {
            errors.push(bad(
                row,
                "id_number",
                ErrorCode::InvalidIdNumber,
                format!("被 Excel 写成了科学计数法（{raw_id}），后几位已丢失；请把这一列设为“文本”后重新填写身份证号"),
            ));
            None
        } else {
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
        };
        let name = parse_name(&cell("name"))
            .map_err(|e| errors.push(bad(row, "name", ErrorCode::InvalidName, e.to_string())))
            .ok();
        let phone = Phone::parse(&cell("phone"))
            .map(|p| p.as_str().to_owned())
            .map_err(|e| errors.push(bad(row, "phone", ErrorCode::InvalidPhone, e.to_string())))
            .ok();
        let employment_type = employment(&cell("employment_type"));
        if employment_type.is_none() {
            errors.push(bad(
                row,
                "employment_type",
                ErrorCode::ValidationFailed,
                format!(
                    "“{}”不是用工类型，应为 在编在岗、劳务派遣 或 聘用合同",
                    cell("employment_type")
                ),
            ));
        }
        let trade = cell("trade");
        if !TRADES.contains(&trade.as_str()) {
            errors.push(bad(
                row,
                "trade",
                ErrorCode::InvalidTrade,
                format!("“{trade}”不是平台的工种（如 电工、汽车驾驶员、保洁员）"),
            ));
        }
        let grade_ = grade(&cell("grade"));
        if grade_.is_none() {
            errors.push(bad(
                row,
                "grade",
                ErrorCode::ValidationFailed,
                format!(
                    "“{}”不是技能等级，应为 初级工、中级工、高级工、技师、高级技师 或 未定级",
                    cell("grade")
                ),
            ));
        }
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
        match (id_number, name, phone, employment_type, grade_) {
            (Some(id_number), Some(name), Some(phone), Some(employment_type), Some(grade))
                if errors.is_empty() =>
            {
                parsed.people.push(Person {
                    row,
                    id_number,
                    name,
                    phone,
                    employment_type,
                    trade,
                    grade,
                })
            }
            _ => parsed.errors.extend(errors),
        }
    }
    if parsed.rows == 0 {
        return Err(file_error("文件中只有表头，没有人员"));
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
) -> Result<RosterReport, AppError> {
    let (admin, unit_id) = actor.unit_admin()?;
    let admin_id = admin.id;
    if bytes.is_empty() {
        return Err(file_error("上传的文件是空的，请重新选择文件"));
    }
    if bytes.len() > MAX_BYTES {
        return Err(AppError::Explained {
            code: ErrorCode::FileTooLarge,
            message: format!(
                "文件超过 {} MB，请分成几个文件导入",
                MAX_BYTES / 1024 / 1024
            ),
        });
    }
    if bytes.starts_with(b"PK\x03\x04") {
        return Err(AppError::Explained {
            code: ErrorCode::UnsupportedFileType,
            message: "暂不支持 XLSX 文件，请在 Excel 或 WPS 中另存为“CSV（逗号分隔）”后再导入"
                .to_owned(),
        });
    }
    let now = state.clock.now();
    let text = decode(&bytes)?;
    let parsed = parse_csv(&text, local_date(now))?;
    let mut report = RosterReport {
        rows: parsed.rows,
        valid: 0,
        errors: parsed.errors,
        dry_run,
        created: 0,
        updated: 0,
        unchanged: 0,
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
                    let rows = report.rows - report.valid;
                    return Err(file_error(format!(
                        "文件中有 {rows} 行有错误，未导入任何人员；请先检查文件，按提示修改后重新导入"
                    )));
                }
                for change in &changes {
                    store::apply(&mut *c, unit_id, change, at)
                        .await
                        .map_err(|e| match unique_violation(&e) {
                            Some(_) => file_error(
                                "导入时有人同时注册了文件中的身份证号或手机号，请重新导入",
                            ),
                            None => AppError::Database(e),
                        })?;
                }
                if !changes.is_empty() {
                    let detail = format!(
                        "新增 {} 人，更新 {} 人，未变 {} 人",
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
}

/// The unit's staff in the import's columns, as CSV with a BOM: importing it changes nothing.
pub async fn export_csv(state: &AppState, actor: &Actor) -> Result<Vec<u8>, AppError> {
    let (_, unit_id) = actor.unit_admin()?;
    let staff = {
        let mut conn = state.db.read().await?;
        store::of_unit(&mut conn, unit_id).await?
    };
    let labels: Vec<&str> = COLUMNS.iter().map(|(_, l)| *l).collect();
    let mut out = CsvOut::new(&labels);
    for p in staff {
        out.row(&[
            &p.id_number,
            &p.name,
            &p.phone,
            p.employment_type.label(),
            &p.trade,
            p.grade.label(),
        ])?;
    }
    out.finish()
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
        assert!(p.errors[8].message.contains("与第 5 行重复"));
    }

    #[test]
    fn a_file_without_the_columns_or_rows_is_refused_whole() {
        assert!(parse_csv("", today()).is_err());
        assert!(parse_csv("姓名,手机\n王建国,13805950001\n", today()).is_err());
        assert!(parse_csv(HEAD, today()).is_err());
        assert!(decode(b"\x00\x01binary").is_err());
    }
}
