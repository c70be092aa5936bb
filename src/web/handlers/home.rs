//! The public start page and the staff overview.

use actix_web::{web, HttpResponse};

use crate::use_cases::{answering, questionnaires};
use crate::web::access::{
    AdminOnly, AnyStaff, Authorized, Designers, Interviewers, Policy, ResultReaders,
};
use crate::web::error::AppError;
use crate::web::forms::PageCtx;
use crate::web::views;
use crate::web::views::home::{OpenSurvey, StaffLinks};
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

/// `GET /staff`: what the signed-in role can do, with the surveys, their status and response
/// counts (and fieldwork progress for those who may see fieldwork). The links come from the
/// same policies that guard the pages, so the home never offers a page that answers 403.
pub async fn show_staff_home(
    auth: Authorized<AnyStaff>,
    ctx: PageCtx,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let role = auth.user.role;
    let can = StaffLinks {
        admin: AdminOnly::allows(role),
        design: Designers::allows(role),
        fieldwork: Designers::allows(role),
        receipts: Designers::allows(role),
        interview: Interviewers::allows(role),
        results: ResultReaders::allows(role),
        backlog: ResultReaders::allows(role),
    };
    let with_fieldwork = can.fieldwork;
    let surveys = state
        .run(move |c| questionnaires::staff_overview(c, with_fieldwork))
        .await?;
    Ok(html(views::home::staff(&ctx, &can, &surveys)))
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
