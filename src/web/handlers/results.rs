//! Results for result readers (admin, researcher, analyst, manager): the index of versions,
//! one version's results page (filters and weighting in the query string, so every view is a
//! link), and the population tables analysts upload for weighting.

pub mod crosstab;
pub mod dataset;
pub mod responses;
pub mod text;
pub mod trend;

use actix_web::{web, HttpRequest, HttpResponse};

use super::home::html;
use crate::domain::lang::Msg;
use crate::domain::user::Role;
use crate::use_cases::results::{page, population, query::ResultsQuery};
use crate::web::access::{Authorized, Policy, ResultReaders};
use crate::web::error::AppError;
use crate::web::forms::{PageCtx, Who};
use crate::web::multipart::AuthorizedUpload;
use crate::web::views::results as view;
use crate::web::AppState;

/// Largest population table upload.
pub const MAX_TABLE_BYTES: usize = 8 * 1024 * 1024;

/// Who may upload population tables: those who analyse (managers only read).
pub struct Analysts;
impl Policy for Analysts {
    fn allows(role: Role) -> bool {
        matches!(role, Role::Admin | Role::Researcher | Role::Analyst)
    }
}

/// `GET /results`.
pub async fn show_index(
    _auth: Authorized<ResultReaders>,
    ctx: PageCtx,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let rows = state.run(page::index).await?;
    Ok(html(view::index(&ctx, &rows)))
}

/// `GET /results/{key}/{version}?…`: the page for the query in the URL. A query the responses
/// do not support re-renders the form with the reason (422).
pub async fn show_results(
    _auth: Authorized<ResultReaders>,
    req: HttpRequest,
    ctx: PageCtx,
    state: web::Data<AppState>,
    path: web::Path<(String, u32)>,
) -> Result<HttpResponse, AppError> {
    let (key, version) = path.into_inner();
    let pairs: Vec<(String, String)> =
        serde_urlencoded::from_str(req.query_string()).unwrap_or_default();
    let query = ResultsQuery::from_pairs(&pairs);
    let cache = state.results.clone();
    let k = key.clone();
    let shown = state
        .run(move |c| page::show(c, &cache, &k, version, query))
        .await?;
    let markup = view::page(&ctx, &key, version, &shown);
    Ok(if shown.page.is_err() && !shown.empty {
        HttpResponse::UnprocessableEntity()
            .content_type("text/html; charset=utf-8")
            .body(markup.into_string())
    } else {
        html(markup)
    })
}

/// `GET /results/population`.
pub async fn show_population(
    _auth: Authorized<ResultReaders>,
    ctx: PageCtx,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let tables = state.run(population::list_tables).await?;
    Ok(html(view::population(&ctx, &tables, None)))
}

/// `POST /results/population` (`name`, `file`): store a table, or re-render with the reason
/// (422) and nothing stored.
pub async fn upload_population(
    AuthorizedUpload { auth, mut upload }: AuthorizedUpload<Analysts>,
    req: HttpRequest,
    ctx: PageCtx,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let who = Who::of(&auth, &req);
    let file = upload.take_file("file").map(|(_, bytes)| bytes);
    let name = upload.text_fields().remove("name").unwrap_or_default();
    let parsed: Result<String, Msg> = match file {
        None => Err(Msg::fixed("Välj en CSV-fil.", "Choose a CSV file.")),
        Some(bytes) if bytes.is_empty() => {
            Err(Msg::fixed("Välj en CSV-fil.", "Choose a CSV file."))
        }
        Some(bytes) => String::from_utf8(bytes).map_err(|_| {
            Msg::fixed(
                "Filen är inte UTF-8; spara den som CSV (UTF-8).",
                "The file is not UTF-8; save it as CSV (UTF-8).",
            )
        }),
    };
    let result = match parsed {
        Err(m) => Err(m),
        Ok(csv) => {
            let r = state
                .db
                .run(move |c| Ok(population::save_table(c, &who.actor(), &name, &csv)))
                .await?;
            match r {
                Ok(_) => Ok(()),
                Err(e) => match e.message() {
                    Some(m) => Err(m),
                    None => return Err(e.into()),
                },
            }
        }
    };
    let tables = state.run(population::list_tables).await?;
    Ok(match result {
        Ok(()) => HttpResponse::SeeOther()
            .insert_header(("Location", "/results/population"))
            .finish(),
        Err(m) => HttpResponse::UnprocessableEntity()
            .content_type("text/html; charset=utf-8")
            .body(view::population(&ctx, &tables, Some(&m)).into_string()),
    })
}
