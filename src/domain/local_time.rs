//! Local time for people: times are stored in UTC and shown in the instance's time zone
//! (Europe/Stockholm unless configured), and a time staff type in is read in that zone. The
//! tz database is compiled in (jiff's bundled tzdb), so the answer does not depend on the
//! host's `/usr/share/zoneinfo` and summer time is right on any machine.

use time::{OffsetDateTime, PrimitiveDateTime};

use crate::domain::lang::Lang;

/// The zone used when none is configured.
pub const DEFAULT_ZONE: &str = "Europe/Stockholm";

/// A time zone of the tz database. It is jiff's own type, so the settings can hold one without
/// depending on this module.
pub type Zone = jiff::tz::TimeZone;

/// A zone name the tz database does not know.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{0}' is not a time zone of the tz database, e.g. Europe/Stockholm or UTC")]
pub struct UnknownZone(pub String);

/// The zone named `name` (an IANA name such as `Europe/Stockholm`, or `UTC`).
pub fn zone(name: &str) -> Result<Zone, UnknownZone> {
    let name = name.trim();
    jiff::tz::TimeZone::get(name).map_err(|_| UnknownZone(name.to_owned()))
}

/// Europe/Stockholm, the default (UTC only if the compiled-in database lacked it).
pub fn stockholm() -> Zone {
    zone(DEFAULT_ZONE).unwrap_or(jiff::tz::TimeZone::UTC)
}

/// Wall-clock conversions of a zone.
pub trait WallClock {
    /// Its IANA name (`UTC` for a fixed zone without one).
    fn name(&self) -> &str;

    /// The UTC instant of a wall-clock time typed in this zone. A time in the hour skipped
    /// when summer time starts is read as the same clock reading after the jump, and one in
    /// the hour repeated in autumn as the earlier of the two (the tz database's "compatible"
    /// rule, as calendars do).
    fn to_utc(&self, local: PrimitiveDateTime) -> Option<OffsetDateTime>;

    /// A stored UTC instant as this zone's wall-clock time, for a form field to edit.
    fn to_local(&self, at: OffsetDateTime) -> PrimitiveDateTime;
}

impl WallClock for Zone {
    fn name(&self) -> &str {
        self.iana_name().unwrap_or("UTC")
    }

    fn to_utc(&self, local: PrimitiveDateTime) -> Option<OffsetDateTime> {
        let dt = jiff::civil::DateTime::new(
            i16::try_from(local.year()).ok()?,
            i8::try_from(u8::from(local.month())).ok()?,
            i8::try_from(local.day()).ok()?,
            i8::try_from(local.hour()).ok()?,
            i8::try_from(local.minute()).ok()?,
            0,
            0,
        )
        .ok()?;
        let zoned = self.to_ambiguous_zoned(dt).compatible().ok()?;
        OffsetDateTime::from_unix_timestamp(zoned.timestamp().as_second()).ok()
    }

    fn to_local(&self, at: OffsetDateTime) -> PrimitiveDateTime {
        let l = local(self, at);
        time::Month::try_from(l.month)
            .ok()
            .and_then(|m| time::Date::from_calendar_date(l.year, m, l.day).ok())
            .and_then(|d| {
                time::Time::from_hms(l.hour, l.minute, 0)
                    .ok()
                    .map(|t| PrimitiveDateTime::new(d, t))
            })
            .unwrap_or_else(|| PrimitiveDateTime::new(at.date(), at.time()))
    }
}

/// The wall-clock time in `zone` of an instant (falls back to UTC for an instant jiff cannot
/// represent, which no stored time is).
fn local(zone: &Zone, at: OffsetDateTime) -> Local {
    let zoned =
        jiff::Timestamp::from_second(at.unix_timestamp()).map(|ts| ts.to_zoned(zone.clone()));
    match zoned {
        Ok(z) => Local {
            year: i32::from(z.year()),
            month: z.month().unsigned_abs(),
            day: z.day().unsigned_abs(),
            hour: z.hour().unsigned_abs(),
            minute: z.minute().unsigned_abs(),
        },
        Err(_) => Local {
            year: at.year(),
            month: u8::from(at.month()),
            day: at.day(),
            hour: at.hour(),
            minute: at.minute(),
        },
    }
}

/// A wall-clock reading.
struct Local {
    year: i32,
    month: u8,
    day: u8,
    hour: u8,
    minute: u8,
}

