//! What respondents type, checked by the server with the answer kept in the box: dates, the
//! "other, specify" text, ranking places, text lengths (and the body limit above them), and the
//! MaxDiff most/least layout.

use insikt::domain::options::SurveyOptions;

use crate::helpers::{browser_form, TestApp};

const SURVEY: &str = r#"
key = "inputs"
version = 1
default_language = "sv"
languages = ["sv", "en"]
title = { sv = "Inmatning", en = "Inputs" }

[choice_lists]
devices = [
  { value = "phone", label = { sv = "Mobil", en = "Phone" } },
  { value = "computer", label = { sv = "Dator", en = "Computer" } },
]
places = [
  { value = "bus", label = { sv = "Buss", en = "Bus" } },
  { value = "bike", label = { sv = "Cykel", en = "Bike" } },
  { value = "car", label = { sv = "Bil", en = "Car" } },
]
areas = [
  { value = "school", label = { sv = "Skola", en = "School" } },
  { value = "parking", label = { sv = "Parkering", en = "Parking" } },
  { value = "library", label = { sv = "Bibliotek", en = "Library" } },
  { value = "waste", label = { sv = "Sophämtning", en = "Waste collection" } },
  { value = "permits", label = { sv = "Bygglov", en = "Building permits" } },
]

[[pages]]
key = "p1"
title = { sv = "Om dig", en = "About you" }

[[pages.questions]]
key = "started"
type = "date"
label = { sv = "När flyttade du hit?", en = "When did you move here?" }
constraint = ". <= today()"
constraint_message = { sv = "Datumet kan inte vara i framtiden.", en = "The date cannot be in the future." }

[[pages.questions]]
key = "device"
type = "multiple_choice"
list = "devices"
other = true
label = { sv = "Vad använder du?", en = "What do you use?" }

[[pages.questions]]
key = "order"
type = "ranking"
list = "places"
label = { sv = "Ordna färdsätten", en = "Order the ways to travel" }

[[pages.questions]]
key = "nick"
type = "short_text"
max_length = 20
label = { sv = "Smeknamn", en = "Nickname" }

[[pages.questions]]
key = "story"
type = "long_text"
label = { sv = "Berätta mer", en = "Tell us more" }

[[pages]]
key = "p2"
title = { sv = "Viktigast", en = "Most important" }

[[pages.questions]]
key = "md"
type = "max_diff"
label = { sv = "Vad är viktigast?", en = "What matters most?" }
list = "areas"
items_per_task = 3
tasks = 5
design_versions = 2
design_seed = 7
best_label = { sv = "Viktigast", en = "Most important" }
worst_label = { sv = "Minst viktigt", en = "Least important" }
"#;

async fn first_page() -> (TestApp, String) {
    let app = TestApp::spawn().await;
    app.publish_survey(SURVEY, &SurveyOptions::default());
    let (status, landing) = app.get_html("/s/inputs").await;
    assert_eq!(status, 200, "{landing}");
    let (status, page) = app
        .post_fields("/s/inputs/start", &browser_form(&landing, &[], ""))
        .await;
    assert_eq!(status, 200, "{page}");
    (app, page)
}

async fn next(app: &TestApp, page: &str, set: &[(&str, &str)]) -> (u16, String) {
    app.post_fields("/s/inputs", &browser_form(page, set, "next"))
        .await
}

#[actix_web::test]
async fn dates_not_written_as_real_iso_dates_are_refused_with_the_expected_format() {
    let (app, p1) = first_page().await;
    for typed in ["2020-02-30", "1/5/2020", "test", "20200101"] {
        let (status, html) = next(&app, &p1, &[("a.started", typed)]).await;
        assert_eq!(status, 422, "{typed} must be refused");
        assert!(html.contains("ÅÅÅÅ-MM-DD"), "{typed}: {html}");
        assert!(html.contains("2026-03-27"), "an example is given");
        assert!(
            !html.contains("inte vara i framtiden"),
            "{typed} is not a future date, it is no date"
        );
        assert!(
            html.contains(&format!("value=\"{typed}\"")),
            "what was typed stays in the box"
        );
    }
    let (status, html) = next(&app, &p1, &[("a.started", "2020-02-29")]).await;
    assert_eq!(status, 200, "a real past date passes: {html}");
    assert!(html.contains("Vad är viktigast?"));
}

