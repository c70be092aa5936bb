//! `TestApp`: an in-process instance on its own database (a temp SQLite file, or a fresh
//! PostgreSQL database when `TEST_DATABASE_URL` is set and the `postgres` feature is on).

use std::collections::HashMap;
use std::net::TcpListener;
use std::sync::Mutex;

use insikt::config::{Argon2Params, LogFormat, Settings};
use insikt::domain::options::SurveyOptions;
use insikt::domain::user::User;
use insikt::startup;
use insikt::storage::Db;
use insikt::use_cases::accounts::{self, NewAccount, NewAccountInput};
use insikt::use_cases::Actor;

/// Cheap hashing: the suite tests behaviour, not cost.
pub const TEST_ARGON2: Argon2Params = Argon2Params {
    memory_kib: 64,
    iterations: 1,
    parallelism: 1,
};

/// A password that passes the policy.
pub const GOOD_PASSWORD: &str = "korrekt-häst-batteri-häfta";

pub struct TestApp {
    pub address: String,
    pub db: Db,
    client: reqwest::Client,
    jar: Mutex<HashMap<String, String>>,
    _dir: tempfile::TempDir,
    #[cfg(feature = "postgres")]
    pg: Option<(String, String)>,
}

fn database_url(dir: &tempfile::TempDir) -> (String, Option<(String, String)>) {
    #[cfg(feature = "postgres")]
    if let Ok(admin) = std::env::var("TEST_DATABASE_URL") {
        let name = format!("insikt_test_{}", uuid::Uuid::new_v4().simple());
        let url = insikt::storage::create_scratch_database(&admin, &name).expect(
            "TEST_DATABASE_URL must name a PostgreSQL server where we may create databases",
        );
        return (url, Some((admin, name)));
    }
    (
        format!("sqlite://{}", dir.path().join("test.db").display()),
        None,
    )
}

impl TestApp {
    pub async fn spawn() -> TestApp {
        Self::spawn_with(|_| {}).await
    }

    /// An app whose settings `adjust` may change before start.
    pub async fn spawn_with(adjust: impl FnOnce(&mut Settings)) -> TestApp {
        let dir = tempfile::tempdir().expect("temp dir");
        let (database_url, _pg) = database_url(&dir);
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind port 0");
        let settings = Settings {
            database_url,
            bind: listener.local_addr().expect("local addr"),
            data_dir: dir.path().to_path_buf(),
            secret_key: None,
            log_format: LogFormat::Text,
            secure_cookies: false,
            trust_proxy: false,
            argon2: TEST_ARGON2,
            db_pool_size: Some(4),
            create_first_admin: false,
            workers: Some(1),
            surveys_dir: std::path::PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/surveys")),
            load_shipped_surveys: false,
            demo: false,
            respondent_rate_per_minute: 0,
            respondent_rate_burst: 60,
            mail: Default::default(),
            metrics: Default::default(),
            timezone: insikt::config::default_timezone(),
        };
        let mut settings = settings;
        adjust(&mut settings);
        let db = startup::open_db(&settings).expect("open db");
        let (_, secret) = startup::bootstrap(&db, &settings).expect("bootstrap");
        let state = startup::state(db.clone(), settings.clone(), secret).expect("state");
        let server = startup::serve(listener, state).expect("server");
        actix_web::rt::spawn(server);
        TestApp {
            address: format!("http://{}", settings.bind),
            db,
            client: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("client"),
            jar: Mutex::new(HashMap::new()),
            _dir: dir,
            #[cfg(feature = "postgres")]
            pg: _pg,
        }
    }

    /// Create an account directly through the use case (not the web), returning it.
    pub fn create_user(&self, username: &str, role: &str) -> User {
        let account = NewAccount::parse(&NewAccountInput {
            username,
            display_name: "",
            role,
            password: Some(GOOD_PASSWORD),
        })
        .unwrap_or_else(|_| panic!("valid account {username}"));
        let mut conn = self.db.get().expect("connection");
        accounts::create(&mut conn, TEST_ARGON2, Actor::SYSTEM, &account).expect("create user")
    }

