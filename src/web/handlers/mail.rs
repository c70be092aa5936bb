//! E-mail fieldwork: the staff page `/fieldwork/{key}/mail` (queue invitations and reminders,
//! see delivery status and failures, record returned mail) and the public opt-out pages
//! `/optout/{token}` (GET shows a form, POST records the opt-out).

use std::collections::HashMap;

use actix_web::{http::header, web, HttpRequest, HttpResponse};

use super::home::html;
use crate::storage::{self, deliveries::DeliveryKind};
use crate::use_cases::mail::{self, MailError};
use crate::use_cases::Actor;
use crate::web::access::{Authorized, Designers};
use crate::web::error::AppError;
use crate::web::forms::{client_ip, CsrfForm, PageCtx};
use crate::web::views::mail::{self as view, Flash, MailPage, OptOutPage};
use crate::web::AppState;

impl From<MailError> for AppError {
    fn from(e: MailError) -> Self {
        match e {
            MailError::SurveyNotFound(_) => AppError::NotFound,
            MailError::Storage(s) => s.into(),
            other => AppError::Unexpected(anyhow::Error::new(other)),
        }
    }
}

async fn mail_page(state: &AppState, ctx: &PageCtx, key: &str) -> Result<MailPage, AppError> {
    let (k, lang) = (key.to_owned(), ctx.lang.code());
    let found = state
        .db
        .run(move |c| {
            let Some((record, version)) =
                storage::surveys::find_respondent_version(c, &k)?.or(latest_version(c, &k)?)
            else {
                return Ok(None);
            };
            let summary = storage::deliveries::summary(c, &record.id)?;
            Ok(Some((
                version.survey.title.get_or(lang, "sv").to_owned(),
                summary,
            )))
        })
        .await?;
    let (title, summary) = found.ok_or(AppError::NotFound)?;
    Ok(MailPage {
        key: key.to_owned(),
        title,
        sending_enabled: state.mail.is_enabled(),
        summary,
    })
}

type Versioned = (
    storage::surveys::SurveyRecord,
    storage::surveys::StoredVersion,
);

/// A survey that is still a draft has no respondent version; staff still see its page.
fn latest_version(
    c: &mut storage::DbConnection,
    key: &str,
) -> Result<Option<Versioned>, storage::StorageError> {
    let Some(record) = storage::surveys::find_survey(c, key)? else {
        return Ok(None);
    };
    let latest = storage::surveys::list_versions(c, &record.id)?.pop();
    Ok(latest.map(|v| (record, v)))
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
    CsrfForm(_): CsrfForm<HashMap<String, String>>,
) -> Result<HttpResponse, AppError> {
    let (key, kind) = path.into_inner();
    let kind = DeliveryKind::parse(&kind).ok_or(AppError::NotFound)?;
    let (k, user, ip) = (key.clone(), auth.user.clone(), client_ip(&req));
    let count = state
        .db
        .run(move |c| Ok(mail::queue(c, actor(&user, &ip), &k, kind)))
        .await??;
    state.mail.wake();
    let page = mail_page(&state, &ctx, &key).await?;
    Ok(html(view::page(
        &ctx,
        &page,
        &Flash::Queued { kind, count },
    )))
}

fn actor<'a>(user: &'a crate::domain::user::User, ip: &'a str) -> Actor<'a> {
    Actor {
        id: Some(&user.id),
        name: &user.username,
        ip: Some(ip),
    }
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
    let (k, user, ip) = (key.clone(), auth.user.clone(), client_ip(&req));
    let reason = "returned mail recorded by staff";
    let report = state
        .db
        .run(move |c| {
            Ok(mail::record_bounces(
                c,
                actor(&user, &ip),
                &k,
                &addresses,
                reason,
            ))
        })
        .await??;
    let page = mail_page(&state, &ctx, &key).await?;
    Ok(html(view::page(&ctx, &page, &Flash::Bounces(report))))
}

/// The invitation and survey titles behind a token, or `None` for a bad token.
async fn opt_out_page(state: &AppState, token: &str) -> Result<Option<OptOutPage>, AppError> {
    let Some(invitation_id) = mail::verify_opt_out_token(&state.secret, token) else {
        return Ok(None);
    };
    let token = token.to_owned();
    Ok(state
        .db
        .run(move |c| {
            let Some(target) = storage::deliveries::find_opt_out_target(c, &invitation_id)? else {
                return Ok(None);
            };
            let title = latest_version(c, &target.survey_key)?
                .map(|(_, v)| v.survey.title)
                .unwrap_or_default();
            Ok(Some(OptOutPage {
                token,
                title_sv: title.get_or("sv", "en").to_owned(),
                title_en: title.get_or("en", "sv").to_owned(),
                done: target.opted_out_at.is_some(),
            }))
        })
        .await?)
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
    match opt_out_page(&state, &path).await? {
        // The page names a survey someone was invited to: keep it out of shared caches.
        Some(page) => Ok(HttpResponse::Ok()
            .insert_header((header::CACHE_CONTROL, "no-store"))
            .content_type("text/html; charset=utf-8")
            .body(view::opt_out(&ctx, &page).into_string())),
        None => Ok(opt_out_not_found(&ctx)),
    }
}

/// `POST /optout/{token}`: record the opt-out; queued messages to the person are skipped.
pub async fn submit_opt_out(
    ctx: PageCtx,
    state: web::Data<AppState>,
    path: web::Path<String>,
    CsrfForm(_): CsrfForm<HashMap<String, String>>,
) -> Result<HttpResponse, AppError> {
    let Some(mut page) = opt_out_page(&state, &path).await? else {
        return Ok(opt_out_not_found(&ctx));
    };
    let id = mail::verify_opt_out_token(&state.secret, &path).ok_or(AppError::NotFound)?;
    state.db.run(move |c| mail::opt_out(c, &id)).await?;
    page.done = true;
    Ok(html(view::opt_out(&ctx, &page)))
}
