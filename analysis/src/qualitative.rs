//! Counting coded excerpts of focus groups and interviews: code frequencies (overall, by session,
//! by any participant attribute), code co-occurrence, and per-code agreement between coders on
//! segment level.
//!
//! Ids are plain numbers the caller assigns (database ids or positions); this crate knows
//! nothing of sessions or participants beyond them. Excerpts of participants who withdrew
//! consent are the caller's to leave out before counting.

use std::collections::{BTreeSet, HashMap, HashSet};

use crate::agreement::{cohen_kappa_binary, krippendorff_alpha_nominal, Alpha, Kappa};

/// One code applied by one coder to a passage of one segment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CodedExcerpt {
    /// The session the transcript belongs to.
    pub session: u64,
    /// The segment (speaker turn), unique within its session.
    pub segment: u64,
    /// The participant who spoke, when the segment is attributed to one.
    pub participant: Option<u64>,
    /// The code applied.
    pub code: u64,
    /// Who applied it.
    pub coder: u64,
    /// The characters coded within the segment, `start..end`; `None` for the whole segment.
    pub span: Option<(usize, usize)>,
}

impl CodedExcerpt {
    fn place(&self) -> (u64, u64) {
        (self.session, self.segment)
    }
}

/// How often a code was applied.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct CodeCount<K> {
    /// The group counted in (a session, an attribute value; `()` for the whole material).
    pub group: K,
    /// The code.
    pub code: u64,
    /// Excerpts with the code, every coder's counted.
    pub excerpts: usize,
    /// Distinct segments with the code (by any coder): what a reader of the transcript sees.
    pub segments: usize,
    /// Distinct sessions with the code.
    pub sessions: usize,
    /// Distinct participants whose segments carry the code.
    pub participants: usize,
}

/// Code frequencies per group: `group` puts an excerpt in a group, or leaves it out with `None`
/// (for example an excerpt of a segment without a participant, when grouping by an attribute).
/// Sorted by group, then code.
pub fn frequencies_by<K: Ord + Clone>(
    excerpts: &[CodedExcerpt],
    group: impl Fn(&CodedExcerpt) -> Option<K>,
) -> Vec<CodeCount<K>> {
    // One sort, then distinct counts along runs: sets per (group, code) cost five times as much
    // (benches/qualitative.rs).
    let mut rows: Vec<(K, u64, u64, u64, Option<u64>)> = excerpts
        .iter()
        .filter_map(|e| group(e).map(|g| (g, e.code, e.session, e.segment, e.participant)))
        .collect();
    rows.sort_unstable_by(|x, y| (&x.0, x.1, x.2, x.3).cmp(&(&y.0, y.1, y.2, y.3)));
    let mut out = Vec::new();
    let mut participants: Vec<u64> = Vec::new();
    for run in rows.chunk_by(|x, y| x.0 == y.0 && x.1 == y.1) {
        let first = &run[0];
        let mut segments = 1;
        let mut sessions = 1;
        for w in run.windows(2) {
            if w[0].2 != w[1].2 {
                sessions += 1;
                segments += 1;
            } else if w[0].3 != w[1].3 {
                segments += 1;
            }
        }
        participants.clear();
        participants.extend(run.iter().filter_map(|r| r.4));
        participants.sort_unstable();
        participants.dedup();
        out.push(CodeCount {
            group: first.0.clone(),
            code: first.1,
            excerpts: run.len(),
            segments,
            sessions,
            participants: participants.len(),
        });
    }
    out
}

/// Code frequencies over all the material, by code.
pub fn code_frequencies(excerpts: &[CodedExcerpt]) -> Vec<CodeCount<()>> {
    frequencies_by(excerpts, |_| Some(()))
}

/// Code frequencies by session.
pub fn frequencies_by_session(excerpts: &[CodedExcerpt]) -> Vec<CodeCount<u64>> {
    frequencies_by(excerpts, |e| Some(e.session))
}

/// Code frequencies by a participant attribute (age group, district, impairment …):
/// `attribute` gives a participant's value; excerpts of segments without a participant or
/// without a value are left out.
pub fn frequencies_by_attribute<'a>(
    excerpts: &[CodedExcerpt],
    attribute: impl Fn(u64) -> Option<&'a str>,
) -> Vec<CodeCount<&'a str>> {
    frequencies_by(excerpts, |e| e.participant.and_then(&attribute))
}

/// When two codes count as occurring together.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CoOccurrence {
    /// Both codes were applied somewhere in the same segment (by any coders).
    SameSegment,
    /// An excerpt with one code overlaps an excerpt with the other in the same segment (a
    /// whole-segment excerpt overlaps every excerpt of its segment; spans are half-open, so
    /// passages that only touch do not overlap).
    Overlap,
}

