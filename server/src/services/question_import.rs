//! Practice questions from a CSV file, as a provincial admin writes them in Excel.
//!
//! Layout (a header row naming the columns, in any order; 选项E/选项F may be left out):
//!
//! | 题型 | 题目 | 选项A | 选项B | 选项C | 选项D | 选项E | 选项F | 答案 | 解析 |
//! |---|---|---|---|---|---|---|---|---|---|
//! | 单选 | … | … | … | … | … | | | B | … |
//! | 多选 | … | … | … | … | … | | | ACD | … |
//! | 判断 | … | | | | | | | 正确 | … |
//!
//! 题型 is 单选, 多选 or 判断 (or `single`, `multiple`, `true_false`); 答案 is the right
//! options' letters (`B`, `ACD`, `A,C`), and for 判断 正确/错误 (对/错, √/×). The file may be
//! UTF-8 with or without the BOM Excel writes, or GBK, which Chinese Excel uses for “CSV
//! (逗号分隔)”. Quoted cells may hold commas and line breaks. Import is all or nothing: one bad
//! row and nothing is imported, and the answer lists every bad row with its line and reasons.

use qinxue_core::admin::{QuestionInput, MAX_OPTIONS};
use qinxue_core::api::RowError;
use qinxue_core::catalogue::QuestionKind;
use std::borrow::Cow;
use std::collections::HashMap;

/// Largest file accepted (about 2,000 questions).
pub const MAX_CSV_BYTES: usize = 2 * 1024 * 1024;
/// Most questions in one file.
pub const MAX_ROWS: usize = 2000;

/// Why a question file is not imported. Nothing of it is.
#[derive(Debug, thiserror::Error)]
pub enum QuestionImportError {
    /// The file as a whole cannot be read as questions (encoding, header, size, no rows); the
    /// message says why and how to fix it.
    #[error("question file refused: {0}")]
    Unreadable(String),
    /// Rows that break the rules: every one of them.
    #[error("{} bad rows", .0.len())]
    BadRows(Vec<RowError>),
}

fn file_error(message: impl Into<String>) -> QuestionImportError {
    QuestionImportError::Unreadable(message.into())
}

/// The file's text: UTF-8 (a BOM is dropped) or, failing that, GBK.
pub fn decode(bytes: &[u8]) -> Result<Cow<'_, str>, QuestionImportError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if bytes.starts_with(b"\xFF\xFE") || bytes.starts_with(b"\xFE\xFF") {
        return Err(file_error(
            "文件是 UTF-16 编码（Excel 的“Unicode 文本”），请在 Excel 中“另存为”选择“CSV UTF-8（逗号分隔）”后再导入",
        ));
    }
    // A 0 byte is a NUL in UTF-8 and in GBK alike (GBK's second bytes start at 0x40); no
    // spreadsheet writes one, and PostgreSQL refuses it in text.
    if bytes.contains(&0) {
        return Err(file_error(
            "文件中含有空字符，不是 Excel 保存的文本文件，请在 Excel 中“另存为”选择“CSV UTF-8（逗号分隔）”后再导入",
        ));
    }
    if let Ok(text) = std::str::from_utf8(bytes) {
        return Ok(Cow::Borrowed(text));
    }
    encoding_rs::GBK
        .decode_without_bom_handling_and_without_replacement(bytes)
        .ok_or_else(|| {
            file_error(
                "无法识别文件的文字编码，请在 Excel 中“另存为”选择“CSV UTF-8（逗号分隔）”后再导入",
            )
        })
}

/// The columns a file must or may have.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Column {
    Kind,
    Stem,
    Option(usize),
    Answer,
    Explanation,
}

fn column(name: &str) -> Option<Column> {
    let name = name.trim().trim_start_matches('\u{feff}').to_lowercase();
    let name = name.as_str();
    match name {
        "题型" | "类型" | "kind" => Some(Column::Kind),
        "题目" | "题干" | "question" | "stem" => Some(Column::Stem),
        "答案" | "正确答案" | "answer" => Some(Column::Answer),
        "解析" | "答案解析" | "explanation" => Some(Column::Explanation),
        _ => {
            let letter = name
                .strip_prefix("选项")
                .or_else(|| name.strip_prefix("option"))
                .unwrap_or(name)
                .trim();
            let mut chars = letter.chars();
            match (chars.next(), chars.next()) {
                (Some(c @ 'a'..='f'), None) => Some(Column::Option(c as usize - 'a' as usize)),
                _ => None,
            }
        }
    }
}

