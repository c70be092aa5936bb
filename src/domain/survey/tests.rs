//! Tests of the survey model, publish checks, answer flow and randomisation.

use super::check::Severity;
use super::flow::{self, AnswerError, AnswerMap};
use super::random::layout;
use super::*;
use crate::domain::expr::Value;

const SMALL: &str = r#"
key = "small"
version = 1
languages = ["sv", "en"]
title = { sv = "Liten enkät", en = "Small survey" }

[choice_lists]
yes_no = [
  { value = "yes", label = { sv = "Ja", en = "Yes" } },
  { value = "no", label = { sv = "Nej", en = "No" } },
]
devices = [
  { value = "phone", label = { sv = "Mobil", en = "Phone" } },
  { value = "computer", label = { sv = "Dator", en = "Computer" } },
  { value = "tablet", label = { sv = "Surfplatta", en = "Tablet" } },
  { value = "none", label = { sv = "Ingen", en = "None" }, exclusive = true },
]

[[pages]]
key = "p1"
randomise = true
questions = [
  { key = "internet", type = "single_choice", list = "yes_no", required = true, label = { sv = "Har du internet?", en = "Do you have internet?" } },
  { key = "devices", type = "multiple_choice", list = "devices", randomise_options = true, relevant = "${internet} = 'yes'", label = { sv = "Vilka enheter?", en = "Which devices?" } },
  { key = "age", type = "integer", min = 16, max = 110, constraint = ". >= 16", constraint_message = { sv = "Minst 16", en = "At least 16" }, label = { sv = "Ålder", en = "Age" } },
  { key = "n_devices", type = "calculate", calculation = "count-selected(${devices})" },
]

[[pages]]
key = "p2"
relevant = "${internet} = 'yes'"
questions = [
  { key = "why", type = "long_text", required_if = "${n_devices} > 1", label = { sv = "Varför använder du ${devices}?", en = "Why do you use ${devices}?" } },
]
"#;

fn small() -> Survey {
    toml::from_str(SMALL).expect("the test survey parses")
}

fn errors(s: &Survey) -> Vec<Finding> {
    check(s)
        .into_iter()
        .filter(|f| f.severity == Severity::Error)
        .collect()
}

fn codes(s: &Survey) -> Vec<String> {
    errors(s).into_iter().map(|f| f.code).collect()
}

#[test]
fn a_well_formed_survey_has_no_errors() {
    assert_eq!(errors(&small()), Vec::new());
}

#[test]
fn duplicate_question_keys_are_errors() {
    let mut s = small();
    s.pages[1].questions[0].key = "age".into();
    assert!(codes(&s).contains(&"duplicate_key".to_owned()));
}

#[test]
fn a_missing_translation_is_an_error_naming_the_field_and_language() {
    let mut s = small();
    s.pages[0].questions[0].label.0.remove("en");
    let e = errors(&s);
    assert_eq!(e.len(), 1);
    assert_eq!(e[0].code, "missing_text");
    assert_eq!(e[0].location.question.as_deref(), Some("internet"));
    assert_eq!(e[0].location.field.as_deref(), Some("label.en"));
}

#[test]
fn surveys_need_swedish_and_english() {
    let mut s = small();
    s.languages = vec!["sv".into()];
    assert!(codes(&s).contains(&"missing_language".to_owned()));
}

#[test]
fn an_unknown_choice_list_is_an_error() {
    let mut s = small();
    s.pages[0].questions[0].kind = QuestionKind::SingleChoice {
        list: "nope".into(),
        appearance: ChoiceAppearance::Radio,
        other: false,
    };
    assert!(codes(&s).contains(&"unknown_list".to_owned()));
}

#[test]
fn a_reference_to_an_unknown_key_is_an_error_with_its_position() {
    let mut s = small();
    s.pages[0].questions[1].relevant = Some("${internet} = 'yes' and ${ghost} = 1".into());
    let e = errors(&s);
    assert_eq!(e.len(), 1, "{e:?}");
    assert_eq!(e[0].location.field.as_deref(), Some("relevant"));
    assert!(
        e[0].message_en
            .contains("Unknown question 'ghost' (position 25"),
        "{}",
        e[0].message_en
    );
}

#[test]
fn a_forward_reference_to_a_later_page_is_an_error() {
    let mut s = small();
    s.pages[0].questions[0].relevant = Some("${why} != ''".into());
    let e = errors(&s);
    assert!(
        e.iter().any(|f| f.message_en.contains("later page")),
        "{e:?}"
    );
}

#[test]
fn a_page_relevance_on_its_own_questions_is_an_error() {
    let mut s = small();
    s.pages[1].relevant = Some("${why} != ''".into());
    assert!(codes(&s).contains(&"expression".to_owned()));
}

