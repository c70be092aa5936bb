//! Tests of the REFI-QDA codebook: the committed sample, round trips, and refused files.

use proptest::prelude::*;

use super::*;

const SAMPLE: &[u8] = include_bytes!("../../../tests/data/refi-qda/kodbok-exempel.qdc");

fn id(n: u128) -> Uuid {
    Uuid::from_u128(n)
}

/// A codebook using every field: nesting three deep, colours, examples, a grouping code, text
/// that needs escaping, a set.
pub(crate) fn full_codebook() -> Codebook {
    let code = |n: u128, parent: Option<u128>, name: &str| Code {
        parent: parent.map(id),
        ..Code::new(id(n), name)
    };
    Codebook::new(
        vec![
            Code {
                codable: false,
                colour: Colour::parse("#3366cc"),
                definition: "Hur deltagarna tar kontakt med kommunen.".into(),
                ..code(1, None, "Kontakt")
            },
            Code {
                definition: "Att ringa & vänta.\n\nÄven <kö> i växeln.".into(),
                inclusion: "\"Jag ringde tre gånger.\"".into(),
                exclusion: "Samtal med vänner.\n\nSamtal med grannar.".into(),
                colour: Colour::parse("#ff8800"),
                ..code(2, Some(1), "Telefon & kö")
            },
            code(3, Some(1), "E-tjänster"),
            Code {
                inclusion: "Inloggningen krånglade.".into(),
                ..code(4, Some(3), "Inloggning")
            },
            code(5, None, "Tillgänglighet 'WCAG' \"2.1\""),
        ],
        vec![CodeSet {
            id: id(100),
            name: "Kanaler".into(),
            description: "Kontaktvägar".into(),
            members: vec![id(2), id(3)],
        }],
    )
    .unwrap()
}

#[test]
fn the_sample_codebook_reads_with_its_tree_colours_examples_and_set() {
    let book = read_codebook(SAMPLE).unwrap();
    let names: Vec<_> = book.codes().iter().map(|c| c.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "Kontakt med kommunen",
            "Telefon & kö",
            "E-tjänster",
            "Inloggning",
            "Tillgänglighet <WCAG>"
        ]
    );
    let top = &book.codes()[0];
    assert!(!top.codable);
    assert_eq!(top.colour.as_ref().unwrap().as_str(), "#3366cc");
    assert_eq!(
        top.id,
        Uuid::parse_str("6F9619FF-8B86-D011-B42D-00C04FC964FF").unwrap()
    );
    let phone = &book.codes()[1];
    assert_eq!(phone.parent, Some(top.id));
    assert_eq!(phone.definition, "Att ringa, vänta och bli kopplad.");
    assert_eq!(
        phone.inclusion,
        "\"Jag ringde tre gånger innan jag fick svar.\""
    );
    assert_eq!(phone.exclusion, "Samtal med vänner om ärendet.");
    assert_eq!(
        book.path(book.codes()[3].id).unwrap(),
        "Kontakt med kommunen › E-tjänster › Inloggning"
    );
    assert_eq!(
        book.codes()[4].inclusion,
        "Skärmläsaren läser fel ordning.",
        "the Swedish label is read too"
    );
    assert_eq!(book.sets()[0].members, [phone.id, book.codes()[2].id]);
    assert_eq!(book.sets()[0].description, "Koder om kontaktvägar.");
}

#[test]
fn a_codebook_round_trips_through_export_and_import() {
    let book = full_codebook();
    let xml = write_codebook(&book, "Insikt").unwrap();
    assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"utf-8\"?>"));
    assert!(xml.contains("xmlns=\"urn:QDA-XML:codebook:1.0\""));
    assert_eq!(read_codebook(xml.as_bytes()).unwrap(), book);
}

#[test]
fn the_sample_round_trips_after_its_first_import() {
    let book = read_codebook(SAMPLE).unwrap();
    let again = read_codebook(write_codebook(&book, "Insikt").unwrap().as_bytes()).unwrap();
    assert_eq!(again, book);
}

#[test]
fn an_empty_codebook_cannot_be_exported_since_the_standard_needs_a_code() {
    assert_eq!(
        write_codebook(&Codebook::default(), "Insikt")
            .unwrap_err()
            .problem,
        Problem::NoCodes
    );
}

fn problem(xml: &str) -> QdcError {
    read_codebook(xml.as_bytes()).expect_err("the file is refused")
}

