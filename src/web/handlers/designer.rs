//! The researchers' questionnaire designer (`/designer`): list and create surveys, edit drafts
//! (texts, pages, questions, choice lists, logic), preview with the respondent renderer, run the
//! publish checks, publish/close/clone, edit options, import XLSForm and export.
//!
//! Every change is a CSRF-checked POST that goes through one `questionnaires` use case, so it is
//! audited and can never touch a published version. Form input is kept as a field map so a form
//! with errors can be shown again (422) with what was typed.

use std::collections::HashMap;

use actix_web::{http::header, web, HttpMessage, HttpRequest, HttpResponse};

use super::home::html;
use crate::auth::csrf;
use crate::domain::lang::Msg;
use crate::domain::survey::{Survey, SurveyError};
use crate::storage::{self, surveys::StoredVersion};
use crate::use_cases::answering::{Attempt, LoadedSurvey};
use crate::use_cases::questionnaires::{self, ExportFormat, QuestionnaireError};
use crate::web::access::{Authorized, Designers};
use crate::web::error::AppError;
use crate::web::forms::{CsrfCookie, CsrfForm, PageCtx, Who};
use crate::web::i18n::Lang;
use crate::web::views::designer::{self as view, FormState, SurveyLine};
use crate::web::AppState;

pub mod edit;

/// A submitted form as field name → value (checkboxes are present only when ticked).
pub type Fields = HashMap<String, String>;

type QResult<T> = Result<T, QuestionnaireError>;

fn see_other(to: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, to))
        .finish()
}

fn unprocessable(markup: maud::Markup) -> HttpResponse {
    HttpResponse::UnprocessableEntity()
        .content_type("text/html; charset=utf-8")
        .body(markup.into_string())
}

fn version_url(key: &str, version: u32) -> String {
    format!("/designer/{key}/{version}")
}

/// A use-case failure as a page: published versions get a friendly explanation.
fn q_error(_lang: Lang, e: QuestionnaireError) -> AppError {
    match e {
        QuestionnaireError::NotFound(_) => AppError::NotFound,
        QuestionnaireError::Lifecycle(SurveyError::NotEditable { .. }) => AppError::Conflict(Msg::fixed(
"Versionen är publicerad eller stängd och kan inte ändras. Välj ”Redigera” för att skapa ett nytt utkast.",
"This version is published or closed and cannot be changed. Choose “Edit” to create a new draft.",
)),
        QuestionnaireError::Lifecycle(SurveyError::NotPublished) => AppError::Conflict(Msg::fixed(
"Bara en publicerad version kan stängas.",
"Only a published version can be closed.",
)),
        QuestionnaireError::BadKey(m) => AppError::BadRequest(Msg::same(m)),
        QuestionnaireError::Storage(s) => s.into(),
        other => AppError::Unexpected(anyhow::Error::new(other)),
    }
}

async fn load_version(
    state: &AppState,
    lang: Lang,
    key: &str,
    version: u32,
) -> Result<StoredVersion, AppError> {
    let key = key.to_owned();
    state
        .db
        .run(move |c| Ok(questionnaires::get_version(c, &key, version)))
        .await?
        .map_err(|e| q_error(lang, e))
}

/// Load a draft, apply `change` and save it through `questionnaires::save_draft`. Form errors
/// come back as `Ok(Err(state))` and nothing is saved.
async fn change_draft<F>(
    state: &AppState,
    who: Who,
    lang: Lang,
    key: String,
    version: u32,
    change: F,
) -> Result<Result<(), Vec<(String, String)>>, AppError>
where
    F: FnOnce(&mut Survey) -> Result<String, Vec<(String, String)>> + Send + 'static,
{
    state
        .db
        .run(move |c| {
            Ok((|| -> QResult<Result<(), Vec<(String, String)>>> {
                let stored = questionnaires::get_version(c, &key, version)?;
                stored.survey.ensure_editable()?;
                let mut survey = stored.survey;
                match change(&mut survey) {
                    Err(errors) => Ok(Err(errors)),
                    Ok(what) => {
                        questionnaires::save_draft(c, who.actor(), &key, version, &survey, &what)?;
                        Ok(Ok(()))
                    }
                }
            })())
        })
        .await?
        .map_err(|e| q_error(lang, e))
}

