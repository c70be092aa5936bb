//! Named presets of the ranking model and the AHP page (issue 14 item 4), and `/backlog` opening on
//! the latest published snapshot as stored (item 5): researchers maintain presets, bad input is
//! refused with a message and stores nothing, AHP shows its consistency ratio and warns above 0.1,
//! the chosen preset changes the order, and interviewers and visitors are kept out.

use insikt::domain::backlog::Area;
use insikt::domain::options::SurveyOptions;
use insikt::use_cases::backlog::presets::{self, criteria};
use insikt::use_cases::backlog::ranking;
use insikt::use_cases::results::cache::ResultsCache;
use insikt::use_cases::Actor;

use crate::helpers::{TestApp, GOOD_PASSWORD};

const NEEDS: &str = include_str!("../../surveys/eservice-needs.toml");

/// The demo areas (linked to the needs survey, no answers yet: ranked on the fixed criteria);
/// logged in as `role` unless anonymous.
async fn app_as(role: &str) -> TestApp {
    let app = TestApp::spawn().await;
    app.publish_survey(NEEDS, &SurveyOptions::default());
    {
        let mut conn = app.db.get().unwrap();
        insikt::use_cases::demo::backlog::seed(&mut conn, Actor::SYSTEM).unwrap();
    }
    if role != "anonymous" {
        app.create_user("person", role);
        app.login("person", GOOD_PASSWORD).await;
    }
    app
}

/// The form fields of a preset weighing only `only` (every other criterion 0).
fn only(name: &str, only: &str) -> Vec<(String, String)> {
    let mut f = vec![("name".to_owned(), name.to_owned())];
    for c in criteria() {
        let w = if c == only { "1" } else { "0" };
        f.push((format!("w_{c}"), w.to_owned()));
    }
    f
}

async fn post(app: &TestApp, page: &str, path: &str, fields: &[(String, String)]) -> (u16, String) {
    let token = app.csrf_token(page).await;
    let mut all = vec![("csrf_token".to_owned(), token)];
    all.extend_from_slice(fields);
    let res = app
        .post_raw(
            path,
            &all.iter()
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .collect::<Vec<_>>(),
        )
        .await;
    let status = res.status().as_u16();
    let location = res
        .headers()
        .get("location")
        .map(|l| l.to_str().unwrap().to_owned());
    (status, location.unwrap_or(res.text().await.unwrap()))
}

fn stored(app: &TestApp) -> Vec<presets::PresetView> {
    let mut conn = app.db.get().unwrap();
    presets::list(&mut conn).unwrap()
}

fn by_name(app: &TestApp, name: &str) -> presets::PresetView {
    stored(app).into_iter().find(|p| p.name == name).unwrap()
}

