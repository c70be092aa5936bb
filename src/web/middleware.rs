//! Middleware applied to every request: security headers, the CSRF cookie, the language
//! cookie and request metrics.

use std::time::Instant;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::cookie::{Cookie, SameSite};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderValue};
use actix_web::middleware::{DefaultHeaders, Next};
use actix_web::{web, HttpMessage, HttpResponse};

use super::error::AppError;
use super::forms::CsrfCookie;
use super::i18n::{self, Lang};
use super::AppState;
use crate::auth::csrf::{self, CsrfToken};
use crate::auth::session::random_token;

/// The Content-Security-Policy: no inline script or style, nothing from other origins, no
/// framing (clickjacking), forms post only to us.
pub const CSP: &str =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
     font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; \
     base-uri 'none'; object-src 'none'";

/// Headers on every response, errors included.
pub fn security_headers(secure: bool) -> DefaultHeaders {
    let headers = DefaultHeaders::new()
        .add((header::CONTENT_SECURITY_POLICY, CSP))
        .add((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .add((header::X_FRAME_OPTIONS, "DENY"))
        .add((header::REFERRER_POLICY, "same-origin"))
        .add((
            header::HeaderName::from_static("permissions-policy"),
            "camera=(), microphone=(), geolocation=(), interest-cohort=()",
        ))
        .add((
            header::HeaderName::from_static("cross-origin-opener-policy"),
            "same-origin",
        ));
    if secure {
        headers.add((
            header::STRICT_TRANSPORT_SECURITY,
            "max-age=31536000; includeSubDomains",
        ))
    } else {
        headers
    }
}

/// Paths that never render forms: no cookies are set there (keeps `/healthz` cheap).
fn is_machine_path(path: &str) -> bool {
    path.starts_with("/static/") || path == "/healthz" || path == "/metrics"
}

/// Give every browser a CSRF cookie and every request the matching token.
pub async fn csrf_cookie(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    if is_machine_path(req.path()) {
        return next.call(req).await;
    }
    let Some(state) = req.app_data::<web::Data<AppState>>().cloned() else {
        return next.call(req).await;
    };
    let names = state.cookies;
    let existing = req
        .cookie(names.csrf)
        .map(|c| c.value().to_owned())
        .filter(|v| v.len() == 43);
    let (value, fresh) = match existing {
        Some(v) => (v, false),
        None => (random_token(), true),
    };
    req.extensions_mut()
        .insert(CsrfToken(csrf::token_for(&state.secret, &value)));
    req.extensions_mut().insert(CsrfCookie(value.clone()));
    let mut res = next.call(req).await?;
    let handler_set_it = res.response().cookies().any(|c| c.name() == names.csrf);
    if fresh && !handler_set_it {
        res.response_mut()
            .add_cookie(&names.csrf_cookie(value))
            .map_err(actix_web::error::ErrorInternalServerError)?;
    }
    Ok(res)
}

/// Remember a `?lang=` choice in a cookie.
pub async fn language(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let chosen = req.query_string().split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=')?;
        (k == i18n::QUERY_PARAM)
            .then(|| Lang::from_code(v))
            .flatten()
    });
    let current = Lang::of(req.request());
    req.extensions_mut().insert(current);
    let mut res = next.call(req).await?;
    if let Some(lang) = chosen {
        let cookie = Cookie::build(i18n::COOKIE, lang.code())
            .path("/")
            .same_site(SameSite::Lax)
            .max_age(actix_web::cookie::time::Duration::days(365))
            .finish();
        res.response_mut()
            .add_cookie(&cookie)
            .map_err(actix_web::error::ErrorInternalServerError)?;
    }
    // Pages differ by language and login state: shared caches must not keep them.
    if !res.headers().contains_key(header::CACHE_CONTROL) {
        res.headers_mut().insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store, private"),
        );
    }
    Ok(res)
}

/// Render framework errors that reach us without an `AppError` as the one error page.
/// Extractors with a config hook (`web::Path`, `web::Query`, `web::Form`, `web::Json`) already
/// answer with an `AppError` (see `web::error::path_config` and its siblings); this catches the
/// rest — above all the size limit of `web::Bytes` bodies, whose `PayloadConfig` has no error
/// hook — whose plain-text bodies would name parser internals or quote the input.
pub async fn error_pages(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let res = next.call(req).await?;
    let foreign = res
        .response()
        .error()
        .is_some_and(|e| e.as_error::<AppError>().is_none());
    if !foreign {
        return Ok(res.map_into_boxed_body());
    }
    let status = res.status();
    // Not the error's text: it may quote the request.
    tracing::debug!(
        http.status_code = status.as_u16(),
        "a framework error is shown as the error page"
    );
    let (req, _) = res.into_parts();
    let mut page = HttpResponse::from_error(AppError::from_status(status));
    // Keep the framework's status (405, 411, 415 …): only the body was the problem.
    *page.status_mut() = status;
    Ok(ServiceResponse::new(req, page))
}

/// Count requests and their latency per route pattern (never per raw path: ids in paths would
/// make unbounded label sets).
pub async fn metrics(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let started = Instant::now();
    let state = req.app_data::<web::Data<AppState>>().cloned();
    let method = req.method().clone();
    let res = next.call(req).await?;
    if let Some(state) = state {
        let route = res
            .request()
            .match_pattern()
            .unwrap_or_else(|| super::metrics::UNMATCHED.into());
        state.metrics.observe(
            &method,
            &route,
            res.status().as_u16(),
            started.elapsed().as_secs_f64(),
        );
    }
    Ok(res)
}

/// The request span without the query string or the raw path: links carry access, resume and
/// opt-out codes (`/s/{key}?code=…`, `/optout/{token}`), and codes must never reach the log.
/// The route pattern (`/s/{key}`) says what was asked for without saying who asked.
pub struct RouteOnlySpan;

impl tracing_actix_web::RootSpanBuilder for RouteOnlySpan {
    fn on_request_start(request: &actix_web::dev::ServiceRequest) -> tracing::Span {
        let route = request
            .match_pattern()
            .unwrap_or_else(|| "(no route)".to_owned());
        tracing::info_span!(
            "http request",
            http.method = %request.method(),
            http.route = %route,
            http.status_code = tracing::field::Empty,
            otel.status_code = tracing::field::Empty,
            exception.message = tracing::field::Empty,
            request_id = %uuid::Uuid::new_v4(),
        )
    }

    /// The status, and for a failed request the kind of failure (`not_found`,
    /// `malformed_request`, …) — never an error's Display or Debug text, which can quote the
    /// path, the query or a form value. A redirect to the login page is no failure at all.
    /// An unexpected error's cause chain is logged once, where it is rendered
    /// (`AppError::error_response`).
    fn on_request_end<B: actix_web::body::MessageBody>(
        span: tracing::Span,
        outcome: &Result<actix_web::dev::ServiceResponse<B>, actix_web::Error>,
    ) {
        let (status, error) = match outcome {
            Ok(res) => (res.status(), res.response().error()),
            Err(e) => (e.as_response_error().status_code(), Some(e)),
        };
        span.record("http.status_code", status.as_u16());
        span.record(
            "otel.status_code",
            if status.is_server_error() {
                "ERROR"
            } else {
                "OK"
            },
        );
        if let Some(e) = error.filter(|_| !status.is_redirection()) {
            let kind = e.as_error::<AppError>().map_or("framework", AppError::kind);
            span.record("exception.message", kind);
        }
    }
}
