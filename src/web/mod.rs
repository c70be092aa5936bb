//! The web edge: routes, extractors, middleware, handlers and maud views. Handlers extract,
//! parse into domain types, make one use-case call, and render.

pub mod access;
pub mod cookies;
pub mod error;
pub mod forms;
pub mod handlers;
pub mod i18n;
pub mod metrics;
pub mod middleware;
pub mod multipart;
pub mod ratelimit;
pub mod routes;
pub mod views;

use std::sync::Arc;

use crate::auth::login;
use crate::config::Settings;
use crate::use_cases::{Db, DbConnection};
use cookies::CookieNames;
use error::AppError;

/// Shared, read-only state of one running instance.
pub struct AppState {
    /// The database pool.
    pub db: Db,
    /// The settings the instance started with.
    pub settings: Arc<Settings>,
    /// Key for CSRF MACs (shared by all instances through config or the database).
    pub secret: Vec<u8>,
    /// A hash to verify against when a username does not exist (equal timing).
    pub dummy_hash: Arc<str>,
    /// Cookie names and flags.
    pub cookies: CookieNames,
    /// Request metrics for `/metrics`.
    pub metrics: metrics::Metrics,
    /// Published surveys, cached for the answering pages.
    pub surveys: crate::use_cases::answering::SurveyCache,
    /// The group-commit writer for submissions.
    pub responses: crate::use_cases::ResponseWriter,
    /// Rate limit on the public answering pages.
    pub limiter: ratelimit::RateLimiter,
    /// Wakes the e-mail outbox worker; knows whether sending is configured.
    pub mail: crate::use_cases::mail::Outbox,
    /// Loaded result columns per version, kept until the version's responses change.
    pub results: Arc<crate::use_cases::results::cache::ResultsCache>,
    /// The database held the demo when the instance started: every page shows a banner.
    pub demo: bool,
}

impl AppState {
    /// Run a use case on a pooled connection in the blocking pool. Its own error and a failure
    /// to get a connection both become an `AppError` through the one `From` for each.
    pub async fn run<T, E, F>(&self, f: F) -> Result<T, AppError>
    where
        F: FnOnce(&mut DbConnection) -> Result<T, E> + Send + 'static,
        T: Send + 'static,
        E: Send + 'static,
        AppError: From<E>,
    {
        self.db
            .run(move |c| Ok(f(c)))
            .await?
            .map_err(AppError::from)
    }

    /// What the login use case needs of this instance.
    pub fn login_gate(&self) -> login::Gate<'_> {
        login::Gate {
            db: &self.db,
            dummy_hash: &self.dummy_hash,
        }
    }
}
