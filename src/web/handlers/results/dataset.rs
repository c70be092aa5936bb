//! "Reproduce this figure": `GET /results/{key}/{version}/dataset.csv?<the page's query>`.

use actix_web::{http::header, web, HttpResponse};

use super::responses::FilterQuery;
use crate::use_cases::results::dataset;
use crate::web::access::{Authorized, ResultReaders};
use crate::web::error::AppError;
use crate::web::AppState;

/// `GET /results/{key}/{version}/dataset.csv`
pub async fn download(
    _auth: Authorized<ResultReaders>,
    state: web::Data<AppState>,
    path: web::Path<(String, u32)>,
    query: web::Query<FilterQuery>,
) -> Result<HttpResponse, AppError> {
    let (key, version) = path.into_inner();
    let filters = query.filters()?;
    let (data, _) = state
        .run(move |c| dataset::dataset(c, &key, version, &filters))
        .await?;
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{}\"", data.file_name),
        ))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(data.csv))
}
