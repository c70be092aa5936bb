//! Form extraction with CSRF verification, and the page context every view needs.

use std::future::Future;
use std::pin::Pin;

use actix_web::{dev::Payload, web, FromRequest, HttpMessage, HttpRequest};
use serde::de::DeserializeOwned;

use super::error::AppError;
use super::i18n::Lang;
use super::AppState;
use crate::auth::csrf::{self, CsrfToken};
use crate::domain::user::User;
use crate::web::access::current_user;

/// Largest form body we accept anywhere (a survey page with long free-text answers fits).
pub const MAX_FORM_BYTES: usize = 64 * 1024;

/// The CSRF cookie value of this request, set by the CSRF middleware.
#[derive(Debug, Clone)]
pub struct CsrfCookie(pub String);

/// A url-encoded form whose `csrf_token` field was checked. Every state-changing handler takes
/// its input through this, so a forgotten check is not possible: a handler without it cannot
/// read a form at all.
pub struct CsrfForm<T>(pub T);

pub(crate) type LocalFuture<T> = Pin<Box<dyn Future<Output = Result<T, AppError>>>>;

impl<T: DeserializeOwned + 'static> FromRequest for CsrfForm<T> {
    type Error = AppError;
    type Future = LocalFuture<Self>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let req = req.clone();
        let body = web::Bytes::from_request(&req, payload);
        Box::pin(async move {
            let bytes = body.await.map_err(|e| body_error(&e, "a form"))?;
            let pairs: Vec<(String, String)> =
                serde_urlencoded::from_bytes(&bytes).map_err(|_| {
                    tracing::debug!("a form body is not url-encoded");
                    AppError::MalformedRequest
                })?;
            check_token(&req, &pairs)?;
            serde_urlencoded::from_bytes::<T>(&bytes)
                .map(CsrfForm)
                .map_err(|_| {
                    // The parser's words quote the input (answers, names): not for the page
                    // or the log.
                    tracing::debug!("a form lacks a field or has one of the wrong type");
                    AppError::MalformedRequest
                })
        })
    }
}

/// The form's `csrf_token` field must be the MAC of this browser's CSRF cookie.
fn check_token(req: &HttpRequest, pairs: &[(String, String)]) -> Result<(), AppError> {
    let submitted = pairs
        .iter()
        .find(|(k, _)| k == csrf::FIELD)
        .map(|(_, v)| v.as_str())
        .unwrap_or("");
    verify_token(req, submitted)
}

/// A submitted CSRF token (of a form or an upload) must be the MAC of this browser's cookie.
pub(crate) fn verify_token(req: &HttpRequest, submitted: &str) -> Result<(), AppError> {
    let cookie = req
        .extensions()
        .get::<CsrfCookie>()
        .map(|c| c.0.clone())
        .unwrap_or_default();
    let state = req
        .app_data::<web::Data<AppState>>()
        .ok_or_else(|| AppError::unexpected("application state missing"))?;
    if !csrf::verify(&state.secret, &cookie, submitted) {
        return Err(AppError::CsrfRejected);
    }
    Ok(())
}

/// A body that could not be read: too large (413) or broken (400). `what` is for the log.
pub(crate) fn body_error(e: &actix_web::Error, what: &'static str) -> AppError {
    if e.as_response_error().status_code() == actix_web::http::StatusCode::PAYLOAD_TOO_LARGE {
        AppError::PayloadTooLarge
    } else {
        tracing::debug!("{what} body could not be read");
        AppError::MalformedRequest
    }
}

/// What every page render needs: language, CSRF token, the logged-in user and the path.
pub struct PageCtx {
    /// Interface language.
    pub lang: Lang,
    /// Token for forms on this page.
    pub csrf: String,
    /// Logged-in staff member, if any.
    pub user: Option<User>,
    /// Request path (for the language switch link).
    pub path: String,
    /// The zone times are shown in (settings; storage stays UTC).
    pub zone: crate::domain::local_time::Zone,
    /// The instance holds the synthetic demo data (the layout shows a banner).
    pub demo: bool,
}

