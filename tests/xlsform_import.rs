//! XLSForm import: every public pyxform sample imports without panicking into a survey or a precise error
//! list, and malformed workbooks give clear errors.

use std::path::{Path, PathBuf};

use insikt::domain::survey::{ChoiceAppearance, QuestionKind, Survey};
use insikt::formats::xlsform::{self, ImportErrors, Imported, Issue};
use rust_xlsxwriter::{Formula, Workbook};

fn samples() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/xlsform");
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("sample directory exists")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "xlsx"))
        .collect();
    v.sort();
    v
}

fn import_sample(name: &str) -> Result<Imported, ImportErrors> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/xlsform")
        .join(name);
    xlsform::import(&std::fs::read(path).expect("sample readable"))
}

fn summary(s: &Survey) -> String {
    let q = s.questions().count();
    format!(
        "{} page(s), {q} question(s), {} list(s), languages {:?}",
        s.pages.len(),
        s.choice_lists.len(),
        s.languages
    )
}

#[test]
fn every_sample_imports_into_a_survey_or_a_precise_error_list() {
    let files = samples();
    assert!(files.len() >= 18, "all pyxform samples are present");
    for path in files {
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("?")
            .to_owned();
        let bytes = std::fs::read(&path).expect("readable");
        match xlsform::import(&bytes) {
            Ok(imp) => {
                println!(
                    "| `{name}` | imported: {} | {} |",
                    summary(&imp.survey),
                    imp.warnings.len()
                );
                for w in &imp.warnings {
                    println!("  warning: {w}");
                }
                // The import is a faithful draft: it exports and imports again to the same model.
                let again = xlsform::import(&xlsform::export(&imp.survey).expect("exports"))
                    .expect("re-imports");
                assert_eq!(again.survey, imp.survey, "{name}");
            }
            Err(e) => {
                assert!(
                    !e.errors.is_empty(),
                    "{name}: an error result lists its errors"
                );
                println!("| `{name}` | error | {} |", e.errors.len());
                for i in &e.errors {
                    assert!(!i.message.is_empty());
                    println!("  error: {i}");
                }
            }
        }
    }
}

/// Builds a workbook from sheets of string rows (the first row is the header).
fn workbook(sheets: &[(&str, &[&[&str]])]) -> Vec<u8> {
    let mut wb = Workbook::new();
    for (name, rows) in sheets {
        let ws = wb.add_worksheet();
        ws.set_name(*name).expect("valid sheet name");
        for (r, row) in rows.iter().enumerate() {
            for (c, v) in row.iter().enumerate() {
                if !v.is_empty() {
                    ws.write_string(r as u32, c as u16, *v).expect("writes");
                }
            }
        }
    }
    wb.save_to_buffer().expect("saves")
}

const CHOICES: &[&[&str]] = &[
    &[
        "list_name",
        "name",
        "label::English (en)",
        "label::Svenska (sv)",
    ],
    &["yn", "yes", "Yes", "Ja"],
    &["yn", "no", "No", "Nej"],
];

fn errors_of(bytes: &[u8]) -> Vec<Issue> {
    match xlsform::import(bytes) {
        Ok(i) => panic!("expected errors, imported {:?}", i.survey.key),
        Err(e) => e.errors,
    }
}

#[test]
fn a_file_that_is_not_a_zip_is_refused_clearly() {
    let e = errors_of(b"type,name,label\ntext,q,Question\n");
    assert!(
        e[0].message.contains("not a readable .xlsx workbook"),
        "{}",
        e[0]
    );
}

#[test]
fn ten_megabytes_of_junk_are_refused_without_panicking() {
    let junk: Vec<u8> = (0..10 * 1024 * 1024u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8)
        .collect();
    let e = errors_of(&junk);
    assert!(
        e[0].message.contains("not a readable .xlsx workbook"),
        "{}",
        e[0]
    );
    let mut bigger = junk;
    bigger.push(0);
    let e = errors_of(&bigger);
    assert!(
        e[0].message.contains("the limit is 10485760 bytes"),
        "{}",
        e[0]
    );
}

