//! Turning designer forms into changes of a draft [`Survey`]: pure functions that either change
//! the survey and say what changed (for the audit log) or return the form errors as
//! `(field name, message)` pairs in the page language. Nothing here touches the database.

use time::{OffsetDateTime, PrimitiveDateTime};

use super::Fields;

use crate::domain::expr::{Expr, Expression};
use crate::domain::local_time::{WallClock, Zone};
use crate::domain::options::{Access, LegalBasis, SurveyOptions};
use crate::domain::quota::Quota;
use crate::domain::survey::check::is_valid_key;
use crate::domain::survey::{
    Choice, ChoiceAppearance, Page, Question, QuestionKind, Row, Scale, Survey, Text,
};
use crate::web::i18n::Lang;
use crate::web::views::designer::form::{field_label, QuotaFile};

/// Form errors: `(field name, message)`.
pub type Errors = Vec<(String, String)>;

fn get<'a>(f: &'a Fields, name: &str) -> &'a str {
    f.get(name).map_or("", |v| v.trim())
}

fn ticked(f: &Fields, name: &str) -> bool {
    f.contains_key(name)
}

/// Set the sv and en texts of `t` from `{prefix}_sv` / `{prefix}_en`, keeping other languages.
fn set_text(t: &mut Text, f: &Fields, prefix: &str) {
    for lang in ["sv", "en"] {
        let v = get(f, &format!("{prefix}_{lang}"));
        if v.is_empty() {
            t.0.remove(lang);
        } else {
            t.0.insert(lang.to_owned(), v.to_owned());
        }
    }
}

fn text_from(f: &Fields, prefix: &str) -> Text {
    let mut t = Text::default();
    set_text(&mut t, f, prefix);
    t
}

fn err(errors: &mut Errors, field: &str, lang: Lang, sv: &str, en: &str) {
    errors.push((field.to_owned(), lang.t(sv, en).to_owned()));
}

fn done(errors: Errors, what: String) -> Result<String, Errors> {
    if errors.is_empty() {
        Ok(what)
    } else {
        Err(errors)
    }
}

fn key_error(errors: &mut Errors, field: &str, lang: Lang, key: &str) {
    if !is_valid_key(key) {
        err(
            errors,
            field,
            lang,
            "Nyckeln får bara innehålla bokstäver, siffror, - och _ och ska börja med en bokstav.",
            "The key may only contain letters, digits, - and _ and must start with a letter.",
        );
    }
}

/// The "new survey" form, read.
pub struct NewSurvey {
    /// The survey key.
    pub key: String,
    /// The Swedish title.
    pub title_sv: String,
    /// The English title.
    pub title_en: String,
}

/// The "new survey" form, or its errors (the use case checks that the key is free).
pub fn new_survey(lang: Lang, f: &Fields) -> Result<NewSurvey, Errors> {
    let mut errors = Errors::new();
    key_error(&mut errors, "key", lang, get(f, "key"));
    if get(f, "title_sv").is_empty() {
        err(
            &mut errors,
            "title_sv",
            lang,
            "Skriv en svensk titel.",
            "Enter a Swedish title.",
        );
    }
    if get(f, "title_en").is_empty() {
        err(
            &mut errors,
            "title_en",
            lang,
            "Skriv en engelsk titel.",
            "Enter an English title.",
        );
    }
    let survey = NewSurvey {
        key: get(f, "key").to_owned(),
        title_sv: get(f, "title_sv").to_owned(),
        title_en: get(f, "title_en").to_owned(),
    };
    done(errors, String::new()).map(|_| survey)
}

/// Title, introduction and thank-you texts.
pub fn texts(lang: Lang, s: &mut Survey, f: &Fields) -> Result<String, Errors> {
    let mut errors = Errors::new();
    if get(f, "title_sv").is_empty() {
        err(
            &mut errors,
            "title_sv",
            lang,
            "Skriv en svensk titel.",
            "Enter a Swedish title.",
        );
    }
    set_text(&mut s.title, f, "title");
    set_text(&mut s.intro, f, "intro");
    set_text(&mut s.thanks, f, "thanks");
    done(errors, "texts".into())
}

