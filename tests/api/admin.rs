//! Role checks and account administration.

use crate::helpers::{TestApp, GOOD_PASSWORD};

#[actix_web::test]
async fn an_analyst_cannot_reach_admin_pages() {
    let app = TestApp::spawn().await;
    app.create_user("anna", "analyst");
    app.login("anna", GOOD_PASSWORD).await;

    for path in ["/admin/users", "/admin/audit"] {
        let (status, html) = app.get_html(path).await;
        assert_eq!(status, 403, "{path}");
        assert!(html.contains("Du har inte behörighet"));
    }
}

#[actix_web::test]
async fn an_anonymous_visitor_is_redirected_to_login() {
    let app = TestApp::spawn().await;
    for path in ["/admin/users", "/staff"] {
        let res = app.get(path).await;
        assert_eq!(res.status().as_u16(), 303, "{path}");
        let location = res.headers()["location"].to_str().unwrap().to_owned();
        assert!(location.starts_with("/login?next=%2F"), "{location}");
    }
}

#[actix_web::test]
async fn an_admin_adds_a_user_changes_the_role_and_the_audit_log_shows_both() {
    let app = TestApp::spawn().await;
    app.create_user("boss", "admin");
    app.login("boss", GOOD_PASSWORD).await;

    let res = app
        .post_form(
            "/admin/users",
            "/admin/users",
            &[
                ("username", "Karin"),
                ("display_name", "Karin Ek"),
                ("role", "researcher"),
                ("password", ""),
            ],
        )
        .await;
    assert_eq!(res.status().as_u16(), 200);
    let html = res.text().await.unwrap();
    assert!(html.contains("karin"), "usernames are stored in lower case");
    assert!(
        html.contains("code class=\"secret\""),
        "a generated password is shown once"
    );

    let karin = {
        let mut conn = app.db.get().unwrap();
        insikt::use_cases::accounts::find_by_username(&mut conn, "karin").unwrap()
    };
    let res = app
        .post_form(
            "/admin/users",
            &format!("/admin/users/{}/role", karin.id),
            &[("role", "manager")],
        )
        .await;
    assert_eq!(res.status().as_u16(), 303);

    let (status, audit) = app.get_html("/admin/audit").await;
    assert_eq!(status, 200);
    assert!(audit.contains("user.created"));
    assert!(audit.contains("user.role_changed"));
    assert!(audit.contains("researcher -&gt; manager"));
    assert!(audit.contains("login.ok"));
}

#[actix_web::test]
async fn a_weak_password_is_refused_with_the_reason_and_the_typed_values_kept() {
    let app = TestApp::spawn().await;
    app.create_user("boss", "admin");
    app.login("boss", GOOD_PASSWORD).await;

    let res = app
        .post_form(
            "/admin/users",
            "/admin/users",
            &[
                ("username", "olle"),
                ("display_name", "Olle"),
                ("role", "analyst"),
                ("password", "qwerty123456"),
            ],
        )
        .await;
    assert_eq!(res.status().as_u16(), 422);
    let html = res.text().await.unwrap();
    assert!(html.contains("vanligaste lösenorden"));
    assert!(html.contains("value=\"olle\""));
    assert!(
        html.contains("href=\"#password\""),
        "the error summary links to the field"
    );
    let mut conn = app.db.get().unwrap();
    assert!(insikt::use_cases::accounts::find_by_username(&mut conn, "olle").is_err());
}

#[actix_web::test]
async fn an_admin_cannot_disable_their_own_account() {
    let app = TestApp::spawn().await;
    let boss = app.create_user("boss", "admin");
    app.login("boss", GOOD_PASSWORD).await;
    let res = app
        .post_form(
            "/admin/users",
            &format!("/admin/users/{}/disable", boss.id),
            &[],
        )
        .await;
    assert_eq!(res.status().as_u16(), 409);
    assert_eq!(app.get("/admin/users").await.status().as_u16(), 200);
}