#[test]
fn a_workbook_without_a_survey_sheet_is_refused_naming_its_sheets() {
    let e = errors_of(&workbook(&[("choices", CHOICES)]));
    assert_eq!(
        e[0].message,
        "the workbook has no 'survey' sheet (sheets: choices)"
    );
}

#[test]
fn duplicate_names_are_errors_with_both_rows() {
    let survey: &[&[&str]] = &[
        &["type", "name", "label::English (en)"],
        &["text", "q1", "First"],
        &["integer", "q1", "Second"],
    ];
    let e = errors_of(&workbook(&[("survey", survey)]));
    assert_eq!(e[0].row, Some(3));
    assert_eq!(e[0].column.as_deref(), Some("name"));
    assert_eq!(e[0].message, "duplicate name 'q1' (first used in row 2)");
}

#[test]
fn an_unknown_choice_list_is_an_error_on_its_row() {
    let survey: &[&[&str]] = &[&["type", "name", "label"], &["select_one nope", "q", "Q"]];
    let e = errors_of(&workbook(&[("survey", survey), ("choices", CHOICES)]));
    assert_eq!(e[0].to_string(), "sheet 'survey', row 2, column 'type': question 'q' uses the choice list 'nope', which is not on the choices sheet");
}

#[test]
fn formula_cells_are_errors_naming_the_cell() {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("survey").expect("name");
    for (c, h) in ["type", "name", "label"].iter().enumerate() {
        ws.write_string(0, c as u16, *h).expect("writes");
    }
    ws.write_string(1, 0, "text").expect("writes");
    ws.write_formula(1, 1, Formula::new("=CONCAT(\"q\",\"1\")"))
        .expect("writes");
    ws.write_string(1, 2, "Question").expect("writes");
    let e = errors_of(&wb.save_to_buffer().expect("saves"));
    assert_eq!(e[0].row, Some(2));
    assert!(
        e[0].message.contains("cell B2 contains the formula"),
        "{}",
        e[0]
    );
}

#[test]
fn an_unmatched_group_is_an_error() {
    let survey: &[&[&str]] = &[
        &["type", "name", "label"],
        &["begin group", "g", "G"],
        &["text", "q", "Q"],
    ];
    let e = errors_of(&workbook(&[("survey", survey)]));
    assert!(
        e[0].message
            .contains("'begin group' 'g' has no matching 'end group'"),
        "{}",
        e[0]
    );
    let survey: &[&[&str]] = &[
        &["type", "name", "label"],
        &["text", "q", "Q"],
        &["end group", "", ""],
    ];
    let e = errors_of(&workbook(&[("survey", survey)]));
    assert_eq!(e[0].row, Some(3));
}

#[test]
fn a_missing_type_column_and_a_calculation_without_formula_are_errors() {
    let survey: &[&[&str]] = &[&["name", "label"], &["q", "Q"]];
    assert!(errors_of(&workbook(&[("survey", survey)]))[0]
        .message
        .contains("no 'type' column"));
    let survey: &[&[&str]] = &[&["type", "name"], &["calculate", "c"]];
    assert!(errors_of(&workbook(&[("survey", survey)]))[0]
        .message
        .contains("has no calculation"));
}

#[test]
fn an_unparseable_expression_is_a_warning_naming_key_column_and_position() {
    let survey: &[&[&str]] = &[
        &["type", "name", "label", "relevant"],
        &["integer", "age", "Age", ""],
        &["text", "why", "Why", "${age} > > 3"],
    ];
    let imp = xlsform::import(&workbook(&[("survey", survey)])).expect("imports");
    let w = imp
        .warnings
        .iter()
        .find(|w| w.column.as_deref() == Some("relevant"))
        .expect("warned");
    assert_eq!(w.row, Some(3));
    assert!(
        w.message.contains("question 'why'") && w.message.contains("position 10"),
        "{}",
        w.message
    );
}

