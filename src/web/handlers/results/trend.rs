//! Yearly trends of one question across a survey's versions (`/results/{key}/trend/{question}`).

use actix_web::{web, HttpResponse};
use serde::Deserialize;

use super::responses::FilterQuery;
use crate::use_cases::results::trend;
use crate::web::access::{Authorized, ResultReaders};
use crate::web::error::AppError;
use crate::web::forms::PageCtx;
use crate::web::handlers::home::html;
use crate::web::views::results::trend as view;
use crate::web::AppState;

/// Which option's share to follow.
#[derive(Deserialize)]
pub struct Which {
    #[serde(default)]
    value: String,
}

/// `GET /results/{key}/trend/{question}`
pub async fn show_trend(
    _auth: Authorized<ResultReaders>,
    ctx: PageCtx,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    which: web::Query<Which>,
    query: web::Query<FilterQuery>,
) -> Result<HttpResponse, AppError> {
    let (key, question) = path.into_inner();
    let filters = query.filters()?;
    let value = which.into_inner().value;
    let (k, f) = (key.clone(), filters.clone());
    let t = state
        .run(move |c| trend::trend(c, &k, &question, &value, &f))
        .await?;
    Ok(html(view::page(&ctx, &key, &filters, &t)))
}
