//! Durability (issue 4): the real binary is killed with SIGKILL at random moments while client
//! threads submit complete responses, restarted on the same SQLite data directory, and at the end
//! every receipt a client was shown must belong to a stored, complete response.
//!
//! Small in CI; scale with `DURABILITY_SUBMISSIONS`, `DURABILITY_KILLS` and
//! `DURABILITY_CLIENTS` (see `scripts/durability-large.sh` for the large release-build run).

mod common;

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use diesel::prelude::*;
use insikt::storage::schema::{answers, responses};
use insikt::storage::{responses as stored, Backend, Db};
use rand::Rng;

use common::{insikt, Server};

const SURVEY: &str = r#"
key = "durability"
version = 1
status = "draft"
default_language = "sv"
languages = ["sv", "en"]
title = { sv = "Hållbarhetstest", en = "Durability test" }

[choice_lists]
yes_no = [
  { value = "yes", label = { sv = "Ja", en = "Yes" } },
  { value = "no", label = { sv = "Nej", en = "No" } },
]

[[pages]]
key = "p1"
title = { sv = "Om dig", en = "About you" }

[[pages.questions]]
key = "has_car"
type = "single_choice"
list = "yes_no"
label = { sv = "Har du bil?", en = "Do you have a car?" }
required = true

[[pages]]
key = "p2"
title = { sv = "Till sist", en = "Finally" }

[[pages.questions]]
key = "age"
type = "integer"
min = 0
max = 120
required = true
label = { sv = "Hur gammal är du?", en = "How old are you?" }

[[pages.questions]]
key = "comment"
type = "short_text"
required = true
label = { sv = "Något mer?", en = "Anything else?" }
"#;

/// The answer cells every stored response of [`SURVEY`] must have.
const CELLS: [&str; 3] = ["age", "comment", "has_car"];
const PAGES: usize = 2;

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// A server on `data` with a fixed secret, so CSRF tokens stay valid across restarts.
fn start_server(data: &std::path::Path, surveys: &std::path::Path) -> (Server, String) {
    let mut cmd = insikt();
    cmd.env("INSIKT_DATA_DIR", data)
        .env("INSIKT_SURVEYS_DIR", surveys)
        .env("INSIKT_BIND", "127.0.0.1:0")
        .env(
            "INSIKT_SECRET_KEY",
            "durability-test-secret-0123456789abcdef",
        )
        .env("INSIKT_RATE_LIMIT", "0")
        .env("INSIKT_WORKERS", "2")
        // Publish the folder's one survey at start (a folder without the shipped questionnaires
        // seeds no demo data).
        .env("INSIKT_DEMO", "true");
    let mut server = Server::start(cmd);
    let url = server.base_url();
    (server, url)
}

/// What one client learnt.
#[derive(Default)]
struct Outcome {
    /// Attempt key → receipt shown to the respondent.
    receipts: HashMap<String, String>,
    /// Attempts that never got an answer (they may or may not be stored).
    unresolved: HashSet<String>,
    /// Requests that failed because the server was down or went down mid-request.
    failures: usize,
}

fn csrf(client: &reqwest::blocking::Client, base: &str) -> Option<(String, String)> {
    let page = client.get(format!("{base}/s/durability")).send().ok()?;
    let cookie = common::cookie_value(&page, "insikt_csrf")?;
    let token = common::hidden_field(&page.text().ok()?, "csrf_token")?;
    Some((cookie, token))
}

/// A sealed attempt as the start form hands it out: `(attempt, seed, started, seal)`. Only the
/// server can make one, so the clients start every attempt as a browser does.
fn start_attempt(
    client: &reqwest::blocking::Client,
    base: &str,
    (cookie, token): &(String, String),
) -> Option<[String; 4]> {
    let page = client
        .post(format!("{base}/s/durability/start"))
        .header("cookie", format!("insikt_csrf={cookie}"))
        .form(&[("csrf_token", token.as_str()), ("lang", "sv")])
        .send()
        .ok()?;
    if page.status().as_u16() != 200 {
        return None;
    }
    let html = page.text().ok()?;
    Some([
        common::hidden_field(&html, "attempt")?,
        common::hidden_field(&html, "seed")?,
        common::hidden_field(&html, "started")?,
        common::hidden_field(&html, "seal")?,
    ])
}

fn receipt_in(html: &str) -> Option<String> {
    let start = html.find("INS-")?;
    html.get(start..start + 13).map(str::to_owned)
}

