//! Tests of the transcript formats on real-looking files (`tests/data/transcripts/`), on broken
//! ones, and on arbitrary bytes.

use proptest::prelude::*;

use super::*;

const VTT: &[u8] = include_bytes!("../../../tests/data/transcripts/fokusgrupp-1.vtt");
const SRT: &[u8] = include_bytes!("../../../tests/data/transcripts/referensgrupp.srt");
const NOTES: &[u8] = include_bytes!("../../../tests/data/transcripts/anteckningar.md");

fn turns(segments: &[Segment]) -> Vec<(Option<&str>, &str)> {
    segments
        .iter()
        .map(|s| (s.speaker.as_deref(), s.text.as_str()))
        .collect()
}

fn error(bytes: &[u8], format: Format) -> TranscriptError {
    parse(bytes, format).expect_err("the file is malformed")
}

#[test]
fn a_webvtt_file_gives_voice_tagged_timed_segments_and_skips_header_notes_and_styles() {
    let segments = parse(VTT, Format::WebVtt).unwrap();
    assert_eq!(
        turns(&segments),
        [
            (
                Some("Moderator"),
                "Välkomna! Vi börjar med en runda:\nhur söker ni förskoleplats i dag?"
            ),
            (Some("P3"), "Jag ringde tre gånger innan jag fick svar."),
            (
                Some("P1"),
                "Jag använde e-tjänsten, men inloggningen krånglade & jag gav upp."
            ),
            (Some("Moderator (Anna)"), "Tack. Och ni andra?"),
            (
                Some("P2"),
                "Jag läste brevet, men förstod inte <vad> jag skulle göra."
            ),
        ]
    );
    let times: Vec<_> = segments.iter().map(|s| (s.start_ms, s.end_ms)).collect();
    assert_eq!(
        times,
        [
            (Some(1_000), Some(6_500)),
            (Some(7_000), Some(12_250)),
            (Some(12_500), Some(18_000)),
            (Some(62_000), Some(65_000)),
            (Some(3_600_000), Some(3_603_100)),
        ]
    );
    let lines: Vec<_> = segments.iter().map(|s| s.lines.clone()).collect();
    assert_eq!(lines, [11..=14, 16..=18, 20..=22, 24..=25, 29..=30]);
    assert!(segments.iter().enumerate().all(|(i, s)| s.index == i));
}

#[test]
fn an_srt_file_gives_timed_segments_with_speakers_from_labels_or_voice_tags() {
    let segments = parse(SRT, Format::Srt).unwrap();
    assert_eq!(
        turns(&segments),
        [
            (Some("Moderator"), "Vad tycker ni om prototypen?"),
            (Some("P2"), "Knapparna är för små för mig,\njag ser dåligt."),
            (None, "[skratt]"),
            (
                Some("P4"),
                "Skärmläsaren läser upp rubrikerna i fel ordning."
            ),
        ]
    );
    assert_eq!(segments[1].start_ms, Some(4_500));
    assert_eq!(segments[2].end_ms, Some(11_000));
    assert_eq!(segments[1].lines, 5..=8);
}

#[test]
fn markdown_notes_with_a_bom_and_mixed_line_endings_give_turns_with_continuation_lines() {
    let segments = parse(NOTES, Format::Plain).unwrap();
    assert_eq!(
        turns(&segments),
        [
            (None, "# Anteckningar, fokusgrupp 2"),
            (Some("Moderator"), "Hur upplever ni kontakten med kommunen?"),
            (
                Some("P1"),
                "Svårt att veta vart man ska vända sig.\nMan blir skickad runt."
            ),
            (Some("P1"), "P1 fortsätter efter en paus."),
            (Some("Moderator (Anna)"), "Och ni andra?"),
            (Some("P2"), "Jag vill kunna se var ärendet är."),
            (Some("P3"), "Samma här."),
            (
                Some("P4"),
                "Jag ringer hellre.\nKlockan 10:30 brukar det vara kö."
            ),
        ]
    );
    let lines: Vec<_> = segments.iter().map(|s| s.lines.clone()).collect();
    assert_eq!(
        lines,
        [1..=1, 3..=3, 4..=5, 7..=7, 8..=8, 10..=10, 11..=11, 12..=13]
    );
    assert_eq!(segments[7].start_ms, Some(12 * 60_000 + 3_000));
    assert_eq!(segments[1].start_ms, None);
}

#[test]
fn notes_without_speakers_are_paragraphs() {
    let segments = parse_text(
        "Första stycket\nfortsätter här.\n\nAndra stycket.",
        Format::Plain,
    )
    .unwrap();
    assert_eq!(
        turns(&segments),
        [
            (None, "Första stycket\nfortsätter här."),
            (None, "Andra stycket.")
        ]
    );
}

