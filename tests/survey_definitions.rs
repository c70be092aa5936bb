//! Data-driven checks of every shipped survey in `surveys/`: it loads, passes the publish checks with no
//! errors, and round-trips through TOML and XLSForm unchanged.

use std::path::{Path, PathBuf};

use insikt::domain::expr::Value;
use insikt::domain::survey::flow::{self, AnswerMap};
use insikt::domain::survey::{check, maxdiff, QuestionKind, Severity, Survey};
use insikt::formats::survey_file::{self, SurveyFileError};
use insikt::formats::xlsform;

fn surveys_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("surveys")
}

fn shipped() -> Vec<Survey> {
    survey_file::load_dir(&surveys_dir()).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn every_file_in_surveys_loads() {
    let files = std::fs::read_dir(surveys_dir())
        .expect("surveys/ exists")
        .filter_map(Result::ok)
        .filter(|e| e.path().extension().is_some_and(|x| x == "toml"))
        .count();
    let surveys = shipped();
    assert_eq!(surveys.len(), files);
    let keys: Vec<&str> = surveys.iter().map(|s| s.key.as_str()).collect();
    for expected in ["it-habits", "eservice-needs", "business-needs"] {
        assert!(keys.contains(&expected), "{expected} is shipped: {keys:?}");
    }
}

#[test]
fn every_shipped_survey_passes_the_publish_checks_with_zero_errors() {
    for s in shipped() {
        let findings = check(&s);
        let errors: Vec<String> = findings
            .iter()
            .filter(|f| f.severity == Severity::Error)
            .map(ToString::to_string)
            .collect();
        assert!(errors.is_empty(), "{}: {errors:#?}", s.key);
        for w in findings.iter().filter(|f| f.severity == Severity::Warning) {
            println!("{}: {w}", s.key);
        }
        let mut draft = s.clone();
        draft.publish().expect("publishable");
    }
}

#[test]
fn every_shipped_survey_is_swedish_by_default_and_bilingual() {
    for s in shipped() {
        assert_eq!(s.default_language, "sv", "{}", s.key);
        assert!(s.languages.iter().any(|l| l == "sv") && s.languages.iter().any(|l| l == "en"));
    }
}

#[test]
fn toml_to_model_to_toml_gives_the_same_model() {
    for s in shipped() {
        let text = survey_file::to_toml_string(&s).expect("serialises");
        let back =
            survey_file::from_toml_str(&text).unwrap_or_else(|e| panic!("{}: {e}\n{text}", s.key));
        assert_eq!(back, s, "{}", s.key);
    }
}

#[test]
fn xlsform_to_model_to_xlsform_gives_the_same_model() {
    for s in shipped() {
        let bytes = xlsform::export(&s).expect("exports");
        let first = xlsform::import(&bytes).unwrap_or_else(|e| panic!("{}: {e}", s.key));
        assert!(
            first.warnings.is_empty(),
            "{}: {:#?}",
            s.key,
            first.warnings
        );
        assert_eq!(
            first.survey, s,
            "{}: export → import changes the model",
            s.key
        );
        let again =
            xlsform::import(&xlsform::export(&first.survey).expect("exports")).expect("imports");
        assert_eq!(again.survey, first.survey, "{}", s.key);
    }
}

#[test]
fn the_it_habits_survey_covers_the_fourteen_districts_and_the_contact_channels() {
    let s = shipped()
        .into_iter()
        .find(|s| s.key == "it-habits")
        .expect("shipped");
    let districts = s.choice_list("district").expect("district list");
    assert_eq!(
        districts.iter().filter(|c| c.value != "outside").count(),
        14
    );
    let channels: Vec<&str> = s
        .choice_list("channels")
        .expect("channels")
        .iter()
        .map(|c| c.value.as_str())
        .collect();
    assert_eq!(channels, ["eservice", "phone", "email", "visit", "letter"]);
    assert!(s.question("eid").is_some());
}

#[test]
fn the_eservice_needs_maxdiff_block_has_a_balanced_design() {
    let s = shipped()
        .into_iter()
        .find(|s| s.key == "eservice-needs")
        .expect("shipped");
    let q = s.question("area_maxdiff").expect("maxdiff question");
    let d = maxdiff::design_for(&s, q)
        .expect("area_maxdiff is a MaxDiff block")
        .expect("valid design");
    assert_eq!(d.tasks_for(7).len(), 9);
    assert_eq!(d.items, 11);
    let b = d.balance();
    assert!(b.max_item - b.min_item <= 1, "{b:?}");
    assert!(b.min_pair >= 1, "{b:?}");
    let kano = s
        .questions()
        .filter(|q| matches!(q.kind, QuestionKind::Kano { .. }))
        .count();
    assert_eq!(kano, 4);
}

#[test]
fn skip_logic_in_shipped_surveys_clears_answers_when_consent_is_refused() {
    for s in shipped() {
        let mut a: AnswerMap = AnswerMap::new();
        a.insert("consent".into(), Value::Number(0.0));
        for q in s.questions() {
            if q.key != "consent" && !q.kind.is_passive() {
                a.insert(q.key.clone(), Value::Text("x".into()));
            }
        }
        let out = flow::apply(&s, &mut a, "2026-11-29");
        assert!(out.skipped.len() > 10, "{}: {:?}", s.key, out.skipped);
        // Only the consent answer and hidden values set on the first page survive.
        assert!(
            a.keys().all(|k| k == "consent" || k == "stratum"),
            "{}: {:?}",
            s.key,
            a.keys()
        );
    }
}

#[test]
fn a_misspelt_field_is_an_error_naming_the_file_and_the_field() {
    let dir = tempfile::tempdir().expect("tempdir");
    let text = std::fs::read_to_string(surveys_dir().join("it-habits.toml")).expect("reads");
    let broken = text.replacen(
        "type = \"single_choice\"\nlabel",
        "type = \"single_choice\"\nlable",
        1,
    );
    assert_ne!(broken, text);
    std::fs::write(dir.path().join("broken.toml"), broken).expect("writes");
    let err = survey_file::load_dir(dir.path()).expect_err("misspelt field");
    let msg = err.to_string();
    assert!(
        msg.contains("broken.toml") && msg.contains("unknown field 'lable'"),
        "{msg}"
    );
    assert!(matches!(err.0[0], SurveyFileError::UnknownField { .. }));
}

#[test]
fn malformed_toml_is_an_error_naming_the_file_line_and_field() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("bad.toml"),
        "key = \"x\"\nversion = \"one\"\n",
    )
    .expect("writes");
    let msg = survey_file::load_dir(dir.path())
        .expect_err("bad version")
        .to_string();
    assert!(
        msg.contains("bad.toml") && msg.contains("line 2") && msg.contains("version"),
        "{msg}"
    );
}