const MONTHS_SV: [&str; 12] = [
    "januari",
    "februari",
    "mars",
    "april",
    "maj",
    "juni",
    "juli",
    "augusti",
    "september",
    "oktober",
    "november",
    "december",
];
const MONTHS_EN: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

fn month_name(lang: Lang, month: u8) -> &'static str {
    let i = usize::from(month.clamp(1, 12)) - 1;
    match lang {
        Lang::Sv => MONTHS_SV[i],
        Lang::En => MONTHS_EN[i],
    }
}

/// A stored UTC time (the database's `Timestamp` columns hold UTC) as residents read it:
/// "1 december 2026 kl. 15:04" / "1 December 2026, 15:04", in `zone`.
pub fn display(utc: PrimitiveDateTime, zone: &Zone, lang: Lang) -> String {
    display_instant(utc.assume_utc(), zone, lang)
}

/// An instant as residents read it, in `zone` (see [`display`]).
pub fn display_instant(at: OffsetDateTime, zone: &Zone, lang: Lang) -> String {
    let l = local(zone, at);
    let month = month_name(lang, l.month);
    match lang {
        Lang::Sv => format!(
            "{} {month} {} kl. {:02}:{:02}",
            l.day, l.year, l.hour, l.minute
        ),
        Lang::En => format!(
            "{} {month} {}, {:02}:{:02}",
            l.day, l.year, l.hour, l.minute
        ),
    }
}

/// The calendar date of an instant in `zone`: "1 december 2026" / "1 December 2026".
pub fn display_date(at: OffsetDateTime, zone: &Zone, lang: Lang) -> String {
    let l = local(zone, at);
    format!("{} {} {}", l.day, month_name(lang, l.month), l.year)
}

/// A stored UTC time compactly for staff tables: "2026-12-01 15:04", in `zone`.
pub fn display_short(utc: PrimitiveDateTime, zone: &Zone) -> String {
    let l = local(zone, utc.assume_utc());
    format!(
        "{}-{:02}-{:02} {:02}:{:02}",
        l.year, l.month, l.day, l.hour, l.minute
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn stockholm() -> Zone {
        zone("Europe/Stockholm").expect("bundled tzdb")
    }

    #[test]
    fn summer_time_in_stockholm_is_two_hours_ahead_of_utc() {
        let at = datetime!(2026-07-01 13:04);
        assert_eq!(display(at, &stockholm(), Lang::Sv), "1 juli 2026 kl. 15:04");
        assert_eq!(display_short(at, &stockholm()), "2026-07-01 15:04");
    }

    #[test]
    fn winter_time_in_stockholm_is_one_hour_ahead_of_utc() {
        let at = datetime!(2026-12-01 14:04);
        assert_eq!(
            display(at, &stockholm(), Lang::Sv),
            "1 december 2026 kl. 15:04"
        );
        assert_eq!(
            display(at, &stockholm(), Lang::En),
            "1 December 2026, 15:04"
        );
    }

    #[test]
    fn the_day_can_change_with_the_zone() {
        let at = datetime!(2026-12-31 23:30);
        assert_eq!(
            display_date(at.assume_utc(), &stockholm(), Lang::Sv),
            "1 januari 2027"
        );
    }

    #[test]
    fn a_typed_local_time_is_stored_as_utc_on_both_sides_of_the_change() {
        let z = stockholm();
        assert_eq!(
            z.to_utc(datetime!(2026-06-15 09:00)),
            Some(datetime!(2026-06-15 07:00 UTC))
        );
        assert_eq!(
            z.to_utc(datetime!(2026-01-15 09:00)),
            Some(datetime!(2026-01-15 08:00 UTC))
        );
        // 02:30 on 29 March 2026 does not exist in Stockholm: read after the jump (03:30 CEST).
        assert_eq!(
            z.to_utc(datetime!(2026-03-29 02:30)),
            Some(datetime!(2026-03-29 01:30 UTC))
        );
        let back = z.to_local(datetime!(2026-06-15 07:00 UTC));
        assert_eq!(back, datetime!(2026-06-15 09:00));
    }

    #[test]
    fn an_unknown_zone_is_refused_and_utc_is_known() {
        assert!(zone("Europe/Atlantis").is_err());
        let utc = zone("UTC").expect("UTC");
        assert_eq!(
            display_short(datetime!(2026-07-01 13:04), &utc),
            "2026-07-01 13:04"
        );
        assert_eq!(super::stockholm().name(), "Europe/Stockholm");
        assert_eq!(utc.name(), "UTC");
    }
}