/// Submit `count` complete responses; every attempt is retried with the same key until it gets
/// a receipt (a retry of a committed attempt answers with the original receipt) or `deadline`.
fn client(base: &RwLock<String>, count: usize, done: &AtomicUsize, deadline: Instant) -> Outcome {
    let http = reqwest::blocking::Client::builder()
        .timeout(Duration::from_secs(20))
        .build()
        .expect("http client");
    let mut rng = rand::thread_rng();
    let mut out = Outcome::default();
    let mut token: Option<(String, String)> = None;
    for _ in 0..count {
        let age = rng.gen_range(0..=120).to_string();
        let has_car = if rng.gen_bool(0.5) { "yes" } else { "no" };
        let mut sealed: Option<[String; 4]> = None;
        let mut receipt = None;
        while receipt.is_none() && Instant::now() < deadline {
            let url = base.read().expect("base url").clone();
            let Some((cookie, csrf_token)) = token.clone().or_else(|| csrf(&http, &url)) else {
                out.failures += 1;
                std::thread::sleep(Duration::from_millis(50));
                continue;
            };
            token = Some((cookie.clone(), csrf_token.clone()));
            if sealed.is_none() {
                sealed = start_attempt(&http, &url, &(cookie.clone(), csrf_token.clone()));
                if sealed.is_none() {
                    token = None;
                    out.failures += 1;
                    std::thread::sleep(Duration::from_millis(20));
                    continue;
                }
            }
            let Some([attempt, seed, started, seal]) = sealed.clone() else {
                continue;
            };
            let comment = format!("svar {attempt}");
            let form = [
                ("csrf_token", csrf_token.as_str()),
                ("attempt", &attempt),
                ("seed", &seed),
                ("lang", "sv"),
                ("page", &PAGES.to_string()),
                ("started", &started),
                ("seal", &seal),
                ("shown", ""),
                ("h.has_car", has_car),
                ("h.age", &age),
                ("h.comment", &comment),
                ("nav", "submit"),
            ];
            let sent = http
                .post(format!("{url}/s/durability"))
                .header("cookie", format!("insikt_csrf={cookie}"))
                .form(&form)
                .send();
            match sent {
                Ok(res) if res.status().as_u16() == 200 => {
                    let html = res.text().unwrap_or_default();
                    receipt = receipt_in(&html);
                    assert!(receipt.is_some(), "a 200 without a receipt: {html}");
                }
                Ok(res) if res.status().as_u16() == 403 => {
                    token = None;
                    out.failures += 1;
                }
                Ok(res) => {
                    let status = res.status().as_u16();
                    assert!(status >= 500, "unexpected status {status}");
                    out.failures += 1;
                    std::thread::sleep(Duration::from_millis(20));
                }
                Err(_) => {
                    // Connection refused or reset: the server is being killed or restarted.
                    out.failures += 1;
                    std::thread::sleep(Duration::from_millis(20));
                }
            }
        }
        // An attempt the server never started cannot have been stored.
        if let Some([attempt, ..]) = sealed {
            match receipt {
                Some(r) => {
                    out.receipts.insert(attempt, r);
                }
                None => {
                    out.unresolved.insert(attempt);
                }
            }
        }
        done.fetch_add(1, Ordering::Relaxed);
    }
    out
}