#[test]
fn two_files_with_the_same_survey_version_are_an_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    let text = std::fs::read_to_string(surveys_dir().join("it-habits.toml")).expect("reads");
    std::fs::write(dir.path().join("a.toml"), &text).expect("writes");
    std::fs::write(dir.path().join("b.toml"), &text).expect("writes");
    let err = survey_file::load_dir(dir.path()).expect_err("duplicate");
    assert!(
        matches!(
            err.0[0],
            SurveyFileError::DuplicateVersion { version: 1, .. }
        ),
        "{err}"
    );
}

mod generated {
    //! Round trips of generated surveys: every question kind and optional field, not only what the shipped
    //! instruments happen to use.

    use insikt::domain::expr::Expression;
    use insikt::domain::survey::{
        Choice, ChoiceAppearance, Page, Question, QuestionKind, Row, Scale, Survey, Text,
    };
    use proptest::prelude::*;

    fn text() -> impl Strategy<Value = Text> {
        (
            "[A-Za-zåäöÅÄÖ0-9?]{1,10}( [A-Za-zåäö0-9,.?]{1,8}){0,3}",
            "[A-Za-z0-9?]{1,10}( [A-Za-z0-9,.?]{1,8}){0,3}",
        )
            .prop_map(|(sv, en)| Text::new([("sv", sv.as_str()), ("en", en.as_str())]))
    }

    fn maybe_text() -> impl Strategy<Value = Text> {
        prop_oneof![Just(Text::default()), text()]
    }

    fn expr() -> impl Strategy<Value = Option<Expression>> {
        proptest::option::of("\\$\\{q[0-9]\\} (=|!=|>) '[a-z]{1,3}'".prop_map(Expression::new))
    }

    fn scale() -> impl Strategy<Value = Scale> {
        (
            1i64..3,
            3i64..8,
            text(),
            text(),
            proptest::option::of(text()),
        )
            .prop_map(|(min, max, a, b, dk)| Scale {
                min,
                max,
                min_label: a,
                max_label: b,
                dont_know: dk,
            })
    }

