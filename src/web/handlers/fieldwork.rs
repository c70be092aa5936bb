//! Fieldwork for researchers (`/fieldwork/{key}`): the counts view, drawing a stratified sample
//! from an uploaded frame, uploading a plain invitation list, and the printable letters. Every
//! upload is a CSRF-checked multipart POST ([`AuthorizedUpload`]) that goes through one
//! `fieldwork` use case, so it is audited and all-or-nothing.

mod form;

use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;

use super::home::html;
use crate::domain::lang::Msg;
use crate::use_cases::fieldwork::{self, FieldworkError, MAX_FRAME_ROWS};
use crate::use_cases::DbConnection;
use crate::web::access::{Authorized, Designers};
use crate::web::error::AppError;
use crate::web::forms::{site_base, PageCtx, Who};
use crate::web::i18n::Lang;
use crate::web::multipart::AuthorizedUpload;
use crate::web::views::fieldwork::{self as view, UploadForm};
use crate::web::AppState;

/// Largest frame upload: a million rows with names and addresses fit comfortably.
pub const MAX_FRAME_BYTES: usize = 256 * 1024 * 1024;
/// Largest list upload.
pub const MAX_LIST_BYTES: usize = 64 * 1024 * 1024;

/// Refused input re-renders the fieldwork page with the message (422); nothing was stored.
async fn refused(
    state: &AppState,
    ctx: &PageCtx,
    key: String,
    form: UploadForm,
    message: Msg,
) -> Result<HttpResponse, AppError> {
    let o = state.run(move |c| fieldwork::overview(c, &key)).await?;
    Ok(HttpResponse::UnprocessableEntity()
        .content_type("text/html; charset=utf-8")
        .body(view::page(ctx, &o, Some((form, &message))).into_string()))
}

/// Run an upload's use case and render its result; a refused file (or form, `parsed`)
/// re-renders the page with the message (422) and nothing stored; anything else is an error
/// page.
async fn store_upload<T, U, F>(
    state: &AppState,
    ctx: &PageCtx,
    key: String,
    form: UploadForm,
    parsed: Result<U, Msg>,
    store: F,
    render: impl FnOnce(&PageCtx, &str, &T) -> maud::Markup,
) -> Result<HttpResponse, AppError>
where
    T: Send + 'static,
    U: Send + 'static,
    F: FnOnce(&mut DbConnection, &str, U) -> Result<T, FieldworkError> + Send + 'static,
{
    let input = match parsed {
        Ok(input) => input,
        Err(message) => return refused(state, ctx, key, form, message).await,
    };
    let k = key.clone();
    let result = state.db.run(move |c| Ok(store(c, &k, input))).await?;
    match result {
        Ok(done) => Ok(html(render(ctx, &key, &done))),
        Err(e) => match e.refusal() {
            Some(message) => refused(state, ctx, key, form, message).await,
            None => Err(e.into()),
        },
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
    let o = state.run(move |c| fieldwork::overview(c, &key)).await?;
    Ok(html(view::page(&ctx, &o, None)))
}

/// `POST /fieldwork/{key}/sample`: a frame upload (`multipart/form-data`: `frame` plus the draw
/// fields). Draws, stores the sample and its invitations, and shows the allocation table.
pub async fn draw_sample(
    AuthorizedUpload { auth, upload }: AuthorizedUpload<Designers>,
    req: HttpRequest,
    ctx: PageCtx,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let who = Who::of(&auth, &req);
    let parsed = form::draw(upload).map_err(|e| e.message());
    let store = move |c: &mut DbConnection, key: &str, d: form::DrawForm| {
        fieldwork::draw_and_store(c, who.actor(), key, &d.frame, &d.spec, &d.columns)
    };
    let key = path.into_inner();
    store_upload(
        &state,
        &ctx,
        key,
        UploadForm::Sample,
        parsed,
        store,
        view::drawn,
    )
    .await
}

/// `POST /fieldwork/{key}/list`: a plain list upload (`list` plus the column fields).
pub async fn upload_list(
    AuthorizedUpload { auth, upload }: AuthorizedUpload<Designers>,
    req: HttpRequest,
    ctx: PageCtx,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let who = Who::of(&auth, &req);
    let parsed = form::list(upload).map_err(|e| e.message());
    let store = move |c: &mut DbConnection, key: &str, l: form::ListForm| {
        fieldwork::import_list(c, who.actor(), key, &l.list, &l.columns, MAX_FRAME_ROWS)
    };
    let key = path.into_inner();
    store_upload(
        &state,
        &ctx,
        key,
        UploadForm::List,
        parsed,
        store,
        view::listed,
    )
    .await
}

/// Query of the letters page.
#[derive(Debug, Deserialize)]
pub struct LettersQuery {
    /// Only this sample's letters.
    pub sample: Option<String>,
    /// Which run of letters (from 1; the page shows a few hundred at a time).
    pub page: Option<usize>,
}

/// `GET /fieldwork/{key}/letters[?sample=ID][&page=N]`: one printable A4 letter per invited unit
/// with a postal address or without e-mail, a few hundred per page.
pub async fn show_letters(
    _auth: Authorized<Designers>,
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    query: web::Query<LettersQuery>,
) -> Result<HttpResponse, AppError> {
    let key = path.into_inner();
    let base = site_base(&req);
    let query = query.into_inner();
    let sample = query.sample.filter(|s| !s.is_empty());
    let page = query.page.unwrap_or(1);
    let zone = state.settings.timezone.clone();
    let s = sample.clone();
    let letters = state
        .run(move |c| fieldwork::letters_page(c, &key, s.as_deref(), &base, zone, page))
        .await?;
    Ok(html(view::letters(
        Lang::of(&req),
        &letters,
        sample.as_deref(),
    )))
}

/// `GET /fieldwork/{key}/samples/{id}.csv`: the drawn units of one sample as CSV (audited; it
/// holds names, addresses and access codes). An attachment, so the browser saves it.
pub async fn download_sample(
    auth: Authorized<Designers>,
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, AppError> {
    let (key, sample) = path.into_inner();
    let who = Who::of(&auth, &req);
    let file = format!("{key}-sample.csv");
    let bytes = state
        .run(move |c| fieldwork::sample_csv(c, who.actor(), &key, &sample))
        .await?;
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            actix_web::http::header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{file}\""),
        ))
        .insert_header((actix_web::http::header::CACHE_CONTROL, "no-store"))
        .body(bytes))
}
