//! E-mail fieldwork: the staff page `/fieldwork/{key}/mail` (queue invitations and reminders,
//! see delivery status and failures, record returned mail) and the public opt-out pages
//! `/optout/{token}` (GET shows a form, POST records the opt-out).

use actix_web::{http::header, web, HttpRequest, HttpResponse};
use serde::de::IgnoredAny;

use super::home::html;
use crate::use_cases::mail::{self, DeliveryKind, OptOutInfo};
use crate::web::access::{Authorized, Designers};
use crate::web::error::AppError;
use crate::web::forms::{CsrfForm, PageCtx, Who};
use crate::web::views::mail::{self as view, Flash, MailPage, OptOutPage};
use crate::web::AppState;

async fn mail_page(state: &AppState, ctx: &PageCtx, key: &str) -> Result<MailPage, AppError> {
    let (k, lang) = (key.to_owned(), ctx.lang);
    let overview = state.run(move |c| mail::overview(c, &k, lang)).await?;
    Ok(MailPage {
        key: key.to_owned(),
        title: overview.title,
        sending_enabled: state.mail.is_enabled(),
        summary: overview.summary,
    })
}

/// `GET /fieldwork/{key}/mail`
pub async fn show_mail(
    _auth: Authorized<Designers>,
    ctx: PageCtx,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let page = mail_page(&state, &ctx, &path).await?;
    Ok(html(view::page(&ctx, &page, &Flash::None)))
}

/// `POST /fieldwork/{key}/mail/send/{kind}`: queue invitations or a reminder, wake the worker.
pub async fn queue_mail(
    auth: Authorized<Designers>,
    req: HttpRequest,
    ctx: PageCtx,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    _form: CsrfForm<IgnoredAny>,
) -> Result<HttpResponse, AppError> {
    let (key, kind) = path.into_inner();
    let kind = DeliveryKind::parse(&kind).ok_or(AppError::NotFound)?;
    let (k, who) = (key.clone(), Who::of(&auth, &req));
    let count = state
        .run(move |c| mail::queue(c, who.actor(), &k, kind))
        .await?;
    state.mail.wake();
    let page = mail_page(&state, &ctx, &key).await?;
    let flash = Flash::Queued { kind, count };
    Ok(html(view::page(&ctx, &page, &flash)))
}

/// Form of the returned-mail box.
#[derive(serde::Deserialize)]
pub struct BouncesForm {
    #[serde(default)]
    addresses: String,
}

/// `POST /fieldwork/{key}/mail/bounces`: mark pasted addresses bounced.
pub async fn record_bounces(
    auth: Authorized<Designers>,
    req: HttpRequest,
    ctx: PageCtx,
    state: web::Data<AppState>,
    path: web::Path<String>,
    CsrfForm(form): CsrfForm<BouncesForm>,
) -> Result<HttpResponse, AppError> {
    let key = path.into_inner();
    let addresses = mail::parse_address_list(&form.addresses);
    if addresses.is_empty() {
        let page = mail_page(&state, &ctx, &key).await?;
        return Ok(HttpResponse::UnprocessableEntity()
            .content_type("text/html; charset=utf-8")
            .body(view::page(&ctx, &page, &Flash::NoAddresses).into_string()));
    }
    let (k, who) = (key.clone(), Who::of(&auth, &req));
    let reason = "returned mail recorded by staff";
    let report = state
        .run(move |c| mail::record_bounces(c, who.actor(), &k, &addresses, reason))
        .await?;
    let page = mail_page(&state, &ctx, &key).await?;
    Ok(html(view::page(&ctx, &page, &Flash::Bounces(report))))
}

/// The invitation behind a token, or `None` for a forged token or a vanished invitation. The
/// token is checked before the database is asked anything.
async fn opt_out_info(state: &AppState, token: &str) -> Result<Option<OptOutInfo>, AppError> {
    let Some(invitation_id) = mail::verify_opt_out_token(&state.secret, token) else {
        return Ok(None);
    };
    state
        .run(move |c| mail::opt_out_info(c, &invitation_id))
        .await
}

fn opt_out_page(token: String, info: OptOutInfo) -> OptOutPage {
    OptOutPage {
        token,
        title: info.title,
        done: info.done,
    }
}

fn opt_out_not_found(ctx: &PageCtx) -> HttpResponse {
    HttpResponse::NotFound()
        .content_type("text/html; charset=utf-8")
        .body(view::opt_out_not_found(ctx).into_string())
}

/// `GET /optout/{token}`: the confirmation form (changes nothing).
pub async fn show_opt_out(
    ctx: PageCtx,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let Some(info) = opt_out_info(&state, &path).await? else {
        return Ok(opt_out_not_found(&ctx));
    };
    let page = opt_out_page(path.into_inner(), info);
    // The page names a survey someone was invited to: keep it out of shared caches.
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .content_type("text/html; charset=utf-8")
        .body(view::opt_out(&ctx, &page).into_string()))
}

/// `POST /optout/{token}`: record the opt-out; queued messages to the person are skipped.
pub async fn submit_opt_out(
    ctx: PageCtx,
    state: web::Data<AppState>,
    path: web::Path<String>,
    _form: CsrfForm<IgnoredAny>,
) -> Result<HttpResponse, AppError> {
    let Some(info) = opt_out_info(&state, &path).await? else {
        return Ok(opt_out_not_found(&ctx));
    };
    let id = info.invitation_id.clone();
    state.run(move |c| mail::opt_out(c, &id)).await?;
    let page = OptOutPage {
        done: true,
        ..opt_out_page(path.into_inner(), info)
    };
    Ok(html(view::opt_out(&ctx, &page)))
}
