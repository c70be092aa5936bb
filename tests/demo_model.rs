//! The demo's answer model against the documented figures, computed directly with the analysis
//! crate: simulated invitations in proportion to the synthetic population, the same response model
//! and answers the seeding uses, then post-stratification and raking to `surveys/demo/population.csv`.

use std::path::Path;

use analysis::{Design, Margin, RakeOptions};
use insikt::domain::expr::Value;
use insikt::domain::survey::flow::AnswerMap;
use insikt::domain::survey::Survey;
use insikt::use_cases::demo::answers::{self, Wave};
use insikt::use_cases::demo::{population, SEED};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

fn it_habits() -> Survey {
    insikt::formats::survey_file::load_file(Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/surveys/it-habits.toml"
    )))
    .expect("it-habits loads")
}

/// One invited person per 80 adults of each cell; who answers and what, from `seed`.
fn simulate(survey: &Survey, wave: Wave, seed: u64) -> Vec<(usize, AnswerMap)> {
    let cells = population::cells();
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut out = Vec::new();
    for (i, c) in cells.iter().enumerate() {
        for n in 0..c.count.div_ceil(80) {
            let p = population::person(&cells, &format!("P{i}-{n}")).expect("person");
            if rng.gen::<f64>() < answers::response_probability(&p) {
                let a = answers::answers(survey, Some(&p), wave, "2025-03-10", &mut rng);
                out.push((i, a));
            }
        }
    }
    out
}

fn selected(a: &AnswerMap, key: &str, option: &str) -> Option<bool> {
    a.get(key)
        .map(|v| v.to_text().split_whitespace().any(|o| o == option))
}

fn is(a: &AnswerMap, key: &str, value: &str) -> Option<bool> {
    a.get(key).map(|v| *v == Value::Text(value.into()))
}

/// Share with the attribute among those who answered, under `design` (None: unweighted).
fn share(
    rows: &[(usize, AnswerMap)],
    design: &Design,
    f: impl Fn(&AnswerMap) -> Option<bool>,
) -> f64 {
    let answered: Vec<bool> = rows.iter().map(|(_, a)| f(a).is_some()).collect();
    let yes: Vec<bool> = rows.iter().map(|(_, a)| f(a) == Some(true)).collect();
    design
        .proportion(&yes, Some(&answered))
        .expect("share")
        .estimate
}

#[test]
fn the_generator_is_deterministic() {
    let s = it_habits();
    let sorted = |rows: Vec<(usize, AnswerMap)>| {
        rows.into_iter()
            .map(|(i, a)| {
                let mut v: Vec<(String, String)> =
                    a.into_iter().map(|(k, v)| (k, v.to_text())).collect();
                v.sort();
                (i, v)
            })
            .collect::<Vec<_>>()
    };
    let a = sorted(simulate(&s, Wave::ItHabits2025, SEED));
    assert_eq!(a, sorted(simulate(&s, Wave::ItHabits2025, SEED)));
    assert_ne!(a, sorted(simulate(&s, Wave::ItHabits2025, SEED + 1)));
}

