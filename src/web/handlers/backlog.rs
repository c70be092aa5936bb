//! The backlog's candidate areas: researchers and admins (`Designers`) maintain them; analysts
//! and managers (`ResultReaders`) read them and download the catalogue; interviewers get 403 and
//! visitors the login page. A refused change re-renders its page with the reason (422).

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;

use super::home::html;
use crate::domain::backlog::{Area, AreaInput, Status};
use crate::domain::lang::Msg;
use crate::use_cases::backlog::catalogue::{self, Kind};
use crate::use_cases::backlog::{self, BacklogError, LinkRequest};
use crate::web::access::{Authorized, Designers, Policy, ResultReaders};
use crate::web::error::AppError;
use crate::web::forms::{CsrfForm, PageCtx, Who};
use crate::web::multipart::AuthorizedUpload;
use crate::web::views::backlog::{self as view, Errors};
use crate::web::AppState;

/// Largest catalogue upload (the format's limit plus the form around it).
pub const MAX_UPLOAD_BYTES: usize = crate::formats::backlog_catalogue::MAX_BYTES + 64 * 1024;

fn see_other(to: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, to.to_owned()))
        .finish()
}

fn unprocessable(markup: maud::Markup) -> HttpResponse {
    HttpResponse::UnprocessableEntity()
        .content_type("text/html; charset=utf-8")
        .body(markup.into_string())
}

/// `GET /backlog/areas`.
pub async fn list_areas(
    auth: Authorized<ResultReaders>,
    ctx: PageCtx,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let areas = state.run(backlog::list).await?;
    Ok(html(view::list(
        &ctx,
        &areas,
        Designers::allows(auth.user.role),
    )))
}

/// `GET /backlog/new`.
pub async fn new_area(_auth: Authorized<Designers>, ctx: PageCtx) -> HttpResponse {
    let input = AreaInput {
        target_group: "residents".into(),
        feasibility: "3".into(),
        ..AreaInput::default()
    };
    html(view::form(&ctx, &input, None, &Vec::new(), None))
}

/// The form again with what was wrong, or the use case's refusal.
fn refused_form(
    ctx: &PageCtx,
    input: &AreaInput,
    editing: Option<&str>,
    e: BacklogError,
) -> Result<HttpResponse, AppError> {
    let l = ctx.lang;
    let errors: Errors = match &e {
        BacklogError::Invalid(fields) => fields
            .iter()
            .map(|f| (f.field, l.pick(&f.why).to_owned()))
            .collect(),
        _ => Vec::new(),
    };
    let problem = match e {
        BacklogError::Invalid(_) => None,
        BacklogError::KeyTaken(_) => e.message(),
        other => return Err(other.into()),
    };
    Ok(unprocessable(view::form(
        ctx,
        input,
        editing,
        &errors,
        problem.as_ref(),
    )))
}

/// `POST /backlog/areas`: create an area, or the form again with every field's problem.
pub async fn create_area(
    auth: Authorized<Designers>,
    req: HttpRequest,
    ctx: PageCtx,
    state: web::Data<AppState>,
    CsrfForm(input): CsrfForm<AreaInput>,
) -> Result<HttpResponse, AppError> {
    let who = Who::of(&auth, &req);
    let area = Area::parse(&input).map_err(BacklogError::Invalid);
    let result = match area {
        Err(e) => Err(e),
        Ok(area) => {
            let key = area.key.to_string();
            state
                .db
                .run(move |c| Ok(backlog::create(c, who.actor(), &area).map(|()| key)))
                .await?
        }
    };
    match result {
        Ok(key) => Ok(see_other(&format!("/backlog/areas/{key}"))),
        Err(e) => refused_form(&ctx, &input, None, e),
    }
}

/// `GET /backlog/areas/{key}/edit`.
pub async fn edit_area(
    _auth: Authorized<Designers>,
    ctx: PageCtx,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let key = path.into_inner();
    let k = key.clone();
    let stored = state.run(move |c| backlog::get(c, &k)).await?;
    Ok(html(view::form(
        &ctx,
        &stored.area.to_input(),
        Some(&key),
        &Vec::new(),
        None,
    )))
}

/// `POST /backlog/areas/{key}`: save the edit form (the key stays).
pub async fn save_area(
    auth: Authorized<Designers>,
    req: HttpRequest,
    ctx: PageCtx,
    state: web::Data<AppState>,
    path: web::Path<String>,
    CsrfForm(mut input): CsrfForm<AreaInput>,
) -> Result<HttpResponse, AppError> {
    let key = path.into_inner();
    input.key.clone_from(&key);
    let who = Who::of(&auth, &req);
    let result = match Area::parse(&input).map_err(BacklogError::Invalid) {
        Err(e) => Err(e),
        Ok(area) => {
            let k = key.clone();
            state
                .db
                .run(move |c| Ok(backlog::edit(c, who.actor(), &k, &area)))
                .await?
        }
    };
    match result {
        Ok(()) => Ok(see_other(&format!("/backlog/areas/{key}"))),
        Err(e) => refused_form(&ctx, &input, Some(&key), e),
    }
}

/// `GET /backlog/areas/{key}`.
pub async fn show_area(
    auth: Authorized<ResultReaders>,
    ctx: PageCtx,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let key = path.into_inner();
    let page = state.run(move |c| backlog::show(c, &key)).await?;
    Ok(html(view::area(
        &ctx,
        &page,
        Designers::allows(auth.user.role),
        None,
    )))
}