/// How often two codes occur together.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct CodePair {
    /// The smaller code id.
    pub a: u64,
    /// The larger code id.
    pub b: u64,
    /// Segments in which they occur together (each segment counts once per pair).
    pub segments: usize,
}

/// Code co-occurrence counted in segments, pooled over coders: every pair of distinct codes with
/// at least one segment, sorted by pair.
pub fn co_occurrence(excerpts: &[CodedExcerpt], rule: CoOccurrence) -> Vec<CodePair> {
    let mut order: Vec<&CodedExcerpt> = excerpts.iter().collect();
    order.sort_unstable_by_key(|e| (e.session, e.segment, e.code));
    let mut counts: HashMap<(u64, u64), usize> = HashMap::new();
    let mut pairs: Vec<(u64, u64)> = Vec::new();
    for group in order.chunk_by(|x, y| x.place() == y.place()) {
        pairs.clear();
        match rule {
            CoOccurrence::SameSegment => {
                let mut codes: Vec<u64> = group.iter().map(|e| e.code).collect();
                codes.dedup(); // sorted by code within the segment
                for (i, &a) in codes.iter().enumerate() {
                    for &b in &codes[i + 1..] {
                        pairs.push((a, b));
                    }
                }
            }
            CoOccurrence::Overlap => {
                for (i, x) in group.iter().enumerate() {
                    for y in &group[i + 1..] {
                        if x.code != y.code && overlaps(x.span, y.span) {
                            pairs.push((x.code.min(y.code), x.code.max(y.code)));
                        }
                    }
                }
            }
        }
        pairs.sort_unstable();
        pairs.dedup();
        for &p in &pairs {
            *counts.entry(p).or_default() += 1;
        }
    }
    let mut out: Vec<CodePair> = counts
        .into_iter()
        .map(|((a, b), segments)| CodePair { a, b, segments })
        .collect();
    out.sort_unstable_by_key(|p| (p.a, p.b));
    out
}

fn overlaps(x: Option<(usize, usize)>, y: Option<(usize, usize)>) -> bool {
    match (x, y) {
        (Some((xs, xe)), Some((ys, ye))) => xs < ye && ys < xe,
        _ => true,
    }
}

/// Agreement between coders on one code, segment by segment.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct CodeAgreement {
    /// The code.
    pub code: u64,
    /// Segments compared.
    pub segments: usize,
    /// Segments where every coder agreed (all applied it or none did).
    pub agreed: usize,
    /// Cohen's kappa when there are exactly two coders and it is defined (it is not when
    /// neither coder, or both coders on every segment, applied the code).
    pub kappa: Option<Kappa>,
    /// Krippendorff's alpha over all coders, when defined.
    pub alpha: Option<Alpha>,
}