/// The version page again with one form's errors and typed values (422).
async fn version_with_errors(
    state: &AppState,
    ctx: &PageCtx,
    key: &str,
    version: u32,
    form: FormState,
) -> Result<HttpResponse, AppError> {
    let stored = load_version(state, ctx.lang, key, version).await?;
    Ok(unprocessable(view::version(ctx, &stored, &form)))
}

/// Run a draft change from a version-page form: 303 back on success, 422 with the form's errors.
async fn version_form<F>(
    state: &AppState,
    ctx: &PageCtx,
    who: Who,
    (key, version): (String, u32),
    (form_id, fields): (String, Fields),
    change: F,
) -> Result<HttpResponse, AppError>
where
    F: FnOnce(&mut Survey) -> Result<String, Vec<(String, String)>> + Send + 'static,
{
    match change_draft(state, who, ctx.lang, key.clone(), version, change).await? {
        Ok(()) => Ok(see_other(&format!(
            "{}#{form_id}",
            version_url(&key, version)
        ))),
        Err(errors) => {
            let form = FormState::failed(&form_id, fields, errors);
            version_with_errors(state, ctx, &key, version, form).await
        }
    }
}

async fn survey_lines(state: &AppState) -> Result<Vec<SurveyLine>, AppError> {
    Ok(state
        .db
        .run(|c| {
            let mut out = Vec::new();
            for s in storage::surveys::list_surveys(c)? {
                let versions = storage::surveys::list_versions(c, &s.survey.id)?;
                let responses = storage::responses::count_for_survey(c, &s.survey.id)?;
                out.push(SurveyLine {
                    key: s.survey.key,
                    versions,
                    responses,
                });
            }
            Ok(out)
        })
        .await?)
}

/// `GET /designer`
pub async fn list_surveys(
    _auth: Authorized<Designers>,
    ctx: PageCtx,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let lines = survey_lines(&state).await?;
    Ok(html(view::list(&ctx, &lines, &FormState::default())))
}

/// `POST /designer`: a new survey with a key and titles.
pub async fn create_survey(
    auth: Authorized<Designers>,
    req: HttpRequest,
    ctx: PageCtx,
    state: web::Data<AppState>,
    CsrfForm(fields): CsrfForm<Fields>,
) -> Result<HttpResponse, AppError> {
    let who = Who::of(&auth, &req);
    let errors = edit::new_survey_errors(ctx.lang, &fields);
    let result = if errors.is_empty() {
        let f = fields.clone();
        state
            .db
            .run(move |c| {
                let get = |k: &str| f.get(k).map_or("", |v| v.trim());
                Ok(questionnaires::create(
                    c,
                    who.actor(),
                    get("key"),
                    get("title_sv"),
                    get("title_en"),
                ))
            })
            .await?
    } else {
        Err(QuestionnaireError::BadKey(String::new()))
    };
    match result {
        Ok(v) => Ok(see_other(&version_url(&v.survey.key, v.survey.version))),
        Err(QuestionnaireError::BadKey(m)) => {
            let errors = if errors.is_empty() {
                vec![("key".into(), edit::bad_key_text(ctx.lang, &m))]
            } else {
                errors
            };
            let lines = survey_lines(&state).await?;
            Ok(unprocessable(view::list(
                &ctx,
                &lines,
                &FormState::failed("new", fields, errors),
            )))
        }
        Err(e) => Err(q_error(ctx.lang, e)),
    }
}

/// `GET /designer/{key}/{version}`
pub async fn show_version(
    _auth: Authorized<Designers>,
    ctx: PageCtx,
    state: web::Data<AppState>,
    path: web::Path<(String, u32)>,
) -> Result<HttpResponse, AppError> {
    let (key, version) = path.into_inner();
    let stored = load_version(&state, ctx.lang, &key, version).await?;
    Ok(html(view::version(&ctx, &stored, &FormState::default())))
}

/// `POST /designer/{key}/{version}/texts`: title, introduction and thanks.
pub async fn save_texts(
    auth: Authorized<Designers>,
    req: HttpRequest,
    ctx: PageCtx,
    state: web::Data<AppState>,
    path: web::Path<(String, u32)>,
    CsrfForm(fields): CsrfForm<Fields>,
) -> Result<HttpResponse, AppError> {
    let (f, lang) = (fields.clone(), ctx.lang);
    let change = move |s: &mut Survey| edit::texts(lang, s, &f);
    version_form(
        &state,
        &ctx,
        Who::of(&auth, &req),
        path.into_inner(),
        ("texts".into(), fields),
        change,
    )
    .await
}

