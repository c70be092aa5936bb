//! Data-driven checks of every shipped survey in `surveys/`: it loads, passes the publish checks with no
//! errors, and round-trips through TOML and XLSForm unchanged.

use std::path::{Path, PathBuf};

use insikt::domain::expr::Value;
use insikt::domain::survey::flow::{self, AnswerMap};
use insikt::domain::survey::{check, maxdiff, QuestionKind, Severity, Survey};
use insikt::survey_file::{self, SurveyFileError};
use insikt::xlsform;

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
