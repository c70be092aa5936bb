//! The backlog's candidate areas (issue 14 item 1): maintained by researchers, read by analysts
//! and managers, closed to interviewers and visitors; the catalogue import stores all rows or
//! none and names the bad row and column; the export round-trips and neutralises formulas.

use insikt::domain::options::SurveyOptions;
use insikt::use_cases::backlog;
use insikt::use_cases::Actor;

use crate::helpers::{TestApp, GOOD_PASSWORD};

const NEEDS: &str = include_str!("../../surveys/eservice-needs.toml");

async fn app_as(role: &str) -> TestApp {
    let app = TestApp::spawn().await;
    app.publish_survey(NEEDS, &SurveyOptions::default());
    if role != "anonymous" {
        app.create_user("person", role);
        app.login("person", GOOD_PASSWORD).await;
    }
    app
}

fn area_fields<'a>(key: &'a str, name: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("key", key),
        ("name_sv", name),
        ("name_en", "Radon lookup"),
        ("description_sv", "Slå upp radonhalten."),
        ("administration", "Miljöförvaltningen"),
        ("target_group", "residents"),
        ("yearly_volume", "6 000"),
        ("share_phone", "70"),
        ("share_email", "20"),
        ("share_letter", "5"),
        ("share_visit", "5"),
        ("share_web", "0"),
        ("minutes_phone", "7"),
        ("minutes_email", "9,5"),
        ("development_cost_sek", "400000"),
        ("running_cost_sek", "60000"),
        ("feasibility", "5"),
        ("feasibility_note", "Öppna data finns."),
    ]
}

fn location(res: &reqwest::Response) -> String {
    res.headers()["location"].to_str().unwrap().to_owned()
}

fn stored_keys(app: &TestApp) -> Vec<String> {
    let mut conn = app.db.get().unwrap();
    backlog::list(&mut conn)
        .unwrap()
        .into_iter()
        .map(|a| a.stored.area.key.to_string())
        .collect()
}

/// POST a multipart upload of `file` to the catalogue page, as a browser would.
async fn upload(app: &TestApp, file: &str, bytes: &[u8]) -> (u16, String) {
    let token = app.csrf_token("/backlog/catalogue").await;
    let boundary = "----insiktBacklogBoundary";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\n{token}\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let cookies: Vec<String> = ["insikt_session", "insikt_csrf"]
        .iter()
        .filter_map(|n| app.cookie(n).map(|v| format!("{n}={v}")))
        .collect();
    let res = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .post(format!("{}/backlog/catalogue", app.address))
        .header(reqwest::header::COOKIE, cookies.join("; "))
        .header(
            reqwest::header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(body)
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    (status, res.text().await.unwrap())
}

async fn download(app: &TestApp, ext: &str) -> (u16, String, Vec<u8>) {
    let res = app.get(&format!("/backlog/catalogue.{ext}")).await;
    let status = res.status().as_u16();
    let kind = res
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (status, kind, res.bytes().await.unwrap().to_vec())
}

#[actix_web::test]
async fn a_researcher_creates_an_area_links_questions_and_changes_its_status_with_history_shown() {
    let app = app_as("researcher").await;
    let res = app
        .post_form(
            "/backlog/new",
            "/backlog/areas",
            &area_fields("radon", "Radonkollen"),
        )
        .await;
    assert_eq!(res.status().as_u16(), 303, "{}", res.text().await.unwrap());
    let page = "/backlog/areas/radon";
    assert_eq!(location(&res), page);

    let link = |question: &'static str, role: &'static str, item: &'static str| {
        vec![("question", question), ("role", role), ("item", item)]
    };
    for (q, role, item) in [
        ("eservice-needs|1|radon_lookup_importance", "importance", ""),
        (
            "eservice-needs|1|area_maxdiff",
            "maxdiff_item",
            "radon_lookup",
        ),
        ("eservice-needs|1|errands_12m", "had_errand", "radon_lookup"),
    ] {
        let res = app
            .post_form(page, "/backlog/areas/radon/links", &link(q, role, item))
            .await;
        assert_eq!(
            res.status().as_u16(),
            303,
            "{q}: {}",
            res.text().await.unwrap()
        );
    }
    // A free-text question cannot measure importance: refused, saying why.
    let res = app
        .post_form(
            page,
            "/backlog/areas/radon/links",
            &link("eservice-needs|1|comments", "importance", ""),
        )
        .await;
    assert_eq!(res.status().as_u16(), 422);
    let body = res.text().await.unwrap();
    assert!(body.contains("fritext") && body.contains("skala"), "{body}");
    // A version that does not exist is refused too.
    let res = app
        .post_form(
            page,
            "/backlog/areas/radon/links",
            &link("eservice-needs|7|radon_lookup_importance", "importance", ""),
        )
        .await;
    assert_eq!(res.status().as_u16(), 422);

    let res = app
        .post_form(
            page,
            "/backlog/areas/radon/status",
            &[("status", "pre_study"), ("reason", "Förstudien har börjat")],
        )
        .await;
    assert_eq!(res.status().as_u16(), 303);
    let res = app
        .post_form(
            page,
            "/backlog/areas/radon/status",
            &[("status", "rejected"), ("reason", "")],
        )
        .await;
    assert_eq!(res.status().as_u16(), 422, "a rejection needs a reason");
    let res = app
        .post_form(
            page,
            "/backlog/areas/radon/status",
            &[("status", "launched"), ("reason", "")],
        )
        .await;
    assert_eq!(res.status().as_u16(), 422, "a skipped step is refused");

    let (status, html) = app.get_html(page).await;
    assert_eq!(status, 200);
    for expected in [
        "Radonkollen",
        "Förstudien har börjat",
        "Förstudie",
        "radon_lookup_importance",
        "area_maxdiff",
        "person",
    ] {
        assert!(html.contains(expected), "{expected}: {html}");
    }
    assert_eq!(app.audit_actions("backlog.area_created"), 1);
    assert_eq!(app.audit_actions("backlog.question_linked"), 3);
    assert_eq!(app.audit_actions("backlog.status_changed"), 1);

    // Remove the importance link through its button.
    let action = html
        .split("action=\"")
        .skip(1)
        .filter_map(|r| r.split('"').next())
        .find(|a| a.contains("/links/") && a.ends_with("/delete"))
        .unwrap()
        .to_owned();
    let res = app.post_form(page, &action, &[]).await;
    assert_eq!(res.status().as_u16(), 303);
    let (_, after) = app.get_html(page).await;
    assert_eq!(app.audit_actions("backlog.question_unlinked"), 1);
    assert_eq!(
        after.matches("/delete\"").count(),
        html.matches("/delete\"").count() - 1
    );

    let (status, list) = app.get_html("/backlog/areas").await;
    assert_eq!(status, 200);
    assert!(
        list.contains("Radonkollen") && list.contains("6\u{a0}000"),
        "{list}"
    );
}