/// `POST /designer/{key}/{version}/pages`: add a page.
pub async fn add_page(
    auth: Authorized<Designers>,
    req: HttpRequest,
    ctx: PageCtx,
    state: web::Data<AppState>,
    path: web::Path<(String, u32)>,
    CsrfForm(fields): CsrfForm<Fields>,
) -> Result<HttpResponse, AppError> {
    let (f, lang) = (fields.clone(), ctx.lang);
    let change = move |s: &mut Survey| edit::add_page(lang, s, &f);
    version_form(
        &state,
        &ctx,
        Who::of(&auth, &req),
        path.into_inner(),
        ("newpage".into(), fields),
        change,
    )
    .await
}

/// `POST /designer/{key}/{version}/pages/{page}/{action}`: `save`, `up`, `down`, `delete` or
/// `add-question`.
pub async fn page_action(
    auth: Authorized<Designers>,
    req: HttpRequest,
    ctx: PageCtx,
    state: web::Data<AppState>,
    path: web::Path<(String, u32, String, String)>,
    CsrfForm(fields): CsrfForm<Fields>,
) -> Result<HttpResponse, AppError> {
    let (key, version, page, action) = path.into_inner();
    let form_id = match action.as_str() {
        "add-question" => format!("addq-{page}"),
        _ => format!("page-{page}"),
    };
    let (f, lang) = (fields.clone(), ctx.lang);
    let change = move |s: &mut Survey| edit::page_action(lang, s, &page, &action, &f);
    version_form(
        &state,
        &ctx,
        Who::of(&auth, &req),
        (key, version),
        (form_id, fields),
        change,
    )
    .await
}

/// `POST /designer/{key}/{version}/questions/{question}/{action}`: `up`, `down` or `delete`.
pub async fn question_action(
    auth: Authorized<Designers>,
    req: HttpRequest,
    ctx: PageCtx,
    state: web::Data<AppState>,
    path: web::Path<(String, u32, String, String)>,
    CsrfForm(fields): CsrfForm<Fields>,
) -> Result<HttpResponse, AppError> {
    let (key, version, question, action) = path.into_inner();
    let form_id = format!("q-{question}");
    let lang = ctx.lang;
    let change = move |s: &mut Survey| edit::question_action(lang, s, &question, &action);
    version_form(
        &state,
        &ctx,
        Who::of(&auth, &req),
        (key, version),
        (form_id, fields),
        change,
    )
    .await
}

/// `POST /designer/{key}/{version}/lists` (new list) and `/lists/{name}/{action}` (`save`,
/// `delete`).
pub async fn list_action(
    auth: Authorized<Designers>,
    req: HttpRequest,
    ctx: PageCtx,
    state: web::Data<AppState>,
    path: web::Path<(String, u32, String, String)>,
    CsrfForm(fields): CsrfForm<Fields>,
) -> Result<HttpResponse, AppError> {
    let (key, version, list, action) = path.into_inner();
    let form_id = if action == "add" {
        "newlist".to_owned()
    } else {
        format!("list-{list}")
    };
    let (f, lang) = (fields.clone(), ctx.lang);
    let change = move |s: &mut Survey| edit::list_action(lang, s, &list, &action, &f);
    version_form(
        &state,
        &ctx,
        Who::of(&auth, &req),
        (key, version),
        (form_id, fields),
        change,
    )
    .await
}

/// `GET /designer/{key}/{version}/questions/{question}`: the question's edit form.
pub async fn show_question(
    _auth: Authorized<Designers>,
    ctx: PageCtx,
    state: web::Data<AppState>,
    path: web::Path<(String, u32, String)>,
) -> Result<HttpResponse, AppError> {
    let (key, version, question) = path.into_inner();
    let stored = load_version(&state, ctx.lang, &key, version).await?;
    stored
        .survey
        .question(&question)
        .ok_or(AppError::NotFound)?;
    Ok(html(view::question(
        &ctx,
        &stored,
        &question,
        &FormState::default(),
    )))
}