#[test]
fn weighted_margins_match_the_city_figures_while_the_unweighted_phone_share_is_off() {
    let s = it_habits();
    let cells = population::cells();
    let index = |v: &[&str], x: &str| v.iter().position(|y| *y == x).expect("known") as u32;
    let ages: Vec<&str> = answers::AGES.to_vec();
    let mut districts: Vec<&str> = cells.iter().map(|c| c.district.as_str()).collect();
    districts.dedup();
    let genders = ["woman", "man"];
    let margin = |names: &[&str],
                  of: &dyn Fn(&population::PopulationCell) -> &str,
                  rows: &[(usize, AnswerMap)]| {
        let mut targets = vec![0.0; names.len()];
        for c in &cells {
            targets[index(names, of(c)) as usize] += c.count as f64;
        }
        Margin {
            codes: rows
                .iter()
                .map(|(i, _)| index(names, of(&cells[*i])))
                .collect(),
            targets,
        }
    };
    // 2025 is the documented figures; 2026 the plausible change (more e-service and e-ID).
    for (wave, phone_target, eservice_target, eid_target) in [
        (Wave::ItHabits2025, 0.70, 0.24, 0.47),
        (Wave::ItHabits2026, 0.69, 0.28, 0.50),
    ] {
        let rows = simulate(&s, wave, SEED);
        let flat = Design::builder(vec![1.0; rows.len()])
            .build()
            .expect("design");
        // R: postStratify(des, ~age_group + gender, pop) and rake(des, list(~district, ~age_group, ~gender), ...)
        let ps_codes: Vec<u32> = rows
            .iter()
            .map(|(i, _)| {
                index(&ages, &cells[*i].age_group) * 2 + index(&genders, &cells[*i].gender)
            })
            .collect();
        let mut ps_targets = vec![0.0; 14];
        for c in &cells {
            ps_targets[(index(&ages, &c.age_group) * 2 + index(&genders, &c.gender)) as usize] +=
                c.count as f64;
        }
        let post = flat
            .post_stratify(&ps_codes, &ps_targets)
            .expect("post-stratify");
        let (raked, _) = flat
            .rake(
                &[
                    margin(&districts, &|c| c.district.as_str(), &rows),
                    margin(&ages, &|c| c.age_group.as_str(), &rows),
                    margin(&genders, &|c| c.gender.as_str(), &rows),
                ],
                RakeOptions::default(),
            )
            .expect("rake");
        for design in [&post, &raked] {
            let near = |f: &dyn Fn(&AnswerMap) -> Option<bool>, target: f64, what: &str| {
                let got = share(&rows, design, f);
                assert!(
                    (got - target).abs() <= 0.03,
                    "{wave:?} {what}: {got:.3} vs {target}"
                );
            };
            near(
                &|a| selected(a, "contact_ways", "phone"),
                phone_target,
                "phone",
            );
            near(&|a| selected(a, "contact_ways", "email"), 0.45, "e-mail");
            near(
                &|a| selected(a, "contact_ways", "eservice"),
                eservice_target,
                "e-service",
            );
            near(&|a| selected(a, "contact_ways", "visit"), 0.24, "visit");
            near(&|a| is(a, "eid", "yes"), eid_target, "e-ID yes");
            near(&|a| is(a, "eid", "dont_know"), 0.11, "e-ID don't know");
            near(&|a| is(a, "broadband", "yes"), 0.90, "broadband");
        }
        let phone = |a: &AnswerMap| selected(a, "contact_ways", "phone");
        let unweighted = share(&rows, &flat, phone);
        let weighted = share(&rows, &post, phone);
        assert!(
            weighted - unweighted >= 0.05,
            "{wave:?}: unweighted phone {unweighted:.3} should be visibly below {weighted:.3}"
        );
    }
}

#[test]
fn in_the_needs_survey_the_old_have_more_impairment_and_home_care_and_less_e_service_readiness() {
    let s = insikt::formats::survey_file::load_file(Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/surveys/eservice-needs.toml"
    )))
    .expect("eservice-needs loads");
    let cells = population::cells();
    let rows = simulate(&s, Wave::EserviceNeeds, SEED);
    let old = |i: usize| matches!(cells[i].age_group.as_str(), "65_74" | "75_plus");
    // Unweighted shares within each age side (the model is per person, so weighting is not the
    // point here).
    let by_age = |f: &dyn Fn(&AnswerMap) -> Option<bool>| {
        let mut n = [[0usize; 2]; 2];
        for (i, a) in &rows {
            if let Some(x) = f(a) {
                n[usize::from(old(*i))][usize::from(x)] += 1;
            }
        }
        let p = |side: [usize; 2]| side[1] as f64 / (side[0] + side[1]) as f64;
        (p(n[0]), p(n[1]))
    };
    let impaired = |a: &AnswerMap| match a.get("impairment").map(Value::to_text).as_deref() {
        Some("yes") => Some(true),
        Some("no") => Some(false),
        _ => None,
    };
    let (young, older) = by_age(&impaired);
    assert!(
        (older - young - 0.15).abs() <= 0.04,
        "impairment {young:.3} before 65, {older:.3} from 65"
    );
    let (young, older) = by_age(&|a| {
        a.get("preschool_would_use")
            .map(|v| v.to_text())
            .filter(|v| v != "dont_know")
            .map(|v| v == "yes")
    });
    assert!(older + 0.15 <= young, "would use: {young:.3} vs {older:.3}");
    let (young, older) = by_age(&|a| selected(a, "errands_12m", "home_care"));
    assert!(older >= young + 0.10, "home care: {young:.3} vs {older:.3}");
    let low = |a: &AnswerMap| match a.get("confidence_overall") {
        Some(Value::Number(x)) => Some(*x <= 2.0),
        _ => None,
    };
    let (young, older) = by_age(&low);
    assert!(
        older >= young + 0.15,
        "low confidence: {young:.3} vs {older:.3}"
    );
}
