//! The answer model of the demo: who responds, in which mode, and what they answer.
//!
//! The IT-habits questions the city reports on (contact channels, e-ID, internet and broadband at
//! home) follow age-dependent probabilities chosen so that, weighted to the population, they give
//! the figures in the city's 2009 survey (phone ~70%, e-mail ~45%, e-service ~24%, visit ~24%;
//! e-ID 47/39/11; broadband ~90%), with a plausible shift in the 2026 wave. Response propensity
//! falls steeply with age and is lower in some districts, and the old prefer the phone, so the
//! unweighted phone share is visibly too low. In the needs survey, impairment is about 15
//! percentage points more common from 65 on, digital confidence falls with age and impairment,
//! errands follow the stage of life (preschool at 25–44, home care at 75+), and the willingness
//! to use an e-service and the preference for it follow digital confidence, so the backlog's
//! equity gaps have something real to find. Every other question gets a plausible generic answer
//! of its kind. All randomness comes from the caller's seeded generator.

use rand::seq::SliceRandom;
use rand::Rng;

use super::population::Person;
use crate::domain::expr::Value;
use crate::domain::response::Mode;
use crate::domain::survey::flow::{self, AnswerMap};
use crate::domain::survey::{maxdiff, Choice, QuestionKind, Scale, Survey, DONT_KNOW};

/// The instrument's age groups, youngest first (the index is the age class of the model).
pub const AGES: [&str; 7] = [
    "16_24", "25_34", "35_44", "45_54", "55_64", "65_74", "75_plus",
];

/// Which fieldwork the generated respondent belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wave {
    /// IT-habits, version 1 (2025, closed).
    ItHabits2025,
    /// IT-habits, version 2 (2026, open).
    ItHabits2026,
    /// The residents' e-service needs survey.
    EserviceNeeds,
    /// Business needs (open link, no sample).
    BusinessNeeds,
}

impl Wave {
    /// A number that separates the waves' random streams.
    pub fn stream(self) -> u64 {
        match self {
            Wave::ItHabits2025 => 1,
            Wave::ItHabits2026 => 2,
            Wave::EserviceNeeds => 3,
            Wave::BusinessNeeds => 4,
        }
    }
}

fn age_index(p: &Person) -> usize {
    AGES.iter().position(|a| *a == p.age_group).unwrap_or(2)
}

/// The probability that an invited person answers: steeply lower for the old (the survey is
/// mostly online) and lower in three outer districts.
pub fn response_probability(p: &Person) -> f64 {
    const BY_AGE: [f64; 7] = [0.55, 0.60, 0.55, 0.45, 0.32, 0.17, 0.08];
    let district = match p.district.as_str() {
        "rinkeby_kista" => 0.6,
        "spanga_tensta" => 0.65,
        "skarholmen" => 0.7,
        "bromma" | "ostermalm" => 1.1,
        _ => 1.0,
    };
    BY_AGE[age_index(p)] * district
}

/// Web for most; phone interviews and paper forms grow with age.
pub fn mode(p: Option<&Person>, rng: &mut impl Rng) -> Mode {
    const PHONE: [f64; 7] = [0.03, 0.04, 0.05, 0.08, 0.12, 0.22, 0.35];
    const PAPER: [f64; 7] = [0.02, 0.02, 0.04, 0.06, 0.10, 0.18, 0.30];
    let a = p.map_or(2, age_index);
    let u: f64 = rng.gen();
    if u < PHONE[a] {
        Mode::Phone
    } else if u < PHONE[a] + PAPER[a] {
        Mode::Paper
    } else {
        Mode::Web
    }
}

fn yes(rng: &mut impl Rng, p: f64) -> bool {
    rng.gen::<f64>() < p.clamp(0.0, 1.0)
}

fn text(v: &str) -> Value {
    Value::Text(v.to_owned())
}