#[actix_web::test]
async fn a_form_with_bad_fields_is_shown_again_with_each_field_named_and_nothing_stored() {
    let app = app_as("admin").await;
    let mut fields = area_fields("radon", "Radon");
    fields.retain(|(k, _)| *k != "share_phone");
    fields.push(("share_phone", "90"));
    let res = app
        .post_form("/backlog/new", "/backlog/areas", &fields)
        .await;
    assert_eq!(res.status().as_u16(), 422);
    let body = res.text().await.unwrap();
    assert!(body.contains("href=\"#share_web\""), "{body}");
    assert!(body.contains("120"), "the sum is named: {body}");
    assert!(stored_keys(&app).is_empty());

    let fields = area_fields("radon", "Radon");
    let res = app
        .post_form("/backlog/new", "/backlog/areas", &fields)
        .await;
    assert_eq!(res.status().as_u16(), 303);
    let res = app
        .post_form("/backlog/new", "/backlog/areas", &fields)
        .await;
    assert_eq!(res.status().as_u16(), 422, "a taken key is refused");
    assert!(res.text().await.unwrap().contains("används redan"));
    assert_eq!(stored_keys(&app), ["radon"]);
}

#[actix_web::test]
async fn an_interviewer_gets_403_and_a_visitor_the_login_page_while_analysts_only_read() {
    let app = app_as("interviewer").await;
    for page in [
        "/backlog/areas",
        "/backlog/catalogue",
        "/backlog/catalogue.csv",
        "/backlog/new",
    ] {
        assert_eq!(app.get_html(page).await.0, 403, "{page}");
    }
    let app = app_as("anonymous").await;
    let res = app.get("/backlog/areas").await;
    assert_eq!(res.status().as_u16(), 303);
    assert!(location(&res).starts_with("/login?next="));

    let app = app_as("manager").await;
    {
        let mut conn = app.db.get().unwrap();
        insikt::use_cases::demo::backlog::seed(&mut conn, Actor::SYSTEM).unwrap();
    }
    let (status, list) = app.get_html("/backlog/areas").await;
    assert_eq!(status, 200);
    assert!(!list.contains("/backlog/new"), "managers cannot create");
    let (status, area) = app.get_html("/backlog/areas/radon_lookup").await;
    assert_eq!(status, 200);
    assert!(!area.contains("/status\""), "no status form for readers");
    assert_eq!(app.get_html("/backlog/new").await.0, 403);
    assert_eq!(
        app.get_html("/backlog/areas/radon_lookup/edit").await.0,
        403
    );
    let (status, _, _) = download(&app, "csv").await;
    assert_eq!(status, 200, "readers may download the catalogue");
    let (status, _) = upload(&app, "areas.csv", b"key\n").await;
    assert_eq!(status, 403, "readers may not import");
}

