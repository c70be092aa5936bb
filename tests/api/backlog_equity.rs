//! Gaps for groups that must not be left behind and the equity criterion (issue 14 items 3–4):
//! an area where people aged 65 and older would use the e-service far less than the rest is
//! flagged in words on the management view, the evidence page and the snapshot export; the
//! equity weight moves it down; a group the survey cannot identify is named as such; and a
//! snapshot published with five criteria weights (before equity) still opens.

use insikt::domain::options::SurveyOptions;
use insikt::domain::response::{Cell, Mode};
use insikt::storage::responses::{self, NewResponse, SubmitOutcome};
use insikt::use_cases::backlog::gaps::{GapMeasure, GroupKind};
use insikt::use_cases::backlog::ranking::{self, RankedBacklog, RankingSettings, CRITERIA};
use insikt::use_cases::backlog::snapshots;
use insikt::use_cases::results::cache::ResultsCache;
use insikt::use_cases::Actor;

use crate::helpers::{store_web_response, TestApp, GOOD_PASSWORD};

const NEEDS: &str = include_str!("../../surveys/eservice-needs.toml");
const RESPONDENTS: usize = 80;

fn cell(key: &str, text: Option<&str>, number: Option<f64>) -> Cell {
    Cell {
        key: key.into(),
        text: text.map(str::to_owned),
        number,
    }
}

/// Respondent i is 65 or older when i % 4 ≥ 2. Of the young, 80% would use a preschool
/// e-service; of the old, 20%. Everything else is balanced across the two age groups (the
/// residues mod 4 and mod 5 or mod 2 meet equally often), so only that gap is real.
fn old(i: usize) -> bool {
    i % 4 >= 2
}

fn answers(i: usize) -> Vec<Cell> {
    let flag = |b: bool| Some(if b { 1.0 } else { 0.0 });
    let would = if old(i) == (i % 5 == 0) { "yes" } else { "no" };
    vec![
        cell(
            "age_group",
            Some(
                ["25_34", "65_74", "75_plus"]
                    [usize::from(old(i)) + usize::from(old(i) && i % 2 == 1)],
            ),
            None,
        ),
        cell("district", Some(["bromma", "farsta"][i % 2]), None),
        cell(
            "impairment",
            Some(["yes", "no", "no", "no", "no"][i % 5]),
            None,
        ),
        cell("confidence_overall", None, Some(1.0 + (i % 5) as f64)),
        cell("errands_12m.preschool", None, flag(i % 2 == 0)),
        cell("errands_12m.civil_wedding", None, flag(i % 3 == 0)),
        cell("preschool_importance", None, Some(1.0 + (i % 5) as f64)),
        cell("preschool_would_use", Some(would), None),
        cell("civil_wedding_importance", None, Some(1.0 + (i % 3) as f64)),
        cell("civil_wedding_would_use", Some(["yes", "no"][i % 2]), None),
    ]
}

/// `survey` published, the demo areas with their links, the answers; logged in as `role`.
async fn app_with(survey: &str, role: &str) -> TestApp {
    let app = TestApp::spawn().await;
    app.publish_survey(survey, &SurveyOptions::default());
    {
        let mut conn = app.db.get().unwrap();
        insikt::use_cases::demo::backlog::seed(&mut conn, Actor::SYSTEM).unwrap();
        let s = insikt::storage::surveys::find_version(&mut conn, "eservice-needs", 1)
            .unwrap()
            .unwrap();
        for i in 0..RESPONDENTS {
            store_web_response(&mut conn, &s, i as i64, answers(i));
        }
    }
    app.create_user("person", role);
    app.login("person", GOOD_PASSWORD).await;
    app
}

fn rank(app: &TestApp, settings: &RankingSettings) -> RankedBacklog {
    let mut conn = app.db.get().unwrap();
    ranking::rank(&mut conn, &ResultsCache::new(), settings).unwrap()
}

fn equity_index() -> usize {
    CRITERIA.iter().position(|(n, _)| *n == "equity").unwrap()
}