/// Parse an optional expression field; errors name the position (1-based) and unknown keys.
fn expression(
    lang: Lang,
    s: &Survey,
    f: &Fields,
    name: &str,
    errors: &mut Errors,
) -> Option<Expression> {
    let source = get(f, name);
    if source.is_empty() {
        return None;
    }
    let checked = Expr::parse(source).and_then(|e| e.check_references(|k| s.question(k).is_some()));
    if let Err(e) = checked {
        // One language: the whole message in the page's.
        let kind = e.kind.message().get(lang).to_owned();
        let message = match lang {
            Lang::Sv => format!(
                "{}: fel vid position {}: {kind}",
                field_label(lang, name),
                e.position + 1
            ),
            Lang::En => format!(
                "{}: error at position {}: {kind}",
                field_label(lang, name),
                e.position + 1
            ),
        };
        errors.push((name.to_owned(), message));
    }
    Some(Expression::new(source))
}

/// Add a page at the end.
pub fn add_page(lang: Lang, s: &mut Survey, f: &Fields) -> Result<String, Errors> {
    let mut errors = Errors::new();
    let key = get(f, "key");
    key_error(&mut errors, "key", lang, key);
    if s.pages.iter().any(|p| p.key == key) {
        err(
            &mut errors,
            "key",
            lang,
            "Det finns redan en sida med den nyckeln.",
            "A page with that key already exists.",
        );
    }
    let relevant = expression(lang, s, f, "relevant", &mut errors);
    s.pages.push(Page {
        key: key.to_owned(),
        title: text_from(f, "title"),
        relevant,
        randomise: ticked(f, "randomise"),
        questions: vec![],
    });
    done(errors, format!("page {key} added"))
}

fn move_item<T>(items: &mut [T], i: usize, up: bool) {
    let j = if up { i.checked_sub(1) } else { Some(i + 1) };
    if let Some(j) = j.filter(|j| *j < items.len()) {
        items.swap(i, j);
    }
}

/// `save`, `up`, `down`, `delete` or `add-question` on a page.
pub fn page_action(
    lang: Lang,
    s: &mut Survey,
    page: &str,
    action: &str,
    f: &Fields,
) -> Result<String, Errors> {
    let Some(i) = s.pages.iter().position(|p| p.key == page) else {
        return Err(vec![(
            String::new(),
            lang.t("Sidan finns inte.", "No such page.").into(),
        )]);
    };
    let mut errors = Errors::new();
    match action {
        "up" | "down" => move_item(&mut s.pages, i, action == "up"),
        "delete" => {
            if !s.pages[i].questions.is_empty() {
                err(
                    &mut errors,
                    "",
                    lang,
                    "Ta bort eller flytta sidans frågor först.",
                    "Delete or move the page's questions first.",
                );
            } else {
                s.pages.remove(i);
            }
        }
        "save" => {
            let relevant = expression(lang, s, f, "relevant", &mut errors);
            let p = &mut s.pages[i];
            set_text(&mut p.title, f, "title");
            p.relevant = relevant;
            p.randomise = ticked(f, "randomise");
        }
        "add-question" => return add_question(lang, s, i, f),
        _ => {
            return Err(vec![(
                String::new(),
                lang.t("Okänd åtgärd.", "Unknown action.").into(),
            )])
        }
    }
    done(errors, format!("page {page}: {action}"))
}

fn default_scale() -> Scale {
    Scale {
        min: 1,
        max: 5,
        min_label: Text::default(),
        max_label: Text::default(),
        dont_know: None,
    }
}

