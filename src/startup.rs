//! Building and running an instance: open the database, migrate, seed, assemble the app.

use std::net::TcpListener;
use std::sync::Arc;

use actix_web::dev::Server;
use actix_web::middleware::{from_fn, Compress};
use actix_web::{web, App, HttpServer};
use anyhow::Context;
use tracing_actix_web::TracingLogger;

use crate::auth::{password, session};
use crate::config::Settings;
use crate::storage::{self, Backend, Db};
use crate::use_cases::accounts::{self, NewAccount, NewAccountInput};
use crate::use_cases::demo::{self, DemoReport};
use crate::use_cases::questionnaires;
use crate::use_cases::Actor;
use crate::web::{self as webapp, forms::MAX_FORM_BYTES, AppState};

/// Open the database named by the settings (creating the data directory for SQLite).
pub fn open_db(settings: &Settings) -> anyhow::Result<Db> {
    let backend = Backend::from_url(&settings.database_url)?;
    if let Backend::Sqlite(path) = &backend {
        settings.ensure_data_dir()?;
        if let Some(parent) = std::path::Path::new(path).parent() {
            if !parent.as_os_str().is_empty() {
                std::fs::create_dir_all(parent).with_context(|| {
                    format!(
                        "DATABASE_URL: cannot create directory '{}'",
                        parent.display()
                    )
                })?;
            }
        }
    }
    let db = Db::connect(backend, settings.db_pool_size)
        .context("DATABASE_URL: cannot open the database")?;
    Ok(db)
}

/// What first start did, for the console.
pub struct Bootstrap {
    /// Migrations applied now.
    pub migrations: Vec<String>,
    /// The first admin's password, when one was created now.
    pub first_admin_password: Option<String>,
    /// Shipped instruments published now as demo surveys (`key vN`).
    pub shipped_surveys: Vec<String>,
    /// The demo seeded now (a new embedded database with the demo on).
    pub demo: Option<DemoReport>,
}

/// Migrate, make sure the shared secret exists, and create the first admin on an empty
/// database — all under the instance lock, so concurrent starts do each exactly once.
pub fn bootstrap(db: &Db, settings: &Settings) -> anyhow::Result<(Bootstrap, Vec<u8>)> {
    let mut conn = db.get()?;
    let migrations = storage::migrate::run_pending(&mut conn)?;
    let mut shipped = Vec::new();
    let mut seeded = None;
    let (secret, first_admin_password) = storage::migrate::with_instance_lock(&mut conn, |c| {
        let secret = match &settings.secret_key {
            Some(k) => k.clone(),
            None => storage::meta::get_or_insert_with(
                c,
                "secret_key",
                crate::auth::session::random_token,
            )?,
        };
        let mut generated = None;
        // New = no account yet: the first start of this database.
        let new_database = storage::users::count_users(c)? == 0;
        if settings.create_first_admin && new_database {
            let input = NewAccountInput {
                username: "admin",
                display_name: "Administratör",
                role: "admin",
                password: None,
            };
            let account = NewAccount::parse(&input)
                .map_err(|e| storage::StorageError::Corrupt(format!("{e:?}")))?;
            accounts::create(c, settings.argon2, Actor::SYSTEM, &account)
                .map_err(|e| storage::StorageError::Corrupt(e.to_string()))?;
            generated = account.generated_password().map(str::to_owned);
        }
        // The demo only by itself into a new embedded database: a PostgreSQL server is shared
        // infrastructure where invented answers must never appear unasked.
        if settings.demo
            && new_database
            && matches!(db.backend(), Backend::Sqlite(_))
            && settings.surveys_dir.is_dir()
            && !demo::is_seeded(c)?
        {
            match demo::seed(c, settings.argon2, Actor::SYSTEM, &settings.surveys_dir) {
                Ok(report) => {
                    shipped = report.published.clone();
                    seeded = Some(report);
                }
                // A surveys folder without the three shipped instruments (a custom set): no
                // demo, its questionnaires are published as before. Nothing was written.
                Err(demo::DemoError::Questionnaire(e)) => {
                    tracing::warn!(error = %e, "demo not seeded: the shipped questionnaires are not all in the surveys folder");
                }
                Err(e) => {
                    return Err(storage::StorageError::Corrupt(format!(
                        "seeding the demo: {e}"
                    )))
                }
            }
        }
        if seeded.is_none()
            && settings.load_shipped_surveys
            && settings.surveys_dir.is_dir()
            && storage::surveys::list_surveys(c)?.is_empty()
        {
            let report = questionnaires::load_dir(c, Actor::SYSTEM, &settings.surveys_dir, true)
                .map_err(|e| {
                    storage::StorageError::Corrupt(format!("loading the shipped surveys: {e}"))
                })?;
            shipped = report.added;
        }
        Ok((secret, generated))
    })?;
    Ok((
        Bootstrap {
            migrations,
            first_admin_password,
            shipped_surveys: shipped,
            demo: seeded,
        },
        secret.into_bytes(),
    ))
}

