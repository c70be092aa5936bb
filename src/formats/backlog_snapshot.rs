//! A published backlog snapshot as a table file: CSV (UTF-8 with BOM) or XLSX with one sheet.
//! Text cells are neutralised ([`super::cells::neutralise`]) so a name starting with `=` is never a
//! formula; numbers are written as numbers in the workbook.

use rust_xlsxwriter::{Format, Workbook};

use super::cells::neutralise;

/// One cell: text or a number.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// Text (neutralised on writing).
    Text(String),
    /// A number (written as is; NaN becomes an empty cell).
    Number(f64),
}

impl Value {
    fn text(&self) -> String {
        match self {
            Value::Text(s) => neutralise(s),
            Value::Number(x) if x.is_finite() => x.to_string(),
            Value::Number(_) => String::new(),
        }
    }
}

/// The table as CSV.
pub fn write_csv(header: &[&str], rows: &[Vec<Value>]) -> Result<Vec<u8>, String> {
    let mut w = csv::Writer::from_writer(b"\xEF\xBB\xBF".to_vec());
    w.write_record(header).map_err(|e| e.to_string())?;
    for r in rows {
        w.write_record(r.iter().map(Value::text))
            .map_err(|e| e.to_string())?;
    }
    w.into_inner().map_err(|e| e.to_string())
}

/// The table as an XLSX workbook with one sheet `backlog`.
pub fn write_xlsx(header: &[&str], rows: &[Vec<Value>]) -> Result<Vec<u8>, String> {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("backlog").map_err(|e| e.to_string())?;
    let bold = Format::new().set_bold();
    for (c, h) in header.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, *h, &bold)
            .map_err(|e| e.to_string())?;
    }
    for (r, row) in rows.iter().enumerate() {
        let at = u32::try_from(r + 1).map_err(|e| e.to_string())?;
        for (c, v) in row.iter().enumerate() {
            let col = c as u16;
            match v {
                Value::Number(x) if x.is_finite() => ws.write_number(at, col, *x),
                other => ws.write_string(at, col, other.text()),
            }
            .map_err(|e| e.to_string())?;
        }
    }
    wb.save_to_buffer().map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_that_looks_like_a_formula_is_written_as_text() {
        let csv = write_csv(
            &["area", "score"],
            &[vec![
                Value::Text("=HYPERLINK(\"x\")".into()),
                Value::Number(0.5),
            ]],
        )
        .unwrap();
        let text = String::from_utf8(csv).unwrap();
        assert!(
            text.contains("'=HYPERLINK") && text.contains(",0.5"),
            "{text}"
        );
    }
}
