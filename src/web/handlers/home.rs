//! The public start page and the staff overview.

use actix_web::{web, HttpResponse};

use crate::use_cases::answering;
use crate::web::access::{AnyStaff, Authorized};
use crate::web::error::AppError;
use crate::web::forms::PageCtx;
use crate::web::views;
use crate::web::views::home::OpenSurvey;
use crate::web::AppState;

/// `GET /`: the public start page with the surveys open to everyone.
pub async fn show_start(
    ctx: PageCtx,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let open: Vec<OpenSurvey> = state
        .db
        .run(answering::open_surveys)
        .await?
        .into_iter()
        .map(|s| OpenSurvey::new(s, &state.settings.timezone, ctx.lang))
        .collect();
    Ok(html(views::home::start(&ctx, &open)))
}

/// `GET /tillganglighet` (and `/accessibility`): the accessibility statement.
pub async fn show_accessibility(ctx: PageCtx) -> HttpResponse {
    html(views::home::accessibility(&ctx))
}

/// `GET /staff`
pub async fn show_staff_home(_auth: Authorized<AnyStaff>, ctx: PageCtx) -> HttpResponse {
    html(views::home::staff(&ctx))
}

/// A 200 HTML response.
pub fn html(markup: maud::Markup) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .body(markup.into_string())
}

/// `default_service`: every unknown path.
pub async fn not_found() -> Result<HttpResponse, crate::web::error::AppError> {
    Err(crate::web::error::AppError::NotFound)
}
