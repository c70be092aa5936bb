//! Benefits follow-up (nyttohemtagning) of a launched e-service: the prediction frozen before launch
//! (the expected e-service share with its interval, and the volume, channel mix and costs it was
//! computed from), the follow-up measurements (contacts by channel over a period), the realised
//! saving computed the same way as the predicted one, and whether a realised figure fell below,
//! inside or above the predicted interval. Pure functions; every bad field is named.

use serde::{Deserialize, Serialize};

use super::backlog::{whole, Channel, ChannelMix, FieldError};
use super::expr::date::{format_iso, parse_iso};
use super::lang::Msg;

/// Largest yearly contact count of one channel in a follow-up (far above any city errand).
pub const MAX_CONTACTS: u64 = 100_000_000;
/// Longest optional note or source, in characters.
pub const MAX_NOTE: usize = 1_000;

fn field(field: &'static str, sv: impl Into<String>, en: impl Into<String>) -> FieldError {
    FieldError {
        field,
        why: Msg::new(sv.into(), en.into()),
    }
}

/// The city's relative cost per contact (e-service 1, phone 50, e-mail 70, letter 90, visit 110;
/// Stockholm's e-service programme, 2010), in [`Channel::ALL`] order (the web is the e-service).
pub const CITY_RELATIVE_COSTS: [f64; 5] = [50.0, 70.0, 90.0, 110.0, 1.0];

/// What a prediction was computed from, copied from the area when the prediction was frozen.
///
/// Frozen rather than read from the area at follow-up time: an area's volume, mix and costs are
/// edited after launch (the catalogue is re-imported yearly), and a prediction recomputed from moved
/// inputs could no longer be held against what it promised.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Basis {
    /// Errands per year before launch.
    pub yearly_volume: u64,
    /// The channel mix before launch, in percent, in [`Channel::ALL`] order.
    pub mix: [f64; 5],
    /// Cost per contact by channel, in [`Channel::ALL`] order (relative units by default).
    pub costs: [f64; 5],
}

impl Basis {
    /// The basis of an area's figures with the city's relative costs.
    pub fn of(yearly_volume: u64, mix: &ChannelMix) -> Basis {
        Basis {
            yearly_volume,
            mix: Channel::ALL.map(|c| mix.share(c)),
            costs: CITY_RELATIVE_COSTS,
        }
    }

    /// The e-service (web) share before launch, as a fraction.
    pub fn web_share_before(&self) -> f64 {
        self.mix[4] / 100.0
    }
}

/// A share as a fraction in [0, 1] with its interval.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Interval {
    /// Point estimate.
    pub point: f64,
    /// Lower limit.
    pub low: f64,
    /// Upper limit.
    pub high: f64,
}

/// The predicted e-service share as typed: percent, point with low and high.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct PredictionInput {
    /// Expected e-service share after launch (percent).
    #[serde(default)]
    pub share_point: String,
    /// Its lower limit (percent).
    #[serde(default)]
    pub share_low: String,
    /// Its upper limit (percent).
    #[serde(default)]
    pub share_high: String,
}

fn percent(name: &'static str, raw: &str) -> Result<f64, FieldError> {
    let t: String = raw
        .trim()
        .trim_end_matches('%')
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .replace(',', ".");
    if t.is_empty() {
        return Err(field(name, "saknas", "is missing"));
    }
    match t.parse::<f64>() {
        Ok(x) if x.is_finite() && (0.0..=100.0).contains(&x) => Ok(x / 100.0),
        Ok(_) => Err(field(
            name,
            "andelen ska vara mellan 0 och 100 procent",
            "the share must be between 0 and 100 percent",
        )),
        Err(_) => Err(field(name, "är inget tal", "is not a number")),
    }
}

