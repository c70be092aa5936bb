//! Publish checks: structural errors that block publishing and accessibility/readability warnings that do
//! not. Every finding names where it is (page, question, field) and explains itself in Swedish and English.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde::{Deserialize, Serialize};

use super::{
    lix, ChoiceAppearance, Question, QuestionKind, Scale, Survey, Text, REQUIRED_LANGUAGES,
};
use crate::domain::expr::{Expr, Expression, Func};
use crate::domain::options::{Access, SurveyOptions};

/// A matrix wider than this does not fit a phone screen without horizontal scrolling.
pub const MAX_MATRIX_COLUMNS: usize = 5;
/// Radio lists longer than this are hard to scan; a drop-down or a search field serves better.
pub const MAX_RADIO_OPTIONS: usize = 10;
/// LIX above this is "difficult" (Björnsson's scale); many respondents read Swedish as a second language.
pub const LIX_WARNING: f64 = 50.0;
/// LIX is unstable on very short texts (one long word gives 100), so only texts this long are scored.
pub const LIX_MIN_WORDS: usize = 6;

/// How serious a finding is: errors block publishing, warnings do not.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Blocks publishing.
    Error,
    /// Worth fixing; does not block.
    Warning,
}

/// Where a finding is.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Location {
    /// The page key.
    pub page: Option<String>,
    /// The question key.
    pub question: Option<String>,
    /// The choice list name.
    pub list: Option<String>,
    /// The field, e.g. `relevant`, `label.sv`, `scale.min_label.en`.
    pub field: Option<String>,
}

impl std::fmt::Display for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut parts = Vec::new();
        if let Some(p) = &self.page {
            parts.push(format!("page {p}"));
        }
        if let Some(q) = &self.question {
            parts.push(format!("question {q}"));
        }
        if let Some(l) = &self.list {
            parts.push(format!("list {l}"));
        }
        if let Some(x) = &self.field {
            parts.push(format!("field {x}"));
        }
        if parts.is_empty() {
            write!(f, "survey")
        } else {
            write!(f, "{}", parts.join(", "))
        }
    }
}

/// One result of the publish check.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    /// Error or warning.
    pub severity: Severity,
    /// A stable machine-readable code, e.g. `duplicate_key`, `lix_high`.
    pub code: String,
    /// Where.
    pub location: Location,
    /// The message in Swedish.
    pub message_sv: String,
    /// The message in English.
    pub message_en: String,
}

impl Finding {
    /// The message in `lang` (`sv` or anything else for English).
    pub fn message(&self, lang: &str) -> &str {
        if lang == "sv" {
            &self.message_sv
        } else {
            &self.message_en
        }
    }
}

impl std::fmt::Display for Finding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let sev = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(
            f,
            "{sev} [{}] {}: {}",
            self.code, self.location, self.message_en
        )
    }
}

struct Ctx<'s> {
    survey: &'s Survey,
    out: Vec<Finding>,
    /// question key → (page index, position in survey order)
    positions: HashMap<&'s str, (usize, usize)>,
}

impl Ctx<'_> {
    fn push(&mut self, severity: Severity, code: &str, location: Location, sv: String, en: String) {
        self.out.push(Finding {
            severity,
            code: code.to_owned(),
            location,
            message_sv: sv,
            message_en: en,
        });
    }
}

fn at_q(page: &str, q: &str, field: Option<&str>) -> Location {
    Location {
        page: Some(page.to_owned()),
        question: Some(q.to_owned()),
        list: None,
        field: field.map(str::to_owned),
    }
}

/// Is `key` a usable key: starts with a letter, then letters, digits, `_` or `-`. Dots are reserved for
/// sub-keys and spaces separate multiple-choice values.
pub fn is_valid_key(key: &str) -> bool {
    let mut chars = key.chars();
    chars.next().is_some_and(char::is_alphabetic)
        && chars.all(|c| c.is_alphanumeric() || c == '_' || c == '-')
}

/// Runs every publish check. Findings are sorted errors first, in survey order within a severity.
pub fn check(survey: &Survey) -> Vec<Finding> {
    let mut positions = HashMap::new();
    let mut n = 0;
    for (pi, page) in survey.pages.iter().enumerate() {
        for q in &page.questions {
            positions.entry(q.key.as_str()).or_insert((pi, n));
            n += 1;
        }
    }
    let mut cx = Ctx {
        survey,
        out: Vec::new(),
        positions,
    };
    check_languages(&mut cx);
    check_keys(&mut cx);
    check_lists(&mut cx);
    check_texts(&mut cx);
    check_kinds(&mut cx);
    check_expressions(&mut cx);
    check_cycles(&mut cx);
    check_same_page_conditions(&mut cx);
    check_text_budget(&mut cx);
    let mut out = cx.out;
    out.sort_by_key(|f| f.severity);
    out
}