const LAYOUT: &str = "第一行应为列名：题型,题目,选项A,选项B,选项C,选项D,选项E,选项F,答案,解析";

fn kind(cell: &str) -> Option<QuestionKind> {
    match cell.trim().to_lowercase().as_str() {
        "单选" | "单选题" | "single" => Some(QuestionKind::Single),
        "多选" | "多选题" | "multiple" => Some(QuestionKind::Multiple),
        "判断" | "判断题" | "true_false" => Some(QuestionKind::TrueFalse),
        _ => None,
    }
}

/// Full-width letters (Ａ) as Chinese input methods type them become ASCII.
fn ascii_letter(c: char) -> Option<char> {
    let c = match c {
        'Ａ'..='Ｚ' => char::from_u32(c as u32 - 'Ａ' as u32 + 'A' as u32)?,
        'ａ'..='ｚ' => char::from_u32(c as u32 - 'ａ' as u32 + 'a' as u32)?,
        c => c,
    };
    c.is_ascii_alphabetic().then(|| c.to_ascii_uppercase())
}

/// The 0-based options an answer cell names, ascending; `None` if it is not letters.
fn answer_letters(cell: &str) -> Option<Vec<usize>> {
    let mut answer = Vec::new();
    for c in cell.chars() {
        if c.is_whitespace() || matches!(c, ',' | '，' | '、' | ';' | '；') {
            continue;
        }
        let letter = ascii_letter(c)?;
        answer.push(letter as usize - 'A' as usize);
    }
    answer.sort_unstable();
    answer.dedup();
    (!answer.is_empty()).then_some(answer)
}

fn true_false(cell: &str) -> Option<Vec<usize>> {
    match cell.trim().to_lowercase().as_str() {
        "正确" | "对" | "√" | "✓" | "a" | "t" | "true" | "是" => Some(vec![0]),
        "错误" | "错" | "×" | "✗" | "b" | "f" | "false" | "否" => Some(vec![1]),
        _ => None,
    }
}

/// One data row as a question, or every reason it is not one.
fn row_question(cells: &HashMap<Column, String>) -> Result<QuestionInput, Vec<String>> {
    let cell = |c: Column| cells.get(&c).map(|s| s.trim()).unwrap_or("");
    let mut problems = Vec::new();
    let kind_cell = cell(Column::Kind);
    let Some(kind) = kind(kind_cell) else {
        problems.push(if kind_cell.is_empty() {
            "题型为空，应为“单选”“多选”或“判断”".to_owned()
        } else {
            format!("题型“{kind_cell}”无法识别，应为“单选”“多选”或“判断”")
        });
        return Err(problems);
    };
    let mut options: Vec<String> = Vec::new();
    if kind != QuestionKind::TrueFalse {
        let last = (0..MAX_OPTIONS)
            .rev()
            .find(|i| !cell(Column::Option(*i)).is_empty());
        for i in 0..=last.unwrap_or(0) {
            let text = cell(Column::Option(i));
            if text.is_empty() && last.is_some() {
                problems.push(format!(
                    "选项{}为空，但后面还有选项",
                    qinxue_core::admin::option_letter(i)
                ));
            }
            options.push(text.to_owned());
        }
        if last.is_none() {
            options.clear();
        }
    }
    let answer_cell = cell(Column::Answer);
    let answer = if answer_cell.is_empty() {
        problems.push("答案为空".to_owned());
        vec![]
    } else if kind == QuestionKind::TrueFalse {
        true_false(answer_cell).unwrap_or_else(|| {
            problems.push(format!(
                "判断题的答案“{answer_cell}”无法识别，应为“正确”或“错误”"
            ));
            vec![]
        })
    } else {
        answer_letters(answer_cell).unwrap_or_else(|| {
            problems.push(format!(
                "答案“{answer_cell}”无法识别，应为选项字母，如 B 或 ACD"
            ));
            vec![]
        })
    };
    let question = QuestionInput {
        kind,
        stem: cell(Column::Stem).to_owned(),
        options,
        answer,
        explanation: cell(Column::Explanation).to_owned(),
    };
    if let Err(errors) = question.validate() {
        for e in errors {
            // The answer's own reason was given above when the cell could not be read.
            if e.field == "answer" && problems.iter().any(|p| p.contains("答案")) {
                continue;
            }
            if !problems.contains(&e.message) {
                problems.push(e.message);
            }
        }
    }
    if problems.is_empty() {
        Ok(question)
    } else {
        Err(problems)
    }
}