impl PredictionInput {
    /// Parse: three percentages in [0, 100] with low ≤ point ≤ high; every bad field is named.
    pub fn parse(&self) -> Result<Interval, Vec<FieldError>> {
        let p = percent("share_point", &self.share_point);
        let lo = percent("share_low", &self.share_low);
        let hi = percent("share_high", &self.share_high);
        let mut errors: Vec<FieldError> = [&p, &lo, &hi]
            .iter()
            .filter_map(|r| r.as_ref().err().cloned())
            .collect();
        if let (Ok(p), Ok(lo), Ok(hi)) = (p, lo, hi) {
            if lo > p {
                errors.push(field(
                    "share_low",
                    "den lägre gränsen får inte vara större än punktskattningen",
                    "the lower limit must not exceed the point estimate",
                ));
            }
            if hi < p {
                errors.push(field(
                    "share_high",
                    "den övre gränsen får inte vara mindre än punktskattningen",
                    "the upper limit must not be below the point estimate",
                ));
            }
            if errors.is_empty() {
                return Ok(Interval {
                    point: p,
                    low: lo,
                    high: hi,
                });
            }
        }
        Err(errors)
    }
}

/// The share of each non-web channel expected to move, from the expected e-service share after
/// launch: before + (1 − before) × shift = after, so shift = (after − before) / (1 − before), and
/// nothing moves when the share was already as high (the analysis crate takes shifts, the
/// researcher thinks in shares).
pub fn shift_for(before: f64, after: f64) -> f64 {
    if before >= 1.0 {
        return 0.0;
    }
    ((after - before) / (1.0 - before)).clamp(0.0, 1.0)
}

/// A follow-up measurement as typed.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct FollowUpInput {
    /// When measured (ISO date).
    #[serde(default)]
    pub measured_on: String,
    /// First day of the period the volumes cover (ISO date).
    #[serde(default)]
    pub period_from: String,
    /// Last day of the period (ISO date).
    #[serde(default)]
    pub period_to: String,
    /// Phone contacts in the period.
    #[serde(default)]
    pub volume_phone: String,
    /// E-mails.
    #[serde(default)]
    pub volume_email: String,
    /// Letters.
    #[serde(default)]
    pub volume_letter: String,
    /// Visits.
    #[serde(default)]
    pub volume_visit: String,
    /// E-service (web) contacts.
    #[serde(default)]
    pub volume_web: String,
    /// Optional note or source.
    #[serde(default)]
    pub note: String,
}

/// The form field of a channel's volume.
pub fn volume_field(c: Channel) -> &'static str {
    match c {
        Channel::Phone => "volume_phone",
        Channel::Email => "volume_email",
        Channel::Letter => "volume_letter",
        Channel::Visit => "volume_visit",
        Channel::Web => "volume_web",
    }
}

/// A follow-up measurement: contacts by channel over a period (yearly volumes are scaled from it).
#[derive(Debug, Clone, PartialEq)]
pub struct FollowUp {
    /// Day number of the measurement.
    pub measured_on: i64,
    /// Day number of the period's first day.
    pub period_from: i64,
    /// Day number of the period's last day.
    pub period_to: i64,
    /// Contacts by channel in the period, in [`Channel::ALL`] order.
    pub volumes: [u64; 5],
    /// Note or source.
    pub note: String,
}

fn date(name: &'static str, raw: &str) -> Result<i64, FieldError> {
    parse_iso(raw.trim()).ok_or_else(|| {
        field(
            name,
            "ange ett datum som ÅÅÅÅ-MM-DD",
            "give a date as YYYY-MM-DD",
        )
    })
}