#[actix_web::test]
async fn a_catalogue_import_with_one_bad_row_stores_nothing_and_names_the_row_and_column() {
    let app = app_as("researcher").await;
    let header = insikt::formats::backlog_catalogue::COLUMNS.join(",");
    let good = |key: &str| {
        format!(
            "{key},Namn,Name,,,Förvaltningen,residents,idea,,1000,50,50,0,0,0,5,5,0,0,0,100,10,3,"
        )
    };
    let bad = "parking,Parkering,Parking,,,Trafikkontoret,residents,idea,,1000,50,40,0,0,0,5,5,0,0,0,100,10,3,";
    let csv = format!("{header}\n{}\n{bad}\n{}\n", good("radon"), good("sfi"));
    let (status, body) = upload(&app, "omraden.csv", csv.as_bytes()).await;
    assert_eq!(status, 422, "{body}");
    assert!(
        body.contains("omraden.csv, rad 3, kolumn 'share_web'"),
        "{body}"
    );
    assert!(stored_keys(&app).is_empty(), "nothing is half-imported");
    assert_eq!(app.audit_actions("backlog.catalogue_imported"), 0);

    let csv = format!("{header}\n{}\n{}\n", good("radon"), good("sfi"));
    let (status, body) = upload(&app, "omraden.csv", csv.as_bytes()).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(stored_keys(&app), ["radon", "sfi"]);
    assert_eq!(app.audit_actions("backlog.catalogue_imported"), 1);
}

#[actix_web::test]
async fn an_exported_catalogue_imports_back_unchanged_with_formula_cells_neutralised() {
    let app = app_as("researcher").await;
    let res = app
        .post_form(
            "/backlog/new",
            "/backlog/areas",
            &area_fields("radon", "=HYPERLINK(\"x\")"),
        )
        .await;
    assert_eq!(res.status().as_u16(), 303);
    app.post_form(
        "/backlog/areas/radon",
        "/backlog/areas/radon/status",
        &[("status", "pre_study"), ("reason", "@start")],
    )
    .await;

    let (status, kind, csv) = download(&app, "csv").await;
    assert_eq!(status, 200);
    assert!(kind.starts_with("text/csv"), "{kind}");
    let text = String::from_utf8(csv.clone()).unwrap();
    assert!(text.contains("\"'=HYPERLINK(\"\"x\"\")\""), "{text}");
    assert!(text.contains(",'@start,"), "{text}");
    assert!(!text.contains(",=HYPERLINK"), "{text}");
    assert_eq!(app.audit_actions("backlog.catalogue_exported"), 1);

    let before = {
        let mut conn = app.db.get().unwrap();
        backlog::get(&mut conn, "radon").unwrap()
    };
    let (status, body) = upload(&app, "backlog-areas.csv", &csv).await;
    assert_eq!(status, 200, "{body}");
    let after = {
        let mut conn = app.db.get().unwrap();
        backlog::get(&mut conn, "radon").unwrap()
    };
    assert_eq!(after.area, before.area);
    assert_eq!(after.area.name_sv, "=HYPERLINK(\"x\")");
    assert_eq!(after.status, before.status);
    let (_, _, again) = download(&app, "csv").await;
    assert_eq!(again, csv, "export → import → export is stable");

    let (status, kind, xlsx) = download(&app, "xlsx").await;
    assert_eq!(status, 200);
    assert!(kind.contains("spreadsheetml"), "{kind}");
    let (status, body) = upload(&app, "backlog-areas.xlsx", &xlsx).await;
    assert_eq!(status, 200, "{body}");
    let mut conn = app.db.get().unwrap();
    assert_eq!(backlog::get(&mut conn, "radon").unwrap().area, before.area);
}

#[actix_web::test]
async fn the_demo_seeds_the_named_areas_with_links_to_the_questions_the_needs_survey_has() {
    let app = app_as("researcher").await;
    let seeded = {
        let mut conn = app.db.get().unwrap();
        insikt::use_cases::demo::backlog::seed(&mut conn, Actor::SYSTEM).unwrap()
    };
    let keys = stored_keys(&app);
    assert_eq!(keys.len(), seeded);
    for key in [
        "preschool",
        "jobbtorg",
        "sfi",
        "cycle_route_planner",
        "housing_queue_info",
    ] {
        assert!(keys.iter().any(|k| k == key), "{key}: {keys:?}");
    }
    let (status, list) = app.get_html("/backlog/areas").await;
    assert_eq!(status, 200);
    assert_eq!(list.matches(">Lanserad<").count(), 1, "{list}");
    let (_, preschool) = app.get_html("/backlog/areas/preschool").await;
    assert!(preschool.contains("preschool_importance"), "{preschool}");
    assert!(preschool.contains("kano_receipt"), "{preschool}");
    let (_, jobbtorg) = app.get_html("/backlog/areas/jobbtorg").await;
    assert!(
        jobbtorg.contains("Inga frågor är kopplade än."),
        "{jobbtorg}"
    );
}