/// A new question kind with empty settings; list kinds use the first choice list.
fn new_kind(type_name: &str, list: String) -> Option<QuestionKind> {
    Some(match type_name {
        "note" => QuestionKind::Note,
        "single_choice" => QuestionKind::SingleChoice {
            list,
            appearance: ChoiceAppearance::Radio,
            other: false,
        },
        "multiple_choice" => QuestionKind::MultipleChoice { list, other: false },
        "rating" => QuestionKind::Rating {
            scale: default_scale(),
        },
        "matrix" => QuestionKind::Matrix { rows: vec![], list },
        "integer" => QuestionKind::Integer {
            min: None,
            max: None,
        },
        "decimal" => QuestionKind::Decimal {
            min: None,
            max: None,
        },
        "short_text" => QuestionKind::ShortText,
        "long_text" => QuestionKind::LongText,
        "date" => QuestionKind::Date,
        "ranking" => QuestionKind::Ranking { list },
        "max_diff" => QuestionKind::MaxDiff {
            list,
            items_per_task: 4,
            tasks: 6,
            design_versions: 10,
            design_seed: 1,
            best_label: Text::new([("sv", "Viktigast"), ("en", "Most important")]),
            worst_label: Text::new([("sv", "Minst viktig"), ("en", "Least important")]),
        },
        "kano" => QuestionKind::Kano {
            functional: Text::default(),
            dysfunctional: Text::default(),
            list,
        },
        "importance_satisfaction" => QuestionKind::ImportanceSatisfaction {
            importance: Text::default(),
            satisfaction: Text::default(),
            scale: default_scale(),
        },
        "consent" => QuestionKind::Consent,
        "hidden" => QuestionKind::Hidden { default: None },
        "calculate" => QuestionKind::Calculate {
            calculation: Expression::new("0"),
        },
        _ => return None,
    })
}

fn add_question(lang: Lang, s: &mut Survey, page: usize, f: &Fields) -> Result<String, Errors> {
    let mut errors = Errors::new();
    let key = get(f, "key");
    key_error(&mut errors, "key", lang, key);
    if s.question(key).is_some() {
        err(
            &mut errors,
            "key",
            lang,
            "Det finns redan en fråga med den nyckeln.",
            "A question with that key already exists.",
        );
    }
    let list = s.choice_lists.keys().next().cloned().unwrap_or_default();
    let Some(kind) = new_kind(get(f, "type"), list) else {
        err(
            &mut errors,
            "type",
            lang,
            "Välj en frågetyp.",
            "Choose a question type.",
        );
        return Err(errors);
    };
    let question = Question::new(key, kind, text_from(f, "label"));
    s.pages[page].questions.push(question);
    done(errors, format!("question {key} added"))
}

fn find_question(s: &Survey, key: &str) -> Option<(usize, usize)> {
    s.pages.iter().enumerate().find_map(|(pi, p)| {
        p.questions
            .iter()
            .position(|q| q.key == key)
            .map(|qi| (pi, qi))
    })
}

/// `up`, `down` (across page boundaries) or `delete` on a question.
pub fn question_action(
    lang: Lang,
    s: &mut Survey,
    key: &str,
    action: &str,
) -> Result<String, Errors> {
    let Some((pi, qi)) = find_question(s, key) else {
        return Err(vec![(
            String::new(),
            lang.t("Frågan finns inte.", "No such question.").into(),
        )]);
    };
    let last = s.pages[pi].questions.len() - 1;
    match action {
        "up" if qi == 0 && pi > 0 => {
            let q = s.pages[pi].questions.remove(qi);
            s.pages[pi - 1].questions.push(q);
        }
        "down" if qi == last && pi + 1 < s.pages.len() => {
            let q = s.pages[pi].questions.remove(qi);
            s.pages[pi + 1].questions.insert(0, q);
        }
        "up" | "down" => move_item(&mut s.pages[pi].questions, qi, action == "up"),
        "delete" => {
            s.pages[pi].questions.remove(qi);
        }
        _ => {
            return Err(vec![(
                String::new(),
                lang.t("Okänd åtgärd.", "Unknown action.").into(),
            )])
        }
    }
    Ok(format!("question {key}: {action}"))
}

/// Parse `value|label sv|label en[|exclusive]` lines into choices.
fn parse_choices(lang: Lang, text: &str, errors: &mut Errors) -> Vec<Choice> {
    let mut out: Vec<Choice> = Vec::new();
    for (n, line) in text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
    {
        let parts: Vec<&str> = line.split('|').map(str::trim).collect();
        let value = parts[0];
        let bad_value = value.is_empty() || value.contains(char::is_whitespace);
        let duplicate = out.iter().any(|c| c.value == value);
        if parts.len() < 2 || bad_value || duplicate {
            let message = match lang {
                Lang::Sv => format!("Rad {}: skriv värde|svensk text|engelsk text, med ett unikt värde utan mellanslag.", n + 1),
                Lang::En => format!("Line {}: write value|Swedish label|English label, with a unique value without spaces.", n + 1),
            };
            errors.push(("options".into(), message));
            continue;
        }
        let label = Text::new(
            [
                ("sv", parts[1]),
                ("en", parts.get(2).copied().unwrap_or("")),
            ]
            .into_iter()
            .filter(|(_, t)| !t.is_empty()),
        );
        let exclusive = parts
            .get(3)
            .is_some_and(|x| x.eq_ignore_ascii_case("exclusive"));
        out.push(Choice {
            value: value.to_owned(),
            label,
            exclusive,
        });
    }
    out
}

