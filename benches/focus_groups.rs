//! Criterion benchmarks of focus-group material (issue 15): parse and segment a two-hour
//! transcript of about 20,000 words (target < 50 ms) as WebVTT and as "Name: text" notes, and
//! scan it for personal data (target < 20 ms). Baseline in the same run: splitting the text
//! into lines once, the least any parser does.

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion};
use insikt::domain::redaction::Scanner;
use insikt::formats::transcript::{parse, Format};

const WORDS: &[&str] = &[
    "jag",
    "tycker",
    "att",
    "det",
    "är",
    "svårt",
    "hitta",
    "rätt",
    "blankett",
    "på",
    "webben",
    "förskola",
    "ansökan",
    "ringde",
    "kommunen",
    "väntade",
    "länge",
    "svar",
    "e-tjänsten",
    "inloggningen",
    "krånglade",
    "BankID",
    "mobilen",
    "barnen",
    "skolan",
    "brevet",
    "förstod",
    "inte",
    "vad",
    "skulle",
    "göra",
    "och",
    "sedan",
    "fick",
    "hjälp",
    "av",
    "grannen",
    "med",
    "skärmläsaren",
    "knapparna",
    "små",
    "texten",
    "lättläst",
    "tolk",
    "språk",
    "Skärholmen",
];

/// A deterministic two-hour focus group: cues of 8–32 words by a moderator and eight
/// participants, about 20,000 words, with a phone number, an e-mail address, a personal
/// identity number or an address every 50th cue.
fn transcript(vtt: bool) -> (String, usize) {
    let mut state: u64 = 15;
    let mut next = |n: u64| {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (state >> 33) % n
    };
    let mut out = String::from(if vtt { "WEBVTT\n\n" } else { "" });
    let (mut words, mut cue, mut ms) = (0usize, 0u64, 0u64);
    while words < 20_000 {
        let speaker = match next(9) {
            0 => "Moderator".to_owned(),
            p => format!("P{p}"),
        };
        let n = 8 + next(25) as usize;
        let mut text: Vec<&str> = (0..n)
            .map(|_| WORDS[next(WORDS.len() as u64) as usize])
            .collect();
        let pii = [
            "070-123 45 67",
            "anna.berg@exempel.se",
            "811218-9876",
            "Storgatan 12",
        ];
        if cue % 50 == 0 {
            text.push(pii[(cue / 50 % 4) as usize]);
        }
        words += text.len();
        let length = 2_000 + 250 * n as u64;
        if vtt {
            out.push_str(&format!(
                "{}\n{} --> {}\n<v {speaker}>{}\n\n",
                cue + 1,
                stamp(ms),
                stamp(ms + length),
                text.join(" ")
            ));
        } else {
            // Notes wrap long turns: continuation lines belong to the speaker.
            let (first, rest) = text.split_at(n / 2);
            out.push_str(&format!(
                "{speaker}: {}\n{}\n",
                first.join(" "),
                rest.join(" ")
            ));
        }
        ms += length;
        cue += 1;
    }
    (out, words)
}

fn stamp(ms: u64) -> String {
    format!(
        "{:02}:{:02}:{:02}.{:03}",
        ms / 3_600_000,
        ms / 60_000 % 60,
        ms / 1000 % 60,
        ms % 1000
    )
}

fn bench(c: &mut Criterion) {
    let (vtt, words) = transcript(true);
    let (notes, _) = transcript(false);
    assert!(words >= 20_000);
    let segments = parse(vtt.as_bytes(), Format::WebVtt).expect("the generated VTT parses");
    assert!(segments.last().and_then(|s| s.end_ms).unwrap_or(0) >= 2 * 3_600_000 - 600_000);
    let scanner = Scanner::new(&["Anna Berg", "Karin Lind", "Mohammed Ali", "Åsa Öberg"]);
    assert!(scanner.scan(&notes).len() >= 15);

    let mut g = c.benchmark_group("focus_groups");
    g.sample_size(30)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(5));
    // Target (issue 15): < 50 ms.
    g.bench_function("parse_2h_transcript_20000_words_vtt", |b| {
        b.iter(|| black_box(parse(black_box(vtt.as_bytes()), Format::WebVtt)))
    });
    g.bench_function("parse_2h_transcript_20000_words_name_colon_notes", |b| {
        b.iter(|| black_box(parse(black_box(notes.as_bytes()), Format::Plain)))
    });
    // Target (issue 15): < 20 ms.
    g.bench_function("redaction_scan_2h_transcript_4_names", |b| {
        b.iter(|| black_box(scanner.scan(black_box(&vtt))))
    });
    // Baseline: one pass that splits the text into lines.
    g.bench_function("baseline_split_lines_2h_transcript", |b| {
        b.iter(|| black_box(black_box(&vtt).lines().count()))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