impl PageCtx {
    /// Build from a request (async: it may look up the session).
    pub async fn from_req(req: &HttpRequest) -> Result<PageCtx, AppError> {
        // Take the token in its own statement: a `Ref` of the extensions held across the
        // await below would collide with the session lookup's `extensions_mut`.
        let csrf = req
            .extensions()
            .get::<CsrfToken>()
            .map(|t| t.0.clone())
            .unwrap_or_default();
        Ok(PageCtx {
            lang: Lang::of(req),
            csrf,
            user: current_user(req).await?,
            path: req.path().to_owned(),
            zone: req
                .app_data::<web::Data<AppState>>()
                .map(|s| s.settings.timezone.clone())
                .unwrap_or_else(crate::domain::local_time::stockholm),
            demo: req
                .app_data::<web::Data<AppState>>()
                .is_some_and(|s| s.demo),
        })
    }
}

impl FromRequest for PageCtx {
    type Error = AppError;
    type Future = LocalFuture<Self>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move { PageCtx::from_req(&req).await })
    }
}

/// The scheme and host of this site as the browser reached it, for links on a page (the
/// "continue later" link, letters). Proxy headers (`X-Forwarded-Host`, `Forwarded`) count only
/// when the proxy is trusted; otherwise the request's own `Host` header, if it looks like a
/// host name, else the bound address, so a forged header cannot plant another site in a link.
pub fn site_base(req: &HttpRequest) -> String {
    let settings = req.app_data::<web::Data<AppState>>().map(|s| &s.settings);
    if settings.is_some_and(|s| s.trust_proxy) {
        let info = req.connection_info();
        return format!("{}://{}", info.scheme(), info.host());
    }
    let scheme = if settings.is_some_and(|s| s.secure_cookies) {
        "https"
    } else {
        "http"
    };
    let host = req
        .headers()
        .get(actix_web::http::header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| {
            !h.is_empty()
                && h.len() <= 255
                && h.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b".-:[]".contains(&b))
        })
        .map(str::to_owned)
        .or_else(|| settings.map(|s| s.bind.to_string()))
        .unwrap_or_else(|| "localhost".into());
    format!("{scheme}://{host}")
}

/// The client address: the TCP peer, or the proxy-reported address when configured to trust
/// the proxy (otherwise anyone could pick their own address to dodge throttling).
pub fn client_ip(req: &HttpRequest) -> String {
    let trust = req
        .app_data::<web::Data<AppState>>()
        .map(|s| s.settings.trust_proxy)
        .unwrap_or(false);
    if trust {
        if let Some(ip) = req.connection_info().realip_remote_addr() {
            return ip.to_owned();
        }
    }
    req.peer_addr()
        .map(|a| a.ip().to_string())
        .unwrap_or_else(|| "unknown".into())
}

/// Who makes a change, owned so it can move into the blocking pool and be named in the audit
/// log there.
pub struct Who {
    id: String,
    name: String,
    ip: String,
}

impl Who {
    /// The authorised staff member behind `req`.
    pub fn of<P: crate::web::access::Policy>(
        auth: &crate::web::access::Authorized<P>,
        req: &HttpRequest,
    ) -> Who {
        Who::user(&auth.user, req)
    }

    /// A logged-in staff member (found by the session, whatever the page's policy) behind `req`.
    pub fn user(user: &User, req: &HttpRequest) -> Who {
        Who {
            id: user.id.clone(),
            name: user.username.clone(),
            ip: client_ip(req),
        }
    }

    /// As the audit log's actor.
    pub fn actor(&self) -> crate::use_cases::Actor<'_> {
        crate::use_cases::Actor {
            id: Some(&self.id),
            name: &self.name,
            ip: Some(&self.ip),
        }
    }
}
