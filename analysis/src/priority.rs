//! Prioritisation methods: MaxDiff (best–worst scaling) counts and aggregate analytical logit scores,
//! Kano classification with Better/Worse coefficients, and the importance–satisfaction opportunity score.

use crate::error::{AnalysisError, Result};

/// Aggregate best–worst scores for one item.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct MaxDiffScore {
    /// Item label.
    pub item: String,
    /// Times the item was shown.
    pub n: u64,
    /// Times chosen best.
    pub best: u64,
    /// Times chosen worst.
    pub worst: u64,
    /// Analytical logit b = ln(p / (1 − p)), p = (n − W + B) / 2n.
    pub b: f64,
    /// Standard error of b: sqrt(p(1−p)/2n) / (p(1−p)).
    pub se: f64,
    /// Choice share exp(b) / Σ exp(b).
    pub choice_p: f64,
}

/// Aggregate analytical estimation of best–worst data (Lipovetsky & Conklin 2014; bwsTools `ae_mnl`).
/// `items[i]` indexes `labels`; `values[i]` is 1 (best), −1 (worst) or 0 (shown, not chosen).
pub fn maxdiff_aggregate(
    items: &[u32],
    values: &[i8],
    labels: &[String],
) -> Result<Vec<MaxDiffScore>> {
    if items.len() != values.len() {
        return Err(AnalysisError::LengthMismatch {
            what: "values".into(),
            expected: items.len(),
            got: values.len(),
        });
    }
    let k = labels.len();
    let mut n = vec![0u64; k];
    let mut b = vec![0u64; k];
    let mut w = vec![0u64; k];
    for (&it, &v) in items.iter().zip(values) {
        let it = it as usize;
        if it >= k {
            return Err(AnalysisError::InvalidValue(format!(
                "item code {it} has no label"
            )));
        }
        n[it] += 1;
        match v {
            1 => b[it] += 1,
            -1 => w[it] += 1,
            0 => {}
            other => {
                return Err(AnalysisError::InvalidValue(format!(
                    "best–worst value {other} is not 1, 0 or -1"
                )))
            }
        }
    }
    let mut out: Vec<MaxDiffScore> = Vec::with_capacity(k);
    for j in 0..k {
        if n[j] == 0 {
            return Err(AnalysisError::InsufficientData { needed: 1, got: 0 });
        }
        let nn = n[j] as f64;
        let p = (nn - w[j] as f64 + b[j] as f64) / (2.0 * nn);
        // p is 0 or 1 only if an item was always worst or always best; the logit is then infinite.
        let q = p * (1.0 - p);
        out.push(MaxDiffScore {
            item: labels[j].clone(),
            n: n[j],
            best: b[j],
            worst: w[j],
            b: (p / (1.0 - p)).ln(),
            se: (q / (2.0 * nn)).sqrt() / q,
            choice_p: 0.0,
        });
    }
    let denom: f64 = out.iter().map(|s| s.b.exp()).sum();
    for s in &mut out {
        s.choice_p = s.b.exp() / denom;
    }
    Ok(out)
}

/// Individual best-minus-worst counts: for each respondent (in order of first appearance) the number of times
/// each item was chosen best minus worst (Finn & Louviere 1992 count scores).
pub fn maxdiff_individual(
    respondents: &[u64],
    items: &[u32],
    values: &[i8],
    n_items: usize,
) -> Result<Vec<(u64, Vec<f64>)>> {
    if respondents.len() != items.len() || items.len() != values.len() {
        return Err(AnalysisError::LengthMismatch {
            what: "best–worst records".into(),
            expected: respondents.len(),
            got: items.len().min(values.len()),
        });
    }
    let mut order: Vec<(u64, Vec<f64>)> = Vec::new();
    let mut pos = std::collections::HashMap::new();
    for ((&r, &it), &v) in respondents.iter().zip(items).zip(values) {
        if it as usize >= n_items {
            return Err(AnalysisError::InvalidValue(format!(
                "item code {it} out of range"
            )));
        }
        let idx = *pos.entry(r).or_insert_with(|| {
            order.push((r, vec![0.0; n_items]));
            order.len() - 1
        });
        order[idx].1[it as usize] += v as f64;
    }
    Ok(order)
}