fn check_languages(cx: &mut Ctx<'_>) {
    let s = cx.survey;
    for req in REQUIRED_LANGUAGES {
        if !s.languages.iter().any(|l| l == req) {
            cx.push(
                Severity::Error,
                "missing_language",
                Location::default(),
                format!("Enkäten måste finnas på språket '{req}'."),
                format!("The survey must be available in language '{req}'."),
            );
        }
    }
    if !s.languages.contains(&s.default_language) {
        cx.push(
            Severity::Error,
            "default_language",
            Location::default(),
            format!(
                "Standardspråket '{}' finns inte bland enkätens språk.",
                s.default_language
            ),
            format!(
                "The default language '{}' is not one of the survey's languages.",
                s.default_language
            ),
        );
    }
    let unique: BTreeSet<_> = s.languages.iter().collect();
    if unique.len() != s.languages.len() {
        cx.push(
            Severity::Error,
            "duplicate_language",
            Location::default(),
            "Ett språk står två gånger i listan över språk.".into(),
            "A language is listed twice.".into(),
        );
    }
    if !is_valid_key(&s.key) {
        cx.push(
            Severity::Error,
            "invalid_key",
            Location::default(),
            format!("Enkätens nyckel '{}' är ogiltig: börja med en bokstav, använd bokstäver, siffror, _ och -.", s.key),
            format!("The survey key '{}' is invalid: start with a letter, use letters, digits, _ and -.", s.key),
        );
    }
}

fn check_keys(cx: &mut Ctx<'_>) {
    let s = cx.survey;
    let mut seen_q: BTreeMap<&str, &str> = BTreeMap::new();
    let mut seen_p: BTreeSet<&str> = BTreeSet::new();
    if s.questions().next().is_none() {
        cx.push(
            Severity::Error,
            "no_questions",
            Location::default(),
            "Enkäten har inga frågor.".into(),
            "The survey has no questions.".into(),
        );
    }
    for page in &s.pages {
        let ploc = Location {
            page: Some(page.key.clone()),
            ..Location::default()
        };
        if !is_valid_key(&page.key) {
            cx.push(
                Severity::Error,
                "invalid_key",
                ploc.clone(),
                format!("Sidnyckeln '{}' är ogiltig.", page.key),
                format!("The page key '{}' is invalid.", page.key),
            );
        }
        if !seen_p.insert(&page.key) {
            cx.push(
                Severity::Error,
                "duplicate_key",
                ploc.clone(),
                format!("Sidnyckeln '{}' används mer än en gång.", page.key),
                format!("The page key '{}' is used more than once.", page.key),
            );
        }
        if page.questions.is_empty() {
            cx.push(
                Severity::Warning,
                "empty_page",
                ploc,
                "Sidan har inga frågor.".into(),
                "The page has no questions.".into(),
            );
        }
        for q in &page.questions {
            let loc = at_q(&page.key, &q.key, Some("key"));
            if !is_valid_key(&q.key) {
                cx.push(
                    Severity::Error,
                    "invalid_key",
                    loc.clone(),
                    format!("Frågenyckeln '{}' är ogiltig: börja med en bokstav, använd bokstäver, siffror, _ och -.", q.key),
                    format!("The question key '{}' is invalid: start with a letter, use letters, digits, _ and -.", q.key),
                );
            }
            if let Some(first) = seen_q.insert(&q.key, &page.key) {
                cx.push(
                    Severity::Error,
                    "duplicate_key",
                    loc,
                    format!("Frågenyckeln '{}' används redan (sida {first}).", q.key),
                    format!(
                        "The question key '{}' is already used (page {first}).",
                        q.key
                    ),
                );
            }
        }
    }
}