/// After a change on the area page: back to the page, or the page with the refusal (422).
async fn after_change(
    ctx: &PageCtx,
    state: &AppState,
    key: String,
    result: Result<(), BacklogError>,
) -> Result<HttpResponse, AppError> {
    match result {
        Ok(()) => Ok(see_other(&format!("/backlog/areas/{key}"))),
        Err(e @ (BacklogError::NotFound(_) | BacklogError::Storage(_))) => Err(e.into()),
        Err(e) => {
            let problem = e.message();
            let page = state.run(move |c| backlog::show(c, &key)).await?;
            Ok(unprocessable(view::area(
                ctx,
                &page,
                true,
                problem.as_ref(),
            )))
        }
    }
}

/// The status change form.
#[derive(Deserialize)]
pub struct StatusForm {
    status: String,
    #[serde(default)]
    reason: String,
}

/// `POST /backlog/areas/{key}/status`.
pub async fn change_status(
    auth: Authorized<Designers>,
    req: HttpRequest,
    ctx: PageCtx,
    state: web::Data<AppState>,
    path: web::Path<String>,
    CsrfForm(form): CsrfForm<StatusForm>,
) -> Result<HttpResponse, AppError> {
    let key = path.into_inner();
    let who = Who::of(&auth, &req);
    let result = match Status::parse(&form.status) {
        Err(e) => Err(BacklogError::Status(e)),
        Ok(to) => {
            let k = key.clone();
            state
                .db
                .run(move |c| Ok(backlog::change_status(c, who.actor(), &k, to, &form.reason)))
                .await?
        }
    };
    after_change(&ctx, &state, key, result).await
}

/// The link form.
#[derive(Deserialize)]
pub struct LinkForm {
    #[serde(default)]
    question: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    item: String,
}

/// `POST /backlog/areas/{key}/links`.
pub async fn link_question(
    auth: Authorized<Designers>,
    req: HttpRequest,
    ctx: PageCtx,
    state: web::Data<AppState>,
    path: web::Path<String>,
    CsrfForm(form): CsrfForm<LinkForm>,
) -> Result<HttpResponse, AppError> {
    let key = path.into_inner();
    let who = Who::of(&auth, &req);
    let link = LinkRequest {
        question: form.question,
        role: form.role,
        item: form.item,
    };
    let k = key.clone();
    let result = state
        .db
        .run(move |c| Ok(backlog::link_question(c, who.actor(), &k, &link)))
        .await?;
    after_change(&ctx, &state, key, result).await
}

/// `POST /backlog/areas/{key}/links/{id}/delete`.
pub async fn unlink_question(
    auth: Authorized<Designers>,
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    _form: CsrfForm<serde::de::IgnoredAny>,
) -> Result<HttpResponse, AppError> {
    let (key, link) = path.into_inner();
    let who = Who::of(&auth, &req);
    let k = key.clone();
    state
        .run(move |c| backlog::unlink_question(c, who.actor(), &k, &link))
        .await?;
    Ok(see_other(&format!("/backlog/areas/{key}")))
}

/// `GET /backlog/catalogue`.
pub async fn show_catalogue(auth: Authorized<ResultReaders>, ctx: PageCtx) -> HttpResponse {
    html(view::catalogue(
        &ctx,
        Designers::allows(auth.user.role),
        &[],
        None,
    ))
}

/// `POST /backlog/catalogue` (`file`): import, or the page with every problem (422).
pub async fn import_catalogue(
    AuthorizedUpload { auth, mut upload }: AuthorizedUpload<Designers>,
    req: HttpRequest,
    ctx: PageCtx,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let who = Who::of(&auth, &req);
    let (name, bytes) = upload.take_file("file").unwrap_or((None, Vec::new()));
    let name = name
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| "catalogue.csv".into());
    let result = state
        .db
        .run(move |c| Ok(catalogue::import(c, who.actor(), &name, &bytes)))
        .await?;
    match result {
        Ok(r) => Ok(html(view::catalogue(
            &ctx,
            true,
            &[],
            Some(&Msg::new(
                format!(
                    "Katalogen importerades: {} nya, {} uppdaterade, {} statusändringar.",
                    r.created, r.updated, r.status_changes
                ),
                format!(
                    "The catalogue was imported: {} new, {} updated, {} status change(s).",
                    r.created, r.updated, r.status_changes
                ),
            )),
        ))),
        Err(BacklogError::Catalogue(problems)) => {
            Ok(unprocessable(view::catalogue(&ctx, true, &problems, None)))
        }
        Err(e) => Err(e.into()),
    }
}

/// `GET /backlog/catalogue.{ext}` (`csv` or `xlsx`): the catalogue as a download, audited.
pub async fn download_catalogue(
    auth: Authorized<ResultReaders>,
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let kind = Kind::of(&path.into_inner()).ok_or(AppError::NotFound)?;
    let who = Who::of(&auth, &req);
    let bytes = state
        .run(move |c| catalogue::export(c, who.actor(), kind))
        .await?;
    Ok(HttpResponse::Ok()
        .content_type(kind.content_type())
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"backlog-areas.{}\"", kind.ext()),
        ))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(bytes))
}