/// The line a record starting at byte `at` is on. Counted here because the csv crate's own
/// count lags by one after Windows line ends (`\r\n`), which Excel writes: a record's
/// position may point at the end of the line before, so line ends there are skipped first.
fn line_at(text: &str, at: u64) -> u64 {
    let bytes = text.as_bytes();
    let mut at = usize::try_from(at).unwrap_or(usize::MAX).min(bytes.len());
    while at < bytes.len() && matches!(bytes[at], b'\r' | b'\n') {
        at += 1;
    }
    1 + bytes[..at].iter().filter(|b| **b == b'\n').count() as u64
}

/// The questions of a CSV file, or every bad row. `existing` are the stems the course
/// already has: importing one again is refused as a duplicate.
pub fn parse(bytes: &[u8], existing: &[String]) -> Result<Vec<QuestionInput>, QuestionImportError> {
    let text = decode(bytes)?;
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut records = reader.records();
    let header = match records.next() {
        Some(Ok(h)) => h,
        Some(Err(_)) | None => return Err(file_error(format!("文件是空的。{LAYOUT}"))),
    };
    let columns: Vec<Option<Column>> = header.iter().map(column).collect();
    let mut missing = Vec::new();
    for (col, name) in [
        (Column::Kind, "题型"),
        (Column::Stem, "题目"),
        (Column::Answer, "答案"),
        (Column::Explanation, "解析"),
    ] {
        if !columns.contains(&Some(col)) {
            missing.push(name);
        }
    }
    if !missing.is_empty() {
        return Err(file_error(format!(
            "第 1 行缺少列：{}。{LAYOUT}",
            missing.join("、")
        )));
    }
    let mut seen: HashMap<String, u64> = HashMap::new();
    let mut questions = Vec::new();
    let mut bad = Vec::new();
    for record in records {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map_or(0, |p| line_at(&text, p.byte()));
                bad.push(RowError {
                    line,
                    message: "这一行无法读取（引号不成对？）".into(),
                });
                continue;
            }
        };
        let line = record.position().map_or(0, |p| line_at(&text, p.byte()));
        if record.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        if questions.len() + bad.len() >= MAX_ROWS {
            return Err(file_error(format!(
                "一次最多导入 {MAX_ROWS} 道题，请把文件分成几份"
            )));
        }
        let mut cells = HashMap::new();
        for (value, col) in record.iter().zip(&columns) {
            if let Some(col) = col {
                cells.insert(*col, value.to_owned());
            }
        }
        match row_question(&cells) {
            Ok(q) => {
                let stem = q.stem.trim().to_owned();
                if let Some(first) = seen.get(&stem) {
                    bad.push(RowError {
                        line,
                        message: format!("与第 {first} 行的题目重复"),
                    });
                } else if existing.iter().any(|s| s.trim() == stem) {
                    bad.push(RowError {
                        line,
                        message: "课程中已有相同的题目".into(),
                    });
                } else {
                    seen.insert(stem, line);
                    questions.push(q);
                }
            }
            Err(problems) => bad.push(RowError {
                line,
                message: problems.join("；"),
            }),
        }
    }
    if !bad.is_empty() {
        return Err(QuestionImportError::BadRows(bad));
    }
    if questions.is_empty() {
        return Err(file_error(format!("文件中没有题目。{LAYOUT}")));
    }
    Ok(questions)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::AppError;
    use qinxue_core::ErrorCode;

    const HEADER: &str = "题型,题目,选项A,选项B,选项C,选项D,答案,解析\n";

    fn rows(err: QuestionImportError) -> Vec<(u64, String)> {
        match err {
            QuestionImportError::BadRows(rows) => {
                rows.into_iter().map(|r| (r.line, r.message)).collect()
            }
            other => panic!("expected bad rows, got {other:?}"),
        }
    }

    #[test]
    fn good_rows_of_every_kind_are_read() {
        let csv = format!(
            "{HEADER}单选,灭火器压力表指针在哪个区域表示正常？,红色,绿色,黄色,,B,绿色区域表示压力正常。\n\
             多选题,哪些属于个人防护用品？,安全帽,绝缘手套,手机,护目镜,\"A, B,D\",手机不是。\n\
             判断,发现火情应先拨打 119。,,,,,对,先报警。\n"
        );
        let qs = parse(csv.as_bytes(), &[]).unwrap();
        assert_eq!(qs.len(), 3);
        assert_eq!(qs[0].kind, QuestionKind::Single);
        assert_eq!(qs[0].options, ["红色", "绿色", "黄色"]);
        assert_eq!(qs[0].answer, [1]);
        assert_eq!(qs[1].answer, [0, 1, 3]);
        assert_eq!(qs[2].kind, QuestionKind::TrueFalse);
        assert!(qs[2].options.is_empty());
        assert_eq!(qs[2].answer, [0]);
    }

    #[test]
    fn every_bad_row_is_reported_with_its_line() {
        let csv = format!(
            "{HEADER}单选,好题目,甲,乙,,,A,解析\n\
             填空,什么？,,,,,A,解析\n\
             单选,\"跨两行\n的题目\",甲,乙,,,C,解析\n\
             多选,只有一个答案,甲,乙,丙,,B,\n\
             判断,对不对,,,,,也许,解析\n\
             单选,好题目,甲,乙,,,B,解析\n"
        );
        let bad = rows(parse(csv.as_bytes(), &[]).unwrap_err());
        let lines: Vec<u64> = bad.iter().map(|r| r.0).collect();
        assert_eq!(lines, [3, 4, 6, 7, 8], "{bad:?}");
        assert!(bad[0].1.contains("填空"));
        assert!(bad[1].1.contains("单选题"), "{}", bad[1].1);
        assert!(
            bad[2].1.contains("多选题") && bad[2].1.contains("答案解析"),
            "{}",
            bad[2].1
        );
        assert!(bad[3].1.contains("也许"));
        assert!(bad[4].1.contains("第 2 行"));
    }

    #[test]
    fn a_bom_gbk_and_existing_questions_are_handled() {
        let csv = format!("\u{feff}{HEADER}判断,安全帽可以不系下颏带。,,,,,错误,必须系紧。\r\n");
        assert_eq!(parse(csv.as_bytes(), &[]).unwrap().len(), 1);
        let (gbk, _, _) = encoding_rs::GBK.encode(&csv[3..]);
        assert_eq!(parse(&gbk, &[]).unwrap()[0].answer, [1]);
        let dup = rows(parse(csv.as_bytes(), &["安全帽可以不系下颏带。".into()]).unwrap_err());
        assert_eq!(dup[0].0, 2);
        let utf16 = AppError::from(parse(b"\xFF\xFEx\0", &[]).unwrap_err());
        assert!(utf16.body().error.message.contains("UTF-16"));
    }

    #[test]
    fn lines_are_counted_with_windows_line_ends_and_quoted_breaks() {
        let csv = format!(
            "{}单选,\"两行\r\n题目\",甲,乙,,,X,解析\r\n判断,对吗,,,,,也许,解析\r\n",
            HEADER.replace('\n', "\r\n")
        );
        let lines: Vec<u64> = rows(parse(csv.as_bytes(), &[]).unwrap_err())
            .iter()
            .map(|r| r.0)
            .collect();
        assert_eq!(lines, [2, 4]);
    }

    #[test]
    fn a_file_with_a_nul_is_refused_whole() {
        let csv = format!("{HEADER}判断,水\0是液体,,,,,对,\n");
        let err = AppError::from(parse(csv.as_bytes(), &[]).unwrap_err());
        assert_eq!(err.code(), ErrorCode::InvalidImport);
        assert!(err.body().error.message.contains("空字符"));
    }

    #[test]
    fn a_file_without_the_columns_or_questions_is_refused_whole() {
        let e = AppError::from(parse("题目,答案\n什么,A\n".as_bytes(), &[]).unwrap_err());
        assert!(
            e.body().error.message.contains("题型、解析"),
            "{:?}",
            e.body()
        );
        let e = AppError::from(parse(HEADER.as_bytes(), &[]).unwrap_err());
        assert!(e.body().error.message.contains("没有题目"));
        assert!(parse(b"", &[]).is_err());
    }

    #[test]
    fn answers_accept_the_ways_people_type_them() {
        assert_eq!(answer_letters("ａ、Ｃ"), Some(vec![0, 2]));
        assert_eq!(answer_letters("c a"), Some(vec![0, 2]));
        assert_eq!(answer_letters("1"), None);
        assert_eq!(true_false(" × "), Some(vec![1]));
    }
}
