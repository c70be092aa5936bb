//! Open-text answers of one question (`/results/{key}/{version}/text/{question}`).

use actix_web::{web, HttpResponse};

use super::responses::FilterQuery;
use crate::use_cases::results::open_text;
use crate::web::access::{Authorized, ResultReaders};
use crate::web::error::AppError;
use crate::web::forms::PageCtx;
use crate::web::handlers::home::html;
use crate::web::views::results::text as view;
use crate::web::AppState;

/// `GET /results/{key}/{version}/text/{question}`
pub async fn show_text(
    _auth: Authorized<ResultReaders>,
    ctx: PageCtx,
    state: web::Data<AppState>,
    path: web::Path<(String, u32, String)>,
    query: web::Query<FilterQuery>,
) -> Result<HttpResponse, AppError> {
    let (key, version, question) = path.into_inner();
    let filters = query.filters()?;
    let page = query.page.unwrap_or(1);
    let (k, f) = (key.clone(), filters.clone());
    let text = state
        .run(move |c| open_text::open_text(c, &k, version, &question, &f, page))
        .await?;
    Ok(html(view::page(&ctx, &key, version, &filters, &text)))
}