#[test]
fn languages_likert_minimal_table_list_and_groups_map_to_the_model() {
    let survey: &[&[&str]] = &[
        &[
            "type",
            "name",
            "label::English (en)",
            "label::Svenska (sv)",
            "appearance",
            "required",
            "parameters",
        ],
        &[
            "begin group",
            "p1",
            "Page one",
            "Sida ett",
            "field-list",
            "",
            "",
        ],
        &[
            "select_one yn",
            "dropdown",
            "Pick",
            "Välj",
            "minimal",
            "yes",
            "randomize=true",
        ],
        &[
            "select_one five",
            "rating",
            "Rate",
            "Betygsätt",
            "likert",
            "",
            "",
        ],
        &[
            "select_multiple yn or_other",
            "multi",
            "Many",
            "Flera",
            "",
            "${dropdown} = 'yes'",
            "",
        ],
        &[
            "begin group",
            "grid",
            "Grid",
            "Tabell",
            "table-list",
            "",
            "",
        ],
        &["select_one yn", "grid_a", "A", "A", "", "", ""],
        &["select_one yn", "grid_b", "B", "B", "", "", ""],
        &["end group", "", "", "", "", "", ""],
        &["rank yn", "order", "Order", "Ordna", "", "", ""],
        &["text", "long", "Long", "Lång", "multiline", "", ""],
        &["end group", "", "", "", "", "", ""],
    ];
    let choices: &[&[&str]] = &[
        &[
            "list_name",
            "name",
            "label::English (en)",
            "label::Svenska (sv)",
        ],
        &["yn", "yes", "Yes", "Ja"],
        &["yn", "no", "No", "Nej"],
        &["five", "1", "Bad", "Dåligt"],
        &["five", "2", "2", "2"],
        &["five", "3", "3", "3"],
        &["five", "4", "4", "4"],
        &["five", "5", "Good", "Bra"],
    ];
    let settings: &[&[&str]] = &[
        &["form_title", "form_id", "default_language"],
        &["Test", "test_form", "Svenska (sv)"],
    ];
    let imp = xlsform::import(&workbook(&[
        ("survey", survey),
        ("choices", choices),
        ("settings", settings),
    ]))
    .expect("imports");
    assert_eq!(imp.warnings, Vec::<Issue>::new());
    let s = imp.survey;
    assert_eq!(s.default_language, "sv");
    assert_eq!(s.languages, ["sv", "en"]);
    assert_eq!(s.pages.len(), 1);
    let q = |k: &str| s.question(k).unwrap_or_else(|| panic!("{k} imported"));
    assert!(matches!(
        q("dropdown").kind,
        QuestionKind::SingleChoice {
            appearance: ChoiceAppearance::Dropdown,
            ..
        }
    ));
    assert!(q("dropdown").required && q("dropdown").randomise_options);
    let QuestionKind::Rating { scale } = &q("rating").kind else {
        panic!("likert became a rating")
    };
    assert_eq!(
        (scale.min, scale.max, scale.max_label.get("sv")),
        (1, 5, Some("Bra"))
    );
    assert!(
        !s.choice_lists.contains_key("five"),
        "the scale list is absorbed"
    );
    assert!(matches!(
        q("multi").kind,
        QuestionKind::MultipleChoice { other: true, .. }
    ));
    assert_eq!(
        q("multi").required_if.as_ref().map(|e| e.source()),
        Some("${dropdown} = 'yes'")
    );
    let QuestionKind::Matrix { rows, list } = &q("grid").kind else {
        panic!("table-list became a matrix")
    };
    assert_eq!(
        (rows.len(), rows[0].key.as_str(), list.as_str()),
        (2, "a", "yn")
    );
    assert!(matches!(q("order").kind, QuestionKind::Ranking { .. }));
    assert!(matches!(q("long").kind, QuestionKind::LongText));
    assert_eq!(s.key, "test_form");
    assert_eq!(s.title.get("sv"), Some("Test"));
}