/// Per-code agreement on segment level: for every code any of `coders` applied, whether each
/// coder applied it to each of `segments` ((session, segment) pairs that every coder coded —
/// a segment nobody gave the code counts as agreement that it does not apply).
pub fn agreement_by_code(
    excerpts: &[CodedExcerpt],
    segments: &[(u64, u64)],
    coders: &[u64],
) -> Vec<CodeAgreement> {
    let applied: HashSet<(u64, u64, u64, u64)> = excerpts
        .iter()
        .filter(|e| coders.contains(&e.coder))
        .map(|e| (e.code, e.coder, e.session, e.segment))
        .collect();
    let codes: BTreeSet<u64> = applied.iter().map(|&(code, ..)| code).collect();
    codes
        .into_iter()
        .map(|code| {
            let by_coder: Vec<Vec<bool>> = coders
                .iter()
                .map(|&coder| {
                    segments
                        .iter()
                        .map(|&(s, g)| applied.contains(&(code, coder, s, g)))
                        .collect()
                })
                .collect();
            let agreed = (0..segments.len())
                .filter(|&i| by_coder.iter().all(|c| c[i] == by_coder[0][i]))
                .count();
            let kappa = match by_coder.as_slice() {
                [a, b] => cohen_kappa_binary(a, b).ok(),
                _ => None,
            };
            let units: Vec<Vec<Option<bool>>> = (0..segments.len())
                .map(|i| by_coder.iter().map(|c| Some(c[i])).collect())
                .collect();
            CodeAgreement {
                code,
                segments: segments.len(),
                agreed,
                kappa,
                alpha: krippendorff_alpha_nominal(&units).ok(),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ex(session: u64, segment: u64, code: u64, coder: u64) -> CodedExcerpt {
        CodedExcerpt {
            session,
            segment,
            participant: Some(session * 10 + segment % 3),
            code,
            coder,
            span: None,
        }
    }

    fn spanned(segment: u64, code: u64, span: (usize, usize)) -> CodedExcerpt {
        CodedExcerpt {
            span: Some(span),
            ..ex(1, segment, code, 1)
        }
    }

    #[test]
    fn frequencies_count_excerpts_segments_sessions_and_participants_apart() {
        let excerpts = [
            ex(1, 1, 7, 1),
            ex(1, 1, 7, 2), // the same segment by a second coder
            ex(1, 2, 7, 1),
            ex(2, 1, 7, 1),
            ex(2, 1, 8, 1),
        ];
        let all = code_frequencies(&excerpts);
        assert_eq!(
            all[0],
            CodeCount {
                group: (),
                code: 7,
                excerpts: 4,
                segments: 3,
                sessions: 2,
                participants: 3
            }
        );
        assert_eq!((all[1].code, all[1].excerpts), (8, 1));
        let by_session = frequencies_by_session(&excerpts);
        let rows: Vec<_> = by_session
            .iter()
            .map(|c| (c.group, c.code, c.excerpts, c.segments))
            .collect();
        assert_eq!(rows, [(1, 7, 3, 2), (2, 7, 1, 1), (2, 8, 1, 1)]);
    }

    #[test]
    fn frequencies_by_attribute_leave_out_excerpts_without_a_value() {
        let district = |p: u64| match p {
            11 => Some("Skärholmen"),
            12 => Some("Kista"),
            _ => None,
        };
        let mut no_participant = ex(1, 5, 7, 1);
        no_participant.participant = None;
        let excerpts = [
            ex(1, 1, 7, 1),
            ex(1, 2, 7, 1),
            ex(1, 3, 7, 1),
            no_participant,
        ];
        let rows: Vec<_> = frequencies_by_attribute(&excerpts, district)
            .into_iter()
            .map(|c| (c.group, c.code, c.excerpts))
            .collect();
        assert_eq!(rows, [("Kista", 7, 1), ("Skärholmen", 7, 1)]);
    }

    #[test]
    fn co_occurrence_in_the_same_segment_counts_each_segment_once_per_pair() {
        let excerpts = [
            ex(1, 1, 1, 1),
            ex(1, 1, 2, 1),
            ex(1, 1, 2, 2), // a second coder's 2 does not count twice
            ex(1, 1, 3, 2),
            ex(1, 2, 1, 1),
            ex(1, 2, 2, 1),
            ex(2, 2, 1, 1), // another session's segment 2: code 1 alone
        ];
        let pairs: Vec<_> = co_occurrence(&excerpts, CoOccurrence::SameSegment)
            .into_iter()
            .map(|p| (p.a, p.b, p.segments))
            .collect();
        assert_eq!(pairs, [(1, 2, 2), (1, 3, 1), (2, 3, 1)]);
    }

    #[test]
    fn co_occurrence_by_overlap_needs_intersecting_passages() {
        let excerpts = [
            spanned(1, 1, (0, 10)),
            spanned(1, 2, (5, 15)),  // overlaps code 1
            spanned(1, 3, (15, 20)), // touches code 2 only
            spanned(2, 1, (0, 5)),
            ex(1, 2, 3, 1), // whole segment 2 overlaps everything in it
        ];
        let pairs: Vec<_> = co_occurrence(&excerpts, CoOccurrence::Overlap)
            .into_iter()
            .map(|p| (p.a, p.b, p.segments))
            .collect();
        assert_eq!(pairs, [(1, 2, 1), (1, 3, 1)]);
        let same: Vec<_> = co_occurrence(&excerpts, CoOccurrence::SameSegment)
            .into_iter()
            .map(|p| (p.a, p.b, p.segments))
            .collect();
        assert_eq!(same, [(1, 2, 1), (1, 3, 2), (2, 3, 1)]);
    }

    #[test]
    fn agreement_by_code_compares_coders_on_every_listed_segment() {
        // Ten segments; code 5: coder 1 on segments 0–3, coder 2 on segments 1–4.
        let segments: Vec<(u64, u64)> = (0..10).map(|g| (1, g)).collect();
        let mut excerpts = Vec::new();
        for g in 0..4 {
            excerpts.push(ex(1, g, 5, 1));
        }
        for g in 1..5 {
            excerpts.push(ex(1, g, 5, 2));
        }
        excerpts.push(ex(1, 0, 9, 3)); // a third coder, not compared
        let result = agreement_by_code(&excerpts, &segments, &[1, 2]);
        assert_eq!(result.len(), 1);
        let a = &result[0];
        assert_eq!((a.code, a.segments, a.agreed), (5, 10, 8));
        // 2×2 table [[3, 1], [1, 5]]: p_o = 0.8, p_e = 0.4·0.4 + 0.6·0.6 = 0.52,
        // κ = 0.28 / 0.48 = 0.58333.
        let kappa = a.kappa.as_ref().unwrap().kappa;
        assert!((kappa - 0.28 / 0.48).abs() < 1e-12, "{kappa}");
        assert!(a.alpha.is_some());
    }
}
