//! The one error type of the web edge. Every failure a visitor can meet renders as a friendly,
//! bilingual maud page; internal details are logged once here and never shown.

use actix_web::error::{JsonPayloadError, PathError, QueryPayloadError, UrlencodedError};
use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpRequest, HttpResponse, ResponseError};

use super::views;
use crate::domain::lang::Msg;
use crate::use_cases::accounts::AccountError;
use crate::use_cases::answering::AnsweringError;
use crate::use_cases::backlog::BacklogError;
use crate::use_cases::fieldwork::FieldworkError;
use crate::use_cases::mail::MailError;
use crate::use_cases::questionnaires::QuestionnaireError;
use crate::use_cases::results::population::PopulationError;
use crate::use_cases::results::ResultsError;
use crate::use_cases::StorageError;

/// Everything a handler or extractor can fail with.
#[derive(thiserror::Error)]
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
    BadRequest(Msg),
    /// The address, query or body could not be read (a path segment or query parameter of the
    /// wrong type, a broken form). Carries no detail: the parser's words quote the input.
    #[error("malformed request")]
    MalformedRequest,
    /// The request conflicts with the current state; the message is safe to show.
    #[error("conflict: {0}")]
    Conflict(Msg),
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

    /// A fixed name for the log: the kind of failure without any of the request in it.
    pub fn kind(&self) -> &'static str {
        match self {
            AppError::NotFound => "not_found",
            AppError::Forbidden => "forbidden",
            AppError::CsrfRejected => "csrf_rejected",
            AppError::LoginRequired { .. } => "login_required",
            AppError::BadRequest(_) => "bad_request",
            AppError::MalformedRequest => "malformed_request",
            AppError::Conflict(_) => "conflict",
            AppError::TooManyRequests { .. } => "too_many_requests",
            AppError::PayloadTooLarge => "payload_too_large",
            AppError::Unexpected(_) => "unexpected",
        }
    }

    /// The error page for a framework error that reached us without an `AppError` (the size
    /// limit of a `web::Bytes` body, …), by its status alone.
    pub fn from_status(status: StatusCode) -> AppError {
        match status {
            StatusCode::NOT_FOUND => AppError::NotFound,
            StatusCode::FORBIDDEN => AppError::Forbidden,
            StatusCode::PAYLOAD_TOO_LARGE => AppError::PayloadTooLarge,
            StatusCode::TOO_MANY_REQUESTS => AppError::TooManyRequests {
                retry_after_secs: 60,
            },
            s if s.is_server_error() => AppError::unexpected("framework error"),
            _ => AppError::MalformedRequest,
        }
    }
}

/// Debug without the request: a login redirect's `next` holds the path and query, and this
/// text used to reach the log through the request span.
impl std::fmt::Debug for AppError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AppError::Unexpected(e) => write!(f, "Unexpected({e:?})"),
            other => f.write_str(other.kind()),
        }
    }
}

/// The route pattern of a request, for log lines (never the path).
fn route_of(req: &HttpRequest) -> String {
    req.match_pattern()
        .unwrap_or_else(|| super::metrics::UNMATCHED.to_owned())
}

/// `web::Path` failures (`"99999999999"` for a `u32`) are a page that does not exist. The
/// parser's message quotes the segment, so only the route is logged.
pub fn path_config() -> web::PathConfig {
    web::PathConfig::default().error_handler(|_err: PathError, req| {
        tracing::debug!(http.route = %route_of(req), "a path segment did not parse");
        AppError::NotFound.into()
    })
}

/// `web::Query` failures are a malformed request; the message would quote the query.
pub fn query_config() -> web::QueryConfig {
    web::QueryConfig::default().error_handler(|_err: QueryPayloadError, req| {
        tracing::debug!(http.route = %route_of(req), "the query string did not deserialize");
        AppError::MalformedRequest.into()
    })
}

/// A body an extractor refused: too large (413) or not of the expected shape (400).
fn body_refused(req: &HttpRequest, what: &'static str, too_large: bool) -> actix_web::Error {
    tracing::debug!(http.route = %route_of(req), too_large, "{what} body was refused");
    if too_large {
        AppError::PayloadTooLarge.into()
    } else {
        AppError::MalformedRequest.into()
    }
}