    fn kind() -> impl Strategy<Value = QuestionKind> {
        let list = "l[0-2]";
        prop_oneof![
            Just(QuestionKind::Note),
            (list, any::<bool>(), any::<bool>()).prop_map(|(list, d, other)| {
                QuestionKind::SingleChoice {
                    list,
                    appearance: if d {
                        ChoiceAppearance::Dropdown
                    } else {
                        ChoiceAppearance::Radio
                    },
                    other,
                }
            }),
            (list, any::<bool>())
                .prop_map(|(list, other)| QuestionKind::MultipleChoice { list, other }),
            scale().prop_map(|scale| QuestionKind::Rating { scale }),
            (list, proptest::collection::vec(text(), 1..4)).prop_map(|(list, labels)| {
                QuestionKind::Matrix {
                    rows: labels
                        .into_iter()
                        .enumerate()
                        .map(|(i, label)| Row {
                            key: format!("r{i}"),
                            label,
                        })
                        .collect(),
                    list,
                }
            }),
            (
                proptest::option::of(-5i64..5),
                proptest::option::of(5i64..500)
            )
                .prop_map(|(min, max)| QuestionKind::Integer { min, max }),
            (
                proptest::option::of(-5i32..5),
                proptest::option::of(5i32..500)
            )
                .prop_map(|(min, max)| {
                    QuestionKind::Decimal {
                        min: min.map(|m| f64::from(m) / 2.0),
                        max: max.map(f64::from),
                    }
                }),
            Just(QuestionKind::ShortText),
            Just(QuestionKind::LongText),
            Just(QuestionKind::Date),
            list.prop_map(|list| QuestionKind::Ranking { list }),
            (
                list,
                3u32..5,
                1u32..10,
                1u32..5,
                any::<u32>(),
                text(),
                text()
            )
                .prop_map(
                    |(
                        list,
                        items_per_task,
                        tasks,
                        design_versions,
                        design_seed,
                        best_label,
                        worst_label,
                    )| {
                        QuestionKind::MaxDiff {
                            list,
                            items_per_task,
                            tasks,
                            design_versions,
                            design_seed,
                            best_label,
                            worst_label,
                        }
                    }
                ),
            (list, text(), text()).prop_map(|(list, functional, dysfunctional)| {
                QuestionKind::Kano {
                    functional,
                    dysfunctional,
                    list,
                }
            }),
            (text(), text(), scale()).prop_map(|(importance, satisfaction, scale)| {
                QuestionKind::ImportanceSatisfaction {
                    importance,
                    satisfaction,
                    scale,
                }
            }),
            Just(QuestionKind::Consent),
            proptest::option::of("[a-z]{1,5}").prop_map(|default| QuestionKind::Hidden { default }),
            "\\$\\{q[0-9]\\} \\+ [0-9]".prop_map(|s| QuestionKind::Calculate {
                calculation: Expression::new(s)
            }),
        ]
    }

    fn question() -> impl Strategy<Value = Question> {
        (
            kind(),
            (
                maybe_text(),
                maybe_text(),
                prop_oneof![Just(0u8), Just(1), Just(2)],
                expr(),
                expr(),
            ),
            (expr(), maybe_text(), maybe_text(), any::<bool>()),
        )
            .prop_map(
                |(
                    kind,
                    (label, hint, req, relevant, required_if),
                    (constraint, cm, rm, randomise),
                )| {
                    let mut q = Question::new("placeholder", kind, label);
                    q.hint = hint;
                    // XLSForm has one `required` column: "yes" or a condition, never both.
                    q.required = req == 1;
                    q.required_if = if req == 2 { required_if } else { None };
                    q.relevant = relevant;
                    q.constraint = constraint;
                    q.constraint_message = cm;
                    q.required_message = rm;
                    q.randomise_options = randomise;
                    q
                },
            )
    }

    fn survey() -> impl Strategy<Value = Survey> {
        let choice_list = proptest::collection::vec((text(), any::<bool>()), 2..6);
        (
            proptest::collection::vec(choice_list, 3..=3),
            proptest::collection::vec(
                (
                    maybe_text(),
                    expr(),
                    any::<bool>(),
                    proptest::collection::vec(question(), 1..5),
                ),
                1..4,
            ),
            text(),
            maybe_text(),
        )
            .prop_map(|(lists, pages, title, intro)| {
                let mut n = 0;
                Survey {
                    key: "generated".into(),
                    version: 3,
                    status: Default::default(),
                    default_language: "sv".into(),
                    languages: vec!["sv".into(), "en".into()],
                    title,
                    intro,
                    thanks: Text::default(),
                    settings: Default::default(),
                    choice_lists: lists
                        .into_iter()
                        .enumerate()
                        .map(|(i, cs)| {
                            let choices = cs
                                .into_iter()
                                .enumerate()
                                .map(|(j, (label, exclusive))| Choice {
                                    value: format!("v{j}"),
                                    label,
                                    exclusive,
                                })
                                .collect();
                            (format!("l{i}"), choices)
                        })
                        .collect(),
                    pages: pages
                        .into_iter()
                        .enumerate()
                        .map(|(i, (title, relevant, randomise, questions))| Page {
                            key: format!("p{i}"),
                            title,
                            relevant,
                            randomise,
                            questions: questions
                                .into_iter()
                                .map(|mut q| {
                                    n += 1;
                                    q.key = format!("q{n}");
                                    q
                                })
                                .collect(),
                        })
                        .collect(),
                }
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        #[test]
        fn any_survey_round_trips_through_toml(s in survey()) {
            let text = insikt::formats::survey_file::to_toml_string(&s).expect("serialises");
            let back = insikt::formats::survey_file::from_toml_str(&text).expect("parses");
            prop_assert_eq!(back, s);
        }

        #[test]
        fn any_survey_round_trips_through_xlsform(s in survey()) {
            let bytes = insikt::formats::xlsform::export(&s).expect("exports");
            let back = insikt::formats::xlsform::import(&bytes).expect("imports");
            prop_assert_eq!(back.warnings, vec![]);
            prop_assert_eq!(back.survey, s);
        }
    }
}