#[actix_web::test]
async fn a_future_date_is_refused_by_its_constraint() {
    let (app, p1) = first_page().await;
    let (status, html) = next(&app, &p1, &[("a.started", "2999-01-01")]).await;
    assert_eq!(status, 422);
    assert!(html.contains("Datumet kan inte vara i framtiden."));
}

#[actix_web::test]
async fn other_text_without_other_ticked_is_refused_and_the_text_is_kept() {
    let (app, p1) = first_page().await;
    let (status, html) = next(
        &app,
        &p1,
        &[("a.device", "computer"), ("a.device.other", "Smart-klocka")],
    )
    .await;
    assert_eq!(status, 422, "{html}");
    assert!(html.contains("Välj Annat, eller töm rutan."), "{html}");
    assert!(html.contains("value=\"Smart-klocka\""));
    assert!(
        html.contains("href=\"#q-device-other\""),
        "the summary leads to the box"
    );
}

#[actix_web::test]
async fn two_options_given_the_same_place_are_told_that_each_place_is_used_once() {
    let (app, p1) = first_page().await;
    let (status, html) = next(
        &app,
        &p1,
        &[
            ("a.order.bus", "1"),
            ("a.order.bike", "1"),
            ("a.order.car", "2"),
        ],
    )
    .await;
    assert_eq!(status, 422);
    assert!(
        html.contains("Varje plats kan bara användas en gång."),
        "{html}"
    );
    assert!(html.contains("plats 1."), "the place in conflict is named");
    assert!(!html.contains("Välj ett av alternativen"));
}

#[actix_web::test]
async fn text_boxes_show_their_limit_and_a_longer_answer_is_refused_and_kept() {
    let (app, p1) = first_page().await;
    assert!(p1.contains("maxlength=\"20\""), "{p1}");
    assert!(p1.contains("Högst 20 tecken."));
    assert!(p1.contains("maxlength=\"2000\""));
    assert!(p1.contains("Högst 2\u{a0}000 tecken."));
    let typed = "Ett smeknamn som är för långt";
    let (status, html) = next(&app, &p1, &[("a.nick", typed)]).await;
    assert_eq!(status, 422);
    assert!(html.contains("Svaret får vara högst 20 tecken."), "{html}");
    assert!(html.contains(&format!("value=\"{typed}\"")));
}

#[actix_web::test]
async fn a_page_with_a_very_long_text_is_shown_again_with_the_text_not_lost_to_a_size_limit() {
    let (app, p1) = first_page().await;
    // 24,000 characters of Swedish text: 84 KB once percent-encoded, above the old 64 KiB.
    let typed = "Å ä ö ".repeat(4_000);
    let typed = typed.trim();
    let (status, html) = next(&app, &p1, &[("a.story", typed)]).await;
    assert_eq!(status, 422, "validation, not the body limit, answers");
    assert!(html.contains("Svaret får vara högst 2\u{a0}000 tecken."));
    assert!(
        html.contains(typed),
        "every character typed is still in the box"
    );
}

#[actix_web::test]
async fn a_body_above_the_respondent_limit_is_refused_with_a_page_that_says_how_to_go_back() {
    let (app, p1) = first_page().await;
    let mut fields = browser_form(&p1, &[], "next");
    fields.push(("a.story".into(), "x".repeat(1100 * 1024)));
    let (status, html) = app.post_fields("/s/inputs", &fields).await;
    assert_eq!(status, 413);
    assert!(html.contains("bakåtknapp"), "{html}");
    assert_eq!(app.response_count(), 0);
}

/// The values of the radios of each task fieldset on a page: (task legend, item values).
fn tasks_on(html: &str) -> Vec<(String, Vec<String>)> {
    let doc = scraper::Html::parse_document(html);
    let sel = |s: &str| scraper::Selector::parse(s).unwrap();
    doc.select(&sel("fieldset.maxdiff-task"))
        .map(|task| {
            let legend = task.select(&sel("legend")).next().unwrap().text().collect();
            let values = task
                .select(&sel("input[type=radio][name$='.best']"))
                .filter_map(|i| i.value().attr("value").map(str::to_owned))
                .collect();
            (legend, values)
        })
        .collect()
}

