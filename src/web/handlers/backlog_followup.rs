//! Benefits follow-up: managers, analysts, researchers and admins (`ResultReaders`) read an area's
//! predicted against realised figures and the summary over launched areas; researchers and admins
//! (`Designers`) freeze a prediction and record follow-ups. A refused form is shown again with
//! every bad field named (422), and nothing is stored.

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};

use super::home::html;
use crate::domain::backlog_followup::{FollowUpInput, PredictionInput};
use crate::use_cases::backlog::followup::{self, FollowupError};
use crate::web::access::{Authorized, Designers, Policy, ResultReaders};
use crate::web::error::AppError;
use crate::web::forms::{CsrfForm, PageCtx, Who};
use crate::web::views::backlog_followup::{self as view, Forms};
use crate::web::AppState;

fn back_to(key: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, format!("/backlog/areas/{key}/followup")))
        .finish()
}

/// `GET /backlog/followup`: every launched area, predicted against realised.
pub async fn summary(
    _auth: Authorized<ResultReaders>,
    ctx: PageCtx,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let pages = state.run(followup::summary).await?;
    Ok(html(view::summary(&ctx, &pages)))
}

/// `GET /backlog/areas/{key}/followup`.
pub async fn show(
    auth: Authorized<ResultReaders>,
    ctx: PageCtx,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let key = path.into_inner();
    let page = state.run(move |c| followup::show(c, &key)).await?;
    let can_edit = Designers::allows(auth.user.role);
    Ok(html(view::area(&ctx, &page, can_edit, &Forms::default())))
}

/// After a change: back to the page, or the page again with the refusal and the form as typed.
async fn after(
    ctx: &PageCtx,
    state: &AppState,
    key: String,
    result: Result<(), FollowupError>,
    forms: Forms<'_>,
) -> Result<HttpResponse, AppError> {
    let e = match result {
        Ok(()) => return Ok(back_to(&key)),
        Err(e @ (FollowupError::NotFound(_) | FollowupError::Storage(_))) => return Err(e.into()),
        Err(e) => e,
    };
    let l = ctx.lang;
    let mut forms = forms;
    match &e {
        FollowupError::Invalid(fields) => {
            forms.errors = fields
                .iter()
                .map(|f| (f.field, l.pick(&f.why).to_owned()))
                .collect()
        }
        _ => forms.problem = e.message(),
    }
    if forms.problem.is_none() && forms.errors.is_empty() {
        return Err(e.into());
    }
    let page = state.run(move |c| followup::show(c, &key)).await?;
    Ok(HttpResponse::UnprocessableEntity()
        .content_type("text/html; charset=utf-8")
        .body(view::area(ctx, &page, true, &forms).into_string()))
}

/// `POST /backlog/areas/{key}/followup/prediction`: freeze the prediction.
pub async fn freeze_prediction(
    auth: Authorized<Designers>,
    req: HttpRequest,
    ctx: PageCtx,
    state: web::Data<AppState>,
    path: web::Path<String>,
    CsrfForm(input): CsrfForm<PredictionInput>,
) -> Result<HttpResponse, AppError> {
    let key = path.into_inner();
    let who = Who::of(&auth, &req);
    let result = match input.parse() {
        Err(fields) => Err(FollowupError::Invalid(fields)),
        Ok(share) => {
            let k = key.clone();
            state
                .db
                .run(move |c| Ok(followup::freeze_prediction(c, who.actor(), &k, share)))
                .await?
        }
    };
    let forms = Forms {
        prediction: Some(&input),
        ..Forms::default()
    };
    after(&ctx, &state, key, result, forms).await
}

/// `POST /backlog/areas/{key}/followup`: record a follow-up.
pub async fn record(
    auth: Authorized<Designers>,
    req: HttpRequest,
    ctx: PageCtx,
    state: web::Data<AppState>,
    path: web::Path<String>,
    CsrfForm(input): CsrfForm<FollowUpInput>,
) -> Result<HttpResponse, AppError> {
    let key = path.into_inner();
    let who = Who::of(&auth, &req);
    let result = match input.parse() {
        Err(fields) => Err(FollowupError::Invalid(fields)),
        Ok(f) => {
            let k = key.clone();
            state
                .db
                .run(move |c| Ok(followup::record(c, who.actor(), &k, &f)))
                .await?
        }
    };
    let forms = Forms {
        followup: Some(&input),
        ..Forms::default()
    };
    after(&ctx, &state, key, result, forms).await
}
