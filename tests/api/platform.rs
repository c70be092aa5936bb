//! Security headers, health, metrics, error pages, language, migrations.

use crate::helpers::TestApp;

#[actix_web::test]
async fn security_headers_are_present_on_pages_assets_and_errors() {
    let app = TestApp::spawn().await;
    for path in [
        "/",
        "/login",
        "/static/app.css",
        "/no-such-page",
        "/healthz",
    ] {
        let res = app.get(path).await;
        let h = res.headers();
        let csp = h["content-security-policy"].to_str().unwrap();
        assert!(csp.contains("frame-ancestors 'none'"), "{path}");
        assert!(
            csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"),
            "{path}"
        );
        assert_eq!(h["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(h["referrer-policy"], "same-origin", "{path}");
    }
}

#[actix_web::test]
async fn healthz_reports_the_database_and_metrics_count_requests() {
    let app = TestApp::spawn().await;
    let res = app.get("/healthz").await;
    assert_eq!(res.status().as_u16(), 200);
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["status"], "ok");
    assert!(body["database"] == "sqlite" || body["database"] == "postgresql");

    app.get("/login").await;
    let metrics = app.get("/metrics").await.text().await.unwrap();
    assert!(metrics.contains("insikt_http_requests_total"), "{metrics}");
    assert!(metrics.contains(r#"route="/login""#), "{metrics}");
    assert!(metrics.contains("insikt_http_request_duration_seconds_bucket"));
}

#[actix_web::test]
async fn an_unknown_page_is_a_friendly_bilingual_404() {
    let app = TestApp::spawn().await;
    let (status, html) = app.get_html("/finns/inte").await;
    assert_eq!(status, 404);
    assert!(html.contains("Sidan finns inte"));
    assert!(html.contains("Page not found"));
    assert!(html.contains("<html lang=\"sv\""));
}

#[actix_web::test]
async fn pages_are_swedish_by_default_and_english_on_request() {
    let app = TestApp::spawn().await;
    let (_, sv) = app.get_html("/").await;
    assert!(sv.contains("<html lang=\"sv\""));
    assert!(sv.contains("Hoppa till innehållet"));
    let (_, en) = app.get_html("/?lang=en").await;
    assert!(en.contains("<html lang=\"en\""));
    assert!(en.contains("Skip to content"));
    // The choice is remembered.
    let (_, again) = app.get_html("/login").await;
    assert!(again.contains("<html lang=\"en\""));
}

#[test]
fn the_two_migration_folders_hold_the_same_names() {
    let list = |dir: &str| {
        let mut names: Vec<String> =
            std::fs::read_dir(format!("{}/migrations/{dir}", env!("CARGO_MANIFEST_DIR")))
                .unwrap()
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect();
        names.sort();
        names
    };
    let sqlite = list("sqlite");
    assert!(!sqlite.is_empty());
    assert_eq!(sqlite, list("postgres"));
}