/// Most = the first item, least = the second, for every task shown.
fn answer_tasks(html: &str) -> Vec<(String, String)> {
    tasks_on(html)
        .into_iter()
        .flat_map(|(legend, values)| {
            let n = legend.split(' ').nth(1).unwrap().to_owned();
            [
                (format!("a.md.t{n}.best"), values[0].clone()),
                (format!("a.md.t{n}.worst"), values[1].clone()),
            ]
        })
        .collect()
}

async fn next_with(app: &TestApp, page: &str, set: &[(String, String)]) -> (u16, String) {
    let set: Vec<(&str, &str)> = set.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    next(app, page, &set).await
}

#[actix_web::test]
async fn maxdiff_tasks_list_each_item_once_between_most_and_least_with_named_radios() {
    let (app, p1) = first_page().await;
    let (status, p2) = next(&app, &p1, &[]).await;
    assert_eq!(status, 200, "{p2}");
    let doc = scraper::Html::parse_document(&p2);
    let sel = |s: &str| scraper::Selector::parse(s).unwrap();
    let tasks: Vec<_> = doc.select(&sel("fieldset.maxdiff-task")).collect();
    assert_eq!(tasks.len(), 3, "three tasks per screen");
    for (t, task) in tasks.iter().enumerate() {
        let legend: String = task.select(&sel("legend")).next().unwrap().text().collect();
        assert_eq!(legend, format!("Uppgift {} av 5", t + 1));
        let items: Vec<String> = task
            .select(&sel("th[scope=row]"))
            .map(|e| e.text().collect())
            .collect();
        assert_eq!(items.len(), 3, "each item once per task");
        let mut unique = items.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), 3);
        for item in &items {
            for side in ["Viktigast", "Minst viktigt"] {
                let name = format!("{side}: {item}");
                let label = task
                    .select(&sel("label"))
                    .find(|l| l.text().collect::<String>() == name)
                    .unwrap_or_else(|| panic!("a radio named {name}"));
                let id = label.value().attr("for").unwrap();
                assert!(task
                    .select(&sel(&format!("input[type=radio][id='{id}']")))
                    .next()
                    .is_some());
            }
        }
    }
}

#[actix_web::test]
async fn maxdiff_tasks_come_a_few_per_screen_and_back_returns_to_the_earlier_ones() {
    let (app, p1) = first_page().await;
    let (_, first) = next(&app, &p1, &[]).await;
    let legends: Vec<String> = tasks_on(&first).into_iter().map(|t| t.0).collect();
    assert_eq!(
        legends,
        ["Uppgift 1 av 5", "Uppgift 2 av 5", "Uppgift 3 av 5"]
    );
    let answers_1 = answer_tasks(&first);
    let (status, second) = next_with(&app, &first, &answers_1).await;
    assert_eq!(status, 200, "{second}");
    let legends: Vec<String> = tasks_on(&second).into_iter().map(|t| t.0).collect();
    assert_eq!(
        legends,
        ["Uppgift 4 av 5", "Uppgift 5 av 5"],
        "the same page, the next tasks"
    );
    // Back shows the first tasks again, as they were answered.
    let (_, again) = app
        .post_fields("/s/inputs", &browser_form(&second, &[], "back"))
        .await;
    assert_eq!(tasks_on(&again).len(), 3);
    let checked = browser_form(&again, &[], "next");
    for (k, v) in &answers_1 {
        assert!(checked.contains(&(k.clone(), v.clone())), "{k} kept");
    }
    let (_, second) = next(&app, &again, &[]).await;
    let (status, review) = next_with(&app, &second, &answer_tasks(&second)).await;
    assert_eq!(status, 200, "{review}");
    assert!(review.contains("Granska dina svar"));
    let (status, receipt) = app
        .post_fields("/s/inputs", &browser_form(&review, &[], "submit"))
        .await;
    assert_eq!(status, 200, "{receipt}");
    let start = receipt.find("INS-").expect("a receipt");
    let mut conn = app.db.get().unwrap();
    let cells = insikt::storage::responses::find_by_receipt(&mut conn, &receipt[start..start + 13])
        .unwrap()
        .expect("stored")
        .cells;
    for t in 1..=5 {
        for side in ["best", "worst"] {
            let key = format!("md.t{t}.{side}");
            assert!(
                cells.iter().any(|c| c.key == key && c.text.is_some()),
                "{key} stored"
            );
        }
    }
    assert!(
        !cells.iter().any(|c| c.key == "md.screen"),
        "the screen is not an answer"
    );
}
