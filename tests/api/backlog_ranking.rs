//! The ranked backlog (issue 14 items 3–6): a manager sees the demo areas ranked from survey answers,
//! with the benefit the analysis crate computes on the same inputs; areas without answers are
//! flagged, not dropped; interviewers get 403 and visitors the login page.

use insikt::domain::options::SurveyOptions;
use insikt::domain::response::Cell;
use insikt::use_cases::backlog::ranking::{self, RankingSettings};
use insikt::use_cases::results::cache::ResultsCache;
use insikt::use_cases::Actor;
use insikt::web::views::backlog_rank::sek;

use crate::helpers::{store_web_response, TestApp, GOOD_PASSWORD};

const NEEDS: &str = include_str!("../../surveys/eservice-needs.toml");
const RESPONDENTS: usize = 40;
const WOULD_USE: [&str; 4] = ["yes", "maybe", "no", "yes"];

fn cell(key: &str, text: Option<&str>, number: Option<f64>) -> Cell {
    Cell {
        key: key.into(),
        text: text.map(str::to_owned),
        number,
    }
}

/// Respondent i: half had the preschool errand, a third the civil wedding; answers cycle.
fn answers(i: usize) -> Vec<Cell> {
    let flag = |b: bool| Some(if b { 1.0 } else { 0.0 });
    vec![
        cell("errands_12m.preschool", None, flag(i % 2 == 0)),
        cell("errands_12m.civil_wedding", None, flag(i % 3 == 0)),
        cell("preschool_importance", None, Some(1.0 + (i % 5) as f64)),
        cell(
            "preschool_satisfaction",
            None,
            Some(1.0 + (i * 3 % 5) as f64),
        ),
        cell("preschool_would_use", Some(WOULD_USE[i % 4]), None),
        cell(
            "preschool_channel",
            Some(["eservice", "phone"][i % 2]),
            None,
        ),
        cell("civil_wedding_importance", None, Some(1.0 + (i % 3) as f64)),
        cell(
            "civil_wedding_satisfaction",
            None,
            Some(5.0 - (i % 2) as f64),
        ),
        cell("civil_wedding_would_use", Some(["yes", "no"][i % 2]), None),
    ]
}

/// The needs survey published, the demo areas with their links, and the answers; logged in as `role`.
async fn app_as(role: &str) -> TestApp {
    let app = TestApp::spawn().await;
    app.publish_survey(NEEDS, &SurveyOptions::default());
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
    if role != "anonymous" {
        app.create_user("person", role);
        app.login("person", GOOD_PASSWORD).await;
    }
    app
}

#[actix_web::test]
async fn a_manager_sees_the_ranked_backlog_with_the_benefit_the_calculation_gives() {
    let app = app_as("manager").await;
    let (status, page) = app.get_html("/backlog").await;
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("Ansöka om förskoleplats") && page.contains("Boka borgerlig vigsel"));
    assert!(
        page.contains(r#"aria-labelledby="ranks-t ranks-d""#),
        "rank interval chart"
    );

    let ranked = {
        let mut conn = app.db.get().unwrap();
        ranking::rank(&mut conn, &ResultsCache::new(), &RankingSettings::default()).unwrap()
    };
    let preschool = ranked.areas.iter().find(|a| a.key == "preschool").unwrap();
    // Unweighted answers: the would-use share is the share answering "yes".
    let yes = (0..RESPONDENTS)
        .filter(|i| WOULD_USE[i % 4] == "yes")
        .count();
    let share = yes as f64 / RESPONDENTS as f64;
    let input = preschool.benefit_input.expect("would-use is measured");
    assert!((input.shift.phone.point - share).abs() < 1e-12);
    assert!(input.shift.phone.low < share && share < input.shift.phone.high);
    let direct = analysis::backlog::benefit(&input).unwrap();
    let shown = preschool.benefit.as_ref().unwrap();
    assert_eq!(&direct, shown);
    assert!(
        page.contains(&sek(direct.yearly_saving.point)),
        "the page shows the yearly saving {}",
        sek(direct.yearly_saving.point)
    );
    assert_eq!(preschool.evidence.reach.unwrap().n, RESPONDENTS);
    assert!((preschool.evidence.reach.unwrap().estimate - 0.5).abs() < 1e-12);
}

#[actix_web::test]
async fn areas_without_answers_are_flagged_and_still_ranked() {
    let app = app_as("analyst").await;
    let ranked = {
        let mut conn = app.db.get().unwrap();
        ranking::rank(&mut conn, &ResultsCache::new(), &RankingSettings::default()).unwrap()
    };
    let radon = ranked
        .areas
        .iter()
        .find(|a| a.key == "radon_lookup")
        .unwrap();
    // Linked, but nobody in the answers had that errand: a measured reach of 0, not "no evidence".
    assert!(!radon.no_evidence && radon.evidence.reach.unwrap().estimate == 0.0);
    let unlinked = ranked.areas.iter().find(|a| a.key == "jobbtorg").unwrap();
    assert!(unlinked.no_evidence && unlinked.benefit.is_none());
    let preschool = ranked.areas.iter().find(|a| a.key == "preschool").unwrap();
    assert!(!preschool.no_evidence);
    let mut ranks: Vec<usize> = ranked.areas.iter().map(|a| a.rank).collect();
    ranks.sort_unstable();
    assert_eq!(ranks, (1..=ranked.areas.len()).collect::<Vec<_>>());
    for a in &ranked.areas {
        assert!(a.rank_low <= a.rank && a.rank <= a.rank_high, "{}", a.key);
    }
    let (status, page) = app.get_html("/backlog").await;
    assert_eq!(status, 200);
    assert!(page.contains("Inget enkätunderlag"));
}

