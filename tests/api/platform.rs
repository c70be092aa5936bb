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

/// Send `count` requests with made-up methods, each name new, starting at `from`.
async fn made_up_methods(app: &TestApp, from: usize, count: usize) {
    let client = reqwest::Client::new();
    for i in from..from + count {
        let method = reqwest::Method::from_bytes(format!("MADEUP{i}").as_bytes()).unwrap();
        client
            .request(method, format!("{}/login", app.address))
            .send()
            .await
            .unwrap();
    }
}

#[actix_web::test]
async fn made_up_methods_share_one_label_and_do_not_grow_the_metrics() {
    let app = TestApp::spawn().await;
    made_up_methods(&app, 0, 10).await;
    app.get("/no/such/page/1").await;
    app.get("/metrics").await;
    let before = app.get("/metrics").await.text().await.unwrap();

    made_up_methods(&app, 10, 60).await;
    app.get("/no/such/page/2").await;
    app.get("/another/unknown/path").await;
    let after = app.get("/metrics").await.text().await.unwrap();

    assert!(after.contains(r#"method="other""#), "{after}");
    assert!(!after.to_ascii_uppercase().contains("MADEUP"), "{after}");
    assert!(after.contains(r#"route="unmatched""#), "{after}");
    assert!(!after.contains("/no/such/page"), "{after}");
    // Only counter values change; no new label sets appear.
    let grown = after.len().saturating_sub(before.len());
    assert!(grown < 200, "grew by {grown} bytes:\n{after}");
    assert_eq!(before.lines().count(), after.lines().count());
}

#[actix_web::test]
async fn metrics_need_the_token_when_the_address_is_not_allowed() {
    let app = TestApp::spawn_with(|s| {
        s.metrics.token = Some(insikt::config::Secret::new("metrics-s3cret"));
        // The test client connects from 127.0.0.1: allow only another network.
        s.metrics.allow = vec!["10.0.0.0/8".parse().unwrap()];
        // A header naming an allowed address must not count: only the TCP peer does.
        s.trust_proxy = true;
    })
    .await;
    let client = reqwest::Client::new();
    let url = format!("{}/metrics", app.address);

    for (auth, forwarded) in [
        (None, None),
        (Some("Bearer wrong-token"), None),
        (Some("Basic bWV0cmljcy1zM2NyZXQ="), None),
        (None, Some("10.1.2.3")),
    ] {
        let mut req = client.get(&url);
        if let Some(a) = auth {
            req = req.header("authorization", a);
        }
        if let Some(f) = forwarded {
            req = req.header("x-forwarded-for", f);
        }
        let res = req.send().await.unwrap();
        assert_eq!(res.status().as_u16(), 404, "{auth:?} {forwarded:?}");
        let body = res.text().await.unwrap();
        assert!(body.contains("Sidan finns inte"), "{body}");
        assert!(!body.contains("insikt_http_requests"), "{body}");
    }

    let res = client
        .get(&url)
        .header("authorization", "Bearer metrics-s3cret")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 200);
    assert!(res
        .text()
        .await
        .unwrap()
        .contains("insikt_http_requests_total"));
}

#[actix_web::test]
async fn metrics_are_refused_to_everyone_when_no_address_is_allowed_and_no_token_is_set() {
    let app = TestApp::spawn_with(|s| s.metrics.allow.clear()).await;
    assert_eq!(app.get("/metrics").await.status().as_u16(), 404);
}

/// Parser words that must never reach a visitor.
const PARSER_WORDS: &[&str] = &[
    "can not parse",
    "deserialize",
    "Query",
    "payload reached",
    "size limit",
    "invalid digit",
    "duplicate field",
];

fn assert_friendly(status: u16, html: &str, want: u16, title: &str) {
    assert_eq!(status, want, "{html}");
    assert!(html.contains("<html lang=\"sv\""), "{html}");
    assert!(html.contains(title), "{html}");
    for word in PARSER_WORDS {
        assert!(!html.contains(word), "{word:?} shown: {html}");
    }
}

#[actix_web::test]
async fn a_path_segment_that_does_not_parse_is_the_friendly_404() {
    let app = TestApp::spawn().await;
    app.create_user("forskare", "researcher");
    app.login("forskare", crate::helpers::GOOD_PASSWORD).await;
    for path in [
        "/designer/some-survey/99999999999",
        "/designer/some-survey/abc",
        "/designer/some-survey/-1/checks",
    ] {
        let (status, html) = app.get_html(path).await;
        assert_friendly(status, &html, 404, "Sidan finns inte");
        assert!(html.contains("Page not found"), "{html}");
    }
}

#[actix_web::test]
async fn a_broken_query_is_a_friendly_400() {
    let app = TestApp::spawn().await;
    app.create_user("boss", "admin");
    app.login("boss", crate::helpers::GOOD_PASSWORD).await;
    for path in [
        "/admin/audit?before=not-a-number",
        "/admin/audit?before=99999999999999999999999",
        "/login?next=/a&next=/b",
    ] {
        let (status, html) = app.get_html(path).await;
        assert_friendly(
            status,
            &html,
            400,
            "Adressen eller formuläret kunde inte läsas",
        );
        assert!(
            html.contains("The address or form could not be read"),
            "{html}"
        );
        assert!(!html.contains("not-a-number"), "{html}");
    }
}

#[actix_web::test]
async fn an_oversized_body_is_a_friendly_413() {
    let app = TestApp::spawn().await;
    // An administrator may open every path below, so the only thing wrong is the size. (A
    // researcher posting to /admin/users raced the 403 against the 413: which extractor fails
    // first depends on how quickly the session lookup finishes.)
    app.create_user("chef", "admin");
    app.login("chef", crate::helpers::GOOD_PASSWORD).await;
    let client = reqwest::Client::new();
    let cookies: Vec<String> = ["insikt_session", "insikt_csrf"]
        .iter()
        .filter_map(|n| app.cookie(n).map(|v| format!("{n}={v}")))
        .collect();
    // A raw body (`web::Bytes`, whose limit has no error hook) and a form (`CsrfForm`).
    for (path, size, content_type) in [
        (
            "/designer/import",
            11 * 1024 * 1024,
            "multipart/form-data; boundary=x",
        ),
        ("/login", 100 * 1024, "application/x-www-form-urlencoded"),
        (
            "/admin/users",
            100 * 1024,
            "application/x-www-form-urlencoded",
        ),
    ] {
        let res = client
            .post(format!("{}{path}", app.address))
            .header("cookie", cookies.join("; "))
            .header("content-type", content_type)
            .body(vec![b'a'; size])
            .send()
            .await
            .unwrap();
        let status = res.status().as_u16();
        let html = res.text().await.unwrap();
        assert_friendly(status, &html, 413, "För mycket data");
    }
}