fn check_lists(cx: &mut Ctx<'_>) {
    let s = cx.survey;
    let mut used = BTreeSet::new();
    for page in &s.pages {
        for q in &page.questions {
            if let Some(list) = q.kind.list() {
                used.insert(list);
                if !s.choice_lists.contains_key(list) {
                    cx.push(
                        Severity::Error,
                        "unknown_list",
                        at_q(&page.key, &q.key, Some("list")),
                        format!("Svarslistan '{list}' finns inte."),
                        format!("The choice list '{list}' does not exist."),
                    );
                }
            }
        }
    }
    for (name, choices) in &s.choice_lists {
        let loc = Location {
            list: Some(name.clone()),
            ..Location::default()
        };
        if !used.contains(name.as_str()) {
            cx.push(
                Severity::Warning,
                "unused_list",
                loc.clone(),
                format!("Svarslistan '{name}' används inte av någon fråga."),
                format!("The choice list '{name}' is not used by any question."),
            );
        }
        if choices.is_empty() {
            cx.push(
                Severity::Error,
                "empty_list",
                loc.clone(),
                format!("Svarslistan '{name}' är tom."),
                format!("The choice list '{name}' is empty."),
            );
        }
        let mut seen = BTreeSet::new();
        for c in choices {
            if c.value.is_empty()
                || c.value.chars().any(char::is_whitespace)
                || c.value.contains('.')
            {
                cx.push(
                    Severity::Error,
                    "invalid_value",
                    loc.clone(),
                    format!(
                        "Värdet '{}' är ogiltigt: inga mellanslag eller punkter.",
                        c.value
                    ),
                    format!("The value '{}' is invalid: no spaces or dots.", c.value),
                );
            }
            if !seen.insert(c.value.as_str()) {
                cx.push(
                    Severity::Error,
                    "duplicate_value",
                    loc.clone(),
                    format!("Värdet '{}' förekommer två gånger i listan.", c.value),
                    format!("The value '{}' appears twice in the list.", c.value),
                );
            }
        }
    }
}

/// Every text of the survey with its location and whether it must be present.
pub fn texts(survey: &Survey) -> Vec<(Location, &Text, bool)> {
    let mut v: Vec<(Location, &Text, bool)> = Vec::new();
    let field = |f: &str| Location {
        field: Some(f.to_owned()),
        ..Location::default()
    };
    v.push((field("title"), &survey.title, true));
    v.push((field("intro"), &survey.intro, false));
    v.push((field("thanks"), &survey.thanks, false));
    for (name, choices) in &survey.choice_lists {
        for c in choices {
            let loc = Location {
                list: Some(name.clone()),
                field: Some(format!("{}.label", c.value)),
                ..Location::default()
            };
            v.push((loc, &c.label, true));
        }
    }
    for page in &survey.pages {
        let ploc = Location {
            page: Some(page.key.clone()),
            field: Some("title".into()),
            ..Location::default()
        };
        v.push((ploc, &page.title, false));
        for q in &page.questions {
            let l = |f: &str| at_q(&page.key, &q.key, Some(f));
            let needs_label = !matches!(
                q.kind,
                QuestionKind::Hidden { .. } | QuestionKind::Calculate { .. }
            );
            v.push((l("label"), &q.label, needs_label));
            v.push((l("hint"), &q.hint, false));
            v.push((l("constraint_message"), &q.constraint_message, false));
            v.push((l("required_message"), &q.required_message, false));
            match &q.kind {
                QuestionKind::Rating { scale } => push_scale(&mut v, &l, "scale", scale),
                QuestionKind::ImportanceSatisfaction {
                    importance,
                    satisfaction,
                    scale,
                } => {
                    v.push((l("importance"), importance, true));
                    v.push((l("satisfaction"), satisfaction, true));
                    push_scale(&mut v, &l, "scale", scale);
                }
                QuestionKind::Matrix { rows, .. } => {
                    for r in rows {
                        v.push((l(&format!("rows.{}", r.key)), &r.label, true));
                    }
                }
                QuestionKind::Kano {
                    functional,
                    dysfunctional,
                    ..
                } => {
                    v.push((l("functional"), functional, true));
                    v.push((l("dysfunctional"), dysfunctional, true));
                }
                QuestionKind::MaxDiff {
                    best_label,
                    worst_label,
                    ..
                } => {
                    v.push((l("best_label"), best_label, true));
                    v.push((l("worst_label"), worst_label, true));
                }
                _ => {}
            }
        }
    }
    v
}

fn push_scale<'a>(
    v: &mut Vec<(Location, &'a Text, bool)>,
    l: &dyn Fn(&str) -> Location,
    prefix: &str,
    scale: &'a Scale,
) {
    v.push((l(&format!("{prefix}.min_label")), &scale.min_label, true));
    v.push((l(&format!("{prefix}.max_label")), &scale.max_label, true));
    if let Some(dk) = &scale.dont_know {
        v.push((l(&format!("{prefix}.dont_know")), dk, true));
    }
}