/// `add`, `save` or `delete` on a choice list.
pub fn list_action(
    lang: Lang,
    s: &mut Survey,
    list: &str,
    action: &str,
    f: &Fields,
) -> Result<String, Errors> {
    let mut errors = Errors::new();
    match action {
        "add" => {
            let name = get(f, "name");
            key_error(&mut errors, "name", lang, name);
            if s.choice_lists.contains_key(name) {
                err(
                    &mut errors,
                    "name",
                    lang,
                    "Det finns redan en lista med det namnet.",
                    "A list with that name already exists.",
                );
            }
            let choices = parse_choices(lang, get(f, "options"), &mut errors);
            s.choice_lists.insert(name.to_owned(), choices);
            done(errors, format!("list {name} added"))
        }
        "save" => {
            let choices = parse_choices(lang, get(f, "options"), &mut errors);
            match s.choice_lists.get_mut(list) {
                Some(l) => *l = choices,
                None => err(
                    &mut errors,
                    "options",
                    lang,
                    "Listan finns inte.",
                    "No such list.",
                ),
            }
            done(errors, format!("list {list} saved"))
        }
        "delete" => {
            if s.questions().any(|q| q.kind.list() == Some(list)) {
                err(
                    &mut errors,
                    "options",
                    lang,
                    "Listan används av en fråga och kan inte tas bort.",
                    "The list is used by a question and cannot be deleted.",
                );
            } else {
                s.choice_lists.remove(list);
            }
            done(errors, format!("list {list} deleted"))
        }
        _ => Err(vec![(
            String::new(),
            lang.t("Okänd åtgärd.", "Unknown action.").into(),
        )]),
    }
}

fn number<T: std::str::FromStr>(
    lang: Lang,
    f: &Fields,
    name: &str,
    errors: &mut Errors,
) -> Option<T> {
    let v = get(f, name);
    if v.is_empty() {
        return None;
    }
    let parsed = v.replace(',', ".").parse().ok();
    if parsed.is_none() {
        err(errors, name, lang, "Skriv ett tal.", "Enter a number.");
    }
    parsed
}

fn list_field(lang: Lang, s: &Survey, f: &Fields, errors: &mut Errors) -> String {
    let list = get(f, "list");
    if !s.choice_lists.contains_key(list) {
        err(
            errors,
            "list",
            lang,
            "Välj en svarslista som finns (lägg till den under Svarslistor).",
            "Choose an existing choice list (add it under Choice lists).",
        );
    }
    list.to_owned()
}

fn scale_fields(lang: Lang, scale: &mut Scale, f: &Fields, errors: &mut Errors) {
    scale.min = number(lang, f, "scale_min", errors).unwrap_or(scale.min);
    scale.max = number(lang, f, "scale_max", errors).unwrap_or(scale.max);
    if scale.max <= scale.min || scale.max - scale.min > 10 {
        err(
            errors,
            "scale_max",
            lang,
            "Skalans högsta värde ska vara större än det lägsta (högst 11 steg).",
            "The highest point must be above the lowest (at most 11 points).",
        );
    }
    set_text(&mut scale.min_label, f, "min_label");
    set_text(&mut scale.max_label, f, "max_label");
    let dont_know = text_from(f, "dont_know");
    scale.dont_know = (!dont_know.is_empty()).then_some(dont_know);
}

fn parse_rows(lang: Lang, text: &str, errors: &mut Errors) -> Vec<Row> {
    parse_choices(lang, text, errors)
        .into_iter()
        .map(|c| Row {
            key: c.value,
            label: c.label,
        })
        .collect()
}

