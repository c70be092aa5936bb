//! Fieldwork for researchers (`/fieldwork/{key}`): the counts view, drawing a stratified sample
//! from an uploaded frame, uploading a plain invitation list, and the printable letters. Every
//! upload is a CSRF-checked multipart POST that goes through one `fieldwork` use case, so it is
//! audited and all-or-nothing.

use std::collections::HashMap;

use actix_web::{web, HttpMessage, HttpRequest, HttpResponse};
use serde::Deserialize;

use super::designer::edit::{multipart_parts, Part};
use super::home::html;
use crate::auth::csrf;
use crate::domain::lang::Msg;
use crate::use_cases::fieldwork::{self, FieldworkError, Upload, MAX_FRAME_ROWS};
use crate::web::access::{Authorized, Designers};
use crate::web::error::AppError;
use crate::web::forms::{CsrfCookie, PageCtx, Who};
use crate::web::i18n::Lang;
use crate::web::views::fieldwork::{self as view, UploadForm};
use crate::web::AppState;

/// Largest frame upload: a million rows with names and addresses fit comfortably.
pub const MAX_FRAME_BYTES: usize = 256 * 1024 * 1024;
/// Largest list upload.
pub const MAX_LIST_BYTES: usize = 64 * 1024 * 1024;

/// A verified multipart form: text fields and the one file.
struct UploadParts {
    fields: HashMap<String, String>,
    file: Option<Upload>,
}

/// The `filename` the browser gave the part named `field` (for messages), if any.
fn file_name(body: &[u8], field: &str) -> Option<String> {
    let needle = format!("name=\"{field}\"; filename=\"");
    let at = body
        .windows(needle.len())
        .position(|w| w == needle.as_bytes())?
        + needle.len();
    let end = body.get(at..)?.iter().position(|&b| b == b'"')? + at;
    let name = String::from_utf8_lossy(body.get(at..end)?).into_owned();
    // Browsers send the base name; keep only that and nothing that looks like a path.
    let base = name.rsplit(['/', '\\']).next().unwrap_or("").trim();
    (!base.is_empty()).then(|| base.to_owned())
}

/// Split a multipart body after checking its CSRF token; `file_field` is the file part.
fn read_upload(
    req: &HttpRequest,
    body: &[u8],
    state: &AppState,
    file_field: &str,
) -> Result<UploadParts, AppError> {
    let parts: Vec<Part> = multipart_parts(req, body).ok_or_else(|| {
        AppError::BadRequest(Msg::fixed(
            "Filen skickades inte som multipart/form-data.",
            "the upload is not multipart/form-data",
        ))
    })?;
    let cookie = req
        .extensions()
        .get::<CsrfCookie>()
        .map(|c| c.0.clone())
        .unwrap_or_default();
    let token = parts
        .iter()
        .find(|p| p.name == csrf::FIELD)
        .map(|p| String::from_utf8_lossy(&p.data).into_owned())
        .unwrap_or_default();
    if !csrf::verify(&state.secret, &cookie, &token) {
        return Err(AppError::CsrfRejected);
    }
    let name = file_name(body, file_field).unwrap_or_else(|| format!("{file_field}.csv"));
    let mut fields = HashMap::new();
    let mut file = None;
    for p in parts {
        if p.name == file_field {
            file = Some(Upload {
                name: name.clone(),
                bytes: p.data,
            });
        } else {
            fields.insert(p.name, String::from_utf8_lossy(&p.data).into_owned());
        }
    }
    Ok(UploadParts { fields, file })
}

fn unprocessable(markup: maud::Markup) -> HttpResponse {
    HttpResponse::UnprocessableEntity()
        .content_type("text/html; charset=utf-8")
        .body(markup.into_string())
}