#[test]
fn every_receipt_survives_sigkill_and_no_half_written_response_is_visible() {
    let total = env_usize("DURABILITY_SUBMISSIONS", 1_500);
    let kills = env_usize("DURABILITY_KILLS", 3);
    let clients = env_usize("DURABILITY_CLIENTS", 8).max(1);
    let budget = Duration::from_secs(env_usize("DURABILITY_SECONDS", 300) as u64);
    let deadline = Instant::now() + budget;

    let data = tempfile::tempdir().expect("data dir");
    let surveys = tempfile::tempdir().expect("surveys dir");
    std::fs::write(surveys.path().join("durability.toml"), SURVEY).expect("survey file");
    // A survey that keeps personal data is published only with a privacy notice and controller.
    std::fs::create_dir(surveys.path().join("demo")).expect("demo dir");
    std::fs::write(
        surveys.path().join("demo").join("options.toml"),
        "[durability.privacy]\npurpose = { sv = \"Test.\", en = \"Test.\" }\ncontroller = { sv = \"Staden.\", en = \"The city.\" }\n",
    )
    .expect("options file");
    let (server, url) = start_server(data.path(), surveys.path());
    let server = Arc::new(Mutex::new(server));
    let base = Arc::new(RwLock::new(url));
    let done = Arc::new(AtomicUsize::new(0));

    let workers: Vec<_> = (0..clients)
        .map(|i| {
            let share = total / clients + usize::from(i < total % clients);
            let (base, done) = (base.clone(), done.clone());
            std::thread::spawn(move || client(&base, share, &done, deadline))
        })
        .collect();

    // Kill at random points of progress, spread over the run, each after a random extra delay
    // so the kill lands anywhere in the writer's batch/commit/reply cycle.
    let mut rng = rand::thread_rng();
    let mut points: Vec<usize> = (0..kills)
        .map(|_| rng.gen_range(total / 10..=total * 9 / 10))
        .collect();
    points.sort_unstable();
    let mut killed = 0;
    for point in points {
        while done.load(Ordering::Relaxed) < point && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(2));
        }
        if Instant::now() >= deadline {
            break;
        }
        std::thread::sleep(Duration::from_micros(rng.gen_range(0..20_000)));
        let mut running = server.lock().expect("server");
        running.child.kill().expect("SIGKILL the server");
        running.child.wait().expect("reap the server");
        killed += 1;
        let (restarted, url) = start_server(data.path(), surveys.path());
        *running = restarted;
        *base.write().expect("base url") = url;
    }
    let outcomes: Vec<Outcome> = workers
        .into_iter()
        .map(|w| w.join().expect("client thread"))
        .collect();
    drop(server);

    let mut receipts: HashMap<String, String> = HashMap::new();
    let mut unresolved = HashSet::new();
    let mut failures = 0;
    for o in outcomes {
        receipts.extend(o.receipts);
        unresolved.extend(o.unresolved);
        failures += o.failures;
    }
    eprintln!(
        "durability: submitted {total}, receipted {}, unresolved {}, kills {killed}, \
         failed requests {failures}",
        receipts.len(),
        unresolved.len()
    );
    assert_eq!(
        killed, kills,
        "every planned kill happened before the deadline"
    );
    assert!(
        unresolved.is_empty(),
        "every attempt got a receipt before the deadline"
    );

    let db_path = data.path().join("insikt.db");
    let db = Db::connect(Backend::Sqlite(db_path.display().to_string()), Some(1))
        .expect("open the database");
    let mut conn = db.get().expect("connection");
    let conn = &mut *conn;

    // Every receipt shown is stored, for the attempt it was shown to, with every answer.
    let mut found = 0;
    let mut missing = vec![];
    for (attempt, receipt) in &receipts {
        let Some(response) = stored::find_by_receipt(conn, receipt).expect("query") else {
            missing.push(receipt.clone());
            continue;
        };
        let keys: Vec<&str> = response.cells.iter().map(|c| c.key.as_str()).collect();
        assert_eq!(keys, CELLS, "response {receipt} is complete");
        let key: String = responses::table
            .filter(responses::receipt.eq(receipt))
            .select(responses::idempotency_key)
            .first(conn)
            .expect("idempotency key");
        assert_eq!(&key, attempt, "receipt {receipt} belongs to its attempt");
        found += 1;
    }
    assert!(
        missing.is_empty(),
        "{} of {} receipts shown are not stored, e.g. {:?}",
        missing.len(),
        receipts.len(),
        missing.iter().take(5).collect::<Vec<_>>()
    );
    let distinct: HashSet<&String> = receipts.values().collect();
    assert_eq!(distinct.len(), receipts.len(), "receipts are unique");

    // Nothing half-written: every response has all its cells, no answers without a response,
    // and nothing stored that no client was told about.
    let stored_count: i64 = responses::table
        .count()
        .get_result(conn)
        .expect("count responses");
    let cell_counts: Vec<(String, i64)> = answers::table
        .group_by(answers::response_id)
        .select((answers::response_id, diesel::dsl::count_star()))
        .load(conn)
        .expect("cells per response");
    let ids: HashSet<String> = responses::table
        .select(responses::id)
        .load::<String>(conn)
        .expect("response ids")
        .into_iter()
        .collect();
    let orphans = cell_counts
        .iter()
        .filter(|(id, _)| !ids.contains(id))
        .count();
    let incomplete = cell_counts
        .iter()
        .filter(|(_, n)| *n != CELLS.len() as i64)
        .count();
    eprintln!("durability: found {found}, stored {stored_count}");
    assert_eq!(orphans, 0, "answers rows without a response");
    assert_eq!(incomplete, 0, "responses with missing cells");
    assert_eq!(cell_counts.len(), ids.len(), "responses without answers");
    assert_eq!(
        stored_count,
        i64::try_from(distinct.len()).expect("count"),
        "one stored response per receipted attempt"
    );
}