#[actix_web::test]
async fn an_area_where_the_old_would_use_the_e_service_far_less_is_flagged_in_words() {
    let app = app_with(NEEDS, "manager").await;
    let ranked = rank(&app, &RankingSettings::default());
    let identified: Vec<GroupKind> = ranked.groups.identified.iter().map(|(k, _)| *k).collect();
    assert_eq!(identified, GroupKind::ALL.to_vec(), "{:?}", ranked.groups);
    assert!(ranked.groups.missing.is_empty());

    let preschool = ranked.areas.iter().find(|a| a.key == "preschool").unwrap();
    let gaps = preschool.gaps.as_ref().expect("gaps computed");
    let age = gaps
        .gaps
        .iter()
        .find(|g| g.group == "age_65_plus" && g.measure == GapMeasure::WouldUse)
        .expect("the age gap on would-use is tested");
    // 20% of the old against 80% of the young (the substantive answers; none is "don't know").
    assert!((age.group_figure.estimate - 0.2).abs() < 1e-12, "{age:?}");
    assert!((age.rest_figure.estimate - 0.8).abs() < 1e-12, "{age:?}");
    assert_eq!(age.group_figure.n + age.rest_figure.n, RESPONDENTS);
    assert!(age.difference.high < 0.0 && age.p_holm >= age.p);
    assert!(age.flagged && age.left_behind());
    // Balanced by construction: nothing else about preschool differs for the old.
    assert!(gaps
        .gaps
        .iter()
        .filter(|g| g.group == "age_65_plus" && g.measure != GapMeasure::WouldUse)
        .all(|g| !g.flagged && g.difference.estimate.abs() < 1e-12));
    // Equity = −(share of the old who had the errand × the 60-point shortfall) = −0.5 × 0.6.
    let equity = preschool.values[equity_index()];
    assert!((equity + 0.3).abs() < 1e-9, "equity {equity}");
    let wedding = ranked
        .areas
        .iter()
        .find(|a| a.key == "civil_wedding")
        .unwrap();
    assert!(wedding.gaps.as_ref().unwrap().flagged().next().is_none());
    assert_eq!(wedding.values[equity_index()], 0.0);

    let (status, page) = app.get_html("/backlog").await;
    assert_eq!(status, 200, "{page}");
    assert!(
        page.contains("Jämlikhetsflagga")
            && page.contains("65 år och äldre: mindre redo för e-tjänst"),
        "the flag in words on the management view"
    );
    assert!(
        page.contains("Holms justering"),
        "the assumptions name the adjustment"
    );
    let (status, page) = app.get_html("/backlog/areas/preschool/evidence").await;
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("Grupper som inte får lämnas efter") && page.contains("Holms metod"));
    assert!(
        page.contains("identifieras av frågan") && page.contains("<code>confidence_overall</code>")
    );
    assert!(page.contains("Jämlikhetsvärde"));
}

#[actix_web::test]
async fn the_equity_weight_moves_an_area_that_leaves_a_group_behind_down_the_ranking() {
    let app = app_with(NEEDS, "analyst").await;
    let mut without = RankingSettings::default();
    without.weights[equity_index()] = 0.0;
    let mut with = RankingSettings::default();
    with.weights[equity_index()] = 5.0;
    let rank_of = |r: &RankedBacklog| r.areas.iter().find(|a| a.key == "preschool").unwrap().rank;
    let (a, b) = (rank(&app, &without), rank(&app, &with));
    assert!(
        rank_of(&b) > rank_of(&a),
        "preschool at {} without equity, {} with",
        rank_of(&a),
        rank_of(&b)
    );
    // Every area with survey evidence and no flagged shortfall now outranks it.
    let preschool = rank_of(&b);
    for area in b
        .areas
        .iter()
        .filter(|x| !x.no_evidence && x.key != "preschool")
    {
        assert_eq!(area.values[equity_index()], 0.0, "{}", area.key);
        assert!(area.rank < preschool, "{} at {}", area.key, area.rank);
    }
}

#[actix_web::test]
async fn a_group_the_survey_cannot_identify_is_named_and_nothing_is_assumed() {
    // The same survey without its impairment question.
    let survey = NEEDS.replace("key = \"impairment\"", "key = \"accessibility_needs\"");
    let app = app_with(&survey, "researcher").await;
    let ranked = rank(&app, &RankingSettings::default());
    assert_eq!(ranked.groups.missing, vec![GroupKind::Impairment]);
    assert!(ranked
        .areas
        .iter()
        .filter_map(|a| a.gaps.as_ref())
        .all(|g| g.gaps.iter().all(|x| x.kind != GroupKind::Impairment)));
    let (status, page) = app.get_html("/backlog/areas/preschool/evidence").await;
    assert_eq!(status, 200);
    assert!(
        page.contains("Med funktionsnedsättning: kan inte identifieras"),
        "the page says the group is missing"
    );
    let (_, list) = app.get_html("/backlog").await;
    assert!(list.contains("kan inte identifieras i enkäten: Med funktionsnedsättning"));
}

