//! Questions whose condition depends on an answer on their own page.
//!
//! Without JavaScript a page cannot reveal a question when an answer above it changes, and hiding
//! it until the next submit means the respondent meets it (or an error about it) only after
//! pressing Next. So, as no-JS form systems do, such a question is shown from the start as an
//! explicitly conditional question whose lead-in says when it applies ("Om du svarade Ja på
//! ”Har du bil?”: …"). On submit its relevance is decided on the submitted answers: when it does
//! not apply, [`super::flow::apply`] drops its answer and it is never validated; when it applies it
//! is validated like any other question, and any error is about a question the respondent saw.

use super::{Page, Question, QuestionKind, Survey};
use crate::domain::expr::{AnswerSource, BinOp, EvalContext, Expr, Func};
use crate::domain::lang::Lang;

/// Keys of the other questions on `page` that `q`'s condition depends on, directly or through a
/// calculation on the same page, in the order first referenced.
pub fn same_page_refs<'p>(page: &'p Page, q: &Question) -> Vec<&'p str> {
    let mut out: Vec<&'p str> = Vec::new();
    let Some(Ok(ast)) = q.relevant.as_ref().map(|e| e.ast()) else {
        return out;
    };
    let mut pending: Vec<String> = ast.references().iter().map(|(k, _)| base(k)).collect();
    let mut seen: Vec<String> = Vec::new();
    while let Some(key) = pending.pop() {
        if seen.contains(&key) || key == q.key {
            continue;
        }
        seen.push(key.clone());
        let Some(other) = page.questions.iter().find(|o| o.key == key) else {
            continue;
        };
        out.push(&other.key);
        // A calculation on this page is re-evaluated from this page's answers too.
        if let QuestionKind::Calculate { calculation } = &other.kind {
            if let Ok(c) = calculation.ast() {
                pending.extend(c.references().iter().map(|(k, _)| base(k)));
            }
        }
    }
    out
}

fn base(key: &str) -> String {
    key.split('.').next().unwrap_or(key).to_owned()
}

/// Whether `q` depends on an answer given on its own page.
pub fn depends_on_own_page(page: &Page, q: &Question) -> bool {
    !same_page_refs(page, q).is_empty()
}

/// The top-level `and` conjuncts of an expression.
fn conjuncts(e: &Expr) -> Vec<&Expr> {
    match e {
        Expr::Binary(BinOp::And, a, b) => {
            let mut v = conjuncts(a);
            v.extend(conjuncts(b));
            v
        }
        other => vec![other],
    }
}

fn mentions(e: &Expr, keys: &[&str]) -> bool {
    e.references()
        .iter()
        .any(|(k, _)| keys.contains(&base(k).as_str()))
}

/// Whether a question that depends on its own page may still apply: every part of its condition
/// that the earlier pages alone decide (a top-level `and` conjunct naming no question of this
/// page) holds. Such a question is shown as conditional; one ruled out already is not shown.
pub fn may_apply(page: &Page, q: &Question, answers: &dyn AnswerSource, today: &str) -> bool {
    let Some(Ok(ast)) = q.relevant.as_ref().map(|e| e.ast()) else {
        return false;
    };
    let own = same_page_refs(page, q);
    let ctx = EvalContext::new(answers, today);
    conjuncts(ast)
        .into_iter()
        .filter(|c| !mentions(c, &own))
        .all(|c| c.eval(&ctx).to_bool())
}

/// Which questions of page `index` are shown: the relevant ones, and those that depend on an
/// answer on the same page and may still apply (shown as conditional). All false when the page
/// itself is not relevant.
pub fn page_visibility(
    survey: &Survey,
    index: usize,
    answers: &dyn AnswerSource,
    today: &str,
) -> Vec<bool> {
    let Some(page) = survey.pages.get(index) else {
        return Vec::new();
    };
    let relevance = super::flow::page_relevance(survey, index, answers, today);
    if !super::flow::page_is_relevant(page, answers, today) {
        return relevance;
    }
    // A follow-up is worth showing only if a question it depends on is shown too: one ruled
    // out by earlier pages has no answer to give here.
    let shown_or_conditional = |key: &str| {
        page.questions.iter().zip(&relevance).any(|(o, rel)| {
            o.key == key && (*rel || depends_on_own_page(page, o) || o.kind.is_passive())
        })
    };
    page.questions
        .iter()
        .zip(&relevance)
        .map(|(q, rel)| {
            *rel || (may_apply(page, q, answers, today)
                && same_page_refs(page, q)
                    .into_iter()
                    .any(shown_or_conditional))
        })
        .collect()
}