#[test]
fn times_links_and_sentences_with_colons_are_not_speaker_labels() {
    for line in [
        "10:30 började vi",
        "Se https://stockholm.se/forskola",
        "Det här är en lång mening med ett kolon: sedan mer",
        "Obs:viktigt",
        "12: tolv",
    ] {
        assert_eq!(split_speaker(line), None, "{line}");
    }
    assert_eq!(split_speaker("P3: hej"), Some(("P3", "hej")));
    assert_eq!(split_speaker("**P3**: hej"), Some(("P3", "hej")));
    assert_eq!(split_speaker("Åsa Ö: hej"), Some(("Åsa Ö", "hej")));
    assert_eq!(split_speaker("Moderator:"), Some(("Moderator", "")));
}

#[test]
fn the_format_is_detected_from_the_name_and_else_from_the_content() {
    assert_eq!(Format::detect(Some("a.VTT"), "whatever"), Format::WebVtt);
    assert_eq!(Format::detect(Some("a.srt"), "whatever"), Format::Srt);
    let vtt = std::str::from_utf8(VTT).unwrap();
    let srt = std::str::from_utf8(SRT).unwrap();
    assert_eq!(Format::detect(Some("export.txt"), vtt), Format::WebVtt);
    assert_eq!(
        Format::detect(None, &format!("\u{feff}{vtt}")),
        Format::WebVtt
    );
    assert_eq!(Format::detect(None, srt), Format::Srt);
    assert_eq!(Format::detect(Some("notes.md"), "P1: hej"), Format::Plain);
    assert_eq!(Format::detect(None, "1\nP1: hej"), Format::Plain);
    let (format, segments) = parse_file(Some("fokusgrupp.txt"), VTT).unwrap();
    assert_eq!(format, Format::WebVtt);
    assert_eq!(segments.len(), 5);
}

#[test]
fn bytes_that_are_not_utf8_are_refused_naming_their_line() {
    let mut bytes = b"WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n".to_vec();
    bytes.extend_from_slice(b"F\xf6rskola i Sk\xe4rholmen\n"); // Latin-1
    let e = error(&bytes, Format::WebVtt);
    assert_eq!(e, TranscriptError::at(4, Problem::NotUtf8));
    assert_eq!(
        e.message("fokus.vtt").sv,
        "fokus.vtt, rad 4: texten är inte UTF-8; spara filen som UTF-8 och försök igen"
    );
    assert_eq!(
        e.message("fokus.vtt").en,
        "fokus.vtt, line 4: the text is not UTF-8; save the file as UTF-8 and try again"
    );
    // Latin-1 on the first line of a CRLF file.
    assert_eq!(error(b"P1: h\xe4j\r\n", Format::Plain).line, Some(1));
}

#[test]
fn malformed_webvtt_files_name_the_line_and_why() {
    let cases: [(&str, usize, Problem); 6] = [
        (
            "Fokusgrupp\n\n00:01.000 --> 00:02.000\nhej\n",
            1,
            Problem::MissingHeader,
        ),
        (
            "WEBVTT\n\n00:00:01.000 --> 00:00:0x.000\nhej\n",
            3,
            Problem::BadTimestamp("00:00:0x.000".into()),
        ),
        (
            "WEBVTT\n\n1\n00:00:01.000 --> 00:00:01,500\nhej\n",
            4,
            Problem::BadTimestamp("00:00:01,500".into()),
        ),
        (
            "WEBVTT\r\n\r\n00:00:05.000 --> 00:00:04.000\r\nhej\r\n",
            3,
            Problem::EndBeforeStart,
        ),
        (
            "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n<v P1></v>\n",
            3,
            Problem::CueWithoutText,
        ),
        (
            "WEBVTT\n\nid-1\nhej då\n",
            4,
            Problem::ExpectedTiming("hej då".into()),
        ),
    ];
    for (text, line, problem) in cases {
        let e = error(text.as_bytes(), Format::WebVtt);
        assert_eq!(e, TranscriptError::at(line, problem), "{text:?}");
    }
    let e = error(b"WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n", Format::WebVtt);
    assert_eq!(e, TranscriptError::at(3, Problem::CueWithoutText));
    assert!(e
        .message("x.vtt")
        .en
        .contains("line 3: the cue has timing but no text"));
}