/// `web::Form` failures: too large, or not a form of the expected shape.
pub fn form_config(limit: usize) -> web::FormConfig {
    web::FormConfig::default()
        .limit(limit)
        .error_handler(|err: UrlencodedError, req| {
            let too_large = matches!(
                err,
                UrlencodedError::Overflow { .. }
                    | UrlencodedError::Payload(actix_web::error::PayloadError::Overflow)
            );
            body_refused(req, "a form", too_large)
        })
}

/// `web::Json` failures, as for forms (no handler takes JSON today; this keeps a future one on
/// the same page).
pub fn json_config(limit: usize) -> web::JsonConfig {
    web::JsonConfig::default()
        .limit(limit)
        .error_handler(|err: JsonPayloadError, req| {
            let too_large = matches!(
                err,
                JsonPayloadError::Overflow { .. }
                    | JsonPayloadError::OverflowKnownLength { .. }
                    | JsonPayloadError::Payload(actix_web::error::PayloadError::Overflow)
            );
            body_refused(req, "a JSON", too_large)
        })
}

// One `From` per use-case error, so a handler only writes `?`. A use-case error that a visitor
// may read maps to a 4xx carrying its bilingual `Msg`; the rest keep their whole cause chain
// in `Unexpected`, which `error_response` logs once.

impl From<StorageError> for AppError {
    fn from(e: StorageError) -> Self {
        AppError::Unexpected(anyhow::Error::new(e))
    }
}

// --- accounts ---

impl From<AccountError> for AppError {
    fn from(e: AccountError) -> Self {
        match (&e, e.message()) {
            (AccountError::NoSuchUser(_), _) => AppError::NotFound,
            (AccountError::SelfChange, Some(m)) => AppError::Conflict(m),
            (_, Some(m)) => AppError::BadRequest(m),
            (_, None) => AppError::Unexpected(anyhow::Error::new(e)),
        }
    }
}

// --- questionnaires ---

impl From<QuestionnaireError> for AppError {
    fn from(e: QuestionnaireError) -> Self {
        match (&e, e.message()) {
            (QuestionnaireError::NotFound(_), _) => AppError::NotFound,
            (QuestionnaireError::BadKey { .. }, Some(m)) => AppError::BadRequest(m),
            (QuestionnaireError::Lifecycle(_), Some(m)) => AppError::Conflict(m),
            (
                QuestionnaireError::HasResponses(_)
                | QuestionnaireError::StillOpen(_)
                | QuestionnaireError::WrongStatus { .. },
                Some(m),
            ) => AppError::Conflict(m),
            _ => match e {
                QuestionnaireError::Storage(s) => s.into(),
                other => AppError::Unexpected(anyhow::Error::new(other)),
            },
        }
    }
}

// --- answering ---

impl From<AnsweringError> for AppError {
    fn from(e: AnsweringError) -> Self {
        match e {
            AnsweringError::Storage(e) => e.into(),
            AnsweringError::Draft(e) => AppError::Unexpected(anyhow::Error::new(e)),
        }
    }
}

impl From<crate::use_cases::answering::EraseError> for AppError {
    fn from(e: crate::use_cases::answering::EraseError) -> Self {
        use crate::use_cases::answering::EraseError;
        match e {
            EraseError::NotFound(_) => AppError::NotFound,
            EraseError::Storage(s) => s.into(),
            other => AppError::BadRequest(other.message()),
        }
    }
}

// --- fieldwork ---

impl From<FieldworkError> for AppError {
    fn from(e: FieldworkError) -> Self {
        match e {
            FieldworkError::SurveyNotFound(_) | FieldworkError::SampleNotFound(_) => {
                AppError::NotFound
            }
            FieldworkError::Frame(f) => AppError::BadRequest(f.message()),
            FieldworkError::Storage(s) => s.into(),
        }
    }
}

// --- mail ---

impl From<MailError> for AppError {
    fn from(e: MailError) -> Self {
        match e {
            MailError::SurveyNotFound(_) => AppError::NotFound,
            MailError::Storage(s) => s.into(),
            other => AppError::Unexpected(anyhow::Error::new(other)),
        }
    }
}