/// One phrased part of a condition: the verb phrase, the preposition before the quoted label,
/// and which question it is about.
struct Atom {
    key: String,
    sv: String,
    en: String,
    prep_sv: &'static str,
    prep_en: &'static str,
}

struct Phraser<'a> {
    survey: &'a Survey,
    lang: &'a str,
    own: Vec<&'a str>,
}

impl Phraser<'_> {
    fn option_label(&self, key: &str, value: &str) -> String {
        let q = self.survey.question(key);
        let list = q.and_then(|q| q.kind.list());
        list.and_then(|l| self.survey.choice_list(l))
            .and_then(|cs| cs.iter().find(|c| c.value == value))
            .map(|c| {
                c.label
                    .get_or(self.lang, &self.survey.default_language)
                    .to_owned()
            })
            .unwrap_or_else(|| value.to_owned())
    }

    fn question_label(&self, key: &str) -> String {
        let label = self.survey.question(key).map_or(key.to_owned(), |q| {
            q.label
                .get_or(self.lang, &self.survey.default_language)
                .to_owned()
        });
        // A referenced label may itself pipe answers; quote it without them.
        super::flow::pipe(
            self.survey,
            &label,
            self.lang,
            &std::collections::HashMap::<String, crate::domain::expr::Value>::new(),
        )
    }

    fn own_ref<'e>(&self, e: &'e Expr) -> Option<&'e str> {
        match e {
            Expr::Ref { key, .. } if self.own.contains(&base(key).as_str()) => Some(key),
            _ => None,
        }
    }

    fn literal(e: &Expr) -> Option<String> {
        match e {
            Expr::Text(t) => Some(t.clone()),
            Expr::Number(n) => Some(crate::domain::expr::format_number(*n)),
            _ => None,
        }
    }

    fn atom(&self, e: &Expr) -> Option<Atom> {
        let answered = |key: &str, sv: String, en: String| Atom {
            key: key.to_owned(),
            sv,
            en,
            prep_sv: "på",
            prep_en: "to",
        };
        let chose = |key: &str, sv: String, en: String| Atom {
            key: key.to_owned(),
            sv,
            en,
            prep_sv: "på",
            prep_en: "in",
        };
        match e {
            Expr::Binary(op, a, b) => {
                // `${k} op literal`, either way round (a flipped comparison turns around).
                let (key, lit, op) = match (self.own_ref(a), self.own_ref(b)) {
                    (Some(k), None) => (k, Self::literal(b)?, *op),
                    (None, Some(k)) => (k, Self::literal(a)?, flip(*op)?),
                    _ => return self.count_atom(e),
                };
                let consent = self
                    .survey
                    .question(&base(key))
                    .is_some_and(|q| matches!(q.kind, QuestionKind::Consent));
                let label = self.option_label(key, &lit);
                Some(match op {
                    BinOp::Eq if consent && lit == "1" => Atom {
                        key: key.to_owned(),
                        sv: "kryssade i".into(),
                        en: "ticked".into(),
                        prep_sv: "",
                        prep_en: "",
                    },
                    BinOp::Eq => {
                        answered(key, format!("svarade {label}"), format!("answered {label}"))
                    }
                    BinOp::Ne if lit.is_empty() => {
                        answered(key, "svarade".into(), "answered".into())
                    }
                    BinOp::Ne => answered(
                        key,
                        format!("svarade något annat än {label}"),
                        format!("answered something other than {label}"),
                    ),
                    BinOp::Gt => answered(
                        key,
                        format!("svarade mer än {lit}"),
                        format!("answered more than {lit}"),
                    ),
                    BinOp::Ge => answered(
                        key,
                        format!("svarade minst {lit}"),
                        format!("answered at least {lit}"),
                    ),
                    BinOp::Lt => answered(
                        key,
                        format!("svarade mindre än {lit}"),
                        format!("answered less than {lit}"),
                    ),
                    BinOp::Le => answered(
                        key,
                        format!("svarade högst {lit}"),
                        format!("answered at most {lit}"),
                    ),
                    _ => return None,
                })
            }
            Expr::Call {
                func: Func::Selected,
                args,
                ..
            } => {
                let [r, v] = args.as_slice() else { return None };
                let key = self.own_ref(r)?;
                let label = self.option_label(key, &Self::literal(v)?);
                Some(chose(
                    key,
                    format!("valde {label}"),
                    format!("chose {label}"),
                ))
            }
            Expr::Call {
                func: Func::Not,
                args,
                ..
            } => {
                let [Expr::Call {
                    func: Func::Selected,
                    args,
                    ..
                }] = args.as_slice()
                else {
                    return None;
                };
                let [r, v] = args.as_slice() else { return None };
                let key = self.own_ref(r)?;
                let label = self.option_label(key, &Self::literal(v)?);
                Some(chose(
                    key,
                    format!("inte valde {label}"),
                    format!("did not choose {label}"),
                ))
            }
            _ => None,
        }
    }

    /// `count-selected(${k}) > n` and `>= n`.
    fn count_atom(&self, e: &Expr) -> Option<Atom> {
        let Expr::Binary(op, a, b) = e else {
            return None;
        };
        let Expr::Call {
            func: Func::CountSelected,
            args,
            ..
        } = a.as_ref()
        else {
            return None;
        };
        let key = self.own_ref(args.first()?)?;
        let Expr::Number(n) = b.as_ref() else {
            return None;
        };
        let more_than = match op {
            BinOp::Gt => *n,
            BinOp::Ge => *n - 1.0,
            _ => return None,
        };
        let (sv, en) = if more_than < 0.5 {
            (
                "valde något alternativ".to_owned(),
                "chose any option".to_owned(),
            )
        } else if (more_than - 1.0).abs() < f64::EPSILON {
            (
                "valde fler än ett alternativ".to_owned(),
                "chose more than one option".to_owned(),
            )
        } else {
            let m = crate::domain::expr::format_number(more_than);
            (
                format!("valde fler än {m} alternativ"),
                format!("chose more than {m} options"),
            )
        };
        Some(Atom {
            key: key.to_owned(),
            sv,
            en,
            prep_sv: "på",
            prep_en: "in",
        })
    }

    /// The parts of `e` about this page's answers, phrased; `None` when one cannot be phrased.
    /// An `or` of parts about one question reads as one part ("svarade Ja eller Vet inte").
    fn parts(&self, e: &Expr) -> Option<Vec<Atom>> {
        let mut out = Vec::new();
        for c in conjuncts(e) {
            if !mentions(c, &self.own) {
                // Decided by earlier pages, and true, or the question would not be shown.
                continue;
            }
            if let Expr::Binary(BinOp::Or, a, b) = c {
                let (a, b) = (self.atom(a)?, self.atom(b)?);
                if a.key != b.key {
                    return None;
                }
                let or_sv = format!(
                    "{} eller {}",
                    a.sv,
                    b.sv.trim_start_matches("svarade ")
                        .trim_start_matches("valde ")
                );
                let or_en = format!(
                    "{} or {}",
                    a.en,
                    b.en.trim_start_matches("answered ")
                        .trim_start_matches("chose ")
                );
                out.push(Atom {
                    sv: or_sv,
                    en: or_en,
                    ..a
                });
            } else {
                out.push(self.atom(c)?);
            }
        }
        // "Answered" adds nothing next to another part about the same question.
        let keys: Vec<String> = out.iter().map(|a| a.key.clone()).collect();
        out.retain(|a| a.sv != "svarade" || keys.iter().filter(|k| **k == a.key).count() < 2);
        (!out.is_empty()).then_some(out)
    }
}

