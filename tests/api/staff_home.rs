//! The staff home (`/staff`): each role sees what it may do, and every link it is offered opens.

use insikt::domain::options::SurveyOptions;

use crate::helpers::{TestApp, GOOD_PASSWORD};
use crate::respond::SURVEY;

/// Every same-site link of a page, without fragments and language switches.
fn links(html: &str) -> Vec<String> {
    let mut out: Vec<String> = html
        .split("href=\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .filter(|h| h.starts_with('/') && !h.contains('?') && !h.starts_with("/static/"))
        .map(str::to_owned)
        .collect();
    out.sort();
    out.dedup();
    out
}

#[actix_web::test]
async fn each_roles_staff_home_offers_only_links_that_role_may_follow() {
    let app = TestApp::spawn().await;
    app.publish_survey(SURVEY, &SurveyOptions::default());
    let expect = [
        ("admin", true, true),
        ("researcher", true, true),
        ("analyst", true, false),
        ("manager", true, false),
        ("interviewer", false, false),
    ];
    for (role, results, fieldwork) in expect {
        app.clear_cookies();
        let name = format!("{role}1");
        app.create_user(&name, role);
        app.login(&name, GOOD_PASSWORD).await;
        let (status, html) = app.get_html("/staff").await;
        assert_eq!(status, 200, "{role}");
        let found = links(&html);
        assert_eq!(
            found.contains(&"/results".to_owned()),
            results,
            "{role}: {found:?}"
        );
        assert_eq!(
            found.iter().any(|l| l.starts_with("/fieldwork/")),
            fieldwork,
            "{role}: {found:?}"
        );
        if role != "interviewer" {
            assert!(
                html.contains("test-survey"),
                "{role} sees the surveys: {html}"
            );
        }
        for link in found.iter().filter(|l| *l != "/results") {
            let res = app.get(link).await;
            assert_eq!(res.status().as_u16(), 200, "{role} follows {link}");
        }
    }
}