#[test]
fn samples_import_as_documented_in_the_table() {
    let e = import_sample("survey_no_name.xlsx").expect_err("no survey sheet");
    assert!(e.errors[0].message.contains("no 'survey' sheet"));
    let e = import_sample("bug_duplicate_columns.xlsx").expect_err("duplicate header");
    assert!(e.errors[0]
        .message
        .contains("duplicate column header 'label'"));
    let s = import_sample("specify_other.xlsx").expect("imports").survey;
    assert!(matches!(
        s.question("sex").map(|q| &q.kind),
        Some(QuestionKind::SingleChoice { other: true, .. })
    ));
    let w = import_sample("loop.xlsx").expect("imports").warnings;
    assert!(w.iter().any(|w| w
        .message
        .contains("is not supported: its questions are imported once")));
    let w = import_sample("pull_data.xlsx").expect("imports").warnings;
    assert!(w
        .iter()
        .any(|w| w.message.contains("unknown function 'pulldata'")));
    let imp = import_sample("flat_xlsform_test.xlsx").expect("imports");
    assert_eq!(imp.survey.questions().count(), 36);
    assert!(
        imp.warnings.iter().all(|w| !w.sheet.is_empty()),
        "every warning names its sheet"
    );
}

#[test]
fn a_matrix_keeps_its_conditions_and_messages_through_xlsform() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("surveys");
    let mut s =
        insikt::formats::survey_file::load_file(&dir.join("it-habits.toml")).expect("loads");
    let q = s
        .pages
        .iter_mut()
        .flat_map(|p| p.questions.iter_mut())
        .find(|q| q.key == "confidence_tasks")
        .expect("matrix exists");
    q.required_if = Some("${frequency} = 'daily'".into());
    q.constraint = Some("${confidence_tasks.pay} != 'dont_know'".into());
    q.constraint_message = insikt::domain::survey::Text::new([("sv", "Svara"), ("en", "Answer")]);
    q.randomise_options = true;
    let back = xlsform::import(&xlsform::export(&s).expect("exports")).expect("imports");
    assert_eq!(back.warnings, Vec::<Issue>::new());
    assert_eq!(back.survey, s);
}

#[test]
fn a_max_length_parameter_sets_a_text_limit_and_survives_export() {
    let bytes = workbook(&[
        (
            "survey",
            &[
                &[
                    "type",
                    "name",
                    "label::Svenska (sv)",
                    "label::English (en)",
                    "parameters",
                ],
                &["text", "nick", "Smeknamn", "Nickname", "max-length=40"],
                &["text", "bad", "Fel", "Wrong", "max-length=lots"],
            ],
        ),
        ("choices", CHOICES),
    ]);
    let errors = errors_of(&bytes);
    assert!(
        errors
            .iter()
            .any(|i| i.to_string().contains("max-length must be a whole number")),
        "{errors:?}"
    );
    let bytes = workbook(&[
        (
            "survey",
            &[
                &[
                    "type",
                    "name",
                    "label::Svenska (sv)",
                    "label::English (en)",
                    "parameters",
                ],
                &["text", "nick", "Smeknamn", "Nickname", "max-length=40"],
            ],
        ),
        ("choices", CHOICES),
    ]);
    let imp = xlsform::import(&bytes).expect("imports");
    let q = imp.survey.question("nick").expect("the question");
    assert_eq!(q.max_length, Some(40));
    let back = xlsform::import(&xlsform::export(&imp.survey).expect("exports")).expect("imports");
    assert_eq!(
        back.survey.question("nick").and_then(|q| q.max_length),
        Some(40)
    );
}
