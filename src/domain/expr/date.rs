//! Calendar dates as answers and expressions see them: strict ISO `YYYY-MM-DD` text, and the
//! day number (days since 1970-01-01) that date arithmetic and comparisons work on, as ODK does.
//! Written by hand rather than with `time` so that the domain's date rule is one small pure
//! function that the server's validation and the expression evaluator share.

/// The day number of a strict ISO date (`2020-02-29` → 18321); `None` for anything else
/// (`2020-02-30`, `1/5/2020`, `20200101`, `test`, `2020-1-5`).
pub fn parse_iso(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let digits = |r: std::ops::Range<usize>| -> Option<i64> {
        let part = s.get(r)?;
        part.bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| part.parse().ok())
            .flatten()
    };
    let (y, m, d) = (digits(0..4)?, digits(5..7)?, digits(8..10)?);
    if !(1..=12).contains(&m) || d < 1 || d > days_in_month(y, m) {
        return None;
    }
    Some(days_from_civil(y, m, d))
}

/// The ISO text of a day number (the inverse of [`parse_iso`]).
pub fn format_iso(days: i64) -> String {
    let (y, m, d) = civil_from_days(days);
    format!("{y:04}-{m:02}-{d:02}")
}

fn is_leap(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        2 if is_leap(y) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

// Howard Hinnant's civil-calendar algorithms: exact for every proleptic Gregorian date.
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_real_calendar_dates_in_iso_form_parse() {
        assert_eq!(parse_iso("1970-01-01"), Some(0));
        assert_eq!(parse_iso("2020-02-29"), Some(18_321));
        for bad in [
            "2020-02-30",
            "2019-02-29",
            "1/5/2020",
            "20200101",
            "test",
            "2020-1-05",
            "2020-13-01",
            "2020-00-10",
            "+020-01-01",
            "",
        ] {
            assert_eq!(parse_iso(bad), None, "{bad} must be refused");
        }
    }

    #[test]
    fn day_numbers_round_trip_to_the_same_text() {
        for s in ["1900-03-01", "2000-02-29", "2026-12-31", "1969-12-31"] {
            let n = parse_iso(s).expect("a valid date");
            assert_eq!(format_iso(n), s);
        }
    }
}