fn kind_fields(lang: Lang, s: &Survey, kind: &mut QuestionKind, f: &Fields, errors: &mut Errors) {
    match kind {
        QuestionKind::SingleChoice {
            list,
            appearance,
            other,
        } => {
            *list = list_field(lang, s, f, errors);
            *appearance = if get(f, "appearance") == "dropdown" {
                ChoiceAppearance::Dropdown
            } else {
                ChoiceAppearance::Radio
            };
            *other = ticked(f, "other");
        }
        QuestionKind::MultipleChoice { list, other } => {
            *list = list_field(lang, s, f, errors);
            *other = ticked(f, "other");
        }
        QuestionKind::Ranking { list }
        | QuestionKind::MaxDiff { list, .. }
        | QuestionKind::Kano { list, .. } => {
            *list = list_field(lang, s, f, errors);
        }
        QuestionKind::Matrix { rows, list } => {
            *list = list_field(lang, s, f, errors);
            *rows = parse_rows(lang, get(f, "rows"), errors);
        }
        QuestionKind::Rating { scale } | QuestionKind::ImportanceSatisfaction { scale, .. } => {
            scale_fields(lang, scale, f, errors);
        }
        QuestionKind::Integer { min, max } => {
            *min = number(lang, f, "min", errors);
            *max = number(lang, f, "max", errors);
        }
        QuestionKind::Decimal { min, max } => {
            *min = number(lang, f, "min", errors);
            *max = number(lang, f, "max", errors);
        }
        QuestionKind::Hidden { default } => {
            let v = get(f, "default");
            *default = (!v.is_empty()).then(|| v.to_owned());
        }
        QuestionKind::Calculate { calculation } => {
            match expression(lang, s, f, "calculation", errors) {
                Some(e) => *calculation = e,
                None => err(
                    errors,
                    "calculation",
                    lang,
                    "Skriv en beräkning.",
                    "Enter a calculation.",
                ),
            }
        }
        QuestionKind::Note
        | QuestionKind::ShortText
        | QuestionKind::LongText
        | QuestionKind::Date
        | QuestionKind::Consent => {}
    }
}

/// The question edit form: common fields plus the kind's own settings.
pub fn question(lang: Lang, s: &mut Survey, key: &str, f: &Fields) -> Result<String, Errors> {
    let Some((pi, qi)) = find_question(s, key) else {
        return Err(vec![(
            String::new(),
            lang.t("Frågan finns inte.", "No such question.").into(),
        )]);
    };
    let mut errors = Errors::new();
    let mut q = s.pages[pi].questions[qi].clone();
    set_text(&mut q.label, f, "label");
    set_text(&mut q.hint, f, "hint");
    q.required = ticked(f, "required");
    q.required_if = expression(lang, s, f, "required_if", &mut errors);
    set_text(&mut q.required_message, f, "required_message");
    q.relevant = expression(lang, s, f, "relevant", &mut errors);
    q.constraint = expression(lang, s, f, "constraint", &mut errors);
    set_text(&mut q.constraint_message, f, "constraint_message");
    q.randomise_options = ticked(f, "randomise_options");
    kind_fields(lang, s, &mut q.kind, f, &mut errors);
    s.pages[pi].questions[qi] = q;
    done(errors, format!("question {key} edited"))
}

/// The advanced editor: the whole question as TOML, parsed with the survey model.
pub fn question_toml(lang: Lang, s: &mut Survey, key: &str, f: &Fields) -> Result<String, Errors> {
    let Some((pi, qi)) = find_question(s, key) else {
        return Err(vec![(
            String::new(),
            lang.t("Frågan finns inte.", "No such question.").into(),
        )]);
    };
    let q: Question = toml::from_str(f.get("toml").map_or("", String::as_str)).map_err(|e| {
        let message = match lang {
            Lang::Sv => format!("TOML-texten kunde inte läsas: {e}"),
            Lang::En => format!("The TOML could not be read: {e}"),
        };
        vec![("toml".to_owned(), message)]
    })?;
    if q.key != key {
        return Err(vec![(
            "toml".into(),
            lang.t(
                "Nyckeln (key) kan inte ändras här.",
                "The key cannot be changed here.",
            )
            .into(),
        )]);
    }
    s.pages[pi].questions[qi] = q;
    Ok(format!("question {key} edited as TOML"))
}