/// The IT-habits answers the city reports on, for age class `a` in `wave`.
fn it_habits(answers: &mut AnswerMap, a: usize, wave: Wave, rng: &mut impl Rng) {
    let later = wave == Wave::ItHabits2026;
    const HOME: [f64; 7] = [0.97, 0.96, 0.95, 0.92, 0.87, 0.78, 0.62];
    const BROADBAND: [f64; 7] = [0.93, 0.92, 0.91, 0.89, 0.87, 0.84, 0.80];
    let home = if yes(rng, 0.01) {
        DONT_KNOW
    } else if yes(rng, HOME[a] + if later { 0.01 } else { 0.0 }) {
        "yes"
    } else {
        "no"
    };
    answers.insert("internet_home".into(), text(home));
    if home == "yes" {
        let bb = if yes(rng, BROADBAND[a]) { "yes" } else { "no" };
        answers.insert("broadband".into(), text(bb));
    }
    const DAILY: [f64; 7] = [0.92, 0.90, 0.86, 0.80, 0.70, 0.55, 0.35];
    let frequency = if home != "yes" && yes(rng, 0.6) {
        "never"
    } else if yes(rng, DAILY[a]) {
        "daily"
    } else {
        ["weekly", "monthly", "rarely"][rng.gen_range(0..3)]
    };
    answers.insert("frequency".into(), text(frequency));

    const EID_YES: [f64; 7] = [0.58, 0.60, 0.56, 0.48, 0.38, 0.26, 0.14];
    const EID_DK: [f64; 7] = [0.08, 0.07, 0.08, 0.10, 0.12, 0.16, 0.22];
    let u: f64 = rng.gen();
    let yes_p = EID_YES[a] + if later { 0.03 } else { 0.0 };
    let eid = if u < yes_p {
        "yes"
    } else if u < yes_p + EID_DK[a] {
        DONT_KNOW
    } else {
        "no"
    };
    answers.insert("eid".into(), text(eid));

    // How the respondent wants to contact the city (any number of channels).
    const PHONE: [f64; 7] = [0.345, 0.515, 0.645, 0.745, 0.835, 0.905, 0.935];
    const EMAIL: [f64; 7] = [0.38, 0.50, 0.50, 0.46, 0.42, 0.36, 0.28];
    const ESERVICE: [f64; 7] = [0.305, 0.285, 0.235, 0.165, 0.105, 0.06, 0.03];
    const VISIT: [f64; 7] = [0.15, 0.15, 0.17, 0.20, 0.24, 0.29, 0.35];
    let mut ways = Vec::new();
    if yes(rng, ESERVICE[a] + if later { 0.03 } else { 0.0 }) {
        ways.push("eservice");
    }
    if yes(rng, PHONE[a] - if later { 0.02 } else { 0.0 }) {
        ways.push("phone");
    }
    if yes(rng, EMAIL[a] + if later { 0.01 } else { 0.0 }) {
        ways.push("email");
    }
    if yes(rng, VISIT[a]) {
        ways.push("visit");
    }
    if yes(rng, 0.06 + 0.02 * a as f64) {
        ways.push("letter");
    }
    if !ways.is_empty() {
        answers.insert("contact_ways".into(), text(&ways.join(" ")));
        let first = if a >= 4 && ways.contains(&"phone") {
            "phone"
        } else {
            ways[rng.gen_range(0..ways.len())]
        };
        answers.insert("contact_first".into(), text(first));
    }
}

/// The needs survey's errands: (area, yearly probability by age class).
const ERRANDS: [(&str, [f64; 7]); 11] = [
    ("preschool", [0.06, 0.25, 0.22, 0.05, 0.02, 0.01, 0.01]),
    (
        "adult_education",
        [0.15, 0.10, 0.07, 0.05, 0.03, 0.01, 0.01],
    ),
    ("civil_wedding", [0.03, 0.06, 0.03, 0.02, 0.01, 0.01, 0.01]),
    (
        "resident_parking",
        [0.08, 0.15, 0.15, 0.15, 0.14, 0.12, 0.08],
    ),
    (
        "building_permit",
        [0.01, 0.03, 0.05, 0.06, 0.06, 0.04, 0.02],
    ),
    (
        "heat_pump_permit",
        [0.01, 0.01, 0.03, 0.04, 0.04, 0.03, 0.02],
    ),
    ("radon_lookup", [0.01, 0.02, 0.03, 0.03, 0.03, 0.02, 0.01]),
    ("home_care", [0.01, 0.01, 0.02, 0.04, 0.08, 0.18, 0.35]),
    ("income_support", [0.06, 0.05, 0.04, 0.03, 0.03, 0.02, 0.02]),
    ("sfi", [0.05, 0.06, 0.04, 0.02, 0.01, 0.01, 0.01]),
    (
        "disability_services",
        [0.03, 0.03, 0.03, 0.04, 0.05, 0.06, 0.08],
    ),
];

