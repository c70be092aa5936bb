//! The ranked backlog for management (issue 14 items 3–6): `/backlog`, an area's evidence page and
//! the printable report. Managers, researchers, analysts and admins (`ResultReaders`) read them;
//! interviewers get 403 and visitors the login page.

use actix_web::{web, HttpResponse};

use super::home::html;
use crate::use_cases::backlog::ranking::{self, RankedBacklog, RankingSettings};
use crate::web::access::{Authorized, ResultReaders};
use crate::web::error::AppError;
use crate::web::forms::PageCtx;
use crate::web::views::backlog_rank as view;
use crate::web::AppState;

async fn ranked(state: &web::Data<AppState>) -> Result<RankedBacklog, AppError> {
    let cache = state.results.clone();
    state
        .run(move |c| ranking::rank(c, &cache, &RankingSettings::default()))
        .await
}

/// `GET /backlog`.
pub async fn show(
    _auth: Authorized<ResultReaders>,
    ctx: PageCtx,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let r = ranked(&state).await?;
    Ok(html(view::ranked(&ctx, &r)))
}

/// `GET /backlog/report`.
pub async fn report(
    _auth: Authorized<ResultReaders>,
    ctx: PageCtx,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let r = ranked(&state).await?;
    Ok(html(view::report(&ctx, &r)))
}

/// `GET /backlog/areas/{key}/evidence`.
pub async fn evidence(
    _auth: Authorized<ResultReaders>,
    ctx: PageCtx,
    state: web::Data<AppState>,
    key: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let r = ranked(&state).await?;
    let area = r
        .areas
        .iter()
        .find(|a| a.key == *key)
        .ok_or(AppError::NotFound)?;
    Ok(html(view::evidence(&ctx, &r, area)))
}