/// Kano answer to a functional or dysfunctional question.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum KanoAnswer {
    /// "I like it that way."
    Like,
    /// "It must be that way."
    MustBe,
    /// "I am neutral."
    Neutral,
    /// "I can live with it that way."
    LiveWith,
    /// "I dislike it that way."
    Dislike,
}

impl KanoAnswer {
    /// Parse the usual short labels (`like`, `must-be`, `neutral`, `live-with`, `dislike`).
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "like" => Some(Self::Like),
            "must-be" | "mustbe" | "expect" => Some(Self::MustBe),
            "neutral" => Some(Self::Neutral),
            "live-with" | "livewith" | "tolerate" => Some(Self::LiveWith),
            "dislike" => Some(Self::Dislike),
            _ => None,
        }
    }
}

/// Kano category.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum KanoCategory {
    /// Attractive.
    A,
    /// One-dimensional.
    O,
    /// Must-be.
    M,
    /// Indifferent.
    I,
    /// Reverse.
    R,
    /// Questionable.
    Q,
}

/// Standard Kano evaluation table (Berger et al. 1993; Matzler & Hinterhuber 1998).
pub fn kano_category(functional: KanoAnswer, dysfunctional: KanoAnswer) -> KanoCategory {
    use KanoAnswer::*;
    use KanoCategory as K;
    match (functional, dysfunctional) {
        (Like, Like) | (Dislike, Dislike) => K::Q,
        (Like, Dislike) => K::O,
        (Like, _) => K::A,
        (_, Like) | (Dislike, _) => K::R,
        (_, Dislike) => K::M,
        _ => K::I,
    }
}

/// Category counts and coefficients for one feature.
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct KanoSummary {
    /// Counts in the order A, O, M, I, R, Q.
    pub counts: [u64; 6],
    /// Better = (A + O) / (A + O + M + I).
    pub better: f64,
    /// Worse = −(O + M) / (A + O + M + I).
    pub worse: f64,
    /// Most frequent category (ties: order A, O, M, I, R, Q).
    pub category: KanoCategory,
}

/// Summarise category counts [A, O, M, I, R, Q] into Better/Worse (Berger et al. 1993) and the modal category.
pub fn kano_summary(counts: [u64; 6]) -> Result<KanoSummary> {
    let [a, o, m, i, _, _] = counts.map(|c| c as f64);
    let base = a + o + m + i;
    if base == 0.0 {
        return Err(AnalysisError::InsufficientData { needed: 1, got: 0 });
    }
    let cats = [
        KanoCategory::A,
        KanoCategory::O,
        KanoCategory::M,
        KanoCategory::I,
        KanoCategory::R,
        KanoCategory::Q,
    ];
    let mut best = 0;
    for j in 1..6 {
        if counts[j] > counts[best] {
            best = j;
        }
    }
    Ok(KanoSummary {
        counts,
        better: (a + o) / base,
        worse: -(o + m) / base,
        category: cats[best],
    })
}

/// Classify answer pairs and summarise them.
pub fn kano_classify(pairs: &[(KanoAnswer, KanoAnswer)]) -> Result<KanoSummary> {
    let mut counts = [0u64; 6];
    for &(f, d) in pairs {
        let j = match kano_category(f, d) {
            KanoCategory::A => 0,
            KanoCategory::O => 1,
            KanoCategory::M => 2,
            KanoCategory::I => 3,
            KanoCategory::R => 4,
            KanoCategory::Q => 5,
        };
        counts[j] += 1;
    }
    kano_summary(counts)
}

/// Opportunity score I + max(I − S, 0) from importance and satisfaction on the same scale (Ulwick 2002).
pub fn opportunity_score(importance: f64, satisfaction: f64) -> f64 {
    importance + (importance - satisfaction).max(0.0)
}