/// The needs survey's background and per-area answers for person `p` (age class `a`): impairment,
/// digital confidence, errands, importance where the errand was had, would-use and channel.
/// Questions the survey does not have are left out.
fn needs(survey: &Survey, answers: &mut AnswerMap, p: &Person, a: usize, rng: &mut impl Rng) {
    let has = |k: &str| survey.question(k).is_some();
    // Impairment: 10% before 65, 25% from 65 (the 15-point gap the equity gaps should find).
    let impaired = yes(rng, if a >= 5 { 0.25 } else { 0.10 });
    if has("impairment") {
        let v = if yes(rng, 0.03) {
            "no_answer"
        } else if impaired {
            "yes"
        } else {
            "no"
        };
        answers.insert("impairment".into(), text(v));
    }
    // Digital confidence 1–5: falls with age and with an impairment.
    const CONFIDENCE: [f64; 7] = [4.4, 4.3, 4.1, 3.8, 3.4, 2.7, 2.1];
    let latent = CONFIDENCE[a] - if impaired { 0.8 } else { 0.0 }
        + (rng.gen::<f64>() + rng.gen::<f64>() - 1.0) * 1.6;
    let confidence = latent.round().clamp(1.0, 5.0);
    if has("confidence_overall") {
        let v = if yes(rng, 0.02) {
            text(DONT_KNOW)
        } else {
            Value::Number(confidence)
        };
        answers.insert("confidence_overall".into(), v);
    }
    // Three districts with more newly arrived residents: more SFI and income support.
    let arrival = matches!(
        p.district.as_str(),
        "rinkeby_kista" | "spanga_tensta" | "skarholmen"
    );
    let mut had = Vec::new();
    for (area, by_age) in ERRANDS {
        let mut prob = by_age[a];
        if impaired && matches!(area, "home_care" | "disability_services") {
            prob *= 2.5;
        }
        if arrival && matches!(area, "sfi" | "income_support") {
            prob *= 2.5;
        }
        if yes(rng, prob) {
            had.push(area);
        }
    }
    if has("errands_12m") {
        let v = if had.is_empty() {
            "none".to_owned()
        } else {
            had.join(" ")
        };
        answers.insert("errands_12m".into(), Value::Text(v));
    }
    // Readiness for an e-service follows confidence: 15% at 1, 75% at 5.
    let ready = (0.15 + 0.15 * (confidence - 1.0)) - if impaired { 0.10 } else { 0.0 };
    for (area, _) in ERRANDS {
        let importance = format!("{area}_importance");
        if has(&importance) && had.contains(&area) {
            let v = (3.0 + 2.0 * rng.gen::<f64>()).round().min(5.0);
            answers.insert(importance, Value::Number(v));
        }
        let would = format!("{area}_would_use");
        if has(&would) {
            let u: f64 = rng.gen();
            let v = if u < ready {
                "yes"
            } else if u < ready + 0.15 {
                "maybe"
            } else if u < ready + 0.19 {
                DONT_KNOW
            } else {
                "no"
            };
            answers.insert(would, text(v));
        }
        let channel = format!("{area}_channel");
        if has(&channel) {
            let v = if yes(rng, 0.8 * ready) {
                "eservice"
            } else if yes(rng, 0.35 + 0.07 * a as f64) {
                "phone"
            } else {
                ["email", "visit", "letter"][rng.gen_range(0..3)]
            };
            answers.insert(channel, text(v));
        }
    }
}

/// A choice from `list`, earlier options likelier; an exclusive option ("don't know") rarely.
fn pick<'a>(list: &'a [Choice], rng: &mut impl Rng) -> Option<&'a str> {
    let normal: Vec<&Choice> = list.iter().filter(|c| !c.exclusive).collect();
    let exclusive: Vec<&Choice> = list.iter().filter(|c| c.exclusive).collect();
    if normal.is_empty() || (!exclusive.is_empty() && yes(rng, 0.04)) {
        return exclusive.choose(rng).map(|c| c.value.as_str());
    }
    let weights: Vec<f64> = (0..normal.len())
        .map(|i| 1.0 / (1.0 + 0.35 * i as f64))
        .collect();
    let total: f64 = weights.iter().sum();
    let mut u = rng.gen::<f64>() * total;
    for (c, w) in normal.iter().zip(&weights) {
        if u < *w {
            return Some(c.value.as_str());
        }
        u -= w;
    }
    normal.last().map(|c| c.value.as_str())
}

