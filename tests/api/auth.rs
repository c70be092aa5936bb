//! Login, sessions, throttling and CSRF.

use crate::helpers::{TestApp, GOOD_PASSWORD};

const SESSION: &str = "insikt_session";

#[actix_web::test]
async fn login_with_the_right_password_works_and_rotates_the_session_id() {
    let app = TestApp::spawn().await;
    app.create_user("anna", "researcher");
    // A session id planted before login (fixation) must not survive it.
    app.set_cookie(SESSION, "planted-session-id-0000000000000000000000000");

    let res = app.login("anna", GOOD_PASSWORD).await;

    assert_eq!(res.status().as_u16(), 303);
    assert_eq!(res.headers()["location"], "/staff");
    let first = app.cookie(SESSION).expect("session cookie");
    assert_ne!(first, "planted-session-id-0000000000000000000000000");
    let (status, html) = app.get_html("/staff").await;
    assert_eq!(status, 200);
    assert!(html.contains("anna"));

    // Logging in again (a logged-in browser is sent away from /login, so the token comes from
    // the logout form) gives a new id and the old one stops working.
    app.post_form(
        "/staff",
        "/login",
        &[("username", "anna"), ("password", GOOD_PASSWORD)],
    )
    .await;
    let second = app.cookie(SESSION).expect("session cookie");
    assert_ne!(first, second);
    app.set_cookie(SESSION, &first);
    assert_eq!(app.get("/staff").await.status().as_u16(), 303);
}

#[actix_web::test]
async fn a_wrong_password_and_an_unknown_user_get_the_same_answer() {
    let app = TestApp::spawn().await;
    app.create_user("anna", "researcher");

    let wrong = app.login("anna", "fel-lösenord-helt-och-hållet").await;
    let wrong_status = wrong.status().as_u16();
    let wrong_body = wrong.text().await.unwrap();
    let unknown = app.login("nobody", "fel-lösenord-helt-och-hållet").await;
    let unknown_status = unknown.status().as_u16();
    let unknown_body = unknown.text().await.unwrap();

    assert_eq!(wrong_status, 401);
    assert_eq!(wrong_status, unknown_status);
    let message = "Fel användarnamn eller lösenord.";
    assert!(wrong_body.contains(message));
    assert!(unknown_body.contains(message));
    // Same page apart from the echoed username and the per-request token.
    let strip = |s: &str, name: &str| {
        s.replace(name, "")
            .lines()
            .filter(|l| !l.contains("csrf_token"))
            .collect::<String>()
    };
    assert_eq!(strip(&wrong_body, "anna"), strip(&unknown_body, "nobody"));
    assert!(app.cookie(SESSION).is_none());
}

#[actix_web::test]
async fn the_sixth_rapid_failure_is_throttled_even_with_the_right_password() {
    let app = TestApp::spawn().await;
    app.create_user("anna", "researcher");

    for attempt in 1..=5 {
        let res = app.login("anna", "fel-lösenord-helt-och-hållet").await;
        assert_eq!(res.status().as_u16(), 401, "attempt {attempt}");
    }
    let sixth = app.login("anna", GOOD_PASSWORD).await;

    assert_eq!(sixth.status().as_u16(), 429);
    assert!(sixth.headers().contains_key("retry-after"));
    assert!(app.cookie(SESSION).is_none());
    assert_eq!(app.audit_actions("login.failed"), 5);
    assert_eq!(app.audit_actions("login.throttled"), 1);
}

#[actix_web::test]
async fn an_unknown_user_is_throttled_like_a_known_one() {
    let app = TestApp::spawn().await;
    for _ in 1..=5 {
        app.login("ghost", "fel-lösenord-helt-och-hållet").await;
    }
    assert_eq!(
        app.login("ghost", "fel-lösenord-helt-och-hållet")
            .await
            .status()
            .as_u16(),
        429
    );
}

#[actix_web::test]
async fn a_post_without_a_csrf_token_is_refused_with_403_and_changes_nothing() {
    let app = TestApp::spawn().await;
    app.create_user("boss", "admin");
    app.login("boss", GOOD_PASSWORD).await;

    let fields = [
        ("username", "eve"),
        ("display_name", "Eve"),
        ("role", "admin"),
        ("password", GOOD_PASSWORD),
    ];
    let without = app.post_raw("/admin/users", &fields).await;
    let mut forged = vec![("csrf_token", "forged-token")];
    forged.extend_from_slice(&fields);
    let with_forged = app.post_raw("/admin/users", &forged).await;

    assert_eq!(without.status().as_u16(), 403);
    assert_eq!(with_forged.status().as_u16(), 403);
    let (_, list) = app.get_html("/admin/users").await;
    assert!(!list.contains("eve"));
    assert_eq!(app.audit_actions("user.created"), 1); // only boss, created by the test
}