impl FollowUpInput {
    /// Parse: dates, whole non-negative volumes that do not all be zero, the period in order and
    /// measured after it began; every bad field is named.
    pub fn parse(&self) -> Result<FollowUp, Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut ok = |r: Result<i64, FieldError>| r.map_err(|e| errors.push(e)).ok();
        let measured = ok(date("measured_on", &self.measured_on));
        let from = ok(date("period_from", &self.period_from));
        let to = ok(date("period_to", &self.period_to));
        let raws = [
            &self.volume_phone,
            &self.volume_email,
            &self.volume_letter,
            &self.volume_visit,
            &self.volume_web,
        ];
        let mut volumes = [0u64; 5];
        for (i, c) in Channel::ALL.into_iter().enumerate() {
            match whole(volume_field(c), raws[i], MAX_CONTACTS) {
                Ok(v) => volumes[i] = v,
                Err(e) => errors.push(e),
            }
        }
        if errors.is_empty() && volumes.iter().sum::<u64>() == 0 {
            errors.push(field(
                "volume_web",
                "kontakterna per kanal är alla noll, så ingen andel kan räknas fram",
                "the contacts by channel are all zero, so no share can be computed",
            ));
        }
        if let (Some(f), Some(t)) = (from, to) {
            if t < f {
                errors.push(field(
                    "period_to",
                    "perioden slutar före den börjar",
                    "the period ends before it begins",
                ));
            }
        }
        if let (Some(f), Some(m)) = (from, measured) {
            if m < f {
                errors.push(field(
                    "measured_on",
                    "mätningen kan inte göras före perioden börjar",
                    "the measurement cannot precede the period",
                ));
            }
        }
        let note = self.note.trim();
        if note.chars().count() > MAX_NOTE {
            errors.push(field(
                "note",
                format!("högst {MAX_NOTE} tecken"),
                format!("at most {MAX_NOTE} characters"),
            ));
        }
        match (measured, from, to) {
            (Some(measured_on), Some(period_from), Some(period_to)) if errors.is_empty() => {
                Ok(FollowUp {
                    measured_on,
                    period_from,
                    period_to,
                    volumes,
                    note: note.to_owned(),
                })
            }
            _ => Err(errors),
        }
    }
}

impl FollowUp {
    /// Days the period covers (both ends included).
    pub fn period_days(&self) -> i64 {
        self.period_to - self.period_from + 1
    }

    /// Contacts per year by channel: the period's counts scaled to 365 days (a 3-month follow-up
    /// compares with a yearly prediction only after this).
    pub fn yearly(&self) -> [f64; 5] {
        let k = 365.0 / self.period_days().max(1) as f64;
        self.volumes.map(|v| v as f64 * k)
    }

    /// The realised e-service share (web contacts / all contacts).
    pub fn eservice_share(&self) -> f64 {
        let total: u64 = self.volumes.iter().sum();
        if total == 0 {
            0.0
        } else {
            self.volumes[4] as f64 / total as f64
        }
    }

    /// ISO text of a stored day number.
    pub fn iso(day: i64) -> String {
        format_iso(day)
    }
}

/// The realised saving, by channel: contacts moved = what the channel would have had at the
/// pre-launch mix (share × this year's total) − what it had; saving = moved × (its cost − the
/// e-service's), as the prediction counts it. A channel that grew moves a negative count, and
/// honestly lowers the saving.
#[derive(Debug, Clone, PartialEq)]
pub struct Realised {
    /// Yearly contacts (all channels).
    pub yearly_total: f64,
    /// Contacts moved per year from phone, e-mail, letter and visit.
    pub moved: [f64; 4],
    /// Saving per year from each of those channels.
    pub saving_by_channel: [f64; 4],
    /// Yearly saving.
    pub saving: f64,
}

/// The realised saving of a follow-up against the frozen basis.
pub fn realised(basis: &Basis, f: &FollowUp) -> Realised {
    let yearly = f.yearly();
    let total: f64 = yearly.iter().sum();
    let mut moved = [0.0; 4];
    let mut saving_by_channel = [0.0; 4];
    for i in 0..4 {
        moved[i] = basis.mix[i] / 100.0 * total - yearly[i];
        saving_by_channel[i] = moved[i] * (basis.costs[i] - basis.costs[4]);
    }
    Realised {
        yearly_total: total,
        moved,
        saving_by_channel,
        saving: saving_by_channel.iter().sum(),
    }
}

/// Where a realised figure fell against the predicted interval.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Below the lower limit.
    Below,
    /// Within the limits (both included).
    Inside,
    /// Above the upper limit.
    Above,
}

impl Verdict {
    /// Compare `value` with [low, high]; a relative tolerance of 1e-9 keeps a value that equals a
    /// limit up to rounding inside.
    pub fn of(value: f64, low: f64, high: f64) -> Verdict {
        let eps = 1e-9 * low.abs().max(high.abs()).max(1.0);
        if value < low - eps {
            Verdict::Below
        } else if value > high + eps {
            Verdict::Above
        } else {
            Verdict::Inside
        }
    }