    fn cookie_header(&self) -> String {
        let jar = self.jar.lock().expect("jar");
        jar.iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    fn store_cookies(&self, res: &reqwest::Response) {
        let mut jar = self.jar.lock().expect("jar");
        for value in res.headers().get_all(reqwest::header::SET_COOKIE) {
            let text = value.to_str().expect("ascii cookie");
            let pair = text.split(';').next().unwrap_or("");
            if let Some((name, val)) = pair.split_once('=') {
                let expired = text.to_ascii_lowercase().contains("max-age=0");
                if val.is_empty() || expired {
                    jar.remove(name.trim());
                } else {
                    jar.insert(name.trim().to_owned(), val.to_owned());
                }
            }
        }
    }

    pub fn cookie(&self, name: &str) -> Option<String> {
        self.jar.lock().expect("jar").get(name).cloned()
    }

    pub fn set_cookie(&self, name: &str, value: &str) {
        self.jar
            .lock()
            .expect("jar")
            .insert(name.to_owned(), value.to_owned());
    }

    pub fn clear_cookies(&self) {
        self.jar.lock().expect("jar").clear();
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        let res = self
            .client
            .get(format!("{}{}", self.address, path))
            .header(reqwest::header::COOKIE, self.cookie_header())
            .send()
            .await
            .expect("GET");
        self.store_cookies(&res);
        res
    }

    pub async fn get_html(&self, path: &str) -> (u16, String) {
        let res = self.get(path).await;
        let status = res.status().as_u16();
        (status, res.text().await.expect("body"))
    }

    /// POST a form exactly as given (no CSRF token added).
    pub async fn post_raw(&self, path: &str, fields: &[(&str, &str)]) -> reqwest::Response {
        self.post_raw_with(path, fields, &[]).await
    }

    /// POST a form exactly as given, with extra request headers (e.g. a proxy's).
    pub async fn post_raw_with(
        &self,
        path: &str,
        fields: &[(&str, &str)],
        headers: &[(&str, &str)],
    ) -> reqwest::Response {
        let body = serde_urlencoded::to_string(fields).expect("encode");
        let mut req = self
            .client
            .post(format!("{}{}", self.address, path))
            .header(reqwest::header::COOKIE, self.cookie_header())
            .header(
                reqwest::header::CONTENT_TYPE,
                "application/x-www-form-urlencoded",
            );
        for (name, value) in headers {
            req = req.header(*name, *value);
        }
        let res = req.body(body).send().await.expect("POST");
        self.store_cookies(&res);
        res
    }

    /// The CSRF token a browser would find in a form on `page`.
    pub async fn csrf_token(&self, page: &str) -> String {
        let (_, html) = self.get_html(page).await;
        extract_csrf(&html).unwrap_or_else(|| panic!("no csrf_token on {page}"))
    }

    /// POST a form as a browser would: with the token from the page the form is on.
    pub async fn post_form(
        &self,
        form_page: &str,
        path: &str,
        fields: &[(&str, &str)],
    ) -> reqwest::Response {
        let token = self.csrf_token(form_page).await;
        let mut all = vec![("csrf_token", token.as_str())];
        all.extend_from_slice(fields);
        self.post_raw(path, &all).await
    }

    pub async fn login(&self, username: &str, password: &str) -> reqwest::Response {
        self.post_form(
            "/login",
            "/login",
            &[("username", username), ("password", password)],
        )
        .await
    }

    /// Log in as a browser at `ip` would, through a proxy that reports the address in
    /// `X-Forwarded-For` (the app must run with `trust_proxy`).
    pub async fn login_from(&self, ip: &str, username: &str, password: &str) -> reqwest::Response {
        let token = self.csrf_token("/login").await;
        let fields = [
            ("csrf_token", token.as_str()),
            ("username", username),
            ("password", password),
        ];
        self.post_raw_with("/login", &fields, &[("x-forwarded-for", ip)])
            .await
    }

    /// Publish a survey given as TOML, with options.
    pub fn publish_survey(&self, toml: &str, options: &SurveyOptions) {
        let mut survey =
            insikt::formats::survey_file::from_toml_str(toml).expect("valid survey TOML");
        survey.publish().expect("publishable survey");
        let mut conn = self.db.get().expect("connection");
        insikt::storage::surveys::insert_survey(&mut conn, &survey, options, None)
            .expect("insert survey");
    }

    /// POST raw form fields (already including any token) and return status and body.
    pub async fn post_fields(&self, path: &str, fields: &[(String, String)]) -> (u16, String) {
        let pairs: Vec<(&str, &str)> = fields
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let res = self.post_raw(path, &pairs).await;
        let status = res.status().as_u16();
        (status, res.text().await.expect("body"))
    }

    /// POST form fields with one extra request header (e.g. a forged proxy header).
    pub async fn post_with_header(
        &self,
        path: &str,
        fields: &[(String, String)],
        header: (&str, &str),
    ) -> (u16, String) {
        let pairs: Vec<(&str, &str)> = fields
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let res = self.post_raw_with(path, &pairs, &[header]).await;
        let status = res.status().as_u16();
        (status, res.text().await.expect("body"))
    }

    pub fn response_count(&self) -> i64 {
        use insikt::storage::surveys;
        let mut conn = self.db.get().expect("connection");
        surveys::list_surveys(&mut conn)
            .expect("surveys")
            .iter()
            .map(|s| {
                insikt::storage::responses::count_for_survey(&mut conn, &s.survey.id)
                    .expect("count")
            })
            .sum()
    }

    pub fn audit_actions(&self, action: &str) -> usize {
        let mut conn = self.db.get().expect("connection");
        insikt::storage::audit::list_by_action(&mut conn, action)
            .expect("audit")
            .len()
    }
}

pub fn extract_csrf(html: &str) -> Option<String> {
    let doc = scraper::Html::parse_document(html);
    let sel = scraper::Selector::parse(r#"input[name="csrf_token"]"#).ok()?;
    doc.select(&sel)
        .next()
        .and_then(|e| e.value().attr("value"))
        .map(str::to_owned)
}

impl Drop for TestApp {
    fn drop(&mut self) {
        #[cfg(feature = "postgres")]
        if let Some((admin, name)) = self.pg.take() {
            // Best effort: a leftover scratch database is harmless.
            let _ = insikt::storage::drop_scratch_database(&admin, &name);
        }
    }
}

/// What a browser would send for the first form on a page: hidden fields, checked boxes and
/// radios, text inputs and selected options; then `set` overrides (or adds) values and `nav`
/// names the button pressed.
pub fn browser_form(html: &str, set: &[(&str, &str)], nav: &str) -> Vec<(String, String)> {
    let doc = scraper::Html::parse_document(html);
    let form_sel = scraper::Selector::parse("form.survey-form, form").unwrap();
    let form = doc
        .select(&form_sel)
        .find(|f| {
            f.value().attr("method") == Some("post")
                && f.value().attr("class") == Some("survey-form")
        })
        .or_else(|| {
            doc.select(&form_sel)
                .find(|f| f.value().attr("method") == Some("post"))
        })
        .expect("a POST form");
    let input = scraper::Selector::parse("input, textarea, select").unwrap();
    let mut out: Vec<(String, String)> = vec![];
    for el in form.select(&input) {
        let v = el.value();
        let Some(name) = v.attr("name") else { continue };
        match (v.name(), v.attr("type").unwrap_or("text")) {
            ("input", "radio" | "checkbox") if v.attr("checked").is_some() => {
                out.push((name.into(), v.attr("value").unwrap_or("on").into()));
            }
            ("input", "radio" | "checkbox") => {}
            ("input", _) => out.push((name.into(), v.attr("value").unwrap_or("").into())),
            ("textarea", _) => out.push((name.into(), el.text().collect())),
            ("select", _) => {
                let opt = scraper::Selector::parse("option[selected]").unwrap();
                let value = el
                    .select(&opt)
                    .next()
                    .and_then(|o| o.value().attr("value"))
                    .unwrap_or("");
                out.push((name.into(), value.into()));
            }
            _ => {}
        }
    }
    for (k, v) in set {
        if !k.ends_with("[]") {
            out.retain(|(n, _)| n != k);
        }
        out.push((k.trim_end_matches("[]").to_string(), v.to_string()));
    }
    out.push(("nav".into(), nav.into()));
    out
}

/// Store one completed web response of `version` with `cells` straight through the storage layer
/// (as a submission would); `seed` is the response's randomisation seed.
pub fn store_web_response(
    conn: &mut insikt::storage::DbConnection,
    version: &insikt::storage::surveys::StoredVersion,
    seed: i64,
    cells: Vec<insikt::domain::response::Cell>,
) {
    use insikt::storage::responses::{self, NewResponse, SubmitOutcome};
    let out = responses::insert_response(
        conn,
        &NewResponse {
            survey_id: version.survey_id.clone(),
            version_id: version.id.clone(),
            idempotency_key: uuid::Uuid::new_v4().to_string(),
            mode: insikt::domain::response::Mode::Web,
            language: "sv".into(),
            seed,
            started_at: insikt::storage::now(),
            cells,
            max_responses: None,
            draft_id: None,
            invitation: None,
            quotas: Vec::new(),
        },
    )
    .unwrap();
    assert!(matches!(out, SubmitOutcome::Stored { .. }), "{out:?}");
}