#[actix_web::test]
async fn a_login_without_a_csrf_token_is_refused() {
    let app = TestApp::spawn().await;
    app.create_user("anna", "researcher");
    app.get("/login").await;
    let res = app
        .post_raw(
            "/login",
            &[("username", "anna"), ("password", GOOD_PASSWORD)],
        )
        .await;
    assert_eq!(res.status().as_u16(), 403);
    assert!(app.cookie(SESSION).is_none());
}

#[actix_web::test]
async fn a_disabled_account_cannot_log_in_and_its_open_sessions_stop_working() {
    let app = TestApp::spawn().await;
    app.create_user("boss", "admin");
    let anna = app.create_user("anna", "analyst");
    app.login("anna", GOOD_PASSWORD).await;
    let anna_session = app.cookie(SESSION).unwrap();
    assert_eq!(app.get("/staff").await.status().as_u16(), 200);

    app.clear_cookies();
    app.login("boss", GOOD_PASSWORD).await;
    let res = app
        .post_form(
            "/admin/users",
            &format!("/admin/users/{}/disable", anna.id),
            &[],
        )
        .await;
    assert_eq!(res.status().as_u16(), 303);

    app.clear_cookies();
    app.set_cookie(SESSION, &anna_session);
    assert_eq!(app.get("/staff").await.status().as_u16(), 303);
    app.clear_cookies();
    assert_eq!(
        app.login("anna", GOOD_PASSWORD).await.status().as_u16(),
        401
    );
    assert_eq!(app.audit_actions("user.disabled"), 1);
}

#[actix_web::test]
async fn logout_kills_the_server_side_session() {
    let app = TestApp::spawn().await;
    app.create_user("anna", "analyst");
    app.login("anna", GOOD_PASSWORD).await;
    let session = app.cookie(SESSION).unwrap();

    let res = app.post_form("/staff", "/logout", &[]).await;
    assert_eq!(res.status().as_u16(), 303);
    assert!(app.cookie(SESSION).is_none(), "the cookie is cleared");

    // Someone who kept a copy of the cookie gets nothing.
    app.set_cookie(SESSION, &session);
    let res = app.get("/staff").await;
    assert_eq!(res.status().as_u16(), 303);
    assert!(res.headers()["location"]
        .to_str()
        .unwrap()
        .starts_with("/login"));
}

#[actix_web::test]
async fn a_session_cookie_is_http_only_and_same_site_lax() {
    let app = TestApp::spawn().await;
    app.create_user("anna", "analyst");
    let res = app.login("anna", GOOD_PASSWORD).await;
    let cookie = res
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|c| c.starts_with("insikt_session="))
        .expect("session cookie set");
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Lax"), "{cookie}");
}

#[actix_web::test]
async fn login_does_not_redirect_to_another_site() {
    let app = TestApp::spawn().await;
    app.create_user("anna", "analyst");
    let res = app
        .post_form(
            "/login",
            "/login",
            &[
                ("username", "anna"),
                ("password", GOOD_PASSWORD),
                ("next", "//evil.example/"),
            ],
        )
        .await;
    assert_eq!(res.headers()["location"], "/staff");
}

/// `next` values that a browser would turn into another site, or that cannot be a header.
const HOSTILE_NEXT: &[&str] = &[
    "/\t/evil.com",
    "/\n/evil.com",
    "/\r\nSet-Cookie: x=y",
    "\t//evil.com",
    " //evil.com",
    "//evil.com",
    "///evil.com",
    "/\\evil.com",
    "\\\\evil.com",
    "/\\/evil.com",
    "https://evil.com",
    "http:evil.com",
    "javascript:alert(1)",
    "/ /evil.com",
    "/\u{0}/evil.com",
    "/\u{7f}/evil.com",
    "/\u{a0}/evil.com",
    "evil.com",
    "",
];