fn flip(op: BinOp) -> Option<BinOp> {
    Some(match op {
        BinOp::Eq => BinOp::Eq,
        BinOp::Ne => BinOp::Ne,
        BinOp::Lt => BinOp::Gt,
        BinOp::Le => BinOp::Ge,
        BinOp::Gt => BinOp::Lt,
        BinOp::Ge => BinOp::Le,
        _ => return None,
    })
}

/// The lead-in of a question that depends on an answer on its own page, in `lang` (Swedish for
/// `sv`, English otherwise; option and question labels in `lang`): "Om du svarade Ja på ”Har du
/// bil?”:" / "If you answered Yes to “Do you have a car?”:", or a general "answer only if it
/// applies" sentence for a condition that cannot be put into words. `None` for a question that
/// does not depend on its own page.
pub fn lead_in(survey: &Survey, page: &Page, q: &Question, lang: &str) -> Option<String> {
    let own = same_page_refs(page, q);
    if own.is_empty() {
        return None;
    }
    let l = Lang::from_code(lang).unwrap_or(Lang::En);
    let generic = l
        .t(
            "Svara bara om frågan gäller dig utifrån ditt svar ovan:",
            "Answer only if this applies to you, given your answer above:",
        )
        .to_owned();
    let ast = q.relevant.as_ref().and_then(|e| e.ast().ok())?;
    let p = Phraser { survey, lang, own };
    let Some(parts) = p.parts(ast) else {
        return Some(generic);
    };
    let quoted = |key: &str| match l {
        Lang::Sv => format!("”{}”", p.question_label(&base(key))),
        Lang::En => format!("“{}”", p.question_label(&base(key))),
    };
    let verb = |a: &Atom| match l {
        Lang::Sv => a.sv.clone(),
        Lang::En => a.en.clone(),
    };
    let with_label = |a: &Atom| {
        let prep = match l {
            Lang::Sv => a.prep_sv,
            Lang::En => a.prep_en,
        };
        if prep.is_empty() {
            format!("{} {}", verb(a), quoted(&a.key))
        } else {
            format!("{} {prep} {}", verb(a), quoted(&a.key))
        }
    };
    let and = l.t(" och ", " and ");
    let one_question = parts.iter().all(|a| a.key == parts[0].key);
    let body = if one_question {
        // Name the question once: "valde något alternativ och inte valde X på ”…”".
        let (last, rest) = parts.split_last()?;
        let mut verbs: Vec<String> = rest.iter().map(verb).collect();
        verbs.push(with_label(last));
        verbs.join(and)
    } else {
        parts.iter().map(with_label).collect::<Vec<_>>().join(and)
    };
    Some(format!("{} {body}:", l.t("Om du", "If you")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::expr::Value;
    use crate::domain::survey::flow::{self, AnswerError, AnswerMap};

    const CAR: &str = r#"
key = "car"
version = 1
languages = ["sv", "en"]
title = { sv = "Bil", en = "Car" }

[choice_lists]
yes_no = [
  { value = "yes", label = { sv = "Ja", en = "Yes" } },
  { value = "no", label = { sv = "Nej", en = "No" } },
]
ways = [
  { value = "letter", label = { sv = "Brev", en = "Letter" } },
  { value = "email", label = { sv = "E-post", en = "E-mail" } },
  { value = "phone", label = { sv = "Telefon", en = "Phone" } },
]

[[pages]]
key = "p0"
questions = [
  { key = "city", type = "single_choice", list = "yes_no", label = { sv = "Bor du i staden?", en = "Do you live in the city?" } },
]

[[pages]]
key = "p1"
questions = [
  { key = "has_car", type = "single_choice", list = "yes_no", required = true, label = { sv = "Har du bil?", en = "Do you have a car?" } },
  { key = "cars", type = "integer", min = 1, max = 9, required = true, relevant = "${has_car} = 'yes'", label = { sv = "Hur många bilar?", en = "How many cars?" } },
  { key = "parking", type = "single_choice", list = "yes_no", relevant = "${city} = 'yes' and ${has_car} = 'yes'", label = { sv = "Har du parkering?", en = "Do you have parking?" } },
  { key = "ways", type = "multiple_choice", list = "ways", label = { sv = "Hur vill du bli kontaktad?", en = "How do you want to be contacted?" } },
  { key = "first", type = "single_choice", list = "ways", required = true, relevant = "count-selected(${ways}) > 1", label = { sv = "Du valde: ${ways}. Vilket helst?", en = "You chose: ${ways}. Which most?" } },
  { key = "odd", type = "short_text", relevant = "string-length(${has_car}) = 3", label = { sv = "Udda", en = "Odd" } },
]
"#;

    fn car() -> Survey {
        toml::from_str(CAR).expect("the test survey parses")
    }

    fn answers(pairs: &[(&str, &str)]) -> AnswerMap {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), Value::Text((*v).to_owned())))
            .collect()
    }

    fn lead(s: &Survey, key: &str, lang: &str) -> Option<String> {
        let page = &s.pages[1];
        let q = page
            .questions
            .iter()
            .find(|q| q.key == key)
            .expect("question");
        lead_in(s, page, q, lang)
    }

    #[test]
    fn a_follow_up_on_its_own_page_is_shown_before_its_answer_is_given() {
        let s = car();
        let shown = page_visibility(&s, 1, &answers(&[("city", "yes")]), "2026-01-01");
        assert_eq!(shown, vec![true, true, true, true, true, true]);
        assert!(!flow::page_relevance(&s, 1, &answers(&[]), "2026-01-01")[1]);
    }

    #[test]
    fn a_follow_up_already_ruled_out_by_an_earlier_page_is_not_shown() {
        let s = car();
        let shown = page_visibility(&s, 1, &answers(&[("city", "no")]), "2026-01-01");
        assert!(!shown[2], "parking needs city = yes, answered no before");
        assert!(shown[1]);
    }

    #[test]
    fn a_follow_up_of_a_question_that_is_not_shown_is_not_shown_either() {
        let mut s = car();
        s.pages[1].questions[0].relevant = Some("${city} = 'yes'".into());
        let shown = page_visibility(&s, 1, &answers(&[("city", "no")]), "2026-01-01");
        assert_eq!(&shown[..3], &[false, false, false]);
    }

    #[test]
    fn the_lead_in_quotes_the_condition_in_the_page_language() {
        let s = car();
        assert_eq!(
            lead(&s, "cars", "sv").as_deref(),
            Some("Om du svarade Ja på ”Har du bil?”:")
        );
        assert_eq!(
            lead(&s, "cars", "en").as_deref(),
            Some("If you answered Yes to “Do you have a car?”:")
        );
        assert_eq!(
            lead(&s, "first", "sv").as_deref(),
            Some("Om du valde fler än ett alternativ på ”Hur vill du bli kontaktad?”:")
        );
        assert_eq!(
            lead(&s, "parking", "en").as_deref(),
            Some("If you answered Yes to “Do you have a car?”:"),
            "the part decided on an earlier page is not repeated"
        );
    }

    #[test]
    fn a_condition_that_cannot_be_phrased_gets_the_general_lead_in() {
        let s = car();
        assert_eq!(
            lead(&s, "odd", "sv").as_deref(),
            Some("Svara bara om frågan gäller dig utifrån ditt svar ovan:")
        );
        assert_eq!(lead(&s, "has_car", "sv"), None);
    }

    #[test]
    fn an_answer_to_a_follow_up_that_does_not_apply_is_dropped_and_never_validated() {
        let s = car();
        let mut a = answers(&[("has_car", "no"), ("cars", "many")]);
        flow::apply(&s, &mut a, "2026-01-01");
        assert!(!a.contains_key("cars"));
        assert_eq!(flow::validate(&s, &a, "2026-01-01"), vec![]);
    }

    #[test]
    fn a_follow_up_that_applies_is_validated_like_any_question() {
        let s = car();
        let mut a = answers(&[("has_car", "yes"), ("ways", "letter email")]);
        flow::apply(&s, &mut a, "2026-01-01");
        let keys: Vec<String> = flow::validate(&s, &a, "2026-01-01")
            .into_iter()
            .map(|e| match e {
                AnswerError::MissingRequired { question, .. } => question,
                other => format!("{other:?}"),
            })
            .collect();
        assert_eq!(keys, vec!["cars".to_owned(), "first".to_owned()]);
    }

    #[test]
    fn the_publish_check_names_each_same_page_dependency() {
        let s = car();
        let found: Vec<_> = crate::domain::survey::check(&s)
            .into_iter()
            .filter(|f| f.code == "same_page_condition")
            .collect();
        let qs: Vec<_> = found
            .iter()
            .filter_map(|f| f.location.question.clone())
            .collect();
        assert_eq!(qs, vec!["cars", "parking", "first", "odd"]);
        assert!(
            found[0].message_sv.contains("has_car"),
            "{}",
            found[0].message_sv
        );
        assert!(
            found[0].message_en.contains("dropped"),
            "{}",
            found[0].message_en
        );
    }

    #[test]
    fn a_piped_answer_not_given_yet_reads_as_a_placeholder() {
        let s = car();
        let text = "Du valde: ${ways}.";
        assert_eq!(
            flow::pipe_or(&s, text, "sv", &answers(&[]), "(ditt svar ovan)"),
            "Du valde: (ditt svar ovan)."
        );
        assert_eq!(
            flow::pipe_or(&s, text, "sv", &answers(&[("ways", "letter email")]), "-"),
            "Du valde: Brev, E-post."
        );
    }
}