#[test]
fn a_dependency_cycle_is_an_error() {
    let mut s = small();
    s.pages[0].questions[0].relevant = Some("${age} > 1".into());
    s.pages[0].questions[2].relevant = Some("${internet} = 'yes'".into());
    let e = errors(&s);
    assert!(
        e.iter()
            .any(|f| f.code == "cycle" && f.message_en.contains("internet → age")),
        "{e:?}"
    );
}

#[test]
fn a_constraint_may_refer_to_its_own_question() {
    let mut s = small();
    s.pages[0].questions[2].constraint = Some("${age} >= 16".into());
    assert_eq!(errors(&s), Vec::new());
}

#[test]
fn selected_with_a_value_outside_the_list_is_an_error() {
    let mut s = small();
    s.pages[0].questions[3].kind = QuestionKind::Calculate {
        calculation: "if(selected(${devices}, 'tv'), 1, 0)".into(),
    };
    let e = errors(&s);
    assert!(
        e.iter()
            .any(|f| f.message_en.contains("'tv' is not an option")),
        "{e:?}"
    );
}

#[test]
fn a_parse_error_names_question_field_and_position() {
    let mut s = small();
    s.pages[0].questions[1].relevant = Some("${internet} = = 'yes'".into());
    let e = errors(&s);
    assert_eq!(e[0].location.question.as_deref(), Some("devices"));
    assert!(
        e[0].message_en.contains("position 15"),
        "{}",
        e[0].message_en
    );
}

#[test]
fn piping_an_unknown_key_is_an_error() {
    let mut s = small();
    s.pages[1].questions[0].label = Text::new([("sv", "Om ${nope}"), ("en", "About ${nope}")]);
    assert!(codes(&s).contains(&"unknown_key".to_owned()));
}

#[test]
fn a_wide_matrix_and_a_long_radio_list_are_warnings_not_errors() {
    let mut s = small();
    let many: Vec<Choice> = (0..12)
        .map(|i| Choice {
            value: format!("o{i}"),
            label: Text::new([("sv", "Alternativ"), ("en", "Option")]),
            exclusive: false,
        })
        .collect();
    s.choice_lists.insert("many".into(), many);
    s.pages[0].questions[0].kind = QuestionKind::SingleChoice {
        list: "many".into(),
        appearance: ChoiceAppearance::Radio,
        other: false,
    };
    s.pages[0].questions.push(Question::new(
        "grid",
        QuestionKind::Matrix {
            rows: vec![Row {
                key: "r1".into(),
                label: Text::new([("sv", "Rad"), ("en", "Row")]),
            }],
            list: "many".into(),
        },
        Text::new([("sv", "Tabell"), ("en", "Grid")]),
    ));
    let all = check(&s);
    assert!(all
        .iter()
        .any(|f| f.code == "long_option_list" && f.severity == Severity::Warning));
    assert!(all
        .iter()
        .any(|f| f.code == "matrix_too_wide" && f.severity == Severity::Warning));
    assert!(s.clone().publish().is_ok());
}

#[test]
fn hard_swedish_text_gets_a_readability_warning() {
    let mut s = small();
    s.intro = Text::new([
        (
            "sv",
            "Kommunfullmäktiges beslutsunderlag avseende verksamhetsövergripande digitaliseringsinsatser förutsätter myndighetsgemensamma informationsförsörjningsstrukturer.",
        ),
        ("en", "Plain."),
    ]);
    let f = check(&s);
    assert!(f
        .iter()
        .any(|f| f.code == "lix_high" && f.location.field.as_deref() == Some("intro")));
}

#[test]
fn publishing_freezes_the_version_and_editing_needs_a_new_draft() {
    let mut s = small();
    assert!(s.ensure_editable().is_ok());
    s.publish().expect("no errors");
    assert_eq!(s.status, VersionStatus::Published);
    assert!(matches!(
        s.ensure_editable(),
        Err(SurveyError::NotEditable { .. })
    ));
    assert!(s.publish().is_err());
    let next = s.new_draft();
    assert_eq!((next.version, next.status), (2, VersionStatus::Draft));
    s.close().expect("published can close");
    assert_eq!(s.status, VersionStatus::Closed);
}

#[test]
fn publishing_with_errors_is_refused_with_the_errors() {
    let mut s = small();
    s.languages.retain(|l| l == "sv");
    match s.publish() {
        Err(SurveyError::PublishBlocked { errors, .. }) => assert!(!errors.is_empty()),
        other => panic!("expected PublishBlocked, got {other:?}"),
    }
    assert_eq!(s.status, VersionStatus::Draft);
}

