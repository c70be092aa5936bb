//! Staff login and logout.

use actix_web::{http::header, web, HttpRequest, HttpResponse};
use serde::Deserialize;

use super::home::html;
use crate::auth::login::{self, LoginOutcome};
use crate::auth::session::random_token;
use crate::web::access::current_user;
use crate::web::error::AppError;
use crate::web::forms::{client_ip, CsrfForm, PageCtx};
use crate::web::views::auth::{login as login_view, LoginNotice};
use crate::web::AppState;

/// Query of `GET /login`.
#[derive(Deserialize)]
pub struct LoginQuery {
    next: Option<String>,
    logged_out: Option<String>,
}

/// Body of `POST /login`.
#[derive(Deserialize)]
pub struct LoginForm {
    username: String,
    password: String,
    next: Option<String>,
}

/// Where a login goes when `next` is missing or not acceptable.
const DEFAULT_LANDING: &str = "/staff";

/// Only same-origin paths, so `next` cannot send a user to another site after login.
///
/// Browsers drop tabs and newlines inside URLs, trim spaces and control characters and read
/// `\` as `/`, so `/\t/evil.com` or `/\\evil.com` become `//evil.com` (another host) after the
/// check. Rather than imitate that normalisation, anything a browser would normalise is refused:
/// only visible ASCII, no backslash, one leading `/` and not two, and the result must resolve to
/// our own origin. A newline would also make an invalid `Location` header (a 500).
fn safe_next(next: Option<&str>) -> String {
    next.filter(|n| is_local_path(n))
        .unwrap_or(DEFAULT_LANDING)
        .to_owned()
}

fn is_local_path(n: &str) -> bool {
    let plain = n.bytes().all(|b| b.is_ascii_graphic() && b != b'\\');
    if !plain || !n.starts_with('/') || n.starts_with("//") {
        return false;
    }
    // A fixed base stands in for our origin: a path that keeps its scheme, host and port is
    // same-origin wherever we are served.
    let Ok(base) = url::Url::parse("http://insikt.invalid/") else {
        return false;
    };
    base.join(n)
        .map(|u| u.origin() == base.origin())
        .unwrap_or(false)
}

/// `GET /login`
pub async fn show_login(ctx: PageCtx, query: web::Query<LoginQuery>) -> HttpResponse {
    if ctx.user.is_some() {
        return see_other(&safe_next(query.next.as_deref()));
    }
    let notice = if query.logged_out.is_some() {
        LoginNotice::LoggedOut
    } else {
        LoginNotice::None
    };
    html(login_view(
        &ctx,
        &notice,
        "",
        &safe_next(query.next.as_deref()),
    ))
}

/// `POST /login`
pub async fn submit_login(
    req: HttpRequest,
    state: web::Data<AppState>,
    CsrfForm(form): CsrfForm<LoginForm>,
) -> Result<HttpResponse, AppError> {
    let previous = req
        .cookie(state.cookies.session)
        .map(|c| c.value().to_owned());
    let (username, ip) = (form.username, client_ip(&req));
    let outcome = login::attempt(state.login_gate(), &username, form.password, ip, previous);
    let next = safe_next(form.next.as_deref());
    let notice = match outcome.await? {
        LoginOutcome::LoggedIn { session_id, .. } => {
            return Ok(HttpResponse::SeeOther()
                .insert_header((header::LOCATION, next))
                .cookie(state.cookies.session_cookie(session_id))
                // A new CSRF secret too: nothing from before login stays valid after it.
                .cookie(state.cookies.csrf_cookie(random_token()))
                .finish());
        }
        LoginOutcome::Refused => LoginNotice::Refused,
        LoginOutcome::Throttled { retry_after_secs } => LoginNotice::Throttled { retry_after_secs },
    };
    let ctx = PageCtx::from_req(&req).await?;
    Ok(rerender(&ctx, &notice, &username, &next))
}

/// The login page again after a refused (401) or throttled (429, with `Retry-After`) attempt.
fn rerender(ctx: &PageCtx, notice: &LoginNotice, username: &str, next: &str) -> HttpResponse {
    let mut res = match notice {
        LoginNotice::Throttled { retry_after_secs } => {
            let mut res = HttpResponse::TooManyRequests();
            res.insert_header((header::RETRY_AFTER, *retry_after_secs));
            res
        }
        _ => HttpResponse::Unauthorized(),
    };
    res.content_type("text/html; charset=utf-8")
        .body(login_view(ctx, notice, username, next).into_string())
}

/// `POST /logout`: ends the session server-side, so the old cookie is dead even if kept.
pub async fn submit_logout(
    req: HttpRequest,
    state: web::Data<AppState>,
    _form: CsrfForm<serde::de::IgnoredAny>,
) -> Result<HttpResponse, AppError> {
    if let Some(cookie) = req.cookie(state.cookies.session) {
        let user = current_user(&req).await?;
        login::logout(&state.db, cookie.value().to_owned(), user, client_ip(&req)).await?;
    }
    Ok(HttpResponse::SeeOther()
        .insert_header((header::LOCATION, "/login?logged_out=1"))
        .cookie(state.cookies.clear_session_cookie())
        .finish())
}

fn see_other(location: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, location.to_owned()))
        .finish()
}