/// A scale point leaning to the upper middle, or "don't know" now and then.
fn scale_point(scale: &Scale, rng: &mut impl Rng) -> Value {
    if scale.dont_know.is_some() && yes(rng, 0.03) {
        return text(DONT_KNOW);
    }
    let span = (scale.max - scale.min) as f64;
    let centre = scale.min as f64 + 0.65 * span;
    let x = centre + (rng.gen::<f64>() + rng.gen::<f64>() - 1.0) * span * 0.6;
    Value::Number(x.round().clamp(scale.min as f64, scale.max as f64))
}

const COMMENTS: [&str; 8] = [
    "Det är svårt att hitta rätt på webbplatsen.",
    "Jag vill kunna se hur långt mitt ärende har kommit.",
    "Bra att få en bekräftelse på att ansökan kommit fram.",
    "Jag vill hellre prata med en person i telefon.",
    "Inloggningen med e-legitimation krånglar ibland.",
    "It would help to have the forms in English.",
    "Texten är för liten på mobilen.",
    "Öppettiderna i telefon är för korta.",
];

/// MaxDiff designs by (survey, version, question).
type DesignCache =
    std::collections::HashMap<(String, u32, String), Option<std::rc::Rc<maxdiff::MaxDiffDesign>>>;

thread_local! {
    /// Generating a MaxDiff design is a randomised search that costs far more than answering, and
    /// it is the same for every respondent, so it is made once per question.
    static DESIGNS: std::cell::RefCell<DesignCache> = Default::default();
}

fn cached_design(
    survey: &Survey,
    q: &crate::domain::survey::Question,
) -> Option<std::rc::Rc<maxdiff::MaxDiffDesign>> {
    let key = (survey.key.clone(), survey.version, q.key.clone());
    DESIGNS.with(|d| {
        d.borrow_mut()
            .entry(key)
            .or_insert_with(|| {
                maxdiff::design_for(survey, q)
                    .and_then(Result::ok)
                    .map(std::rc::Rc::new)
            })
            .clone()
    })
}

/// A generic answer for every question that has none yet.
fn fill_generic(survey: &Survey, answers: &mut AnswerMap, rng: &mut impl Rng) {
    for q in survey.questions() {
        if answers.contains_key(&q.key)
            || answers
                .keys()
                .any(|k| k.starts_with(&format!("{}.", q.key)))
        {
            continue;
        }
        let list = |name: &str| survey.choice_list(name).unwrap_or(&[]);
        match &q.kind {
            QuestionKind::SingleChoice { list: l, .. } => {
                if let Some(v) = pick(list(l), rng) {
                    answers.insert(q.key.clone(), text(v));
                }
            }
            QuestionKind::MultipleChoice { list: l, .. } => {
                let options = list(l);
                let chosen: Vec<&str> = options
                    .iter()
                    .filter(|c| !c.exclusive && yes(rng, 0.3))
                    .map(|c| c.value.as_str())
                    .collect();
                let value = if chosen.is_empty() {
                    options
                        .iter()
                        .find(|c| c.exclusive)
                        .or(options.first())
                        .map(|c| c.value.clone())
                } else {
                    Some(chosen.join(" "))
                };
                if let Some(v) = value {
                    answers.insert(q.key.clone(), Value::Text(v));
                }
            }
            QuestionKind::Rating { scale } => {
                answers.insert(q.key.clone(), scale_point(scale, rng));
            }
            QuestionKind::Matrix { rows, list: l } => {
                for r in rows {
                    if let Some(v) = pick(list(l), rng) {
                        answers.insert(format!("{}.{}", q.key, r.key), text(v));
                    }
                }
            }
            QuestionKind::Integer { min, max } => {
                let lo = min.unwrap_or(0);
                let hi = max.unwrap_or(lo + 20).min(lo + 20);
                answers.insert(q.key.clone(), Value::Number(rng.gen_range(lo..=hi) as f64));
            }
            QuestionKind::Decimal { min, max } => {
                let lo = min.unwrap_or(0.0);
                let hi = max.unwrap_or(lo + 20.0).min(lo + 20.0);
                let x: f64 = rng.gen_range(lo..=hi);
                answers.insert(q.key.clone(), Value::Number((x * 10.0).round() / 10.0));
            }
            QuestionKind::ShortText | QuestionKind::LongText => {
                if yes(rng, 0.12) {
                    answers.insert(q.key.clone(), text(COMMENTS.choose(rng).unwrap_or(&"")));
                }
            }
            QuestionKind::Date => {
                let y = rng.gen_range(1995..=2025);
                let m = rng.gen_range(1..=12);
                answers.insert(q.key.clone(), Value::Text(format!("{y}-{m:02}-15")));
            }
            QuestionKind::Ranking { list: l } => {
                let mut options: Vec<&Choice> = list(l).iter().collect();
                options.shuffle(rng);
                for (rank, c) in options.iter().enumerate() {
                    answers.insert(
                        format!("{}.{}", q.key, c.value),
                        Value::Number(rank as f64 + 1.0),
                    );
                }
            }
            QuestionKind::MaxDiff { list: l, .. } => {
                let items = list(l);
                let Some(design) = cached_design(survey, q) else {
                    continue;
                };
                let seed: u64 = rng.gen_range(0..1_000_000);
                answers.insert(
                    format!("{}.version", q.key),
                    Value::Number(design.version_for(seed) as f64),
                );
                // Latent utility: earlier items matter more, plus personal noise.
                let utility: Vec<f64> = (0..items.len())
                    .map(|i| -(i as f64) * 0.4 + rng.gen::<f64>() * 2.5)
                    .collect();
                for (t, task) in design.tasks_for(seed).iter().enumerate() {
                    let by = |f: fn(f64, f64) -> bool| {
                        task.iter()
                            .copied()
                            .reduce(|a, b| if f(utility[b], utility[a]) { b } else { a })
                    };
                    if let (Some(best), Some(worst)) = (by(|x, y| x > y), by(|x, y| x < y)) {
                        answers.insert(
                            format!("{}.t{}.best", q.key, t + 1),
                            text(&items[best].value),
                        );
                        answers.insert(
                            format!("{}.t{}.worst", q.key, t + 1),
                            text(&items[worst].value),
                        );
                    }
                }
            }
            QuestionKind::Kano { list: l, .. } => {
                let options = list(l);
                if let (Some(f), Some(d)) = (pick(options, rng), pick(options, rng)) {
                    answers.insert(format!("{}.functional", q.key), text(f));
                    // Reversed preference for the dysfunctional side: "I dislike it" is likelier.
                    let d = options
                        .iter()
                        .rev()
                        .find(|c| !c.exclusive && yes(rng, 0.45))
                        .map_or(d, |c| c.value.as_str());
                    answers.insert(format!("{}.dysfunctional", q.key), text(d));
                }
            }
            QuestionKind::ImportanceSatisfaction { scale, .. } => {
                answers.insert(format!("{}.importance", q.key), scale_point(scale, rng));
                answers.insert(format!("{}.satisfaction", q.key), scale_point(scale, rng));
            }
            QuestionKind::Consent => {
                answers.insert(q.key.clone(), Value::Number(1.0));
            }
            QuestionKind::Note | QuestionKind::Hidden { .. } | QuestionKind::Calculate { .. } => {}
        }
    }
}