/// `POST /designer/{key}/{version}/questions/{question}`: save the edit form (`form=fields`) or
/// the advanced TOML (`form=toml`).
pub async fn save_question(
    auth: Authorized<Designers>,
    req: HttpRequest,
    ctx: PageCtx,
    state: web::Data<AppState>,
    path: web::Path<(String, u32, String)>,
    CsrfForm(fields): CsrfForm<Fields>,
) -> Result<HttpResponse, AppError> {
    let (key, version, question) = path.into_inner();
    let as_toml = fields.get("form").is_some_and(|f| f == "toml");
    let (f, lang, q) = (fields.clone(), ctx.lang, question.clone());
    let change = move |s: &mut Survey| {
        if as_toml {
            edit::question_toml(lang, s, &q, &f)
        } else {
            edit::question(lang, s, &q, &f)
        }
    };
    let who = Who::of(&auth, &req);
    match change_draft(&state, who, ctx.lang, key.clone(), version, change).await? {
        Ok(()) => Ok(see_other(&format!(
            "{}#q-{question}",
            version_url(&key, version)
        ))),
        Err(errors) => {
            let stored = load_version(&state, ctx.lang, &key, version).await?;
            let form = FormState::failed(if as_toml { "toml" } else { "edit" }, fields, errors);
            Ok(unprocessable(view::question(
                &ctx, &stored, &question, &form,
            )))
        }
    }
}

/// `GET /designer/{key}/{version}/preview/{lang}/{page}`: the page as respondents see it.
pub async fn preview(
    _auth: Authorized<Designers>,
    ctx: PageCtx,
    state: web::Data<AppState>,
    path: web::Path<(String, u32, String, usize)>,
) -> Result<HttpResponse, AppError> {
    let (key, version, lang, page) = path.into_inner();
    let stored = load_version(&state, ctx.lang, &key, version).await?;
    let (survey_id, version_id) = (stored.survey_id.clone(), stored.id.clone());
    let loaded = LoadedSurvey::new(survey_id, version_id, stored.survey, Default::default());
    if !loaded.survey.languages.contains(&lang) || (page >= loaded.survey.pages.len() && page > 0) {
        return Err(AppError::NotFound);
    }
    let mut attempt = Attempt::start(lang, HashMap::new());
    attempt.seed = 0;
    attempt.page = page;
    Ok(html(view::preview(&loaded, &attempt, version)))
}

/// `GET /designer/{key}/{version}/checks`: the publish checks.
pub async fn show_checks(
    _auth: Authorized<Designers>,
    ctx: PageCtx,
    state: web::Data<AppState>,
    path: web::Path<(String, u32)>,
) -> Result<HttpResponse, AppError> {
    let (key, version) = path.into_inner();
    let stored = load_version(&state, ctx.lang, &key, version).await?;
    let findings = crate::domain::survey::check(&stored.survey);
    Ok(html(view::checks(&ctx, &stored, &findings, false)))
}

/// `POST /designer/{key}/{version}/{verb}`: `publish`, `close` or `new-draft`.
pub async fn lifecycle(
    auth: Authorized<Designers>,
    req: HttpRequest,
    ctx: PageCtx,
    state: web::Data<AppState>,
    path: web::Path<(String, u32, String)>,
    _form: CsrfForm<serde::de::IgnoredAny>,
) -> Result<HttpResponse, AppError> {
    let (key, version, verb) = path.into_inner();
    let (who, k) = (Who::of(&auth, &req), key.clone());
    let result = state
        .db
        .run(move |c| {
            Ok(match verb.as_str() {
                "publish" => questionnaires::publish(c, who.actor(), &k, version).map(|_| version),
                "close" => questionnaires::close(c, who.actor(), &k, version).map(|()| version),
                "new-draft" => {
                    questionnaires::new_draft(c, who.actor(), &k, version).map(|v| v.survey.version)
                }
                _ => Err(QuestionnaireError::NotFound(verb)),
            })
        })
        .await?;
    state.surveys.invalidate(&key);
    match result {
        Ok(shown) => Ok(see_other(&version_url(&key, shown))),
        Err(QuestionnaireError::ChecksFailed(findings)) => {
            let stored = load_version(&state, ctx.lang, &key, version).await?;
            Ok(unprocessable(view::checks(&ctx, &stored, &findings, true)))
        }
        Err(e) => Err(q_error(ctx.lang, e)),
    }
}

