//! The response browser (`/results/{key}/{version}/responses`): the list, one response, and
//! excluding or re-including a response (researchers and admins; see
//! `use_cases::results::browse` for why).

use actix_web::{http::header, web, HttpRequest, HttpResponse};
use serde::Deserialize;

use crate::use_cases::results::browse::{self, Filters};
use crate::web::access::{Authorized, Designers, ResultReaders};
use crate::web::error::AppError;
use crate::web::forms::{CsrfForm, PageCtx, Who};
use crate::web::handlers::home::html;
use crate::web::views::results::responses as view;
use crate::web::AppState;

/// The filter query shared by the analyses pages (empty = no filter).
#[derive(Debug, Default, Deserialize)]
pub struct FilterQuery {
    #[serde(default)]
    mode: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    stratum: String,
    /// Page number (1-based).
    #[serde(default)]
    pub page: Option<usize>,
}

impl FilterQuery {
    /// The parsed filters.
    pub fn filters(&self) -> Result<Filters, AppError> {
        Ok(Filters::parse(
            &self.mode,
            &self.from,
            &self.to,
            &self.stratum,
        )?)
    }
}

/// `GET /results/{key}/{version}/responses`
pub async fn list_responses(
    _auth: Authorized<ResultReaders>,
    ctx: PageCtx,
    state: web::Data<AppState>,
    path: web::Path<(String, u32)>,
    query: web::Query<FilterQuery>,
) -> Result<HttpResponse, AppError> {
    let (key, version) = path.into_inner();
    let filters = query.filters()?;
    let page = query.page.unwrap_or(1);
    let (k, f) = (key.clone(), filters.clone());
    let list = state
        .run(move |c| browse::list_responses(c, &k, version, &f, page))
        .await?;
    Ok(html(view::list(&ctx, &key, version, &filters, &list)))
}

/// `GET /results/{key}/{version}/responses/{id}`
pub async fn show_response(
    _auth: Authorized<ResultReaders>,
    ctx: PageCtx,
    state: web::Data<AppState>,
    path: web::Path<(String, u32, String)>,
) -> Result<HttpResponse, AppError> {
    let (key, version, id) = path.into_inner();
    let k = key.clone();
    let shown = state
        .run(move |c| browse::show_response(c, &k, version, &id))
        .await?;
    Ok(html(view::show(&ctx, &key, version, &shown)))
}

/// Body of the exclude / re-include forms.
#[derive(Deserialize)]
pub struct ExclusionForm {
    #[serde(default)]
    reason: String,
}

/// `POST /results/{key}/{version}/responses/{id}/exclude` and `/include`
pub async fn set_exclusion(
    auth: Authorized<Designers>,
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<(String, u32, String, String)>,
    CsrfForm(form): CsrfForm<ExclusionForm>,
) -> Result<HttpResponse, AppError> {
    let (key, version, id, verb) = path.into_inner();
    let exclude = match verb.as_str() {
        "exclude" => true,
        "include" => false,
        _ => return Err(AppError::NotFound),
    };
    let who = Who::of(&auth, &req);
    let (k, i) = (key.clone(), id.clone());
    state
        .run(move |c| browse::set_exclusion(c, who.actor(), &k, version, &i, exclude, &form.reason))
        .await?;
    Ok(HttpResponse::SeeOther()
        .insert_header((
            header::LOCATION,
            format!("/results/{key}/{version}/responses/{id}"),
        ))
        .finish())
}
