//! Named presets of the backlog ranking model: a name, optional descriptions, a weight per criterion
//! (by the criterion's name, so a criterion added later needs no migration: a preset that does not
//! name it weighs it 0) and, when the weights came from an AHP pairwise comparison, the judgements
//! and their consistency ratio. Parsing names every bad field in both languages.

use std::collections::BTreeMap;

use crate::domain::lang::Msg;

/// Longest preset name, in characters.
pub const MAX_NAME_CHARS: usize = 80;
/// Longest description, in characters.
pub const MAX_DESCRIPTION_CHARS: usize = 2000;

/// One bad field of a preset form: the field's name and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The form field (`name`, `w_need`, `ahp_need_reach` …).
    pub field: String,
    /// Why, in both languages.
    pub why: Msg,
}

impl Problem {
    fn new(field: impl Into<String>, why: Msg) -> Problem {
        Problem {
            field: field.into(),
            why,
        }
    }
}

/// A preset's name: trimmed, 1–80 characters, no control characters. Names are unique regardless
/// of case and surrounding space ([`PresetName::key`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PresetName(String);

impl PresetName {
    /// Parse a typed name.
    pub fn parse(raw: &str) -> Result<PresetName, Problem> {
        let name = raw.trim();
        let bad =
            |sv: &'static str, en: &'static str| Err(Problem::new("name", Msg::fixed(sv, en)));
        if name.is_empty() {
            return bad("Ange ett namn.", "Give a name.");
        }
        if name.chars().count() > MAX_NAME_CHARS {
            return bad(
                "Namnet får vara högst 80 tecken.",
                "The name may be at most 80 characters.",
            );
        }
        if name.chars().any(char::is_control) {
            return bad(
                "Namnet får inte innehålla styrtecken.",
                "The name may not contain control characters.",
            );
        }
        Ok(PresetName(name.to_owned()))
    }

    /// The name as typed (trimmed).
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// What uniqueness compares: lower case, inner runs of space as one.
    pub fn key(&self) -> String {
        self.0
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .to_lowercase()
    }
}

/// Criteria weights by criterion name: finite, non-negative, at least one positive. A criterion the
/// map does not name weighs 0.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(try_from = "BTreeMap<String, f64>", into = "BTreeMap<String, f64>")]
pub struct Weights(BTreeMap<String, f64>);

impl Weights {
    /// Weights from a map (stored JSON, or computed by AHP); refused when a weight is negative or
    /// not a number, or when none is positive.
    pub fn from_map(map: BTreeMap<String, f64>) -> Result<Weights, Msg> {
        if let Some((name, w)) = map.iter().find(|(_, w)| !(w.is_finite() && **w >= 0.0)) {
            return Err(Msg::new(
                format!("Vikten för {name} måste vara ett icke-negativt tal, inte {w}."),
                format!("The weight of {name} must be a non-negative number, not {w}."),
            ));
        }
        if map.values().sum::<f64>() <= 0.0 {
            return Err(all_zero());
        }
        Ok(Weights(map))
    }

    /// Parse the typed weights of `criteria`, read from `field(criterion)` (empty or missing: a
    /// problem, so no weight is 0 by accident). Decimal comma or point.
    pub fn parse<'a>(
        criteria: &[&str],
        field: impl Fn(&str) -> Option<&'a str>,
    ) -> Result<Weights, Vec<Problem>> {
        let mut map = BTreeMap::new();
        let mut problems = Vec::new();
        for &c in criteria {
            let f = format!("w_{c}");
            let raw = field(c).unwrap_or("").trim();
            match parse_number(raw) {
                Some(w) if w >= 0.0 => {
                    map.insert(c.to_owned(), w);
                }
                Some(_) => problems.push(Problem::new(
                    f,
                    Msg::new(
                        format!("Vikten får inte vara negativ ({raw})."),
                        format!("The weight may not be negative ({raw})."),
                    ),
                )),
                None if raw.is_empty() => problems.push(Problem::new(
                    f,
                    Msg::fixed(
                        "Ange en vikt (0 om kriteriet inte ska räknas).",
                        "Give a weight (0 if the criterion should not count).",
                    ),
                )),
                None => problems.push(Problem::new(
                    f,
                    Msg::new(
                        format!("”{}” är inget tal.", bounded(raw)),
                        format!("“{}” is not a number.", bounded(raw)),
                    ),
                )),
            }
        }
        if problems.is_empty() && map.values().sum::<f64>() <= 0.0 {
            problems.push(Problem::new("weights", all_zero()));
        }
        if problems.is_empty() {
            Ok(Weights(map))
        } else {
            Err(problems)
        }
    }

    /// The weight of `criterion` (0 when the preset does not name it).
    pub fn weight(&self, criterion: &str) -> f64 {
        self.0.get(criterion).copied().unwrap_or(0.0)
    }

    /// Whether the preset names `criterion` (a criterion added later is not named).
    pub fn names(&self, criterion: &str) -> bool {
        self.0.contains_key(criterion)
    }

    /// The map.
    pub fn as_map(&self) -> &BTreeMap<String, f64> {
        &self.0
    }
}

