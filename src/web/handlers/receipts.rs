//! Staff lookup of a response by the receipt number a respondent quotes, to show or erase their
//! answers. Every lookup that shows answers, and every erasure, is written to the audit log.

use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;

use super::home::html;
use crate::domain::response::normalise_receipt;
use crate::use_cases::answering::{self, ErasureReason};
use crate::web::access::{Authorized, Designers};
use crate::web::error::AppError;
use crate::web::forms::{CsrfForm, PageCtx, Who};
use crate::web::views::receipts::{self as view, Erasure, Found};
use crate::web::AppState;

/// Query of `GET /staff/receipts`.
#[derive(Deserialize)]
pub struct ReceiptQuery {
    number: Option<String>,
}

/// `GET /staff/receipts?number=INS-…`
pub async fn lookup_receipt(
    auth: Authorized<Designers>,
    req: HttpRequest,
    ctx: PageCtx,
    state: web::Data<AppState>,
    query: web::Query<ReceiptQuery>,
) -> Result<HttpResponse, AppError> {
    let typed = query.number.clone().unwrap_or_default();
    if typed.trim().is_empty() {
        return Ok(html(view::page(&ctx, "", None)));
    }
    let Some(number) = normalise_receipt(&typed) else {
        return Ok(html(view::page(&ctx, &typed, Some(Found::Invalid))));
    };
    let who = Who::of(&auth, &req);
    let found = state
        .run(move |c| answering::find_receipt(c, who.actor(), &number))
        .await?;
    let zone = &state.settings.timezone;
    Ok(html(view::page(
        &ctx,
        &typed,
        Some(Found::from_lookup(found, zone, ctx.lang)),
    )))
}

/// Form of `POST /staff/receipts/erase`: the first post asks for confirmation, the second
/// (with `confirm`) erases.
#[derive(Deserialize)]
pub struct EraseForm {
    number: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    confirm: Option<String>,
}

/// `POST /staff/receipts/erase`: erase a response at the respondent's request, after a
/// confirmation step; then back to the lookup, which says the response was erased.
pub async fn erase_response(
    auth: Authorized<Designers>,
    req: HttpRequest,
    ctx: PageCtx,
    state: web::Data<AppState>,
    CsrfForm(form): CsrfForm<EraseForm>,
) -> Result<HttpResponse, AppError> {
    let number = normalise_receipt(&form.number).ok_or(AppError::NotFound)?;
    let erasure = Erasure {
        number: number.clone(),
        reason: form.reason.clone(),
    };
    let reason = match ErasureReason::parse(&form.reason) {
        Ok(r) => r,
        Err(e) => {
            let page = view::confirm(&ctx, &erasure, Some(e.message().get(ctx.lang)));
            return Ok(html_status(StatusCode::UNPROCESSABLE_ENTITY, page));
        }
    };
    if form.confirm.as_deref() != Some("yes") {
        return Ok(html(view::confirm(&ctx, &erasure, None)));
    }
    let who = Who::of(&auth, &req);
    let n = number.clone();
    state
        .run(move |c| answering::erase_response(c, who.actor(), &n, &reason))
        .await?;
    Ok(HttpResponse::SeeOther()
        .insert_header((header::LOCATION, format!("/staff/receipts?number={number}")))
        .finish())
}

fn html_status(status: StatusCode, markup: maud::Markup) -> HttpResponse {
    HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .body(markup.into_string())
}