// --- backlog ---

impl From<BacklogError> for AppError {
    fn from(e: BacklogError) -> Self {
        match (&e, e.message()) {
            (BacklogError::NotFound(_), _) => AppError::NotFound,
            (BacklogError::KeyTaken(_) | BacklogError::LinkExists, Some(m)) => {
                AppError::Conflict(m)
            }
            (_, Some(m)) => AppError::BadRequest(m),
            _ => match e {
                BacklogError::Storage(s) => s.into(),
                other => AppError::Unexpected(anyhow::Error::new(other)),
            },
        }
    }
}

impl From<crate::use_cases::backlog::ranking::RankingError> for AppError {
    fn from(e: crate::use_cases::backlog::ranking::RankingError) -> Self {
        use crate::use_cases::backlog::ranking::RankingError;
        match e {
            RankingError::Storage(s) => s.into(),
            RankingError::Results(r) => r.into(),
            other => match other.message() {
                Some(m) => AppError::BadRequest(m),
                None => AppError::Unexpected(anyhow::Error::new(other)),
            },
        }
    }
}

// --- results ---

impl From<crate::use_cases::results::browse::AnalysesError> for AppError {
    fn from(e: crate::use_cases::results::browse::AnalysesError) -> Self {
        use crate::use_cases::results::browse::AnalysesError;
        match (&e, e.message()) {
            (AnalysesError::NotFound(_), _) => AppError::NotFound,
            (_, Some(m)) => AppError::BadRequest(m),
            _ => match e {
                AnalysesError::Storage(s) => s.into(),
                other => AppError::Unexpected(anyhow::Error::new(other)),
            },
        }
    }
}

impl From<ResultsError> for AppError {
    fn from(e: ResultsError) -> Self {
        match e {
            ResultsError::NotFound(_) | ResultsError::TableNotFound(_) => AppError::NotFound,
            ResultsError::Storage(s) => s.into(),
            other => match other.message() {
                Some(m) => AppError::BadRequest(m),
                None => AppError::Unexpected(anyhow::Error::new(other)),
            },
        }
    }
}

impl From<PopulationError> for AppError {
    fn from(e: PopulationError) -> Self {
        match e {
            PopulationError::Storage(s) => s.into(),
            other => match other.message() {
                Some(m) => AppError::BadRequest(m),
                None => AppError::Unexpected(anyhow::Error::new(other)),
            },
        }
    }
}

impl ResponseError for AppError {
    fn status_code(&self) -> StatusCode {
        match self {
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::Forbidden | AppError::CsrfRejected => StatusCode::FORBIDDEN,
            AppError::LoginRequired { .. } => StatusCode::SEE_OTHER,
            AppError::BadRequest(_) | AppError::MalformedRequest => StatusCode::BAD_REQUEST,
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

// --- backlog follow-up ---

impl From<crate::use_cases::backlog::followup::FollowupError> for AppError {
    fn from(e: crate::use_cases::backlog::followup::FollowupError) -> Self {
        use crate::use_cases::backlog::followup::FollowupError;
        match (&e, e.message()) {
            (FollowupError::NotFound(_), _) => AppError::NotFound,
            (_, Some(m)) => AppError::BadRequest(m),
            _ => match e {
                FollowupError::Storage(s) => s.into(),
                other => AppError::Unexpected(anyhow::Error::new(other)),
            },
        }
    }
}

// --- backlog presets ---

impl From<crate::use_cases::backlog::presets::PresetError> for AppError {
    fn from(e: crate::use_cases::backlog::presets::PresetError) -> Self {
        use crate::use_cases::backlog::presets::PresetError;
        match e {
            PresetError::NotFound(_) => AppError::NotFound,
            PresetError::Ranking(r) => r.into(),
            PresetError::Storage(s) => s.into(),
            other => match (&other, other.message()) {
                (PresetError::NameTaken(_), Some(m)) => AppError::Conflict(m),
                (_, Some(m)) => AppError::BadRequest(m),
                _ => AppError::Unexpected(anyhow::Error::new(other)),
            },
        }
    }
}