impl TryFrom<BTreeMap<String, f64>> for Weights {
    type Error = String;
    fn try_from(map: BTreeMap<String, f64>) -> Result<Self, Self::Error> {
        Weights::from_map(map).map_err(|m| m.en.into_owned())
    }
}

impl From<Weights> for BTreeMap<String, f64> {
    fn from(w: Weights) -> Self {
        w.0
    }
}

fn all_zero() -> Msg {
    Msg::fixed(
        "Minst en vikt måste vara större än 0.",
        "At least one weight must be greater than 0.",
    )
}

/// A typed number with a decimal comma or point.
fn parse_number(raw: &str) -> Option<f64> {
    raw.replace(',', ".")
        .parse::<f64>()
        .ok()
        .filter(|x| x.is_finite())
}

/// At most 40 characters of what was typed, for a message.
fn bounded(raw: &str) -> String {
    raw.chars().take(40).collect()
}

/// Saaty's 1–9 scale read both ways, as the AHP form offers it: `k` (2–9) means the first
/// criterion of the pair is k times as important, `-k` the second is, `1` equally. Returns the
/// matrix entry a_ij (first over second).
pub fn saaty_entry(raw: &str) -> Option<f64> {
    let v: i32 = raw.trim().parse().ok()?;
    match v {
        1 => Some(1.0),
        2..=9 => Some(f64::from(v)),
        -9..=-2 => Some(1.0 / f64::from(-v)),
        _ => None,
    }
}

/// The form value of a matrix entry (the inverse of [`saaty_entry`], to the nearest scale point).
pub fn saaty_code(entry: f64) -> i32 {
    if entry >= 1.0 {
        (entry.round() as i32).clamp(1, 9)
    } else {
        let k = (1.0 / entry).round() as i32;
        if k <= 1 {
            1
        } else {
            -k.min(9)
        }
    }
}

/// The form field of the pair (a, b).
pub fn pair_field(a: &str, b: &str) -> String {
    format!("ahp_{a}__{b}")
}

/// One pairwise judgement: how many times more important `a` is than `b` (a_ij; below 1 when `b`
/// is the more important).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Judgement {
    /// The first criterion.
    pub a: String,
    /// The second.
    pub b: String,
    /// a_ij on Saaty's scale (1/9 … 9).
    pub value: f64,
}

/// Parse the judgements of every pair of `criteria` (in order: (0,1), (0,2), … (n−2,n−1)) from
/// the fields [`pair_field`]; a missing or unknown value is a problem naming the pair.
pub fn parse_judgements<'a>(
    criteria: &[&str],
    field: impl Fn(&str) -> Option<&'a str>,
) -> Result<Vec<Judgement>, Vec<Problem>> {
    let mut out = Vec::new();
    let mut problems = Vec::new();
    for (i, a) in criteria.iter().enumerate() {
        for b in &criteria[i + 1..] {
            let f = pair_field(a, b);
            match field(&f).and_then(saaty_entry) {
                Some(value) => out.push(Judgement {
                    a: (*a).to_owned(),
                    b: (*b).to_owned(),
                    value,
                }),
                None => problems.push(Problem::new(
                    f,
                    Msg::new(
                        format!("Välj en jämförelse för {a} mot {b} på skalan 1–9."),
                        format!("Choose a comparison of {a} against {b} on the 1–9 scale."),
                    ),
                )),
            }
        }
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(problems)
    }
}

/// Where a preset's weights came from, when an AHP comparison gave them.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct AhpOrigin {
    /// The judgements, pair by pair.
    pub judgements: Vec<Judgement>,
    /// Saaty's consistency ratio (`None` beyond ten criteria).
    pub consistency_ratio: Option<f64>,
}

/// A preset ready to store.
#[derive(Debug, Clone, PartialEq)]
pub struct Preset {
    /// Its name.
    pub name: PresetName,
    /// Description in Swedish (`None`: none given).
    pub description_sv: Option<String>,
    /// Description in English.
    pub description_en: Option<String>,
    /// The weights.
    pub weights: Weights,
    /// The AHP comparison the weights came from.
    pub ahp: Option<AhpOrigin>,
}