/// The area keys in the order of the ranked table (the first link of each row).
fn order(page: &str) -> Vec<String> {
    page.split(r#"<a href="/backlog/areas/"#)
        .skip(1)
        .filter_map(|s| s.split_once("/evidence\"").map(|(k, _)| k.to_owned()))
        .fold(Vec::new(), |mut v, k| {
            if !v.contains(&k) {
                v.push(k);
            }
            v
        })
}

#[actix_web::test]
async fn a_researcher_creates_edits_makes_default_and_deletes_a_preset_each_change_audited() {
    let app = app_as("researcher").await;
    let (status, page) = app.get_html("/backlog/presets").await;
    assert_eq!(status, 200, "{page}");
    let (status, _) = app.get_html("/backlog/presets/new").await;
    assert_eq!(status, 200);

    let mut fields = only("Kostnad först", "cost");
    fields.push(("description_sv".into(), "Billigast först".into()));
    let (status, to) = post(&app, "/backlog/presets/new", "/backlog/presets", &fields).await;
    assert_eq!((status, to.as_str()), (303, "/backlog/presets"));
    let p = by_name(&app, "Kostnad först");
    assert_eq!(p.weights.weight("cost"), 1.0);
    assert_eq!(p.weights.weight("need"), 0.0);
    assert!(!p.is_default);
    assert_eq!(p.description_sv.as_deref(), Some("Billigast först"));
    let (_, page) = app.get_html("/backlog/presets").await;
    assert!(page.contains("Kostnad först") && page.contains("Billigast först"));

    // Edit: rename and weigh feasibility too.
    let edit = format!("/backlog/presets/{}/edit", p.id);
    let (status, form) = app.get_html(&edit).await;
    assert_eq!(status, 200);
    assert!(form.contains(r#"value="Kostnad först""#));
    let mut fields = only("Kostnad och genomförbarhet", "cost");
    fields.retain(|(k, _)| k != "w_feasibility");
    fields.push(("w_feasibility".into(), "2,5".into()));
    let (status, _) = post(&app, &edit, &format!("/backlog/presets/{}", p.id), &fields).await;
    assert_eq!(status, 303);
    let p = by_name(&app, "Kostnad och genomförbarhet");
    assert_eq!(p.weights.weight("feasibility"), 2.5);

    // A second preset made the default; then the first; only one is ever the default.
    let (status, _) = post(
        &app,
        "/backlog/presets/new",
        "/backlog/presets",
        &[only("Behov", "need"), vec![("default".into(), "on".into())]].concat(),
    )
    .await;
    assert_eq!(status, 303);
    assert!(by_name(&app, "Behov").is_default);
    let (status, _) = post(
        &app,
        "/backlog/presets",
        &format!("/backlog/presets/{}/default", p.id),
        &[],
    )
    .await;
    assert_eq!(status, 303);
    let defaults: Vec<String> = stored(&app)
        .into_iter()
        .filter(|p| p.is_default)
        .map(|p| p.name)
        .collect();
    assert_eq!(defaults, ["Kostnad och genomförbarhet"]);

    let (status, _) = post(
        &app,
        "/backlog/presets",
        &format!("/backlog/presets/{}/delete", p.id),
        &[],
    )
    .await;
    assert_eq!(status, 303);
    assert_eq!(stored(&app).len(), 1);
    assert_eq!(app.get_html(&edit).await.0, 404);

    assert_eq!(app.audit_actions("backlog.preset_created"), 2);
    assert_eq!(app.audit_actions("backlog.preset_updated"), 1);
    assert_eq!(app.audit_actions("backlog.preset_default"), 2);
    assert_eq!(app.audit_actions("backlog.preset_deleted"), 1);
}

#[actix_web::test]
async fn bad_preset_input_gets_a_clear_message_in_both_languages_and_stores_nothing() {
    let app = app_as("researcher").await;
    let page = "/backlog/presets/new";
    let mut negative = only("Negativ", "need");
    negative.retain(|(k, _)| k != "w_cost");
    negative.push(("w_cost".into(), "-1".into()));
    let (status, body) = post(&app, page, "/backlog/presets", &negative).await;
    assert_eq!(status, 422, "{body}");
    assert!(
        body.contains("Vikten får inte vara negativ (-1)."),
        "{body}"
    );
    assert!(
        body.contains(r##"href="#w_cost""##),
        "the summary links the field"
    );

    let zero: Vec<(String, String)> = only("Noll", "none");
    let (status, body) = post(&app, page, "/backlog/presets", &zero).await;
    assert_eq!(status, 422);
    assert!(body.contains("Minst en vikt måste vara större än 0."));

    let (status, body) = post(&app, page, "/backlog/presets?lang=en", &zero).await;
    assert_eq!(status, 422);
    assert!(
        body.contains("At least one weight must be greater than 0."),
        "{body}"
    );

    // `?lang=` also sets the language cookie: back to Swedish.
    let (status, _) = post(
        &app,
        page,
        "/backlog/presets?lang=sv",
        &only("Behov först", "need"),
    )
    .await;
    assert_eq!(status, 303);
    let (status, body) = post(
        &app,
        page,
        "/backlog/presets",
        &only("  behov  FÖRST ", "reach"),
    )
    .await;
    assert_eq!(
        status, 409,
        "a name differing only in case and spacing is taken"
    );
    assert!(
        body.contains("Det finns redan en förinställning som heter"),
        "{body}"
    );
    let (status, body) = post(
        &app,
        page,
        "/backlog/presets?lang=en",
        &only("BEHOV FÖRST", "reach"),
    )
    .await;
    assert_eq!(status, 409);
    assert!(body.contains("There is already a preset called"));

    // Renaming another preset onto a taken name is refused too, and changes nothing.
    post(
        &app,
        page,
        "/backlog/presets?lang=sv",
        &only("Räckvidd", "reach"),
    )
    .await;
    let reach = by_name(&app, "Räckvidd");
    let edit = format!("/backlog/presets/{}/edit", reach.id);
    let (status, _) = post(
        &app,
        &edit,
        &format!("/backlog/presets/{}", reach.id),
        &only("Behov först", "cost"),
    )
    .await;
    assert_eq!(status, 409);
    assert_eq!(by_name(&app, "Räckvidd"), reach);

    let names: Vec<String> = stored(&app).into_iter().map(|p| p.name).collect();
    assert_eq!(names, ["Behov först", "Räckvidd"]);
    assert_eq!(app.audit_actions("backlog.preset_created"), 2);
    assert_eq!(app.audit_actions("backlog.preset_updated"), 0);
}

/// Saaty's drinks matrix (coffee, wine, tea, beer, sodas, milk, water), the leading rows and columns
/// as many as there are criteria: a consistent set of judgements (CR well under 0.1).
fn drinks(n: usize) -> Vec<Vec<f64>> {
    let full = [
        [1.0, 9.0, 5.0, 2.0, 1.0, 1.0, 0.5],
        [
            1.0 / 9.0,
            1.0,
            1.0 / 3.0,
            1.0 / 9.0,
            1.0 / 9.0,
            1.0 / 9.0,
            1.0 / 9.0,
        ],
        [0.2, 3.0, 1.0, 1.0 / 3.0, 0.25, 1.0 / 3.0, 1.0 / 9.0],
        [0.5, 9.0, 3.0, 1.0, 0.5, 1.0, 1.0 / 3.0],
        [1.0, 9.0, 4.0, 2.0, 1.0, 2.0, 0.5],
        [1.0, 9.0, 3.0, 1.0, 0.5, 1.0, 1.0 / 3.0],
        [2.0, 9.0, 9.0, 3.0, 2.0, 3.0, 1.0],
    ];
    full[..n].iter().map(|r| r[..n].to_vec()).collect()
}

/// Each criterion judged 9 times as important as the next, and the last 9 times the first: a cycle.
fn cyclic(n: usize) -> Vec<Vec<f64>> {
    (0..n)
        .map(|i| {
            (0..n)
                .map(|j| match j {
                    _ if j == (i + 1) % n => 9.0,
                    _ if i == (j + 1) % n => 1.0 / 9.0,
                    _ => 1.0,
                })
                .collect()
        })
        .collect()
}

/// The AHP page's query for matrix `a` over the criteria.
fn ahp_query(a: &[Vec<f64>]) -> Vec<(String, String)> {
    let names = criteria();
    let mut q = Vec::new();
    for i in 0..names.len() {
        for j in i + 1..names.len() {
            let code = insikt::domain::backlog_preset::saaty_code(a[i][j]);
            q.push((
                insikt::domain::backlog_preset::pair_field(names[i], names[j]),
                code.to_string(),
            ));
        }
    }
    q
}

fn percent(x: f64) -> String {
    insikt::web::views::charts::percent(x)
}

#[actix_web::test]
async fn ahp_shows_the_weights_and_ratio_warns_above_one_tenth_and_saves_a_preset() {
    let app = app_as("researcher").await;
    let n = criteria().len();
    let (status, blank) = app.get_html("/backlog/presets/ahp").await;
    assert_eq!(status, 200);
    assert!(blank.contains("<select") && !blank.contains("Varning"));

    let consistent = drinks(n);
    let expected = analysis::backlog::ahp_weights(&consistent).unwrap();
    assert!(!expected.inconsistent);
    let q = ahp_query(&consistent);
    let url = format!(
        "/backlog/presets/ahp?{}",
        serde_urlencoded::to_string(&q).unwrap()
    );
    let (status, page) = app.get_html(&url).await;
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("tillräckligt konsekventa") && !page.contains("Varning"));
    for w in &expected.weights {
        assert!(page.contains(&percent(*w)), "weight {} shown", percent(*w));
    }

    let inconsistent = cyclic(n);
    let bad = analysis::backlog::ahp_weights(&inconsistent).unwrap();
    assert!(bad.inconsistent);
    let url = format!(
        "/backlog/presets/ahp?{}",
        serde_urlencoded::to_string(ahp_query(&inconsistent)).unwrap()
    );
    let (status, page) = app.get_html(&url).await;
    assert_eq!(status, 200);
    assert!(
        page.contains("Varning: jämförelserna är inte konsekventa."),
        "a warning in words"
    );
    let (_, page) = app.get_html(&format!("{url}&lang=en")).await;
    assert!(page.contains("Warning: the comparisons are not consistent."));

    // A judgement off the scale is named, not guessed.
    let mut off = q.clone();
    off[0].1 = "12".into();
    let (status, page) = app
        .get_html(&format!(
            "/backlog/presets/ahp?{}",
            serde_urlencoded::to_string(&off).unwrap()
        ))
        .await;
    assert_eq!(status, 422);
    assert!(page.contains(&format!(r##"href="#{}""##, off[0].0)));

    // Saved as a preset: the server computes the weights from the judgements again.
    let mut fields = q.clone();
    fields.push(("source".into(), "ahp".into()));
    fields.push(("name".into(), "Drycker".into()));
    fields.push(("w_need".into(), "1000".into())); // ignored: AHP weights are computed
    let (status, to) = post(&app, &url, "/backlog/presets", &fields).await;
    assert_eq!((status, to.as_str()), (303, "/backlog/presets"), "{to}");
    let p = by_name(&app, "Drycker");
    for (c, w) in criteria().iter().zip(&expected.weights) {
        assert!((p.weights.weight(c) - w).abs() < 1e-12, "{c}");
    }
    let origin = p.ahp.unwrap();
    // Stored as JSON: serde_json's fast float parser may be one ulp off.
    let (kept, computed) = (
        origin.consistency_ratio.unwrap(),
        expected.consistency_ratio.unwrap(),
    );
    assert!(
        (kept - computed).abs() <= 1e-12 * computed.abs(),
        "{kept} vs {computed}"
    );
    assert_eq!(origin.judgements.len(), n * (n - 1) / 2);
    let (_, list) = app.get_html("/backlog/presets?lang=sv").await;
    assert!(list.contains("AHP-jämförelse, konsistenskvot"));

    // Saving without a name re-renders the AHP page with the problem, and stores nothing.
    let mut nameless = q.clone();
    nameless.push(("source".into(), "ahp".into()));
    let (status, page) = post(&app, &url, "/backlog/presets", &nameless).await;
    assert_eq!(status, 422);
    assert!(page.contains("Ange ett namn.") && page.contains("Spara som förinställning"));
    assert_eq!(stored(&app).len(), 1);
}

#[actix_web::test]
async fn the_chosen_preset_changes_the_order_of_the_live_ranking() {
    let app = app_as("researcher").await;
    for (name, c) in [("Kostnad", "cost"), ("Genomförbarhet", "feasibility")] {
        let (status, _) = post(
            &app,
            "/backlog/presets/new",
            "/backlog/presets",
            &only(name, c),
        )
        .await;
        assert_eq!(status, 303);
    }
    let mut firsts = Vec::new();
    for name in ["Kostnad", "Genomförbarhet"] {
        let p = by_name(&app, name);
        let expected = {
            let mut conn = app.db.get().unwrap();
            ranking::rank(&mut conn, &ResultsCache::new(), &p.settings()).unwrap()
        };
        let keys: Vec<String> = expected.areas.iter().map(|a| a.key.clone()).collect();
        let (status, page) = app.get_html(&format!("/backlog?preset={}", p.id)).await;
        assert_eq!(status, 200, "{page}");
        assert!(page.contains("Aktuell rangordning.") && page.contains(&format!("”{name}”")));
        assert_eq!(order(&page), keys, "the page shows the preset's order");
        firsts.push(keys);
    }
    assert_ne!(
        firsts[0], firsts[1],
        "the two presets order the areas differently"
    );
    assert_eq!(app.get_html("/backlog?preset=nothing").await.0, 404);
}

fn rename(app: &TestApp, key: &str, name: &str) {
    let mut conn = app.db.get().unwrap();
    let stored = insikt::use_cases::backlog::get(&mut conn, key).unwrap();
    let mut input = stored.area.to_input();
    input.name_sv = name.to_owned();
    let area = Area::parse(&input).unwrap();
    insikt::use_cases::backlog::edit(&mut conn, Actor::SYSTEM, key, &area).unwrap();
}

#[actix_web::test]
async fn backlog_opens_on_the_latest_snapshot_as_stored_with_its_frozen_preset() {
    let app = app_as("researcher").await;
    // Nothing published yet: a live ranking with the built-in weights.
    let (status, page) = app.get_html("/backlog").await;
    assert_eq!(status, 200);
    assert!(page.contains("Aktuell rangordning.") && page.contains("de inbyggda vikterna"));

    post(
        &app,
        "/backlog/presets/new",
        "/backlog/presets",
        &[
            only("Kostnad", "cost"),
            vec![("default".into(), "on".into())],
        ]
        .concat(),
    )
    .await;
    let preset = by_name(&app, "Kostnad");
    let (status, snapshot) = post(
        &app,
        "/backlog",
        "/backlog/publish",
        &[("preset".into(), preset.id.clone())],
    )
    .await;
    assert_eq!(status, 303, "{snapshot}");

    // After publishing: an area renamed, and the preset's weights and name changed.
    rename(&app, "preschool", "Förskoleplats (nytt namn)");
    let mut fields = only("Genomförbarhet", "feasibility");
    fields.push(("default".into(), "on".into()));
    let (status, _) = post(
        &app,
        "/backlog/presets",
        &format!("/backlog/presets/{}", preset.id),
        &fields,
    )
    .await;
    assert_eq!(status, 303);

    let (status, page) = app.get_html("/backlog").await;
    assert_eq!(status, 200);
    assert!(
        page.contains("Publicerad backlogg.") && page.contains("inget räknas om"),
        "{page}"
    );
    assert!(
        page.contains("förinställning ”Kostnad”"),
        "the frozen preset name"
    );
    assert!(page.contains(&snapshot), "links its snapshot");
    assert!(
        page.contains("Ansöka om förskoleplats") && !page.contains("Förskoleplats (nytt namn)"),
        "the stored snapshot, not a recomputation"
    );
    let snap = {
        let mut conn = app.db.get().unwrap();
        insikt::use_cases::backlog::snapshots::latest(&mut conn)
            .unwrap()
            .unwrap()
    };
    assert_eq!(snap.preset_name.as_deref(), Some("Kostnad"));
    let cost = criteria().iter().position(|c| *c == "cost").unwrap();
    assert_eq!(
        snap.ranked.settings.weights[cost], 1.0,
        "the weights are frozen"
    );
    let keys: Vec<String> = snap.ranked.areas.iter().map(|a| a.key.clone()).collect();
    assert_eq!(order(&page), keys);

    // The snapshot page and the report say the same; a live ranking shows today's name.
    let (_, shown) = app.get_html(&snapshot).await;
    assert!(shown.contains("förinställning ”Kostnad”"));
    let (_, report) = app.get_html("/backlog/report").await;
    assert!(report.contains("Ansöka om förskoleplats"));
    let (_, live) = app.get_html("/backlog?live=1").await;
    assert!(live.contains("Förskoleplats (nytt namn)") && live.contains("”Genomförbarhet”"));
    assert_eq!(app.audit_actions("backlog.snapshot_published"), 1);
}

#[actix_web::test]
async fn a_manager_chooses_a_preset_but_only_researchers_maintain_them() {
    let app = app_as("researcher").await;
    post(
        &app,
        "/backlog/presets/new",
        "/backlog/presets",
        &only("Kostnad", "cost"),
    )
    .await;
    let id = by_name(&app, "Kostnad").id;
    let manager = app_as("manager").await;
    for path in [
        "/backlog/presets",
        "/backlog/presets/new",
        "/backlog/presets/ahp",
    ] {
        assert_eq!(manager.get_html(path).await.0, 403, "{path}");
    }
    let (status, page) = manager.get_html("/backlog").await;
    assert_eq!(status, 200);
    assert!(
        page.contains(r#"<select id="preset" name="preset""#) && !page.contains("/backlog/publish")
    );
    let (status, _) = post(&manager, "/backlog", "/backlog/presets", &only("X", "cost")).await;
    assert_eq!(status, 403);

    let interviewer = app_as("interviewer").await;
    assert_eq!(interviewer.get_html("/backlog/presets").await.0, 403);
    assert_eq!(interviewer.get_html("/backlog/presets/ahp").await.0, 403);
    assert_eq!(
        interviewer
            .get_html(&format!("/backlog?preset={id}"))
            .await
            .0,
        403
    );
    let anonymous = app_as("anonymous").await;
    for path in [
        "/backlog/presets",
        "/backlog/presets/ahp",
        "/backlog?live=1",
    ] {
        let res = anonymous.get(path).await;
        assert_eq!(res.status().as_u16(), 303, "{path}");
        let to = res.headers()["location"].to_str().unwrap().to_owned();
        assert!(to.starts_with("/login?next="), "{to}");
    }
}