fn check_texts(cx: &mut Ctx<'_>) {
    let s = cx.survey;
    let langs: BTreeSet<&str> = s.languages.iter().map(String::as_str).collect();
    for (loc, text, required) in texts(s) {
        if !required && text.is_empty() {
            continue;
        }
        for lang in &s.languages {
            if text.get(lang).is_none() {
                let mut loc = loc.clone();
                loc.field = loc.field.map(|f| format!("{f}.{lang}"));
                cx.push(
                    Severity::Error,
                    "missing_text",
                    loc,
                    format!("Text saknas på språket '{lang}'."),
                    format!("Text missing in language '{lang}'."),
                );
            }
        }
        for lang in text.0.keys() {
            if !langs.contains(lang.as_str()) {
                cx.push(
                    Severity::Warning,
                    "extra_language",
                    loc.clone(),
                    format!("Texten har språket '{lang}' som enkäten inte har."),
                    format!("The text has language '{lang}', which the survey does not list."),
                );
            }
        }
        if let Some(sv) = text.get("sv") {
            if let Some(score) = lix::lix(sv).filter(|_| lix::word_count(sv) >= LIX_MIN_WORDS) {
                if score > LIX_WARNING {
                    cx.push(
                        Severity::Warning,
                        "lix_high",
                        loc.clone(),
                        format!("Texten är svårläst (LIX {score:.0} > {LIX_WARNING:.0}): korta meningar och ord hjälper."),
                        format!("The Swedish text is hard to read (LIX {score:.0} > {LIX_WARNING:.0}): use shorter sentences and words."),
                    );
                }
            }
        }
        for (pos, key) in piped_keys(text) {
            if !cx
                .positions
                .contains_key(key.split('.').next().unwrap_or(key))
            {
                cx.push(
                    Severity::Error,
                    "unknown_key",
                    loc.clone(),
                    format!("Texten hämtar svaret på '{key}' (position {}), men frågan finns inte.", pos + 1),
                    format!("The text pipes the answer to '{key}' (position {}), but no such question exists.", pos + 1),
                );
            }
        }
    }
}

/// The `${key}` references piped into a text, with byte positions (in any language).
pub fn piped_keys(text: &Text) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    for t in text.0.values() {
        let mut from = 0;
        while let Some(start) = t[from..].find("${") {
            let abs = from + start;
            let Some(end) = t[abs + 2..].find('}') else {
                break;
            };
            out.push((abs, t[abs + 2..abs + 2 + end].trim()));
            from = abs + 2 + end;
        }
    }
    out
}

fn check_scale(cx: &mut Ctx<'_>, loc: Location, scale: &Scale) {
    if scale.min >= scale.max || scale.max - scale.min > 10 {
        cx.push(
            Severity::Error,
            "invalid_scale",
            loc,
            format!(
                "Skalan {}–{} är ogiltig: minst 2 och högst 11 steg.",
                scale.min, scale.max
            ),
            format!(
                "The scale {}–{} is invalid: 2 to 11 points.",
                scale.min, scale.max
            ),
        );
    }
}

