//! The cross-tab builder (`/results/{key}/{version}/crosstab?row=&col=&…the results page's query`): a GET form,
//! so a table is a link that can be bookmarked and shared.

use actix_web::{web, HttpRequest, HttpResponse};

use crate::use_cases::results::browse::AnalysesError;
use crate::use_cases::results::crosstab;
use crate::use_cases::results::query::ResultsQuery;
use crate::web::access::{Authorized, ResultReaders};
use crate::web::error::AppError;
use crate::web::forms::PageCtx;
use crate::web::handlers::home::html;
use crate::web::views::results::crosstab as view;
use crate::web::AppState;

/// `GET /results/{key}/{version}/crosstab?row=&col=&<the results page's query>`: the results
/// page's weighting and filter parameters carry over, so its link keeps them.
pub async fn show_crosstab(
    _auth: Authorized<ResultReaders>,
    req: HttpRequest,
    ctx: PageCtx,
    state: web::Data<AppState>,
    path: web::Path<(String, u32)>,
) -> Result<HttpResponse, AppError> {
    let (key, version) = path.into_inner();
    let pairs: Vec<(String, String)> =
        serde_urlencoded::from_str(req.query_string()).unwrap_or_default();
    let query = ResultsQuery::from_pairs(&pairs).map_err(AnalysesError::BadParameter)?;
    let pick = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let (row, col) = (pick("row"), pick("col"));
    let cache = state.results.clone();
    let k = key.clone();
    let table = state
        .run(move |c| crosstab::crosstab(c, &cache, &k, version, &row, &col, &query))
        .await?;
    Ok(html(view::page(&ctx, &key, version, &table)))
}
