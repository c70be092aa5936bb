//! Spreadsheet cells we write for people to open: a text a spreadsheet would run as a formula is
//! neutralised on the way out (every CSV and XLSX export goes through [`neutralise`]), and
//! [`unneutralise`] reads our own exports back unchanged.

/// The first characters that make a spreadsheet evaluate a cell (OWASP's list on CSV injection).
const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// A cell a spreadsheet will not evaluate: text starting with `=`, `+`, `-`, `@`, a tab or a
/// carriage return gets a leading apostrophe. Numbers are written by us and never pass through
/// here.
pub fn neutralise(cell: &str) -> String {
    if cell.starts_with(FORMULA_STARTS) {
        format!("'{cell}")
    } else {
        cell.to_owned()
    }
}

/// The text [`neutralise`] was given: an apostrophe in front of a formula start is removed, so a
/// downloaded catalogue imported again holds the same texts. Any other cell is unchanged.
pub fn unneutralise(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if rest.starts_with(FORMULA_STARTS) => rest,
        _ => cell,
    }
}

#[cfg(test)]
mod tests {
    use super::{neutralise, unneutralise};

    #[test]
    fn cells_a_spreadsheet_would_evaluate_are_neutralised() {
        assert_eq!(neutralise("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(neutralise("+46 8 123"), "'+46 8 123");
        assert_eq!(neutralise("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(neutralise("-1"), "'-1");
        assert_eq!(neutralise("Anna Andersson"), "Anna Andersson");
    }

    #[test]
    fn a_neutralised_cell_reads_back_as_written_and_other_apostrophes_stay() {
        for text in ["=1+1", "@x", "\tx", "plain", "'quoted'"] {
            assert_eq!(unneutralise(&neutralise(text)), text);
        }
        assert_eq!(unneutralise("'s Gravenhage"), "'s Gravenhage");
    }
}