/// A description: trimmed, empty is none, at most 2,000 characters.
pub fn parse_description(field: &str, raw: &str) -> Result<Option<String>, Problem> {
    let d = raw.trim();
    if d.chars().count() > MAX_DESCRIPTION_CHARS {
        return Err(Problem::new(
            field,
            Msg::fixed(
                "Beskrivningen får vara högst 2 000 tecken.",
                "The description may be at most 2,000 characters.",
            ),
        ));
    }
    Ok((!d.is_empty()).then(|| d.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const C: [&str; 3] = ["need", "reach", "cost"];

    fn form<'a>(pairs: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<&'a str> {
        move |k: &str| {
            pairs
                .iter()
                .find(|(f, _)| *f == k || f.strip_prefix("w_") == Some(k))
                .map(|(_, v)| *v)
        }
    }

    #[test]
    fn typed_weights_accept_a_decimal_comma_and_zero_for_some() {
        let w = Weights::parse(
            &C,
            form(&[("w_need", "0,5"), ("w_reach", "2"), ("w_cost", "0")]),
        )
        .unwrap();
        assert_eq!(w.weight("need"), 0.5);
        assert_eq!(w.weight("cost"), 0.0);
        assert_eq!(w.weight("equity"), 0.0, "an unnamed criterion weighs 0");
        assert!(!w.names("equity"));
    }

    #[test]
    fn a_negative_an_empty_or_a_non_number_weight_is_named_by_its_field() {
        let e = Weights::parse(&C, form(&[("w_need", "-1"), ("w_reach", "x")])).unwrap_err();
        let fields: Vec<&str> = e.iter().map(|p| p.field.as_str()).collect();
        assert_eq!(fields, ["w_need", "w_reach", "w_cost"]);
        assert!(e[0].why.en.contains("negative"));
    }

    #[test]
    fn all_zero_weights_are_refused() {
        let e = Weights::parse(
            &C,
            form(&[("w_need", "0"), ("w_reach", "0"), ("w_cost", "0")]),
        )
        .unwrap_err();
        assert_eq!(e[0].field, "weights");
        assert!(Weights::from_map(BTreeMap::from([("need".into(), 0.0)])).is_err());
        assert!(Weights::from_map(BTreeMap::from([("need".into(), f64::NAN)])).is_err());
    }

    #[test]
    fn stored_weights_round_trip_as_a_json_map_and_bad_ones_do_not_load() {
        let w = Weights::from_map(BTreeMap::from([("need".into(), 2.0), ("cost".into(), 1.0)]))
            .unwrap();
        let json = serde_json::to_string(&w).unwrap();
        assert_eq!(json, r#"{"cost":1.0,"need":2.0}"#);
        assert_eq!(serde_json::from_str::<Weights>(&json).unwrap(), w);
        assert!(serde_json::from_str::<Weights>(r#"{"need":-1.0}"#).is_err());
    }

    #[test]
    fn names_are_trimmed_and_compared_without_case_or_extra_space() {
        let a = PresetName::parse("  Behov  först ").unwrap();
        assert_eq!(a.as_str(), "Behov  först");
        assert_eq!(a.key(), PresetName::parse("behov först").unwrap().key());
        assert!(PresetName::parse("   ").is_err());
        assert!(PresetName::parse(&"x".repeat(81)).is_err());
        assert!(PresetName::parse("a\u{7}b").is_err());
    }

    #[test]
    fn the_saaty_scale_reads_both_ways_and_refuses_anything_else() {
        assert_eq!(saaty_entry("3"), Some(3.0));
        assert_eq!(saaty_entry("-3"), Some(1.0 / 3.0));
        assert_eq!(saaty_entry("1"), Some(1.0));
        for bad in ["0", "-1", "10", "-10", "", "2.5"] {
            assert_eq!(saaty_entry(bad), None, "{bad}");
        }
        for code in [-9, -4, 1, 2, 9] {
            assert_eq!(saaty_code(saaty_entry(&code.to_string()).unwrap()), code);
        }
    }

    #[test]
    fn judgements_are_read_pair_by_pair_and_a_missing_pair_is_named() {
        let f = [
            ("ahp_need__reach", "3"),
            ("ahp_need__cost", "-2"),
            ("ahp_reach__cost", "1"),
        ];
        let j = parse_judgements(&C, form(&f)).unwrap();
        assert_eq!(j.len(), 3);
        assert_eq!(
            (j[1].a.as_str(), j[1].b.as_str(), j[1].value),
            ("need", "cost", 0.5)
        );
        let e = parse_judgements(&C, form(&f[..2])).unwrap_err();
        assert_eq!(e[0].field, "ahp_reach__cost");
    }
}