#[test]
fn broken_codebooks_are_refused_naming_the_line_and_why() {
    let head = "<?xml version=\"1.0\"?>\n<CodeBook xmlns=\"urn:QDA-XML:codebook:1.0\">\n<Codes>\n";
    let tail = "</Codes>\n</CodeBook>\n";
    let good = "0f8fad5b-d9cb-469f-a165-70867728950e";
    let cases: Vec<(String, Option<usize>, Problem)> = vec![
        (
            format!("{head}<Code guid=\"nope\" name=\"a\" isCodable=\"true\"/>\n{tail}"),
            Some(4),
            Problem::BadGuid("nope".into()),
        ),
        (
            format!("{head}<Code guid=\"{good}\" isCodable=\"true\"/>\n{tail}"),
            Some(4),
            Problem::MissingAttribute {
                element: "Code",
                attribute: "name",
            },
        ),
        (
            format!("{head}<Code guid=\"{good}\" name=\"a\" isCodable=\"yes\"/>\n{tail}"),
            Some(4),
            Problem::BadBoolean("yes".into()),
        ),
        (
            format!(
                "{head}<Code guid=\"{good}\" name=\"a\" isCodable=\"true\" color=\"red\"/>\n{tail}"
            ),
            Some(4),
            Problem::BadColour("red".into()),
        ),
        (
            format!("{head}\n<Set guid=\"{good}\" name=\"a\"/>\n{tail}"),
            Some(5),
            Problem::Unexpected("Set".into()),
        ),
        (
            format!("{head}<Code guid=\"{good}\" name=\"&bad;\" isCodable=\"true\"/>\n{tail}"),
            Some(4),
            Problem::Xml(String::new()),
        ),
        (
            format!("{head}<Code guid=\"{good}\" name=\"a\" isCodable=\"true\">\n<Description>&bad;</Description></Code>\n{tail}"),
            Some(5),
            Problem::UnknownEntity("bad".into()),
        ),
        (
            "<?xml version=\"1.0\"?>\n<Project/>".into(),
            Some(2),
            Problem::NotACodebook("Project".into()),
        ),
        (
            "<?xml version=\"1.0\"?>\n<!DOCTYPE CodeBook [<!ENTITY a \"b\">]>\n<CodeBook/>".into(),
            Some(2),
            Problem::DocType,
        ),
    ];
    for (xml, line, want) in cases {
        let e = problem(&xml);
        assert_eq!(e.line, line, "{xml}\n{e}");
        match want {
            Problem::Xml(_) => assert!(matches!(e.problem, Problem::Xml(_)), "{e}"),
            want => assert_eq!(e.problem, want, "{xml}"),
        }
    }
    let e = problem(&format!(
        "{head}<Code guid=\"{good}\" name=\"a\" isCodable=\"true\"/><Code guid=\"{good}\" name=\"b\" isCodable=\"true\"/>{tail}"
    ));
    assert_eq!(
        e.problem,
        Problem::Codebook(CodebookError::DuplicateId(Uuid::parse_str(good).unwrap()))
    );
    assert!(e.message("kodbok.qdc").sv.starts_with("kodbok.qdc: id "));
    assert_eq!(
        problem("<CodeBook><Codes>")
            .message("k.qdc")
            .en
            .split(':')
            .next(),
        Some("k.qdc, line 1")
    );
    assert_eq!(
        read_codebook(b"\xff\xfe<").unwrap_err().problem,
        Problem::NotUtf8
    );
}

#[test]
fn descriptions_split_into_definition_and_labelled_examples() {
    assert_eq!(
        split_description("Def.\n\nMer def.\n\nInclude: a\n\nb\r\n\r\nexclude: c"),
        (
            "Def.\n\nMer def.".to_owned(),
            "a\n\nb".to_owned(),
            "c".to_owned()
        )
    );
    assert_eq!(
        split_description("  Bara en definition.  "),
        (
            "Bara en definition.".to_owned(),
            String::new(),
            String::new()
        )
    );
}

proptest! {
    #[test]
    fn reading_arbitrary_bytes_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        let _ = read_codebook(&bytes);
    }

    #[test]
    fn any_names_and_texts_round_trip(
        names in proptest::collection::vec("[^\u{0}-\u{1f}\u{7f}-\u{9f}\u{fffe}\u{ffff}]{1,30}", 1..6),
        definition in "[a-zåäö<>&\"' ]{0,40}",
    ) {
        let codes: Vec<Code> = names
            .iter()
            .enumerate()
            .filter(|(_, n)| !n.trim().is_empty())
            .map(|(i, n)| Code {
                parent: (i > 0).then(|| id(1)),
                definition: definition.trim().to_owned(),
                ..Code::new(id(i as u128 + 1), n.trim())
            })
            .collect();
        prop_assume!(codes.first().is_some_and(|c| c.id == id(1)));
        let book = Codebook::new(codes, vec![]).unwrap();
        let xml = write_codebook(&book, "Insikt").unwrap();
        prop_assert_eq!(read_codebook(xml.as_bytes()).unwrap(), book);
    }
}
