//! Spreadsheets as administrators exchange them: CSV as Excel and WPS write and read it (UTF-8
//! with a BOM going out; UTF-8, UTF-8 with a BOM or GBK/GB18030 coming in), and XLSX. Files
//! are read and written here on the server, never in the browser.

/// Why a spreadsheet was not written: faults only, of the CSV writer or of the XLSX writer
/// (whose rows go through a temporary file).
#[derive(Debug, thiserror::Error)]
pub enum SpreadsheetError {
    #[error("CSV: {0}")]
    Csv(#[from] csv::Error),
    #[error("CSV: {0}")]
    CsvFlush(std::io::Error),
    #[error("XLSX: {0}")]
    Xlsx(rust_xlsxwriter::XlsxError),
}

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
    pub fn row(&mut self, cells: &[&str]) -> Result<(), SpreadsheetError> {
        let cells: Vec<_> = cells.iter().map(|c| guard_formula(c)).collect();
        Ok(self
            .writer
            .write_record(cells.iter().map(|c| c.as_bytes()))?)
    }

    pub fn finish(self) -> Result<Vec<u8>, SpreadsheetError> {
        self.writer
            .into_inner()
            .map_err(|e| SpreadsheetError::CsvFlush(e.into_error()))
    }
}

/// An XLSX workbook being written: one sheet, a bold header row that stays in view, then rows
/// of text. Every cell is a text cell in a column formatted as text (`@`), so that Excel never
/// turns a 身份证号 into `3.50502E+17` or drops a phone's leading digits, and a cell that begins
/// with `=` stays the text it was (an XLSX string cell is never a formula).
pub struct XlsxOut {
    workbook: rust_xlsxwriter::Workbook,
    text: rust_xlsxwriter::Format,
    next_row: u32,
}

impl XlsxOut {
    /// A workbook whose one sheet is named `sheet`, with these column labels and widths (in
    /// characters).
    pub fn new(sheet: &str, header: &[(&str, f64)]) -> Result<Self, SpreadsheetError> {
        use rust_xlsxwriter::{Format, Workbook};
        let mut workbook = Workbook::new();
        // Saving is mostly deflating the sheet's XML: the fastest level takes a fraction of
        // the default's time for a somewhat larger file, which counts for a province's export.
        workbook.set_zip_compression_level(1);
        let text = Format::new().set_num_format("@");
        let bold = Format::new().set_num_format("@").set_bold();
        // Rows go to a temporary file as they are written (they come in order), not into
        // a map of every cell kept until the save.
        let ws = workbook
            .add_worksheet_with_constant_memory()
            .map_err(SpreadsheetError::Xlsx)?;
        ws.set_name(sheet).map_err(SpreadsheetError::Xlsx)?;
        for (col, (label, width)) in header.iter().enumerate() {
            let col = col as u16;
            ws.set_column_width(col, *width)
                .map_err(SpreadsheetError::Xlsx)?;
            ws.set_column_format(col, &text)
                .map_err(SpreadsheetError::Xlsx)?;
            ws.write_string_with_format(0, col, *label, &bold)
                .map_err(SpreadsheetError::Xlsx)?;
        }
        ws.set_freeze_panes(1, 0).map_err(SpreadsheetError::Xlsx)?;
        Ok(Self {
            workbook,
            text,
            next_row: 1,
        })
    }

    /// One row of text cells.
    pub fn row(&mut self, cells: &[&str]) -> Result<(), SpreadsheetError> {
        let ws = self
            .workbook
            .worksheet_from_index(0)
            .map_err(SpreadsheetError::Xlsx)?;
        for (col, cell) in cells.iter().enumerate() {
            ws.write_string_with_format(self.next_row, col as u16, *cell, &self.text)
                .map_err(SpreadsheetError::Xlsx)?;
        }
        self.next_row += 1;
        Ok(())
    }

    pub fn finish(mut self) -> Result<Vec<u8>, SpreadsheetError> {
        self.workbook
            .save_to_buffer()
            .map_err(SpreadsheetError::Xlsx)
    }
}

/// The MIME type of an XLSX file.
pub const XLSX_TYPE: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

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

    #[test]
    fn xlsx_cells_read_back_as_the_text_written() {
        use calamine::{Data, Reader, Xlsx};
        let mut out = XlsxOut::new("人员", &[("身份证号", 20.0), ("姓名", 10.0)]).unwrap();
        out.row(&["350502198001011235", "=王建国"]).unwrap();
        let bytes = out.finish().unwrap();
        let mut book: Xlsx<_> =
            calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
        let range = book.worksheet_range_at(0).unwrap().unwrap();
        assert_eq!(
            range.get((1, 0)),
            Some(&Data::String("350502198001011235".into()))
        );
        assert_eq!(range.get((1, 1)), Some(&Data::String("=王建国".into())));
        assert_eq!(range.get((0, 0)), Some(&Data::String("身份证号".into())));
    }
}