/// A date and time staff typed, read as wall-clock time in the instance's `zone` (staff think in
/// local time; storage is UTC).
fn datetime(
    lang: Lang,
    zone: &Zone,
    f: &Fields,
    name: &str,
    errors: &mut Errors,
) -> Option<OffsetDateTime> {
    let v = get(f, name);
    if v.is_empty() {
        return None;
    }
    let fmt = time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]");
    let parsed = PrimitiveDateTime::parse(v, &fmt)
        .ok()
        .and_then(|local| zone.to_utc(local));
    if parsed.is_none() {
        err(
            errors,
            name,
            lang,
            "Skriv datum och tid som ÅÅÅÅ-MM-DDTtt:mm.",
            "Enter date and time as YYYY-MM-DDThh:mm.",
        );
    }
    parsed
}

/// The options form, leniently: what can be read, for showing the form again.
pub fn options_lenient(zone: &Zone, f: &Fields) -> SurveyOptions {
    let mut errors = Errors::new();
    build_options(Lang::En, zone, f, &mut errors)
}

fn build_options(lang: Lang, zone: &Zone, f: &Fields, errors: &mut Errors) -> SurveyOptions {
    let mut o = SurveyOptions {
        listed: ticked(f, "listed"),
        audience: text_from(f, "audience"),
        minutes: number(lang, f, "minutes", errors),
        opens_at: datetime(lang, zone, f, "opens_at", errors),
        closes_at: datetime(lang, zone, f, "closes_at", errors),
        max_responses: number(lang, f, "max_responses", errors),
        contact: text_from(f, "contact"),
        results: text_from(f, "results"),
        access: if get(f, "access") == "invitation" {
            Access::Invitation
        } else {
            Access::Open
        },
        anonymous: ticked(f, "anonymous"),
        quotas: quotas_from(lang, f, errors),
        ..SurveyOptions::default()
    };
    o.resume_days = number(lang, f, "resume_days", errors).unwrap_or(o.resume_days);
    o.privacy.purpose = text_from(f, "purpose");
    o.privacy.retention = text_from(f, "retention");
    o.privacy.controller = text_from(f, "controller");
    o.privacy.legal_basis = if get(f, "legal_basis") == "consent" {
        LegalBasis::Consent
    } else {
        LegalBasis::PublicTask
    };
    o
}

/// The quotas typed in the options form. The field is always on the form, filled with the
/// current quotas, so saving the other options leaves them as they were.
fn quotas_from(lang: Lang, f: &Fields, errors: &mut Errors) -> Vec<Quota> {
    let text = f.get("quotas").map_or("", String::as_str);
    if text.trim().is_empty() {
        return Vec::new();
    }
    let file: QuotaFile = match toml::from_str(text) {
        Ok(file) => file,
        Err(e) => {
            let line = e
                .span()
                .map_or(1, |s| text[..s.start].matches('\n').count() + 1);
            let message = match lang {
                Lang::Sv => format!("Kvoterna, rad {line}: {}", e.message().trim()),
                Lang::En => format!("Quotas, line {line}: {}", e.message().trim()),
            };
            errors.push(("quotas".into(), message));
            return Vec::new();
        }
    };
    let mut seen = std::collections::HashSet::new();
    for q in &file.quotas {
        if !is_valid_key(&q.name) || q.by.is_empty() {
            errors.push((
                "quotas".into(),
                match lang {
                    Lang::Sv => format!("Kvoten ”{}” behöver ett namn (a–z, siffror, - och _) och minst en fråga i by.", q.name),
                    Lang::En => format!("The quota “{}” needs a name (a–z, digits, - and _) and at least one question in by.", q.name),
                },
            ));
        } else if !seen.insert(q.name.as_str()) {
            errors.push((
                "quotas".into(),
                match lang {
                    Lang::Sv => format!("Det finns två kvoter som heter ”{}”.", q.name),
                    Lang::En => format!("There are two quotas named “{}”.", q.name),
                },
            ));
        }
    }
    file.quotas
}

/// The options form.
pub fn options(lang: Lang, zone: &Zone, f: &Fields) -> Result<SurveyOptions, Errors> {
    let mut errors = Errors::new();
    let o = build_options(lang, zone, f, &mut errors);
    if let (Some(a), Some(b)) = (o.opens_at, o.closes_at) {
        if b <= a {
            err(
                &mut errors,
                "closes_at",
                lang,
                "Slutet måste vara efter starten.",
                "The closing time must be after the opening time.",
            );
        }
    }
    if errors.is_empty() {
        Ok(o)
    } else {
        Err(errors)
    }
}