#[actix_web::test]
async fn the_evidence_page_explains_the_benefit_step_by_step() {
    let app = app_as("researcher").await;
    let (status, page) = app.get_html("/backlog/areas/preschool/evidence").await;
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("Så räknades nyttan") && page.contains("Nuvärde över horisonten"));
    assert!(page.contains("/results/eservice-needs/1"));
    assert_eq!(app.get_html("/backlog/areas/nothing/evidence").await.0, 404);
    let (status, report) = app.get_html("/backlog/report").await;
    assert_eq!(status, 200);
    assert!(report.contains("backlog-report"));
}

#[actix_web::test]
async fn an_interviewer_gets_403_and_a_visitor_the_login_page() {
    let app = app_as("interviewer").await;
    assert_eq!(app.get_html("/backlog").await.0, 403);
    assert_eq!(app.get_html("/backlog/report").await.0, 403);
    let app = app_as("anonymous").await;
    let res = app.get("/backlog").await;
    assert_eq!(res.status().as_u16(), 303);
    assert!(res.headers()["location"]
        .to_str()
        .unwrap()
        .starts_with("/login?next="));
}

fn location(res: &reqwest::Response) -> String {
    res.headers()["location"].to_str().unwrap().to_owned()
}

#[actix_web::test]
async fn a_published_snapshot_is_shown_compared_with_a_later_one_and_exported() {
    let app = app_as("researcher").await;
    let res = app.post_form("/backlog", "/backlog/publish", &[]).await;
    assert_eq!(res.status().as_u16(), 303);
    let first = location(&res);
    assert!(first.starts_with("/backlog/snapshots/"), "{first}");
    // A later publication with reach weighted far more.
    let res = app
        .post_form("/backlog", "/backlog/publish", &[("w_reach", "5")])
        .await;
    let second = location(&res);
    assert_ne!(first, second);
    assert_eq!(app.audit_actions("backlog.snapshot_published"), 2);

    let (status, page) = app.get_html(&first).await;
    assert_eq!(status, 200);
    assert!(page.contains("Ansöka om förskoleplats") && page.contains("person"));

    let (a, b) = (
        first.trim_start_matches("/backlog/snapshots/"),
        second.trim_start_matches("/backlog/snapshots/"),
    );
    let (status, cmp) = app
        .get_html(&format!("/backlog/snapshots/compare?a={a}&b={b}"))
        .await;
    assert_eq!(status, 200, "{cmp}");
    assert!(
        cmp.contains("Vikt för Räckvidd"),
        "the weight change is named: {cmp}"
    );

    let res = app.get(&format!("{first}/export/csv")).await;
    assert_eq!(res.status().as_u16(), 200);
    let csv = res.text().await.unwrap();
    assert!(csv.contains("rank,key,name_sv") && csv.contains("preschool"));
    let res = app.get(&format!("{first}/export/xlsx")).await;
    assert_eq!(res.status().as_u16(), 200);
    assert!(res.bytes().await.unwrap().starts_with(b"PK"));
    assert_eq!(app.audit_actions("backlog.snapshot_exported"), 2);
}

#[actix_web::test]
async fn identical_inputs_and_seed_give_identical_snapshot_content() {
    let app = app_as("admin").await;
    let mut conn = app.db.get().unwrap();
    let cache = ResultsCache::new();
    let settings = RankingSettings::default();
    let publish = |conn: &mut _| {
        insikt::use_cases::backlog::snapshots::publish(conn, &cache, Actor::SYSTEM, &settings)
            .unwrap()
    };
    let (a, b) = (publish(&mut conn), publish(&mut conn));
    let get = |conn: &mut _, id: &str| {
        insikt::use_cases::backlog::snapshots::get(conn, id)
            .unwrap()
            .unwrap()
    };
    let (a, b) = (get(&mut conn, &a), get(&mut conn, &b));
    assert_eq!(a.content, b.content);
    let cmp = insikt::use_cases::backlog::snapshots::compare(&a.ranked, &b.ranked);
    assert!(cmp.input_changes.is_empty());
    // Another seed changes the recorded inputs.
    let other = RankingSettings {
        seed: 15,
        ..RankingSettings::default()
    };
    let c =
        insikt::use_cases::backlog::snapshots::publish(&mut conn, &cache, Actor::SYSTEM, &other)
            .unwrap();
    let c = get(&mut conn, &c);
    assert_ne!(a.content, c.content);
}

#[actix_web::test]
async fn only_researchers_and_admins_publish() {
    let app = app_as("manager").await;
    let res = app.post_form("/backlog", "/backlog/publish", &[]).await;
    assert_eq!(res.status().as_u16(), 403);
    let app = app_as("interviewer").await;
    assert_eq!(app.get_html("/backlog/snapshots").await.0, 403);
}