/// `GET /designer/{key}/options`
pub async fn show_options(
    _auth: Authorized<Designers>,
    req: HttpRequest,
    ctx: PageCtx,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let key = path.into_inner();
    let k = key.clone();
    let record = state
        .db
        .run(move |c| storage::surveys::find_survey(c, &k))
        .await?
        .ok_or(AppError::NotFound)?;
    let saved = req.query_string().contains("saved=1");
    Ok(html(view::options(
        &ctx,
        &key,
        &record.options,
        &FormState::default(),
        saved,
    )))
}

/// `POST /designer/{key}/options`: replace the survey's options.
pub async fn save_options(
    auth: Authorized<Designers>,
    req: HttpRequest,
    ctx: PageCtx,
    state: web::Data<AppState>,
    path: web::Path<String>,
    CsrfForm(fields): CsrfForm<Fields>,
) -> Result<HttpResponse, AppError> {
    let key = path.into_inner();
    let options = match edit::options(ctx.lang, &fields) {
        Ok(o) => o,
        Err(errors) => {
            let form = FormState::failed("options", fields, errors);
            let shown = edit::options_lenient(&form.values);
            return Ok(unprocessable(view::options(
                &ctx, &key, &shown, &form, false,
            )));
        }
    };
    let (who, k) = (Who::of(&auth, &req), key.clone());
    state
        .db
        .run(move |c| Ok(questionnaires::set_options(c, who.actor(), &k, &options)))
        .await?
        .map_err(|e| q_error(ctx.lang, e))?;
    state.surveys.invalidate(&key);
    Ok(see_other(&format!("/designer/{key}/options?saved=1")))
}

/// `GET /designer/{key}/{version}/export.{xlsx|toml}`: a download (changes nothing).
pub async fn export(
    _auth: Authorized<Designers>,
    ctx: PageCtx,
    state: web::Data<AppState>,
    path: web::Path<(String, u32, String)>,
) -> Result<HttpResponse, AppError> {
    let (key, version, ext) = path.into_inner();
    let (format, mime) = match ext.as_str() {
        "xlsx" => (
            ExportFormat::Xlsx,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
        "toml" => (ExportFormat::Toml, "application/toml; charset=utf-8"),
        _ => return Err(AppError::NotFound),
    };
    let k = key.clone();
    let bytes = state
        .db
        .run(move |c| Ok(questionnaires::export(c, &k, Some(version), format)))
        .await?
        .map_err(|e| q_error(ctx.lang, e))?;
    Ok(HttpResponse::Ok()
        .content_type(mime)
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{key}-v{version}.{ext}\""),
        ))
        .body(bytes))
}

/// `POST /designer/import`: an XLSForm upload (`multipart/form-data` with `csrf_token` and
/// `file`). Shows the import warnings, or the errors with 422.
pub async fn import(
    auth: Authorized<Designers>,
    req: HttpRequest,
    ctx: PageCtx,
    state: web::Data<AppState>,
    body: web::Bytes,
) -> Result<HttpResponse, AppError> {
    let parts = edit::multipart_parts(&req, &body).ok_or_else(|| {
        AppError::BadRequest(Msg::fixed(
            "Filen skickades inte som multipart/form-data.",
            "the upload is not multipart/form-data",
        ))
    })?;
    let token = parts
        .iter()
        .find(|p| p.name == csrf::FIELD)
        .map(|p| String::from_utf8_lossy(&p.data).into_owned())
        .unwrap_or_default();
    let cookie = req
        .extensions()
        .get::<CsrfCookie>()
        .map(|c| c.0.clone())
        .unwrap_or_default();
    if !csrf::verify(&state.secret, &cookie, &token) {
        return Err(AppError::CsrfRejected);
    }
    let (file, filename) = parts
        .into_iter()
        .find(|p| p.name == "file")
        .map(|p| (p.data, p.filename))
        .unwrap_or_default();
    let who = Who::of(&auth, &req);
    let result = state
        .db
        .run(move |c| Ok(questionnaires::import_xlsform(c, who.actor(), &file)))
        .await?;
    match result {
        Ok((stored, warnings)) => Ok(html(view::imported(
            &ctx,
            filename.as_deref(),
            Some(&stored),
            &warnings,
            &[],
        ))),
        Err(QuestionnaireError::Import(e)) => Ok(unprocessable(view::imported(
            &ctx,
            filename.as_deref(),
            None,
            &e.warnings,
            &e.errors,
        ))),
        Err(e) => Err(q_error(ctx.lang, e)),
    }
}
