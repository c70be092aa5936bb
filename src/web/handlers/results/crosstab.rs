//! The cross-tab builder (`/results/{key}/{version}/crosstab?row=&col=&…filters`): a GET form,
//! so a table is a link that can be bookmarked and shared.

use actix_web::{web, HttpResponse};
use serde::Deserialize;

use super::responses::FilterQuery;
use crate::use_cases::results::crosstab;
use crate::web::access::{Authorized, ResultReaders};
use crate::web::error::AppError;
use crate::web::forms::PageCtx;
use crate::web::handlers::home::html;
use crate::web::views::results::crosstab as view;
use crate::web::AppState;

/// The two questions of the table.
#[derive(Deserialize)]
pub struct Pair {
    #[serde(default)]
    row: String,
    #[serde(default)]
    col: String,
}

/// `GET /results/{key}/{version}/crosstab`
pub async fn show_crosstab(
    _auth: Authorized<ResultReaders>,
    ctx: PageCtx,
    state: web::Data<AppState>,
    path: web::Path<(String, u32)>,
    pair: web::Query<Pair>,
    query: web::Query<FilterQuery>,
) -> Result<HttpResponse, AppError> {
    let (key, version) = path.into_inner();
    let filters = query.filters()?;
    let Pair { row, col } = pair.into_inner();
    let (k, f) = (key.clone(), filters.clone());
    let table = state
        .run(move |c| crosstab::crosstab(c, &k, version, &row, &col, &f))
        .await?;
    Ok(html(view::page(&ctx, &key, version, &filters, &table)))
}