#[test]
fn answer_columns_expand_multi_choice_into_indicators() {
    let s = small();
    let q = s.question("devices").expect("exists");
    let cols: Vec<String> = q
        .answer_columns(&s)
        .iter()
        .map(|c| c.answer_key(&q.key))
        .collect();
    assert_eq!(
        cols,
        [
            "devices.phone",
            "devices.computer",
            "devices.tablet",
            "devices.none"
        ]
    );
    assert!(
        s.question("internet").expect("exists").answer_columns(&s)[0]
            .sub_key
            .is_none()
    );
}

#[test]
fn answer_columns_of_maxdiff_and_kano_name_every_cell() {
    let s = small();
    let md = Question::new(
        "md",
        QuestionKind::MaxDiff {
            list: "devices".into(),
            items_per_task: 3,
            tasks: 2,
            design_versions: 4,
            design_seed: 0,
            best_label: Text::default(),
            worst_label: Text::default(),
        },
        Text::default(),
    );
    let keys: Vec<String> = md
        .answer_columns(&s)
        .iter()
        .map(|c| c.answer_key("md"))
        .collect();
    assert_eq!(
        keys,
        [
            "md.version",
            "md.t1.best",
            "md.t1.worst",
            "md.t2.best",
            "md.t2.worst"
        ]
    );
    let kano = Question::new(
        "k",
        QuestionKind::Kano {
            functional: Text::default(),
            dysfunctional: Text::default(),
            list: "yes_no".into(),
        },
        Text::default(),
    );
    let keys: Vec<String> = kano
        .answer_columns(&s)
        .iter()
        .map(|c| c.answer_key("k"))
        .collect();
    assert_eq!(keys, ["k.functional", "k.dysfunctional"]);
}

fn answers(pairs: &[(&str, &str)]) -> AnswerMap {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), Value::Text((*v).to_owned())))
        .collect()
}

#[test]
fn irrelevant_questions_are_skipped_and_their_answers_cleared() {
    let s = small();
    let mut a = answers(&[("internet", "no"), ("devices", "phone"), ("why", "x")]);
    let out = flow::apply(&s, &mut a, "2026-11-29");
    assert_eq!(out.skipped, ["devices", "why"]);
    assert!(!a.contains_key("devices") && !a.contains_key("why"));
    assert_eq!(a.get("n_devices"), Some(&Value::Number(0.0)));
}

#[test]
fn calculations_and_conditional_required_follow_the_answers() {
    let s = small();
    let mut a = answers(&[
        ("internet", "yes"),
        ("devices", "phone tablet"),
        ("age", "40"),
    ]);
    flow::apply(&s, &mut a, "2026-11-29");
    assert_eq!(a.get("n_devices"), Some(&Value::Number(2.0)));
    let errs = flow::validate(&s, &a, "2026-11-29");
    assert!(
        matches!(&errs[..], [AnswerError::MissingRequired { question, .. }] if question == "why")
    );
}

#[test]
fn validation_reports_constraints_ranges_options_and_exclusive_options() {
    let s = small();
    let a = answers(&[("internet", "maybe")]);
    let errs = flow::validate(&s, &a, "2026-11-29");
    assert!(errs
        .iter()
        .any(|e| matches!(e, AnswerError::NotAnOption { question, .. } if question == "internet")));
    let a = answers(&[
        ("internet", "yes"),
        ("devices", "phone none"),
        ("age", "12"),
    ]);
    let errs = flow::validate(&s, &a, "2026-11-29");
    assert!(errs
        .iter()
        .any(|e| matches!(e, AnswerError::ConstraintFailed { question, .. } if question == "age")));
    assert!(errs
        .iter()
        .any(|e| matches!(e, AnswerError::OutOfRange { question, .. } if question == "age")));
    assert!(errs
        .iter()
        .any(|e| matches!(e, AnswerError::ExclusiveCombined { value, .. } if value == "none")));
}

#[test]
fn relevance_of_a_page_is_computed_per_question() {
    let s = small();
    let a = answers(&[("internet", "no")]);
    assert_eq!(
        flow::page_relevance(&s, 0, &a, "2026-11-29"),
        [true, false, true, true]
    );
    assert_eq!(flow::page_relevance(&s, 1, &a, "2026-11-29"), [false]);
}

#[test]
fn piping_shows_option_labels_in_the_respondents_language() {
    let s = small();
    let a = answers(&[("devices", "phone tablet")]);
    assert_eq!(
        flow::pipe(&s, "Varför ${devices}?", "sv", &a),
        "Varför Mobil, Surfplatta?"
    );
    assert_eq!(
        flow::pipe(&s, "Why ${devices}?", "en", &a),
        "Why Phone, Tablet?"
    );
    assert_eq!(flow::pipe(&s, "Age ${age}.", "en", &a), "Age .");
}

