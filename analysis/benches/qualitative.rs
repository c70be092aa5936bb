//! Criterion benchmarks of qualitative counts (issue 15): code frequencies (overall, by session,
//! by a participant attribute) and co-occurrence over 200 sessions (target < 100 ms for
//! frequencies and co-occurrence together). Baseline in the same run: sorting the excerpts by
//! segment once, which co-occurrence has to do anyway.

use std::hint::black_box;
use std::time::Duration;

use analysis::qualitative::{
    co_occurrence, code_frequencies, frequencies_by_attribute, frequencies_by_session,
    CoOccurrence, CodedExcerpt,
};
use criterion::{criterion_group, criterion_main, Criterion};

const SESSIONS: u64 = 200;
const SEGMENTS: u64 = 150;
const CODES: u64 = 40;
const DISTRICTS: [&str; 5] = ["Skärholmen", "Kista", "Farsta", "Bromma", "Södermalm"];

/// 200 sessions of 150 segments, eight participants each, 0–6 excerpts per segment by two
/// coders over 40 codes, a third with character spans: about 90,000 excerpts.
fn excerpts() -> Vec<CodedExcerpt> {
    let mut state: u64 = 15;
    let mut next = |n: u64| {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (state >> 33) % n
    };
    let mut out = Vec::new();
    for session in 0..SESSIONS {
        for segment in 0..SEGMENTS {
            let participant = session * 8 + next(8);
            for _ in 0..next(7) {
                let start = next(200) as usize;
                out.push(CodedExcerpt {
                    session,
                    segment,
                    participant: Some(participant),
                    code: next(CODES),
                    coder: 1 + next(2),
                    span: (next(3) > 0).then_some((start, start + 20 + next(100) as usize)),
                });
            }
        }
    }
    out
}

fn bench(c: &mut Criterion) {
    let excerpts = excerpts();
    assert!(excerpts.len() > 80_000);
    let district = |p: u64| Some(DISTRICTS[(p % 5) as usize]);
    let mut g = c.benchmark_group("qualitative");
    g.sample_size(20)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(5));
    // Target (issue 15): < 100 ms for all of it.
    g.bench_function("frequencies_and_co_occurrence_200_sessions", |b| {
        b.iter(|| {
            black_box(code_frequencies(&excerpts));
            black_box(frequencies_by_session(&excerpts));
            black_box(frequencies_by_attribute(&excerpts, district));
            black_box(co_occurrence(&excerpts, CoOccurrence::SameSegment));
            black_box(co_occurrence(&excerpts, CoOccurrence::Overlap));
        })
    });
    g.bench_function("co_occurrence_same_segment_200_sessions", |b| {
        b.iter(|| black_box(co_occurrence(&excerpts, CoOccurrence::SameSegment)))
    });
    g.bench_function("frequencies_by_session_200_sessions", |b| {
        b.iter(|| black_box(frequencies_by_session(&excerpts)))
    });
    // Baseline: one sort of the excerpts by segment.
    g.bench_function("baseline_sort_by_segment_200_sessions", |b| {
        b.iter(|| {
            let mut order: Vec<&CodedExcerpt> = excerpts.iter().collect();
            order.sort_unstable_by_key(|e| (e.session, e.segment, e.code));
            black_box(order.len())
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
