//! The public start page and the staff overview.

use actix_web::HttpResponse;

use crate::auth::extract::{AnyStaff, Authorized};
use crate::web::forms::PageCtx;
use crate::web::views;

/// `GET /`
pub async fn show_start(ctx: PageCtx) -> HttpResponse {
    html(views::home::start(&ctx))
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