fn check_kinds(cx: &mut Ctx<'_>) {
    let s = cx.survey;
    for page in &s.pages {
        for q in &page.questions {
            let loc = |f: &str| at_q(&page.key, &q.key, Some(f));
            let list_len = q
                .kind
                .list()
                .and_then(|l| s.choice_lists.get(l))
                .map_or(0, Vec::len);
            match &q.kind {
                QuestionKind::Rating { scale }
                | QuestionKind::ImportanceSatisfaction { scale, .. } => {
                    check_scale(cx, loc("scale"), scale);
                    if scale.points() > MAX_MATRIX_COLUMNS + 2 {
                        cx.push(
                            Severity::Warning,
                            "wide_scale",
                            loc("scale"),
                            format!(
                                "Skalan har {} steg; på en mobil blir den trång.",
                                scale.points()
                            ),
                            format!(
                                "The scale has {} points; it is cramped on a phone.",
                                scale.points()
                            ),
                        );
                    }
                }
                QuestionKind::Matrix { rows, .. } => {
                    if rows.is_empty() {
                        cx.push(
                            Severity::Error,
                            "empty_matrix",
                            loc("rows"),
                            "Matrisen har inga rader.".into(),
                            "The matrix has no rows.".into(),
                        );
                    }
                    let mut seen = BTreeSet::new();
                    for r in rows {
                        if !is_valid_key(&r.key) || !seen.insert(r.key.as_str()) {
                            cx.push(
                                Severity::Error,
                                "invalid_key",
                                loc(&format!("rows.{}", r.key)),
                                format!(
                                    "Radnyckeln '{}' är ogiltig eller används två gånger.",
                                    r.key
                                ),
                                format!("The row key '{}' is invalid or used twice.", r.key),
                            );
                        }
                    }
                    if list_len > MAX_MATRIX_COLUMNS {
                        cx.push(
                            Severity::Warning,
                            "matrix_too_wide",
                            loc("list"),
                            format!("Matrisen har {list_len} kolumner; mer än {MAX_MATRIX_COLUMNS} får inte plats på en mobil."),
                            format!("The matrix has {list_len} columns; more than {MAX_MATRIX_COLUMNS} do not fit a phone."),
                        );
                    }
                }
                QuestionKind::SingleChoice {
                    appearance: ChoiceAppearance::Radio,
                    ..
                }
                | QuestionKind::MultipleChoice { .. }
                    if list_len > MAX_RADIO_OPTIONS =>
                {
                    cx.push(
                        Severity::Warning,
                        "long_option_list",
                        loc("list"),
                        format!("Listan har {list_len} alternativ; fler än {MAX_RADIO_OPTIONS} är svåra att överblicka som knappar."),
                        format!("The list has {list_len} options; more than {MAX_RADIO_OPTIONS} are hard to scan as buttons."),
                    );
                }
                QuestionKind::Integer {
                    min: Some(a),
                    max: Some(b),
                } if a > b => {
                    cx.push(
                        Severity::Error,
                        "invalid_range",
                        loc("min"),
                        format!("Minsta värdet {a} är större än högsta {b}."),
                        format!("The minimum {a} is greater than the maximum {b}."),
                    );
                }
                QuestionKind::Decimal {
                    min: Some(a),
                    max: Some(b),
                } if a > b => {
                    cx.push(
                        Severity::Error,
                        "invalid_range",
                        loc("min"),
                        format!("Minsta värdet {a} är större än högsta {b}."),
                        format!("The minimum {a} is greater than the maximum {b}."),
                    );
                }
                QuestionKind::MaxDiff {
                    items_per_task,
                    tasks,
                    design_versions,
                    ..
                } => {
                    let k = *items_per_task as usize;
                    if k < 3 || k >= list_len.max(1) || *tasks == 0 || *design_versions == 0 {
                        cx.push(
                            Severity::Error,
                            "invalid_maxdiff",
                            loc("items_per_task"),
                            format!("MaxDiff kräver minst 3 objekt per uppgift, färre än listans {list_len} objekt, och minst en uppgift och en version."),
                            format!("MaxDiff needs at least 3 items per task, fewer than the list's {list_len} items, and at least one task and one version."),
                        );
                    } else if (*tasks as usize) * k < 2 * list_len {
                        cx.push(
                            Severity::Warning,
                            "maxdiff_few_tasks",
                            loc("tasks"),
                            format!("Varje objekt visas i snitt färre än 2 gånger per person ({tasks} uppgifter × {k} / {list_len})."),
                            format!("Each item is shown fewer than 2 times per respondent on average ({tasks} tasks × {k} / {list_len})."),
                        );
                    }
                }
                QuestionKind::Consent if !q.required => {
                    cx.push(
                        Severity::Warning,
                        "consent_not_required",
                        loc("required"),
                        "Samtyckesfrågan är inte obligatorisk.".into(),
                        "The consent question is not required.".into(),
                    );
                }
                _ => {}
            }
        }
    }
}

/// Every expression of a question with its field name.
pub fn question_expressions(q: &Question) -> Vec<(&'static str, &Expression)> {
    let mut v = Vec::new();
    if let Some(e) = &q.relevant {
        v.push(("relevant", e));
    }
    if let Some(e) = &q.required_if {
        v.push(("required_if", e));
    }
    if let Some(e) = &q.constraint {
        v.push(("constraint", e));
    }
    if let QuestionKind::Calculate { calculation } = &q.kind {
        v.push(("calculation", calculation));
    }
    v
}

