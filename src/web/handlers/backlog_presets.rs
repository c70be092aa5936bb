//! The ranking model's named presets and the AHP comparison page (researchers and admins:
//! `Designers`). A refused form is shown again with every problem (422; a taken name 409) and
//! nothing is stored.

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};

use super::home::html;
use crate::use_cases::backlog::presets::{self, PresetError};
use crate::web::access::{Authorized, Designers};
use crate::web::error::AppError;
use crate::web::forms::{CsrfForm, PageCtx, Who};
use crate::web::views::backlog_presets::{self as view, Values};
use crate::web::AppState;

fn see_other(to: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, to.to_owned()))
        .finish()
}

fn page(status: actix_web::http::StatusCode, markup: maud::Markup) -> HttpResponse {
    HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .body(markup.into_string())
}

/// `GET /backlog/presets`.
pub async fn list(
    _auth: Authorized<Designers>,
    ctx: PageCtx,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let all = state.run(presets::list).await?;
    Ok(html(view::list(&ctx, &all)))
}

/// `GET /backlog/presets/new`.
pub async fn new(_auth: Authorized<Designers>, ctx: PageCtx) -> HttpResponse {
    html(view::form(
        &ctx,
        &view::new_values(ctx.lang),
        None,
        &[],
        None,
    ))
}

/// `GET /backlog/presets/{id}/edit`.
pub async fn edit(
    _auth: Authorized<Designers>,
    ctx: PageCtx,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let p = state.run(move |c| presets::get(c, &id)).await?;
    let values = view::values_of(&p, ctx.lang);
    let editing = Some((p.id.as_str(), p.ahp.is_some()));
    Ok(html(view::form(&ctx, &values, editing, &[], None)))
}

/// The form again with what was wrong (422), or the taken name (409); other errors propagate.
fn refused(
    ctx: &PageCtx,
    v: &Values,
    editing: Option<&str>,
    e: PresetError,
) -> Result<HttpResponse, AppError> {
    use actix_web::http::StatusCode;
    let (status, problems, message) = match e {
        PresetError::Invalid(p) => (StatusCode::UNPROCESSABLE_ENTITY, p, None),
        e @ PresetError::NameTaken(_) => (StatusCode::CONFLICT, Vec::new(), e.message()),
        e @ PresetError::Ahp(_) => (StatusCode::UNPROCESSABLE_ENTITY, Vec::new(), e.message()),
        other => return Err(other.into()),
    };
    let markup = if v.get("source").is_some_and(|s| s == "ahp") {
        let outcome = presets::ahp_from_form(|k| v.get(k).map(String::as_str))
            .ok()
            .flatten();
        view::ahp_page(ctx, v, outcome.as_ref(), &problems, message.as_ref())
    } else {
        view::form(
            ctx,
            v,
            editing.map(|id| (id, false)),
            &problems,
            message.as_ref(),
        )
    };
    Ok(page(status, markup))
}

/// `POST /backlog/presets`: create a preset from typed weights or AHP judgements.
pub async fn create(
    auth: Authorized<Designers>,
    req: HttpRequest,
    ctx: PageCtx,
    state: web::Data<AppState>,
    CsrfForm(v): CsrfForm<Values>,
) -> Result<HttpResponse, AppError> {
    let who = Who::of(&auth, &req);
    let parsed = presets::parse_form(|k| v.get(k).map(String::as_str));
    let result = match parsed {
        Err(e) => Err(e),
        Ok(r) => {
            state
                .db
                .run(move |c| Ok(presets::create(c, who.actor(), &r)))
                .await?
        }
    };
    match result {
        Ok(_) => Ok(see_other("/backlog/presets")),
        Err(e) => refused(&ctx, &v, None, e),
    }
}

/// `POST /backlog/presets/{id}`: save the edit form.
pub async fn update(
    auth: Authorized<Designers>,
    req: HttpRequest,
    ctx: PageCtx,
    state: web::Data<AppState>,
    id: web::Path<String>,
    CsrfForm(v): CsrfForm<Values>,
) -> Result<HttpResponse, AppError> {
    let who = Who::of(&auth, &req);
    let id = id.into_inner();
    let parsed = presets::parse_form(|k| v.get(k).map(String::as_str));
    let target = id.clone();
    let result = match parsed {
        Err(e) => Err(e),
        Ok(r) => {
            state
                .db
                .run(move |c| Ok(presets::update(c, who.actor(), &target, &r)))
                .await?
        }
    };
    match result {
        Ok(()) => Ok(see_other("/backlog/presets")),
        Err(e) => refused(&ctx, &v, Some(&id), e),
    }
}

/// `POST /backlog/presets/{id}/delete`.
pub async fn delete(
    auth: Authorized<Designers>,
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<String>,
    CsrfForm(_): CsrfForm<Values>,
) -> Result<HttpResponse, AppError> {
    let who = Who::of(&auth, &req);
    let id = id.into_inner();
    state
        .run(move |c| presets::delete(c, who.actor(), &id))
        .await?;
    Ok(see_other("/backlog/presets"))
}

/// `POST /backlog/presets/{id}/default`.
pub async fn make_default(
    auth: Authorized<Designers>,
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<String>,
    CsrfForm(_): CsrfForm<Values>,
) -> Result<HttpResponse, AppError> {
    let who = Who::of(&auth, &req);
    let id = id.into_inner();
    state
        .run(move |c| presets::set_default(c, who.actor(), &id))
        .await?;
    Ok(see_other("/backlog/presets"))
}

/// `GET /backlog/presets/ahp`: the comparison form; with every pair answered (`ahp_<a>__<b>`), the
/// weights and the consistency ratio (nothing is stored); `?from=<id>` opens a preset's judgements.
pub async fn ahp(
    _auth: Authorized<Designers>,
    ctx: PageCtx,
    state: web::Data<AppState>,
    q: web::Query<Values>,
) -> Result<HttpResponse, AppError> {
    let mut v = q.into_inner();
    if let Some(id) = v.remove("from") {
        let p = state.run(move |c| presets::get(c, &id)).await?;
        v.extend(view::ahp_values(&p));
    }
    match presets::ahp_from_form(|k| v.get(k).map(String::as_str)) {
        Ok(outcome) => Ok(html(view::ahp_page(&ctx, &v, outcome.as_ref(), &[], None))),
        Err(PresetError::Invalid(p)) => Ok(page(
            actix_web::http::StatusCode::UNPROCESSABLE_ENTITY,
            view::ahp_page(&ctx, &v, None, &p, None),
        )),
        Err(e) => refused(&ctx, &v, None, e),
    }
}