#[test]
fn malformed_srt_files_name_the_line_and_why() {
    let good = "1\n00:00:01,000 --> 00:00:02,000\nhej\n\n";
    let cases: [(String, usize, Problem); 4] = [
        (
            format!("{good}två\n00:00:03,000 --> 00:00:04,000\nhej\n"),
            5,
            Problem::ExpectedCueNumber("två".into()),
        ),
        (
            format!("{good}2\n00:00:03,000 --> 00:00:61,000\nhej\n"),
            6,
            Problem::BadTimestamp("00:00:61,000".into()),
        ),
        (
            format!("{good}2\n00:00:03,000 --> 00:00:02,999\nhej\n"),
            6,
            Problem::EndBeforeStart,
        ),
        (
            format!("{good}2\n00:00:03,000 --> 00:00:04,000\n"),
            6,
            Problem::CueWithoutText,
        ),
    ];
    for (text, line, problem) in cases {
        assert_eq!(
            error(text.as_bytes(), Format::Srt),
            TranscriptError::at(line, problem),
            "{text:?}"
        );
    }
    assert_eq!(
        error(b"1\n", Format::Srt),
        TranscriptError::at(2, Problem::ExpectedTiming(String::new()))
    );
}

#[test]
fn an_empty_or_blank_file_is_refused() {
    for format in [Format::Plain, Format::WebVtt, Format::Srt] {
        let text: &[u8] = if format == Format::WebVtt {
            b"\xef\xbb\xbfWEBVTT\n\nNOTE only a note\n"
        } else {
            b"\xef\xbb\xbf \r\n\r\n"
        };
        assert_eq!(error(text, format).problem, Problem::Empty, "{format:?}");
    }
}

#[test]
fn cue_markup_is_removed_and_timestamps_read_in_both_forms() {
    assert_eq!(
        strip_cue_markup("<c.yellow>hej</c> <00:00:01.000>då {\\an8}{inte}"),
        (None, "hej då {inte}".to_owned())
    );
    assert_eq!(
        strip_cue_markup("<v.first.loud Anna Berg>hej</v>"),
        (Some("Anna Berg".to_owned()), "hej".to_owned())
    );
    assert_eq!(strip_cue_markup("a < b"), (None, "a < b".to_owned()));
    assert_eq!(parse_time("01:02.003", Fraction::Dot), Some(62_003));
    assert_eq!(
        parse_time("1:00:00,000", Fraction::CommaOrDot),
        Some(3_600_000)
    );
    assert_eq!(parse_time("00:01", Fraction::CommaOrDot), None);
    assert_eq!(parse_time("00:01", Fraction::Optional), Some(1_000));
    assert_eq!(parse_time("00:60.000", Fraction::Dot), None);
    assert_eq!(parse_time("0:1.000", Fraction::Dot), None);
}

#[test]
fn a_file_over_the_size_limit_is_refused_before_it_is_read() {
    let big = vec![b'a'; MAX_BYTES + 1];
    assert_eq!(
        error(&big, Format::Plain).problem,
        Problem::TooLarge(MAX_BYTES + 1)
    );
}

fn check_invariants(segments: &[Segment], text: &str) {
    let lines = split_lines(text.strip_prefix('\u{feff}').unwrap_or(text)).len();
    for (i, s) in segments.iter().enumerate() {
        assert_eq!(s.index, i);
        assert!(*s.lines.start() >= 1 && s.lines.start() <= s.lines.end());
        assert!(*s.lines.end() <= lines, "{s:?} beyond {lines} lines");
        assert!(!s.text.trim().is_empty());
        if let (Some(a), Some(b)) = (s.start_ms, s.end_ms) {
            assert!(a <= b);
        }
    }
}

proptest! {
    #[test]
    fn parsing_arbitrary_bytes_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        for format in [Format::Plain, Format::WebVtt, Format::Srt] {
            let _ = parse(&bytes, format);
        }
        let _ = parse_file(Some("x.txt"), &bytes);
    }

    #[test]
    fn parsing_near_valid_text_never_panics_and_keeps_its_invariants(
        text in "(\u{feff})?(WEBVTT|1|NOTE|P[1-3]: |<v P2>|\\*\\*P1\\*\\*: |# |\\[00:0[0-9]:[0-5][0-9]\\] |[0-9]{1,2}:[0-9]{2}[.,][0-9]{3} --> [0-9]{1,2}:[0-9]{2}[.,][0-9]{3}|hej då|å|<|>|&amp;|\\{\\\\an8\\}|\r\n|\r|\n| |:){0,40}"
    ) {
        for format in [Format::Plain, Format::WebVtt, Format::Srt] {
            if let Ok(segments) = parse_text(&text, format) {
                check_invariants(&segments, &text);
            }
        }
    }
}
