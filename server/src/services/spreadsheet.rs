//! Spreadsheets as administrators exchange them: CSV as Excel and WPS write and read it (UTF-8
//! with a BOM going out; UTF-8, UTF-8 with a BOM or GBK/GB18030 coming in), and XLSX. Files
//! are read and written here on the server, never in the browser.

use crate::error::AppError;

/// The byte-order mark that makes Chinese Excel read a CSV file as UTF-8.
pub const BOM: &[u8] = b"\xEF\xBB\xBF";

/// A CSV file being written: a BOM, a header row, then rows.
pub struct CsvOut {
    writer: csv::Writer<Vec<u8>>,
}

impl CsvOut {
    pub fn new(header: &[&str]) -> Self {
        let mut writer = csv::Writer::from_writer(BOM.to_vec());
        // Writing to memory cannot fail; a header of plain strings is always a record.
        let _ = writer.write_record(header);
        Self { writer }
    }

    /// One row. A cell that a spreadsheet would take for a formula (`=`, `+`, `@`) is written
    /// with a leading apostrophe, which Excel shows as text.
    pub fn row(&mut self, cells: &[&str]) -> Result<(), AppError> {
        let cells: Vec<_> = cells.iter().map(|c| guard_formula(c)).collect();
        self.writer
            .write_record(cells.iter().map(|c| c.as_bytes()))
            .map_err(|e| AppError::Internal(format!("CSV: {e}")))
    }

    pub fn finish(self) -> Result<Vec<u8>, AppError> {
        self.writer
            .into_inner()
            .map_err(|e| AppError::Internal(format!("CSV: {e}")))
    }
}

/// A cell as written into an exported file: text that would start a formula gets an
/// apostrophe in front, so that opening an export never runs what someone typed.
pub fn guard_formula(cell: &str) -> std::borrow::Cow<'_, str> {
    match cell.chars().next() {
        Some('=' | '+' | '@') => format!("'{cell}").into(),
        _ => cell.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_starts_with_a_bom_and_formulas_are_defused() {
        let mut out = CsvOut::new(&["姓名", "说明"]);
        out.row(&["王建国", "=HYPERLINK(\"x\")"]).unwrap();
        let bytes = out.finish().unwrap();
        assert!(bytes.starts_with(BOM));
        let text = std::str::from_utf8(&bytes[3..]).unwrap();
        assert_eq!(text, "姓名,说明\n王建国,\"'=HYPERLINK(\"\"x\"\")\"\n");
    }
}
