//! The one error type of the web edge. Every failure a visitor can meet renders as a friendly,
//! bilingual maud page; internal details are logged once here and never shown.

use actix_web::http::{header, StatusCode};
use actix_web::{HttpResponse, ResponseError};

use super::views;
use crate::storage::StorageError;

/// Everything a handler or extractor can fail with.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// No such page or thing.
    #[error("not found")]
    NotFound,
    /// Logged in, but the role does not allow this.
    #[error("forbidden")]
    Forbidden,
    /// A state-changing request without a valid CSRF token.
    #[error("missing or invalid CSRF token")]
    CsrfRejected,
    /// Not logged in: redirect to the login page, then back to `next`.
    #[error("login required")]
    LoginRequired {
        /// Where to return after login.
        next: String,
    },
    /// The request is malformed; the message is safe to show.
    #[error("bad request: {0}")]
    BadRequest(String),
    /// The request conflicts with the current state; the message is safe to show.
    #[error("conflict: {0}")]
    Conflict(String),
    /// Too many attempts; try again later.
    #[error("too many requests")]
    TooManyRequests {
        /// Seconds to wait.
        retry_after_secs: i64,
    },
    /// The body was larger than allowed.
    #[error("payload too large")]
    PayloadTooLarge,
    /// Anything else: an opaque 500 for the visitor, the whole chain in the log.
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

impl AppError {
    /// An internal error from a message.
    pub fn unexpected(msg: &'static str) -> AppError {
        AppError::Unexpected(anyhow::anyhow!(msg))
    }
}

impl From<StorageError> for AppError {
    fn from(e: StorageError) -> Self {
        AppError::Unexpected(anyhow::Error::new(e))
    }
}

impl ResponseError for AppError {
    fn status_code(&self) -> StatusCode {
        match self {
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::Forbidden | AppError::CsrfRejected => StatusCode::FORBIDDEN,
            AppError::LoginRequired { .. } => StatusCode::SEE_OTHER,
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::Conflict(_) => StatusCode::CONFLICT,
            AppError::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            AppError::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::Unexpected(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let status = self.status_code();
        match self {
            AppError::LoginRequired { next } => {
                let target = format!(
                    "/login?next={}",
                    serde_urlencoded::to_string([("", next.as_str())])
                        .map(|s| s.trim_start_matches('=').to_owned())
                        .unwrap_or_default()
                );
                return HttpResponse::SeeOther()
                    .insert_header((header::LOCATION, target))
                    .finish();
            }
            AppError::Unexpected(e) => {
                tracing::error!(error.chain = %error_chain(e.as_ref()), "request failed");
            }
            _ => {}
        }
        let mut builder = HttpResponse::build(status);
        if let AppError::TooManyRequests { retry_after_secs } = self {
            builder.insert_header((header::RETRY_AFTER, retry_after_secs.to_string()));
        }
        builder
            .content_type("text/html; charset=utf-8")
            .body(views::error::page(self).into_string())
    }
}

/// The error and all its sources on one line, as zero2prod's `error_chain_fmt` does.
fn error_chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut out = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        out.push_str(": ");
        out.push_str(&s.to_string());
        source = s.source();
    }
    out
}