#[actix_web::test]
async fn hostile_next_values_always_land_on_a_local_path_and_never_a_500() {
    let app = TestApp::spawn().await;
    app.create_user("anna", "analyst");
    for next in HOSTILE_NEXT {
        app.clear_cookies();
        let res = app
            .post_form(
                "/login",
                "/login",
                &[
                    ("username", "anna"),
                    ("password", GOOD_PASSWORD),
                    ("next", next),
                ],
            )
            .await;
        assert_eq!(res.status().as_u16(), 303, "POST next={next:?}");
        assert_eq!(res.headers()["location"], "/staff", "POST next={next:?}");

        // Logged in now: GET /login sends the browser straight on to `next`.
        let query = serde_urlencoded::to_string([("next", next)]).unwrap();
        let res = app.get(&format!("/login?{query}")).await;
        assert_eq!(res.status().as_u16(), 303, "GET next={next:?}");
        assert_eq!(res.headers()["location"], "/staff", "GET next={next:?}");
    }
    // The percent-encoded form from the report, exactly as an attacker would link it.
    let res = app.get("/login?next=/%09/evil.com").await;
    assert_eq!(res.headers()["location"], "/staff");
}

#[actix_web::test]
async fn a_local_next_with_a_query_is_kept() {
    let app = TestApp::spawn().await;
    app.create_user("anna", "analyst");
    app.login("anna", GOOD_PASSWORD).await;
    let res = app
        .get("/login?next=%2Fstaff%2Freceipts%3Fnumber%3D12")
        .await;
    assert_eq!(res.status().as_u16(), 303);
    assert_eq!(res.headers()["location"], "/staff/receipts?number=12");
}

const WRONG: &str = "fel-lösenord-helt-och-hållet";

async fn proxied_app() -> TestApp {
    let app = TestApp::spawn_with(|s| s.trust_proxy = true).await;
    app.create_user("boss", "admin");
    app
}

async fn status_of(app: &TestApp, ip: &str, user: &str, password: &str) -> u16 {
    app.clear_cookies();
    app.login_from(ip, user, password).await.status().as_u16()
}

#[actix_web::test]
async fn an_attackers_failures_from_one_address_do_not_lock_the_owner_out_elsewhere() {
    let app = proxied_app().await;
    let attacker = "203.0.113.66";
    for attempt in 1..=12 {
        let status = status_of(&app, attacker, "boss", WRONG).await;
        let expected = if attempt <= 5 { 401 } else { 429 };
        assert_eq!(status, expected, "attempt {attempt}");
    }
    // The attacker's address stays throttled for this account, even with the right password.
    assert_eq!(status_of(&app, attacker, "boss", GOOD_PASSWORD).await, 429);
    // The owner, from their own address, logs in.
    assert_eq!(
        status_of(&app, "198.51.100.7", "boss", GOOD_PASSWORD).await,
        303
    );
    assert!(app.cookie(SESSION).is_some());
}

#[actix_web::test]
async fn one_address_trying_many_accounts_is_throttled() {
    let app = proxied_app().await;
    let sprayer = "203.0.113.9";
    for i in 0..20 {
        let user = format!("guess{i}");
        assert_eq!(status_of(&app, sprayer, &user, WRONG).await, 401, "{user}");
    }
    // Every account is closed to that address now, one it never tried included.
    assert_eq!(status_of(&app, sprayer, "someone-new", WRONG).await, 429);
    assert_eq!(status_of(&app, sprayer, "boss", GOOD_PASSWORD).await, 429);
    assert_eq!(
        status_of(&app, "198.51.100.7", "boss", GOOD_PASSWORD).await,
        303
    );
}

#[actix_web::test]
async fn many_addresses_trip_the_account_limit_but_a_clean_address_still_logs_in() {
    let app = proxied_app().await;
    // 10 addresses × 3 failures: no pair reaches its own limit of 5, the account's 30 is reached.
    for round in 0..3 {
        for host in 1..=10 {
            let ip = format!("203.0.113.{host}");
            let status = status_of(&app, &ip, "boss", WRONG).await;
            assert_eq!(status, 401, "round {round}, {ip}");
        }
    }
    // An address that has failed for the account is held back, right password or not …
    assert_eq!(status_of(&app, "203.0.113.1", "boss", WRONG).await, 429);
    assert_eq!(
        status_of(&app, "203.0.113.2", "boss", GOOD_PASSWORD).await,
        429
    );
    // … and one that has not gets its answer: the owner is not locked out.
    assert_eq!(
        status_of(&app, "198.51.100.7", "boss", GOOD_PASSWORD).await,
        303
    );
    // A fresh address with a wrong guess is refused, and from then on held back too.
    assert_eq!(status_of(&app, "192.0.2.44", "boss", WRONG).await, 401);
    assert_eq!(
        status_of(&app, "192.0.2.44", "boss", GOOD_PASSWORD).await,
        429
    );
}
