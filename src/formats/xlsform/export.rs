//! Writing a [`Survey`] as an XLSForm workbook. Importing the result gives back an equal survey (apart from
//! the status, which is always draft on import); see the module documentation of [`super`] for the mapping.

use std::collections::BTreeMap;

use rust_xlsxwriter::{Format, Workbook, Worksheet};
use serde_json::json;

use super::{language_name, ExportError};
use crate::domain::survey::{ChoiceAppearance, Question, QuestionKind, Survey, Text, DONT_KNOW};

/// A survey sheet row under construction: column name → value.
type Cells = BTreeMap<&'static str, String>;
/// The translated cells of a row: (column base, language) → text.
type Translations = BTreeMap<(&'static str, String), String>;
/// An output column: header, translated source (base, language) or plain base name.
type Column = (String, Option<(&'static str, String)>, &'static str);

struct Out<'s> {
    survey: &'s Survey,
    rows: Vec<(Cells, Translations)>,
    /// Choice lists to write: the survey's own plus generated rating scales.
    lists: BTreeMap<String, Vec<(String, Text, bool)>>,
}

impl Out<'_> {
    fn push(&mut self, cells: Cells, texts: Vec<(&'static str, &Text)>) {
        let mut t = BTreeMap::new();
        for (base, text) in texts {
            for (lang, v) in &text.0 {
                t.insert((base, lang.clone()), v.clone());
            }
        }
        self.rows.push((cells, t));
    }

    /// A list name for a generated scale that does not collide with the survey's lists.
    fn scale_list(&self, key: &str) -> String {
        let mut name = format!("{key}_scale");
        while self.lists.contains_key(&name) {
            name.push('_');
        }
        name
    }

    fn question(&mut self, q: &Question) -> Result<(), ExportError> {
        let mut c = Cells::new();
        c.insert("name", q.key.clone());
        if let Some(e) = &q.relevant {
            c.insert("relevant", e.source().to_owned());
        }
        if let Some(e) = &q.constraint {
            c.insert("constraint", e.source().to_owned());
        }
        if q.required {
            c.insert("required", "yes".into());
        } else if let Some(e) = &q.required_if {
            c.insert("required", e.source().to_owned());
        }
        let params: Vec<String> = [
            q.randomise_options.then(|| "randomize=true".to_owned()),
            q.max_length.map(|n| format!("max-length={n}")),
        ]
        .into_iter()
        .flatten()
        .collect();
        if !params.is_empty() {
            c.insert("parameters", params.join(" "));
        }
        let (ty, appearance, insikt): (String, Option<&str>, bool) = match &q.kind {
            QuestionKind::Note => ("note".into(), None, false),
            QuestionKind::SingleChoice {
                list,
                appearance,
                other,
            } => (
                format!("select_one {list}{}", if *other { " or_other" } else { "" }),
                (*appearance == ChoiceAppearance::Dropdown).then_some("minimal"),
                false,
            ),
            QuestionKind::MultipleChoice { list, other } => (
                format!(
                    "select_multiple {list}{}",
                    if *other { " or_other" } else { "" }
                ),
                None,
                false,
            ),
            QuestionKind::Rating { scale } => {
                let name = self.scale_list(&q.key);
                let mut choices = Vec::new();
                for n in scale.min..=scale.max {
                    let label = if n == scale.min {
                        scale.min_label.clone()
                    } else if n == scale.max {
                        scale.max_label.clone()
                    } else {
                        // Middle points are labelled with their number, as on a paper scale.
                        Text(
                            self.survey
                                .languages
                                .iter()
                                .map(|l| (l.clone(), n.to_string()))
                                .collect(),
                        )
                    };
                    choices.push((n.to_string(), label, false));
                }
                if let Some(dk) = &scale.dont_know {
                    choices.push((DONT_KNOW.to_owned(), dk.clone(), true));
                }
                self.lists.insert(name.clone(), choices);
                (format!("select_one {name}"), Some("likert"), false)
            }
            QuestionKind::Matrix { rows, list } => {
                let mut g = Cells::new();
                g.insert("type", "begin group".into());
                g.insert("name", q.key.clone());
                g.insert("appearance", "table-list".into());
                if let Some(e) = &q.relevant {
                    g.insert("relevant", e.source().to_owned());
                }
                // A group row has no XLSForm columns for these; Insikt restores them from the JSON.
                let extras = json!({
                    "required_if": q.required_if,
                    "constraint": q.constraint,
                    "constraint_message": q.constraint_message,
                    "required_message": q.required_message,
                    "randomise_options": q.randomise_options,
                });
                let plain = q.required_if.is_none()
                    && q.constraint.is_none()
                    && q.constraint_message.is_empty()
                    && q.required_message.is_empty()
                    && !q.randomise_options;
                if !plain {
                    g.insert("insikt", serde_json::to_string(&extras)?);
                }
                self.push(g, vec![("label", &q.label), ("hint", &q.hint)]);
                for r in rows {
                    let mut rc = Cells::new();
                    rc.insert("type", format!("select_one {list}"));
                    rc.insert("name", format!("{}_{}", q.key, r.key));
                    if q.required {
                        rc.insert("required", "yes".into());
                    }
                    self.push(rc, vec![("label", &r.label)]);
                }
                let mut e = Cells::new();
                e.insert("type", "end group".into());
                self.push(e, Vec::new());
                return Ok(());
            }
            QuestionKind::Integer { min, max } => {
                ("integer".into(), None, min.is_some() || max.is_some())
            }
            QuestionKind::Decimal { min, max } => {
                ("decimal".into(), None, min.is_some() || max.is_some())
            }
            QuestionKind::ShortText => ("text".into(), None, false),
            QuestionKind::LongText => ("text".into(), Some("multiline"), false),
            QuestionKind::Date => ("date".into(), None, false),
            QuestionKind::Ranking { list } => (format!("rank {list}"), None, false),
            // No XLSForm equivalent: other tools show a note; Insikt restores the kind from the JSON.
            QuestionKind::MaxDiff { .. }
            | QuestionKind::Kano { .. }
            | QuestionKind::ImportanceSatisfaction { .. } => ("note".into(), None, true),
            QuestionKind::Consent => ("acknowledge".into(), None, false),
            QuestionKind::Hidden { default } => {
                if let Some(d) = default {
                    c.insert("default", d.clone());
                }
                ("hidden".into(), None, false)
            }
            QuestionKind::Calculate { calculation } => {
                c.insert("calculation", calculation.source().to_owned());
                ("calculate".into(), None, false)
            }
        };
        c.insert("type", ty);
        if let Some(a) = appearance {
            c.insert("appearance", a.into());
        }
        if insikt {
            c.insert("insikt", serde_json::to_string(&q.kind)?);
        }
        self.push(
            c,
            vec![
                ("label", &q.label),
                ("hint", &q.hint),
                ("constraint_message", &q.constraint_message),
                ("required_message", &q.required_message),
            ],
        );
        Ok(())
    }
}

const PLAIN: [&str; 11] = [
    "type",
    "name",
    "relevant",
    "constraint",
    "required",
    "calculation",
    "appearance",
    "default",
    "parameters",
    "insikt",
    "",
];
const TRANSLATED: [&str; 4] = ["label", "hint", "constraint_message", "required_message"];

fn header(base: &str, lang: &str) -> String {
    format!("{base}::{} ({lang})", language_name(lang))
}

fn write_row(ws: &mut Worksheet, row: u32, values: &[String]) -> Result<(), ExportError> {
    for (c, v) in values.iter().enumerate() {
        if !v.is_empty() {
            ws.write_string(row, c as u16, v)?;
        }
    }
    Ok(())
}

/// Writes `survey` as an XLSForm `.xlsx` workbook.
pub fn export(survey: &Survey) -> Result<Vec<u8>, ExportError> {
    let mut out = Out {
        survey,
        rows: Vec::new(),
        lists: survey
            .choice_lists
            .iter()
            .map(|(k, cs)| {
                (
                    k.clone(),
                    cs.iter()
                        .map(|c| (c.value.clone(), c.label.clone(), c.exclusive))
                        .collect(),
                )
            })
            .collect(),
    };
    for page in &survey.pages {
        let mut g = Cells::new();
        g.insert("type", "begin group".into());
        g.insert("name", page.key.clone());
        g.insert("appearance", "field-list".into());
        if let Some(e) = &page.relevant {
            g.insert("relevant", e.source().to_owned());
        }
        if page.randomise {
            g.insert("parameters", "randomize=true".into());
        }
        out.push(g, vec![("label", &page.title)]);
        for q in &page.questions {
            out.question(q)?;
        }
        let mut e = Cells::new();
        e.insert("type", "end group".into());
        out.push(e, Vec::new());
    }

    let langs = &survey.languages;
    let mut wb = Workbook::new();
    let bold = Format::new().set_bold();

    // survey sheet
    let mut columns: Vec<Column> = Vec::new();
    for base in PLAIN.iter().take(2) {
        columns.push(((*base).to_owned(), None, base));
    }
    for base in TRANSLATED {
        for l in langs {
            columns.push((header(base, l), Some((base, l.clone())), base));
        }
    }
    for base in PLAIN.iter().skip(2).filter(|b| !b.is_empty()) {
        columns.push(((*base).to_owned(), None, base));
    }
    let ws = wb.add_worksheet();
    ws.set_name("survey")?;
    for (c, (h, _, _)) in columns.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, h, &bold)?;
    }
    for (r, (cells, texts)) in out.rows.iter().enumerate() {
        let values: Vec<String> = columns
            .iter()
            .map(|(_, tr, base)| match tr {
                Some(k) => texts.get(k).cloned().unwrap_or_default(),
                None => cells.get(base).cloned().unwrap_or_default(),
            })
            .collect();
        write_row(ws, r as u32 + 1, &values)?;
    }

    // choices sheet
    let ws = wb.add_worksheet();
    ws.set_name("choices")?;
    let mut head = vec!["list_name".to_owned(), "name".to_owned()];
    head.extend(langs.iter().map(|l| header("label", l)));
    head.push("exclusive".into());
    for (c, h) in head.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, h, &bold)?;
    }
    let mut r = 1;
    for (list, choices) in &out.lists {
        for (value, label, exclusive) in choices {
            let mut values = vec![list.clone(), value.clone()];
            values.extend(
                langs
                    .iter()
                    .map(|l| label.0.get(l).cloned().unwrap_or_default()),
            );
            values.push(if *exclusive {
                "yes".into()
            } else {
                String::new()
            });
            write_row(ws, r, &values)?;
            r += 1;
        }
    }

    // settings sheet
    let ws = wb.add_worksheet();
    ws.set_name("settings")?;
    let meta = json!({
        "key": survey.key,
        "version": survey.version,
        "status": survey.status,
        "languages": survey.languages,
        "title": survey.title,
        "intro": survey.intro,
        "thanks": survey.thanks,
        "settings": survey.settings,
    });
    let form_id = survey
        .settings
        .form_id
        .clone()
        .unwrap_or_else(|| survey.key.clone());
    let settings = [
        (
            "form_title",
            survey
                .title
                .get_or(&survey.default_language, "en")
                .to_owned(),
        ),
        ("form_id", form_id),
        ("version", survey.version.to_string()),
        (
            "default_language",
            format!(
                "{} ({})",
                language_name(&survey.default_language),
                survey.default_language
            ),
        ),
        ("insikt", serde_json::to_string(&meta)?),
    ];
    for (c, (h, v)) in settings.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, *h, &bold)?;
        ws.write_string(1, c as u16, v)?;
    }
    Ok(wb.save_to_buffer()?)
}