#[actix_web::test]
async fn a_snapshot_published_with_five_weights_before_equity_still_opens() {
    let app = app_with(NEEDS, "researcher").await;
    // Today's ranking, written back the way it was stored before equity: five criteria, five
    // weights, and none of the fields added since.
    let mut old = serde_json::to_value(rank(&app, &RankingSettings::default())).unwrap();
    let five = |v: &mut serde_json::Value| v.as_array_mut().unwrap().truncate(5);
    five(&mut old["settings"]["weights"]);
    five(&mut old["criteria"]);
    five(&mut old["weights"]);
    old.as_object_mut().unwrap().remove("groups");
    for a in old["areas"].as_array_mut().unwrap() {
        five(&mut a["values"]);
        five(&mut a["contributions"]);
        let a = a.as_object_mut().unwrap();
        a.remove("gaps");
        let e = a["evidence"].as_object_mut().unwrap();
        e.remove("maxdiff");
        e.remove("kano");
    }
    let content = old.to_string();
    assert!(
        !content.contains("equity"),
        "the fixture has no trace of equity"
    );
    let id = {
        let mut conn = app.db.get().unwrap();
        insikt::storage::backlog_snapshots::insert(&mut conn, "earlier", 14, None, &content)
            .unwrap()
    };
    let snap = {
        let mut conn = app.db.get().unwrap();
        snapshots::get(&mut conn, &id).unwrap().unwrap()
    };
    assert_eq!(
        snap.ranked.settings.weights[..5],
        RankingSettings::default().weights[..5]
    );
    assert_eq!(snap.ranked.settings.weights[5], 0.0, "equity weighs 0");
    assert!(snap.ranked.areas.iter().all(|a| a.gaps.is_none()));

    let (status, page) = app.get_html(&format!("/backlog/snapshots/{id}")).await;
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("Ansöka om förskoleplats"));
    // Compared with a snapshot published now, and exported.
    let res = app
        .post_form("/backlog", "/backlog/publish", &[("w_equity", "2")])
        .await;
    assert_eq!(res.status().as_u16(), 303);
    let new = res.headers()["location"].to_str().unwrap().to_owned();
    let new = new.trim_start_matches("/backlog/snapshots/");
    let published = {
        let mut conn = app.db.get().unwrap();
        snapshots::get(&mut conn, new).unwrap().unwrap()
    };
    assert_eq!(
        published.ranked.settings.weights[equity_index()],
        2.0,
        "the form's equity weight"
    );
    let (status, cmp) = app
        .get_html(&format!("/backlog/snapshots/compare?a={id}&b={new}"))
        .await;
    assert_eq!(status, 200, "{cmp}");
    assert!(
        cmp.contains("Jämlikhet"),
        "the new criterion's weight is listed as a change"
    );
    let res = app
        .get(&format!("/backlog/snapshots/{id}/export/csv"))
        .await;
    assert_eq!(res.status().as_u16(), 200);
    let res = app
        .get(&format!("/backlog/snapshots/{new}/export/csv"))
        .await;
    let csv = res.text().await.unwrap();
    assert!(
        csv.contains("equity,equity_flags_sv,equity_flags_en"),
        "{csv}"
    );
    assert!(
        csv.contains("65 år och äldre: mindre redo för e-tjänst"),
        "{csv}"
    );
}

