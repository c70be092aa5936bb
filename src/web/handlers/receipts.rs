//! Staff lookup of a response by the receipt number a respondent quotes (to show or, later,
//! erase their answers). Every lookup is written to the audit log: it reveals personal data.

use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;

use super::home::html;
use crate::domain::response::normalise_receipt;
use crate::use_cases::answering;
use crate::web::access::{Authorized, Designers};
use crate::web::error::AppError;
use crate::web::forms::{PageCtx, Who};
use crate::web::views::receipts::{self as view, Found};
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
        .db
        .run(move |c| answering::find_receipt(c, who.actor(), &number))
        .await?;
    let result = found.map_or(Found::Missing, |f| Found::Response(Box::new(f)));
    Ok(html(view::page(&ctx, &typed, Some(result))))
}