fn expr_error(cx: &mut Ctx<'_>, loc: Location, source: &str, pos: usize, en: String, sv: String) {
    cx.push(
        Severity::Error,
        "expression",
        loc,
        format!("{sv} (position {} i \"{source}\")", pos + 1),
        format!("{en} (position {} in \"{source}\")", pos + 1),
    );
}

fn check_expressions(cx: &mut Ctx<'_>) {
    let s = cx.survey;
    for (pi, page) in s.pages.iter().enumerate() {
        let mut exprs: Vec<(Option<&Question>, &'static str, &Expression)> = Vec::new();
        if let Some(e) = &page.relevant {
            exprs.push((None, "relevant", e));
        }
        for q in &page.questions {
            for (f, e) in question_expressions(q) {
                exprs.push((Some(q), f, e));
            }
        }
        for (q, field, e) in exprs {
            let loc = match q {
                Some(q) => at_q(&page.key, &q.key, Some(field)),
                None => Location {
                    page: Some(page.key.clone()),
                    field: Some(field.into()),
                    ..Location::default()
                },
            };
            let ast = match e.ast() {
                Ok(a) => a,
                Err(err) => {
                    expr_error(
                        cx,
                        loc,
                        e.source(),
                        err.position,
                        format!("Invalid expression: {}", err.kind.message().en),
                        format!("Ogiltigt uttryck: {}", err.kind.message().sv),
                    );
                    continue;
                }
            };
            for (key, pos) in ast.references() {
                let base = key.split('.').next().unwrap_or(key);
                let Some(&(ref_page, _)) = cx.positions.get(base) else {
                    expr_error(
                        cx,
                        loc.clone(),
                        e.source(),
                        pos,
                        format!("Unknown question '{key}'"),
                        format!("Okänd fråga '{key}'"),
                    );
                    continue;
                };
                // A question can depend on a later one only on the same page (answers update live there) or
                // in a calculation (evaluated again on submit); a page's relevance needs earlier pages only.
                let never = match q {
                    None => ref_page >= pi,
                    Some(_) => ref_page > pi && field != "calculation",
                };
                if never {
                    expr_error(
                        cx,
                        loc.clone(),
                        e.source(),
                        pos,
                        format!("'{key}' is asked on a later page, so it can never be answered here"),
                        format!("'{key}' ställs på en senare sida och kan därför aldrig vara besvarad här"),
                    );
                }
            }
            check_selected_values(cx, &loc, e.source(), ast);
        }
    }
}

/// `selected(${q}, 'x')` where `q` is a choice question must name one of its options.
fn check_selected_values(cx: &mut Ctx<'_>, loc: &Location, source: &str, e: &Expr) {
    match e {
        Expr::Call { func, args, .. } => {
            if let (Func::Selected, [Expr::Ref { key, position }, Expr::Text(value)]) =
                (func, args.as_slice())
            {
                let options = cx.survey.question(key).and_then(|q| match &q.kind {
                    QuestionKind::SingleChoice { list, other, .. }
                    | QuestionKind::MultipleChoice { list, other } => {
                        cx.survey.choice_list(list).map(|cs| (cs, *other))
                    }
                    _ => None,
                });
                if let Some((choices, other)) = options {
                    let ok =
                        choices.iter().any(|c| &c.value == value) || (other && value == "other");
                    if !ok {
                        expr_error(
                            cx,
                            loc.clone(),
                            source,
                            *position,
                            format!("'{value}' is not an option of '{key}'"),
                            format!("'{value}' är inte ett alternativ i '{key}'"),
                        );
                    }
                }
            }
            for a in args {
                check_selected_values(cx, loc, source, a);
            }
        }
        Expr::Neg(a) => check_selected_values(cx, loc, source, a),
        Expr::Binary(_, a, b) => {
            check_selected_values(cx, loc, source, a);
            check_selected_values(cx, loc, source, b);
        }
        _ => {}
    }
}

/// Finds dependency cycles between questions (through relevant, required_if, calculation and constraint;
/// a constraint may refer to its own question, which is the value being validated).
fn check_cycles(cx: &mut Ctx<'_>) {
    let s = cx.survey;
    let mut graph: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    let mut page_of: HashMap<&str, &str> = HashMap::new();
    for page in &s.pages {
        for q in &page.questions {
            page_of.insert(&q.key, &page.key);
            let deps = graph.entry(&q.key).or_default();
            for (field, e) in question_expressions(q) {
                if let Ok(ast) = e.ast() {
                    for (k, _) in ast.references() {
                        let base = k.split('.').next().unwrap_or(k);
                        if field == "constraint" && base == q.key {
                            continue;
                        }
                        if cx.positions.contains_key(base) {
                            deps.insert(base);
                        }
                    }
                }
            }
        }
    }
    // Iterative three-colour DFS; each cycle is reported once, at the node where it closes.
    let mut state: HashMap<&str, u8> = HashMap::new();
    let mut cycles: Vec<Vec<&str>> = Vec::new();
    for &start in graph.keys() {
        if state.contains_key(start) {
            continue;
        }
        let mut stack: Vec<(&str, Vec<&str>)> =
            vec![(start, graph[start].iter().copied().collect())];
        let mut path = vec![start];
        state.insert(start, 1);
        while let Some((_, pending)) = stack.last_mut() {
            if let Some(next) = pending.pop() {
                match state.get(next) {
                    None => {
                        state.insert(next, 1);
                        path.push(next);
                        let deps = graph
                            .get(next)
                            .map(|d| d.iter().copied().collect())
                            .unwrap_or_default();
                        stack.push((next, deps));
                    }
                    Some(1) => {
                        let from = path.iter().position(|k| *k == next).unwrap_or(0);
                        cycles.push(path[from..].to_vec());
                    }
                    _ => {}
                }
            } else if let Some((done, _)) = stack.pop() {
                state.insert(done, 2);
                path.pop();
            }
        }
    }
    for cycle in cycles {
        let first = cycle.first().copied().unwrap_or_default();
        let chain = cycle.join(" → ");
        cx.push(
            Severity::Error,
            "cycle",
            at_q(page_of.get(first).copied().unwrap_or_default(), first, None),
            format!("Frågorna beror på varandra i en cirkel: {chain} → {first}."),
            format!("The questions depend on each other in a cycle: {chain} → {first}."),
        );
    }
}

/// Warns when the survey's text limits together could exceed the respondent form's body limit:
/// every page's form carries the answers of all pages, and a body over the limit is refused before
/// validation could keep what was typed. Worst case: 12 bytes per character (a percent-encoded
/// four-byte letter), plus a margin for the other fields.
fn check_text_budget(cx: &mut Ctx<'_>) {
    const WORST_BYTES_PER_CHAR: u64 = 12;
    const MARGIN: u64 = 64 * 1024;
    let s = cx.survey;
    let chars: u64 = s
        .pages
        .iter()
        .flat_map(|p| &p.questions)
        .flat_map(|q| {
            q.answer_columns(s).into_iter().filter_map(move |c| {
                let key = match &c.sub_key {
                    Some(sub) => format!("{}.{sub}", q.key),
                    None => q.key.clone(),
                };
                q.max_length(&key)
            })
        })
        .map(u64::from)
        .sum();
    let limit = super::RESPONDENT_FORM_BYTES as u64;
    if chars * WORST_BYTES_PER_CHAR + MARGIN > limit {
        let max_chars = (limit - MARGIN) / WORST_BYTES_PER_CHAR;
        cx.push(
            Severity::Warning,
            "text_limits_exceed_form",
            Location::default(),
            format!(
                "Textfälten får tillsammans innehålla {chars} tecken, men ett svarsformulär rymmer                  säkert bara omkring {max_chars}. Sänk några fälts maxlängd (max_length) så att                  ingen som skriver mycket förlorar sina svar."
            ),
            format!(
                "The text fields may hold {chars} characters together, but a response form safely                  holds only about {max_chars}. Lower some fields' max_length so that nobody who                  writes a lot loses their answers."
            ),
        );
    }
}

/// Informs about each question whose condition depends on an answer on its own page: without
/// JavaScript the page cannot reveal it, so respondents see it from the start as a conditional
/// question (the lead-in is quoted) and its answer counts only when the condition holds on submit
/// (see `super::conditional`).
fn check_same_page_conditions(cx: &mut Ctx<'_>) {
    let s = cx.survey;
    for page in &s.pages {
        for q in &page.questions {
            let refs = super::conditional::same_page_refs(page, q);
            if refs.is_empty()
                || matches!(
                    q.kind,
                    QuestionKind::Hidden { .. } | QuestionKind::Calculate { .. }
                )
            {
                continue;
            }
            let keys = refs.join(", ");
            let lead_sv = super::conditional::lead_in(s, page, q, "sv").unwrap_or_default();
            let lead_en = super::conditional::lead_in(s, page, q, "en").unwrap_or_default();
            cx.push(
                Severity::Warning,
                "same_page_condition",
                at_q(&page.key, &q.key, Some("relevant")),
                format!(
                    "Frågan '{}' beror på svar på samma sida ({keys}). Den visas därför från början, \
                     med inledningen \"{lead_sv}\". Svaret tas bara med om villkoret gäller när \
                     sidan skickas; annars tas det bort och kontrolleras inte. Flytta frågan till \
                     nästa sida om den ska döljas helt.",
                    q.key
                ),
                format!(
                    "Question '{}' depends on answers on the same page ({keys}). It is therefore \
                     shown from the start, introduced by \"{lead_en}\". Its answer counts only if \
                     the condition holds when the page is sent; otherwise it is dropped and not \
                     checked. Move the question to the next page to hide it completely.",
                    q.key
                ),
            );
        }
    }
}

/// Whether a survey run with `options` processes personal data: answers that are kept with the
/// invitation they came from (not anonymous), or an invitation list of names and addresses
/// (invitation access, even when the answers are anonymous). Only an anonymous open link keeps
/// nothing that points to a person, and even then the receipt and free text are answers of a
/// person, so the rule errs on the side of telling respondents.
pub fn collects_personal_data(options: &SurveyOptions) -> bool {
    !options.anonymous || options.access == Access::Invitation
}

/// The publish checks of a survey's operational options, kept apart from [`check`] because
/// options live beside the versions: a survey that collects personal data (see
/// [`collects_personal_data`]) must say why (the privacy notice's purpose) and who is
/// responsible (the controller's contact) in every required language (GDPR art. 13).
pub fn check_options(options: &SurveyOptions) -> Vec<Finding> {
    let mut out = Vec::new();
    if !collects_personal_data(options) {
        return out;
    }
    let fields: [(&str, &Text, &str, &str); 2] = [
        (
            "privacy.purpose",
            &options.privacy.purpose,
            "integritetsmeddelandet (varför svaren samlas in)",
            "the privacy notice (why the answers are collected)",
        ),
        (
            "privacy.controller",
            &options.privacy.controller,
            "personuppgiftsansvarig och hur man når den",
            "the controller and how to reach them",
        ),
    ];
    for (field, text, what_sv, what_en) in fields {
        for lang in REQUIRED_LANGUAGES {
            if text.get(lang).is_none() {
                out.push(Finding {
                    severity: Severity::Error,
                    code: "privacy_missing".to_owned(),
                    location: Location {
                        field: Some(format!("{field}.{lang}")),
                        ..Location::default()
                    },
                    message_sv: format!(
                        "Enkäten samlar in personuppgifter men saknar {what_sv} på {}. Fyll i det under Inställningar.",
                        if lang == "sv" { "svenska" } else { "engelska" }
                    ),
                    message_en: format!(
                        "The survey collects personal data but lacks {what_en} in {}. Fill it in under Options.",
                        if lang == "sv" { "Swedish" } else { "English" }
                    ),
                });
            }
        }
    }
    out
}

#[cfg(test)]
mod option_tests {
    use super::*;

    fn notice() -> SurveyOptions {
        let mut o = SurveyOptions::default();
        o.privacy.purpose = Text::new([("sv", "Statistik."), ("en", "Statistics.")]);
        o.privacy.controller = Text::new([("sv", "Staden."), ("en", "The city.")]);
        o
    }

    #[test]
    fn a_survey_that_keeps_personal_data_needs_a_purpose_and_a_controller_in_both_languages() {
        let found = check_options(&SurveyOptions::default());
        assert_eq!(found.len(), 4, "{found:?}");
        assert!(found.iter().all(|f| f.severity == Severity::Error));
        let mut o = notice();
        o.privacy.controller = Text::new([("sv", "Staden.")]);
        let found = check_options(&o);
        assert_eq!(found.len(), 1);
        assert_eq!(
            found[0].location.field.as_deref(),
            Some("privacy.controller.en")
        );
        assert!(check_options(&notice()).is_empty());
    }

    #[test]
    fn an_anonymous_open_link_needs_no_notice_but_an_anonymous_invitation_list_does() {
        let anonymous = SurveyOptions {
            anonymous: true,
            ..SurveyOptions::default()
        };
        assert!(check_options(&anonymous).is_empty());
        let invited = SurveyOptions {
            access: Access::Invitation,
            ..anonymous
        };
        assert_eq!(check_options(&invited).len(), 4);
    }
}