/// Build the shared state for an instance.
pub fn state(db: Db, settings: Settings, secret: Vec<u8>) -> anyhow::Result<AppState> {
    let dummy_hash = password::dummy_hash(settings.argon2)?;
    let holds_demo = demo::is_seeded(&mut *db.get()?)?;
    let db_for_writer = db.clone();
    let mail_settings = settings.mail.clone();
    let settings_rate = (
        settings.respondent_rate_per_minute,
        settings.respondent_rate_burst,
    );
    Ok(AppState {
        db,
        cookies: webapp::cookies::CookieNames::new(settings.secure_cookies),
        settings: Arc::new(settings),
        secret,
        dummy_hash: dummy_hash.into(),
        metrics: webapp::metrics::Metrics::new(),
        surveys: Default::default(),
        results: Default::default(),
        responses: storage::responses::ResponseWriter::start(db_for_writer),
        limiter: webapp::ratelimit::RateLimiter::new(settings_rate.0, settings_rate.1),
        mail: crate::use_cases::mail::Outbox::new(&mail_settings),
        demo: holds_demo,
    })
}

/// The whole app on a listener (port 0 in tests). The same factory serves production and
/// tests, so tests exercise the real middleware stack.
pub fn serve(listener: TcpListener, state: AppState) -> anyhow::Result<Server> {
    let workers = state.settings.workers;
    let secure = state.settings.secure_cookies;
    // The e-mail outbox worker (only when an SMTP server is configured; queued mail waits).
    if state.mail.is_enabled() {
        // On the tokio scheduler, not the local set: the SMTP pool spawns tasks when dropped,
        // which needs the runtime that is still there while tokio shuts its tasks down.
        tokio::spawn(crate::use_cases::mail::worker::run(
            state.db.clone(),
            state.settings.mail.clone(),
            state.secret.clone(),
            state.mail.notifier(),
        ));
    }
    let state = web::Data::new(state);
    let mut server = HttpServer::new(move || {
        App::new()
            .app_data(state.clone())
            .app_data(web::PayloadConfig::new(MAX_FORM_BYTES))
            // Extractor failures become `AppError`s, so they render as the one error page and
            // log no input (the parsers' messages quote it).
            .app_data(webapp::error::form_config(MAX_FORM_BYTES))
            .app_data(webapp::error::json_config(MAX_FORM_BYTES))
            .app_data(webapp::error::path_config())
            .app_data(webapp::error::query_config())
            .wrap(from_fn(webapp::middleware::error_pages))
            .wrap(from_fn(webapp::middleware::csrf_cookie))
            .wrap(from_fn(webapp::middleware::language))
            .wrap(webapp::middleware::security_headers(secure))
            .wrap(Compress::default())
            .wrap(from_fn(webapp::middleware::metrics))
            .wrap(TracingLogger::<webapp::middleware::RouteOnlySpan>::new())
            .configure(webapp::routes::configure)
            .default_service(web::to(webapp::handlers::home::not_found))
    })
    .listen(listener)?;
    if let Some(n) = workers {
        server = server.workers(n);
    }
    Ok(server.run())
}

/// Delete dead sessions every ten minutes (they are also refused on sight; this only keeps the
/// table small).
pub fn spawn_session_sweeper(db: Db) {
    actix_web::rt::spawn(async move {
        let mut tick = actix_web::rt::time::interval(std::time::Duration::from_secs(600));
        loop {
            tick.tick().await;
            let swept = db.run(session::sweep).await;
            if let Err(e) = swept {
                tracing::warn!(error = %e, "session sweep failed");
            }
        }
    });
}
