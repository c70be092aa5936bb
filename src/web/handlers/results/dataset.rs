//! "Reproduce this figure": `GET /results/{key}/{version}/dataset.csv?<the page's query>` and,
//! for a calibrated page, each margin it calibrated to,
//! `GET /results/{key}/{version}/margin/{question}.csv?<the page's query>`.

use actix_web::{http::header, web, HttpRequest, HttpResponse};

use crate::use_cases::results::browse::AnalysesError;
use crate::use_cases::results::dataset;
use crate::use_cases::results::query::ResultsQuery;
use crate::web::access::{Authorized, ResultReaders};
use crate::web::error::AppError;
use crate::web::AppState;

/// The results page's query from the request (the same parameter names).
fn page_query(req: &HttpRequest) -> Result<ResultsQuery, AppError> {
    let pairs: Vec<(String, String)> =
        serde_urlencoded::from_str(req.query_string()).unwrap_or_default();
    Ok(ResultsQuery::from_pairs(&pairs).map_err(AnalysesError::BadParameter)?)
}

fn attachment(data: dataset::Dataset) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{}\"", data.file_name),
        ))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(data.csv)
}

/// `GET /results/{key}/{version}/dataset.csv`
pub async fn download(
    _auth: Authorized<ResultReaders>,
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<(String, u32)>,
) -> Result<HttpResponse, AppError> {
    let (key, version) = path.into_inner();
    let query = page_query(&req)?;
    let cache = state.results.clone();
    let (data, _, _) = state
        .run(move |c| dataset::dataset(c, &cache, &key, version, &query))
        .await?;
    Ok(attachment(data))
}

/// `GET /results/{key}/{version}/margin/{question}.csv`
pub async fn download_margin(
    _auth: Authorized<ResultReaders>,
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<(String, u32, String)>,
) -> Result<HttpResponse, AppError> {
    let (key, version, file) = path.into_inner();
    let question = file.strip_suffix(".csv").unwrap_or(&file).to_owned();
    let query = page_query(&req)?;
    let cache = state.results.clone();
    let data = state
        .run(move |c| dataset::margin_csv(c, &cache, &key, version, &query, &question))
        .await?;
    Ok(attachment(data))
}
