//! The web edge: routes, extractors, middleware, handlers and maud views. Handlers extract,
//! parse into domain types, make one use-case or storage call, and render.

pub mod access;
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

use crate::auth::session::CookieNames;
use crate::config::Settings;
use crate::storage::Db;

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
    pub responses: crate::storage::responses::ResponseWriter,
    /// Rate limit on the public answering pages.
    pub limiter: ratelimit::RateLimiter,
    /// Wakes the e-mail outbox worker; knows whether sending is configured.
    pub mail: crate::use_cases::mail::Outbox,
}