/// A use-case failure: refused input re-renders the page with the message (422), nothing stored.
async fn refused(
    state: &AppState,
    ctx: &PageCtx,
    key: String,
    form: UploadForm,
    e: FieldworkError,
) -> Result<HttpResponse, AppError> {
    let message = match &e {
        FieldworkError::Frame(f) => f.message(ctx.lang == crate::domain::lang::Lang::Sv),
        FieldworkError::Input(i) => i.message(ctx.lang == crate::domain::lang::Lang::Sv),
        _ => return Err(fw_error(e)),
    };
    let o = state
        .db
        .run(move |c| Ok(fieldwork::overview(c, &key)))
        .await?
        .map_err(fw_error)?;
    Ok(unprocessable(view::page(ctx, &o, Some((form, &message)))))
}

fn fw_error(e: FieldworkError) -> AppError {
    match e {
        FieldworkError::SurveyNotFound(_) | FieldworkError::SampleNotFound(_) => AppError::NotFound,
        FieldworkError::Storage(s) => s.into(),
        other => AppError::BadRequest(Msg::same(other.to_string())),
    }
}

/// `GET /fieldwork/{key}`: the fieldwork view with the upload forms.
pub async fn show_fieldwork(
    _auth: Authorized<Designers>,
    ctx: PageCtx,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let key = path.into_inner();
    let o = state
        .db
        .run(move |c| Ok(fieldwork::overview(c, &key)))
        .await?
        .map_err(fw_error)?;
    Ok(html(view::page(&ctx, &o, None)))
}

/// `POST /fieldwork/{key}/sample`: a frame upload (`multipart/form-data`: `frame` plus the draw
/// fields). Draws, stores the sample and its invitations, and shows the allocation table.
pub async fn draw_sample(
    auth: Authorized<Designers>,
    req: HttpRequest,
    ctx: PageCtx,
    state: web::Data<AppState>,
    path: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, AppError> {
    let key = path.into_inner();
    let form = read_upload(&req, &body, &state, "frame")?;
    drop(body);
    let who = Who::of(&auth, &req);
    let k = key.clone();
    let result = state
        .db
        .run(move |c| {
            Ok(fieldwork::draw_from_form(
                c,
                who.actor(),
                &k,
                &form.fields,
                form.file.as_ref(),
                MAX_FRAME_ROWS,
            ))
        })
        .await?;
    match result {
        Ok(d) => Ok(html(view::drawn(&ctx, &key, &d))),
        Err(e) => refused(&state, &ctx, key, UploadForm::Sample, e).await,
    }
}

/// `POST /fieldwork/{key}/list`: a plain list upload (`list` plus the column fields).
pub async fn upload_list(
    auth: Authorized<Designers>,
    req: HttpRequest,
    ctx: PageCtx,
    state: web::Data<AppState>,
    path: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, AppError> {
    let key = path.into_inner();
    let form = read_upload(&req, &body, &state, "list")?;
    let who = Who::of(&auth, &req);
    let k = key.clone();
    let result = state
        .db
        .run(move |c| {
            Ok(fieldwork::list_from_form(
                c,
                who.actor(),
                &k,
                &form.fields,
                form.file.as_ref(),
                MAX_FRAME_ROWS,
            ))
        })
        .await?;
    match result {
        Ok(s) => Ok(html(view::listed(&ctx, &key, &s))),
        Err(e) => refused(&state, &ctx, key, UploadForm::List, e).await,
    }
}

/// Query of the letters page.
#[derive(Debug, Deserialize)]
pub struct LettersQuery {
    /// Only this sample's letters.
    pub sample: Option<String>,
}

/// `GET /fieldwork/{key}/letters[?sample=ID]`: one printable A4 letter per invited unit with a
/// postal address or without e-mail.
pub async fn show_letters(
    _auth: Authorized<Designers>,
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    query: web::Query<LettersQuery>,
) -> Result<HttpResponse, AppError> {
    let key = path.into_inner();
    let base = crate::web::forms::site_base(&req);
    let sample = query.into_inner().sample.filter(|s| !s.is_empty());
    let batch = state
        .db
        .run(move |c| Ok(fieldwork::letters(c, &key, sample.as_deref(), &base)))
        .await?
        .map_err(fw_error)?;
    Ok(html(view::letters(
        Lang::of(&req),
        &batch,
        "/static/app.css",
        true,
    )))
}
