//! The `.qdc` codebook export validates against the REFI-QDA codebook schema
//! (`tests/data/refi-qda-codebook.xsd`) with `xmllint --schema` from Debian's libxml2-utils.
//! Where xmllint is not installed the test says it skipped, unless `INSIKT_REQUIRE_XMLLINT=1`
//! (CI sets it, and `.ci/run` also runs xmllint itself on the file written to
//! `INSIKT_QDC_EXPORT`).

use std::path::{Path, PathBuf};
use std::process::Command;

use insikt::domain::qualitative::{Code, CodeSet, Codebook, Colour};
use insikt::formats::refi_qda::{read_codebook, write_codebook};
use uuid::Uuid;

fn data(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(path)
}

/// Every feature the export writes: nesting, colours, examples, a non-codable group, markup
/// characters and Swedish letters in names, sets.
fn codebook() -> Codebook {
    let id = Uuid::from_u128;
    let code = |n: u128, parent: Option<u128>, name: &str| Code {
        parent: parent.map(id),
        ..Code::new(id(n), name)
    };
    Codebook::new(
        vec![
            Code {
                codable: false,
                colour: Colour::parse("#36c"),
                definition: "Kontaktvägar till kommunen.".into(),
                ..code(1, None, "Kontakt")
            },
            Code {
                definition: "Att ringa & vänta <i kö>.".into(),
                inclusion: "\"Jag ringde tre gånger.\"".into(),
                exclusion: "Samtal med vänner.".into(),
                colour: Colour::parse("#FF8800"),
                ..code(2, Some(1), "Telefon & kö")
            },
            code(3, Some(1), "E-tjänster"),
            code(4, Some(3), "Inloggning 'BankID'"),
            code(5, None, "Tillgänglighet"),
        ],
        vec![CodeSet {
            id: id(100),
            name: "Kanaler".into(),
            description: String::new(),
            members: vec![id(2), id(3)],
        }],
    )
    .expect("a valid codebook")
}

fn xmllint_available() -> bool {
    Command::new("xmllint").arg("--version").output().is_ok()
}

/// Ok(()) when valid; Err(xmllint's words) when not; None when xmllint is missing.
fn validate(file: &Path) -> Option<Result<(), String>> {
    if !xmllint_available() {
        assert!(
            std::env::var("INSIKT_REQUIRE_XMLLINT").as_deref() != Ok("1"),
            "INSIKT_REQUIRE_XMLLINT=1 but xmllint is not on PATH (apt-get install libxml2-utils)"
        );
        eprintln!("skipped: xmllint is not on PATH (apt-get install libxml2-utils)");
        return None;
    }
    let out = Command::new("xmllint")
        .arg("--noout")
        .arg("--schema")
        .arg(data("refi-qda-codebook.xsd"))
        .arg(file)
        .output()
        .expect("xmllint runs");
    Some(if out.status.success() {
        Ok(())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).into_owned())
    })
}

#[test]
fn the_exported_codebook_validates_against_the_refi_qda_schema_and_reads_back() {
    let book = codebook();
    let xml = write_codebook(&book, "Insikt test").expect("exports");
    assert_eq!(read_codebook(xml.as_bytes()).expect("reads back"), book);
    let dir = tempfile::tempdir().expect("a temporary directory");
    let file = dir.path().join("kodbok.qdc");
    std::fs::write(&file, &xml).expect("written");
    if let Ok(path) = std::env::var("INSIKT_QDC_EXPORT") {
        std::fs::write(&path, &xml).expect("the export is written where CI asked");
    }
    if let Some(result) = validate(&file) {
        assert_eq!(result, Ok(()), "{xml}");
    }
}

#[test]
fn the_schema_check_rejects_a_codebook_the_standard_does_not_allow() {
    // The check must be able to fail: a code without isCodable and with a bad colour.
    let dir = tempfile::tempdir().expect("a temporary directory");
    let file = dir.path().join("fel.qdc");
    std::fs::write(
        &file,
        "<?xml version=\"1.0\"?>\n<CodeBook xmlns=\"urn:QDA-XML:codebook:1.0\"><Codes>\
         <Code guid=\"0f8fad5b-d9cb-469f-a165-70867728950e\" name=\"a\" color=\"red\"/>\
         </Codes></CodeBook>\n",
    )
    .expect("written");
    if let Some(result) = validate(&file) {
        assert!(result.is_err());
    }
}

#[test]
fn the_sample_codebook_is_valid_and_imports() {
    let sample = data("refi-qda/kodbok-exempel.qdc");
    if let Some(result) = validate(&sample) {
        assert_eq!(result, Ok(()));
    }
    let book = read_codebook(&std::fs::read(&sample).expect("the sample")).expect("imports");
    assert_eq!(book.codes().len(), 5);
}