    /// The words.
    pub fn label(self) -> Msg {
        match self {
            Verdict::Below => Msg::fixed(
                "under det förutsagda intervallet",
                "below the predicted interval",
            ),
            Verdict::Inside => Msg::fixed(
                "inom det förutsagda intervallet",
                "inside the predicted interval",
            ),
            Verdict::Above => Msg::fixed(
                "över det förutsagda intervallet",
                "above the predicted interval",
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(volumes: [&str; 5]) -> FollowUpInput {
        FollowUpInput {
            measured_on: "2026-06-01".into(),
            period_from: "2025-05-01".into(),
            period_to: "2026-04-30".into(),
            volume_phone: volumes[0].into(),
            volume_email: volumes[1].into(),
            volume_letter: volumes[2].into(),
            volume_visit: volumes[3].into(),
            volume_web: volumes[4].into(),
            note: String::new(),
        }
    }

    fn basis() -> Basis {
        Basis {
            yearly_volume: 10_000,
            mix: [70.0, 20.0, 5.0, 5.0, 0.0],
            costs: CITY_RELATIVE_COSTS,
        }
    }

    #[test]
    fn a_value_on_a_limit_is_inside_and_beyond_it_below_or_above() {
        assert_eq!(Verdict::of(0.4, 0.4, 0.6), Verdict::Inside);
        assert_eq!(Verdict::of(0.6, 0.4, 0.6), Verdict::Inside);
        assert_eq!(Verdict::of(0.39, 0.4, 0.6), Verdict::Below);
        assert_eq!(Verdict::of(0.61, 0.4, 0.6), Verdict::Above);
    }

    #[test]
    fn the_realised_saving_is_contacts_moved_times_the_cost_difference_by_channel() {
        // A whole year: 7000 phone contacts expected at the old mix, 3000 had: 4000 × 49;
        // e-mail 2000 − 1000 = 1000 × 69; letter and visit unchanged.
        let f = input(["3000", "1000", "500", "500", "5000"])
            .parse()
            .unwrap();
        assert_eq!(f.period_days(), 365);
        let r = realised(&basis(), &f);
        assert!((r.saving - (4000.0 * 49.0 + 1000.0 * 69.0)).abs() < 1e-6);
        assert!((f.eservice_share() - 0.5).abs() < 1e-12);
    }

    #[test]
    fn a_channel_that_grew_lowers_the_saving() {
        let f = input(["8000", "1000", "500", "500", "0"]).parse().unwrap();
        let r = realised(&basis(), &f);
        assert!(r.moved[0] < 0.0 && r.saving < 1000.0 * 69.0);
    }

    #[test]
    fn a_negative_volume_is_refused_with_its_field_named() {
        let errors = input(["-5", "1", "1", "1", "1"]).parse().unwrap_err();
        assert_eq!(errors[0].field, "volume_phone");
    }

    #[test]
    fn all_zero_volumes_and_a_period_backwards_are_refused() {
        let mut i = input(["0", "0", "0", "0", "0"]);
        i.period_to = "2025-01-01".into();
        let fields: Vec<_> = i.parse().unwrap_err().iter().map(|e| e.field).collect();
        assert_eq!(fields, ["volume_web", "period_to"]);
    }

    #[test]
    fn a_prediction_needs_low_point_high_in_order() {
        let bad = PredictionInput {
            share_point: "50".into(),
            share_low: "60".into(),
            share_high: "120".into(),
        };
        let fields: Vec<_> = bad.parse().unwrap_err().iter().map(|e| e.field).collect();
        assert_eq!(fields, ["share_high"]);
        let good = PredictionInput {
            share_point: "50 %".into(),
            share_low: "40".into(),
            share_high: "60,5".into(),
        };
        assert_eq!(good.parse().unwrap().high, 0.605);
    }

    #[test]
    fn the_shift_turns_an_expected_share_into_the_part_of_other_channels_that_moves() {
        assert!((shift_for(0.0, 0.5) - 0.5).abs() < 1e-12);
        assert!((shift_for(0.2, 0.6) - 0.5).abs() < 1e-12);
        assert_eq!(shift_for(0.7, 0.5), 0.0);
    }
}