/// One respondent's answers to `survey`: the background questions from the frame, the reported
/// IT-habits questions from the model, everything else generic. Skip logic and calculations are
/// applied as the answering pages do, and an answer the checks refuse is dropped, so the stored
/// response is one a respondent could have given.
pub fn answers(
    survey: &Survey,
    person: Option<&Person>,
    wave: Wave,
    today: &str,
    rng: &mut impl Rng,
) -> AnswerMap {
    let mut answers = AnswerMap::new();
    answers.insert("consent".into(), Value::Number(1.0));
    if let Some(p) = person {
        for (key, value) in [
            ("age_group", &p.age_group),
            ("gender", &p.gender),
            ("district", &p.district),
        ] {
            let offered = survey.question(key).is_some_and(|q| match &q.kind {
                QuestionKind::SingleChoice { list, .. } => survey
                    .choice_list(list)
                    .is_some_and(|l| l.iter().any(|c| &c.value == value)),
                _ => false,
            });
            if offered {
                answers.insert(key.into(), text(value));
            }
        }
        if matches!(wave, Wave::ItHabits2025 | Wave::ItHabits2026) {
            it_habits(&mut answers, age_index(p), wave, rng);
        }
        if wave == Wave::EserviceNeeds {
            needs(survey, &mut answers, p, age_index(p), rng);
        }
    }
    fill_generic(survey, &mut answers, rng);
    flow::apply(survey, &mut answers, today);
    for error in flow::validate(survey, &answers, today) {
        // The question's whole answer goes (an error may name a sub-answer such as `q.other`).
        let key = error
            .answer_key()
            .split('.')
            .next()
            .unwrap_or_default()
            .to_owned();
        let prefix = format!("{key}.");
        answers.retain(|k, _| *k != key && !k.starts_with(&prefix));
    }
    flow::apply(survey, &mut answers, today);
    answers
}
