//! Yearly trends of one question across a survey's versions
//! (`/results/{key}/trend/{question}?value=&<the results page's query>`): the results page's
//! weighting and filter parameters carry over.

use actix_web::{web, HttpRequest, HttpResponse};

use crate::use_cases::results::browse::AnalysesError;
use crate::use_cases::results::query::ResultsQuery;
use crate::use_cases::results::trend;
use crate::web::access::{Authorized, ResultReaders};
use crate::web::error::AppError;
use crate::web::forms::PageCtx;
use crate::web::handlers::home::html;
use crate::web::views::results::trend as view;
use crate::web::AppState;

/// `GET /results/{key}/trend/{question}`
pub async fn show_trend(
    _auth: Authorized<ResultReaders>,
    req: HttpRequest,
    ctx: PageCtx,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, AppError> {
    let (key, question) = path.into_inner();
    let pairs: Vec<(String, String)> =
        serde_urlencoded::from_str(req.query_string()).unwrap_or_default();
    let query = ResultsQuery::from_pairs(&pairs).map_err(AnalysesError::BadParameter)?;
    let value = pairs
        .iter()
        .find(|(k, _)| k == "value")
        .map(|(_, v)| v.clone())
        .unwrap_or_default();
    let cache = state.results.clone();
    let k = key.clone();
    let t = state
        .run(move |c| trend::trend(c, &cache, &k, &question, &value, &query))
        .await?;
    Ok(html(view::page(&ctx, &key, &t)))
}
