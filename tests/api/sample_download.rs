//! The drawn sample on the fieldwork page: strata in key order, readable times, and the CSV
//! download (staff with fieldwork access only, audited, formulas neutralised).

use insikt::use_cases::fieldwork;

use crate::fieldwork::{draw, researcher_app};
use crate::helpers::GOOD_PASSWORD;

/// A frame whose first row is in `kista`, so the draw meets `kista` before `bromma`, and whose
/// first name is a spreadsheet formula.
fn frame() -> String {
    let mut s = String::from("id,district,name,address,email,language\n");
    s.push_str("p0,kista,=1+2,\"Gatan 0|123 45 Stockholm\",,sv\n");
    for i in 1..20 {
        let d = if i % 2 == 0 { "kista" } else { "bromma" };
        s.push_str(&format!(
            "p{i},{d},Person {i},\"Gatan {i}|123 45 Stockholm\",,sv\n"
        ));
    }
    s
}

#[actix_web::test]
async fn the_drawn_sample_downloads_as_csv_with_formulas_neutralised_and_is_audited() {
    let app = researcher_app().await;
    let fields = [
        ("strata", "district"),
        ("allocation", "proportional"),
        ("n", "20"),
        ("seed", "7"),
    ];
    let (status, page) = draw(&app, frame().as_bytes(), &fields).await;
    assert_eq!(status, 200, "{page}");
    let id = {
        let mut conn = app.db.get().unwrap();
        fieldwork::samples(&mut conn, "panel").unwrap()[0]
            .record
            .id
            .clone()
    };
    let (status, html) = app.get_html("/fieldwork/panel").await;
    assert_eq!(status, 200);
    let (b, k) = (
        html.find(">bromma<").expect("bromma row"),
        html.find(">kista<").expect("kista row"),
    );
    assert!(b < k, "strata in key order");
    let stamp = regex::Regex::new(r" – \d{4}-\d{2}-\d{2} \d{2}:\d{2}</h3>").unwrap();
    assert!(stamp.is_match(&html), "a readable local time: {html}");
    assert!(!html.contains("Z</h3>"), "no RFC 3339 stamp: {html}");
    let link = format!("/fieldwork/panel/samples/{id}.csv");
    assert!(html.contains(&link), "the page links the download");

    let res = app.get(&link).await;
    assert_eq!(res.status().as_u16(), 200);
    assert!(res.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/csv"));
    let body = res.text().await.unwrap();
    let mut lines = body.lines();
    assert_eq!(
        lines.next(),
        Some(fieldwork::SAMPLE_CSV_HEADER.join(",").as_str())
    );
    let rows: Vec<csv::StringRecord> = csv::Reader::from_reader(body.as_bytes())
        .records()
        .map(Result::unwrap)
        .collect();
    assert_eq!(rows.len(), 20, "one row per drawn unit: {body}");
    let formula = rows.iter().find(|r| &r[0] == "p0").expect("p0 was drawn");
    assert_eq!(&formula[5], "'=1+2", "{body}");
    assert_eq!(app.audit_actions("sample.downloaded"), 1);

    app.clear_cookies();
    app.create_user("ann", "analyst");
    app.login("ann", GOOD_PASSWORD).await;
    assert_eq!(app.get(&link).await.status().as_u16(), 403);
    assert_eq!(app.audit_actions("sample.downloaded"), 1);
}
