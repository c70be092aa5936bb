//! How the designer's forms show a survey's current values (choice lines, matrix rows, the
//! question TOML, quotas) and name their fields. The views use these to fill the forms and the
//! designer handlers' `edit` module to read them back and word errors, so they live on the view
//! side, which handlers may import and views never import back.

use std::collections::HashMap;

use crate::domain::quota::Quota;
use crate::domain::survey::{Choice, ChoiceAppearance, Question, QuestionKind, Row};
use crate::web::i18n::Lang;

/// The question types offered when adding a question: `(type name, Swedish, English)`.
pub const TYPES: [(&str, &str, &str); 17] = [
    ("single_choice", "Ett val", "Single choice"),
    ("multiple_choice", "Flera val", "Multiple choice"),
    ("rating", "Skala", "Rating scale"),
    ("matrix", "Matris", "Matrix"),
    ("short_text", "Kort text", "Short text"),
    ("long_text", "Lång text", "Long text"),
    ("integer", "Heltal", "Whole number"),
    ("decimal", "Decimaltal", "Decimal number"),
    ("date", "Datum", "Date"),
    ("ranking", "Rangordning", "Ranking"),
    ("note", "Information (ingen fråga)", "Note (no answer)"),
    ("consent", "Samtycke", "Consent"),
    ("hidden", "Dolt värde", "Hidden value"),
    ("calculate", "Beräknat värde", "Calculated value"),
    ("max_diff", "MaxDiff (bäst–sämst)", "MaxDiff (best–worst)"),
    ("kano", "Kano-par", "Kano pair"),
    (
        "importance_satisfaction",
        "Vikt och nöjdhet",
        "Importance and satisfaction",
    ),
];

/// The visible label of a form field, for error messages.
pub fn field_label(lang: Lang, name: &str) -> &'static str {
    match name {
        "relevant" => lang.t("Visa bara när (relevant)", "Show only when (relevant)"),
        "constraint" => lang.t(
            "Villkor för giltigt svar (constraint)",
            "Valid answer when (constraint)",
        ),
        "required_if" => lang.t(
            "Obligatorisk när (required_if)",
            "Required when (required_if)",
        ),
        "calculation" => lang.t("Beräkning", "Calculation"),
        _ => lang.t("Fältet", "The field"),
    }
}

/// Choice list lines as the form shows them.
pub fn choices_text(choices: &[Choice]) -> String {
    choices
        .iter()
        .map(|c| {
            let mut line = format!(
                "{}|{}|{}",
                c.value,
                c.label.0.get("sv").map_or("", String::as_str),
                c.label.0.get("en").map_or("", String::as_str)
            );
            if c.exclusive {
                line.push_str("|exclusive");
            }
            line
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Matrix rows as the form shows them.
pub fn rows_text(rows: &[Row]) -> String {
    let as_choices: Vec<Choice> = rows
        .iter()
        .map(|r| Choice {
            value: r.key.clone(),
            label: r.label.clone(),
            exclusive: false,
        })
        .collect();
    choices_text(&as_choices)
}

/// The question as TOML for the advanced editor.
pub fn question_as_toml(q: &Question) -> String {
    toml::to_string_pretty(q).unwrap_or_default()
}

/// The quotas textarea as a file: `[[quotas]]` tables.
#[derive(serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QuotaFile {
    /// The quotas.
    #[serde(default)]
    pub quotas: Vec<Quota>,
}

/// The quotas as the options form shows them (`[[quotas]]` TOML).
pub fn quotas_text(quotas: &[Quota]) -> String {
    if quotas.is_empty() {
        return String::new();
    }
    toml::to_string(&QuotaFile {
        quotas: quotas.to_vec(),
    })
    .unwrap_or_default()
}

/// Kind-specific field values of a question, for filling the edit form.
pub fn kind_values(q: &Question) -> HashMap<String, String> {
    let mut v = HashMap::new();
    let mut put = |k: &str, x: String| {
        v.insert(k.to_owned(), x);
    };
    if let Some(list) = q.kind.list() {
        put("list", list.to_owned());
    }
    match &q.kind {
        QuestionKind::SingleChoice {
            appearance, other, ..
        } => {
            if *appearance == ChoiceAppearance::Dropdown {
                put("appearance", "dropdown".into());
            }
            if *other {
                put("other", "on".into());
            }
        }
        QuestionKind::MultipleChoice { other: true, .. } => put("other", "on".into()),
        QuestionKind::Matrix { rows, .. } => put("rows", rows_text(rows)),
        QuestionKind::Rating { scale } | QuestionKind::ImportanceSatisfaction { scale, .. } => {
            put("scale_min", scale.min.to_string());
            put("scale_max", scale.max.to_string());
            for l in ["sv", "en"] {
                put(
                    &format!("min_label_{l}"),
                    scale.min_label.0.get(l).cloned().unwrap_or_default(),
                );
                put(
                    &format!("max_label_{l}"),
                    scale.max_label.0.get(l).cloned().unwrap_or_default(),
                );
                let dk = scale.dont_know.as_ref().and_then(|t| t.0.get(l).cloned());
                put(&format!("dont_know_{l}"), dk.unwrap_or_default());
            }
        }
        QuestionKind::Integer { min, max } => {
            put("min", min.map(|x| x.to_string()).unwrap_or_default());
            put("max", max.map(|x| x.to_string()).unwrap_or_default());
        }
        QuestionKind::Decimal { min, max } => {
            put("min", min.map(|x| x.to_string()).unwrap_or_default());
            put("max", max.map(|x| x.to_string()).unwrap_or_default());
        }
        QuestionKind::Hidden { default } => put("default", default.clone().unwrap_or_default()),
        QuestionKind::Calculate { calculation } => {
            put("calculation", calculation.source().to_owned())
        }
        _ => {}
    }
    v
}