#[test]
fn the_same_seed_gives_the_same_order_and_exclusive_options_stay_last() {
    let s = small();
    assert_eq!(layout(&s, 99), layout(&s, 99));
    let orders: std::collections::BTreeSet<Vec<usize>> = (0..50)
        .map(|seed| layout(&s, seed).pages[0].option_orders["devices"].clone())
        .collect();
    assert!(orders.len() > 1, "options are actually shuffled");
    assert!(
        orders.iter().all(|o| o.last() == Some(&3)),
        "'none' stays last"
    );
}

#[test]
fn calculated_values_keep_their_place_when_questions_are_shuffled() {
    let s = small();
    for seed in 0..30 {
        let order = &layout(&s, seed).pages[0].question_order;
        assert_eq!(order[3], 3);
        let mut sorted = order.clone();
        sorted.sort_unstable();
        assert_eq!(sorted, [0, 1, 2, 3]);
    }
}

#[test]
fn a_survey_serialises_to_json_and_back_unchanged() {
    let s = small();
    let json = serde_json::to_string(&s).expect("serialises");
    let back: Survey = serde_json::from_str(&json).expect("parses");
    assert_eq!(back, s);
}

#[test]
fn matrix_and_ranking_sub_answers_must_be_options_and_distinct_ranks() {
    let mut s = small();
    s.pages[1].questions.push(Question::new(
        "grid",
        QuestionKind::Matrix {
            rows: vec![Row {
                key: "r1".into(),
                label: Text::new([("sv", "Rad"), ("en", "Row")]),
            }],
            list: "yes_no".into(),
        },
        Text::new([("sv", "Tabell"), ("en", "Grid")]),
    ));
    s.pages[1].questions.push(Question::new(
        "rank",
        QuestionKind::Ranking {
            list: "yes_no".into(),
        },
        Text::new([("sv", "Ordna"), ("en", "Order")]),
    ));
    let a = answers(&[
        ("internet", "yes"),
        ("grid.r1", "maybe"),
        ("rank.yes", "1"),
        ("rank.no", "1"),
    ]);
    let errs = flow::validate(&s, &a, "2026-11-29");
    assert!(errs
        .iter()
        .any(|e| matches!(e, AnswerError::NotAnOption { question, .. } if question == "grid.r1")));
    assert!(errs.iter().any(
        |e| matches!(e, AnswerError::RankRepeated { question, places } if question == "rank" && places == &[1])
    ));
}

#[test]
fn answers_split_into_storage_cells_and_back() {
    let s = small();
    let mut a = answers(&[
        ("internet", "yes"),
        ("devices", "tablet phone"),
        ("why", "curious"),
    ]);
    a.insert("age".into(), Value::Number(40.0));
    let cells = flow::answer_cells(&s, &a);
    let devices: Vec<(Option<&str>, f64)> = cells
        .iter()
        .filter(|c| c.question == "devices")
        .map(|c| (c.sub_key.as_deref(), c.value.to_number()))
        .collect();
    assert_eq!(
        devices,
        [
            (Some("phone"), 1.0),
            (Some("computer"), 0.0),
            (Some("tablet"), 1.0),
            (Some("none"), 0.0)
        ]
    );
    let back = flow::answers_from_cells(&s, &cells);
    // The selection comes back in list order.
    assert_eq!(
        back.get("devices"),
        Some(&Value::Text("phone tablet".into()))
    );
    assert_eq!(back.get("age"), Some(&Value::Number(40.0)));
    assert_eq!(back.len(), a.len());
}

#[test]
fn text_limits_that_add_up_past_the_form_limit_are_a_warning() {
    let mut s = small();
    let long = |i: usize| {
        Question::new(
            format!("text{i}"),
            QuestionKind::LongText,
            Text::new([("sv", "Berätta"), ("en", "Tell us")]),
        )
    };
    let budget = |s: &Survey| {
        check(s)
            .iter()
            .filter(|f| f.code == "text_limits_exceed_form")
            .count()
    };
    for i in 0..30 {
        s.pages[0].questions.push(long(i));
    }
    assert_eq!(budget(&s), 0, "30 texts at the default limit fit");
    for i in 30..50 {
        s.pages[0].questions.push(long(i));
    }
    assert_eq!(budget(&s), 1, "50 texts at 2,000 characters do not");
    for q in &mut s.pages[0].questions {
        q.max_length = Some(500);
    }
    assert_eq!(budget(&s), 0, "lower limits fit again");
}