/// MaxDiff and Kano answers for respondent i on top of [`answers`]: in task t the item at
/// position t mod k is best and the next one worst; five in eight find status tracking
/// one-dimensional (like it / dislike its absence), the rest a must-be (expect it / dislike).
fn priority_answers(i: usize, tasks: &[Vec<usize>], version: usize, items: &[String]) -> Vec<Cell> {
    let mut out = answers(i);
    out.push(cell("area_maxdiff.version", None, Some(version as f64)));
    for (t, task) in tasks.iter().enumerate() {
        let (best, worst) = (task[t % task.len()], task[(t + 1) % task.len()]);
        out.push(cell(
            &format!("area_maxdiff.t{}.best", t + 1),
            Some(&items[best]),
            None,
        ));
        out.push(cell(
            &format!("area_maxdiff.t{}.worst", t + 1),
            Some(&items[worst]),
            None,
        ));
    }
    let functional = if i % 8 < 5 { "like" } else { "expect" };
    out.push(cell(
        "kano_status_tracking.functional",
        Some(functional),
        None,
    ));
    out.push(cell(
        "kano_status_tracking.dysfunctional",
        Some("dislike"),
        None,
    ));
    out
}

#[actix_web::test]
async fn the_evidence_shows_the_areas_maxdiff_score_and_kano_category_from_its_linked_questions() {
    let app = TestApp::spawn().await;
    app.publish_survey(NEEDS, &SurveyOptions::default());
    let (mut shown, mut best, mut worst) = (0u64, 0i64, 0i64);
    {
        let mut conn = app.db.get().unwrap();
        insikt::use_cases::demo::backlog::seed(&mut conn, Actor::SYSTEM).unwrap();
        let s = insikt::storage::surveys::find_version(&mut conn, "eservice-needs", 1)
            .unwrap()
            .unwrap();
        let q = s.survey.question("area_maxdiff").unwrap();
        let design = insikt::domain::survey::maxdiff::design_for(&s.survey, q)
            .unwrap()
            .unwrap();
        let items: Vec<String> = s
            .survey
            .choice_list("areas_md")
            .unwrap()
            .iter()
            .map(|c| c.value.clone())
            .collect();
        let preschool = items.iter().position(|v| v == "preschool").unwrap();
        for i in 0..RESPONDENTS {
            let version = i % design.versions.len();
            let tasks = &design.versions[version];
            for (t, task) in tasks.iter().enumerate() {
                if task.contains(&preschool) {
                    shown += 1;
                    best += i64::from(task[t % task.len()] == preschool);
                    worst += i64::from(task[(t + 1) % task.len()] == preschool);
                }
            }
            let out = responses::insert_response(
                &mut conn,
                &NewResponse {
                    survey_id: s.survey_id.clone(),
                    version_id: s.id.clone(),
                    idempotency_key: uuid::Uuid::new_v4().to_string(),
                    mode: Mode::Web,
                    language: "sv".into(),
                    seed: i as i64,
                    started_at: insikt::storage::now(),
                    cells: priority_answers(i, tasks, version, &items),
                    max_responses: None,
                    draft_id: None,
                    invitation: None,
                    quotas: Vec::new(),
                },
            )
            .unwrap();
            assert!(matches!(out, SubmitOutcome::Stored { .. }), "{out:?}");
        }
    }
    app.create_user("person", "manager");
    app.login("person", GOOD_PASSWORD).await;
    let ranked = rank(&app, &RankingSettings::default());
    let preschool = ranked.areas.iter().find(|a| a.key == "preschool").unwrap();
    let m = preschool
        .evidence
        .maxdiff
        .as_ref()
        .expect("MaxDiff linked and answered");
    assert_eq!(m.shown, shown);
    assert!(
        (m.score - (best - worst) as f64 / shown as f64).abs() < 1e-12,
        "{m:?}"
    );
    assert!(m.low < m.score && m.score < m.high, "{m:?}");
    assert_eq!(m.respondents, RESPONDENTS);
    let kano = preschool
        .evidence
        .kano
        .iter()
        .find(|k| k.question == "kano_status_tracking")
        .expect("the linked feature is classified");
    assert_eq!(kano.category, ranking::KanoCategory::O);
    assert_eq!(kano.n, RESPONDENTS);
    assert!((kano.better - 50.0 / 80.0).abs() < 1e-12 && (kano.worse + 1.0).abs() < 1e-12);
    // Features nobody answered are left out rather than shown empty.
    assert_eq!(preschool.evidence.kano.len(), 1);

    let (status, page) = app.get_html("/backlog/areas/preschool/evidence").await;
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("MaxDiff-poäng") && page.contains("endimensionell"));
    let (_, list) = app.get_html("/backlog").await;
    assert!(list.contains("MaxDiff: ") && list.contains("Kano: "));
}
