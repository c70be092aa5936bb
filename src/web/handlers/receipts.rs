//! Staff lookup of a response by the receipt number a respondent quotes (to show or, later,
//! erase their answers). Every lookup is written to the audit log: it reveals personal data.

use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;

use super::home::html;
use crate::domain::response::{answers_from_cells, normalise_receipt};
use crate::storage;
use crate::use_cases::Actor;
use crate::web::access::{Authorized, Designers};
use crate::web::error::AppError;
use crate::web::forms::{client_ip, PageCtx};
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
    let (actor, ip) = (auth.user, client_ip(&req));
    let found = state
        .db
        .run(move |c| {
            let Some(resp) = storage::responses::find_by_receipt(c, &number)? else {
                return Ok(None);
            };
            let version = storage::surveys::find_version_by_id(c, &resp.version_id)?;
            Actor {
                id: Some(&actor.id),
                name: &actor.username,
                ip: Some(&ip),
            }
            .record(c, "response.viewed", &number, "")?;
            Ok(version.map(|v| (resp, v)))
        })
        .await?;
    let result = match found {
        Some((resp, version)) => {
            let answers = answers_from_cells(&version.survey, &resp.cells);
            Found::Response(Box::new((resp, version.survey, answers)))
        }
        None => Found::Missing,
    };
    Ok(html(view::page(&ctx, &typed, Some(result))))
}
