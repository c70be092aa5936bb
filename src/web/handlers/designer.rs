//! The researchers' questionnaire designer (`/designer`): list and create surveys, edit drafts
//! (texts, pages, questions, choice lists, logic), preview with the respondent renderer, run the
//! publish checks, publish/close/clone, edit options, import XLSForm and export.
//!
//! Every change is a CSRF-checked POST that goes through one `questionnaires` use case, so it is
//! audited and can never touch a published version. Form input is kept as a field map so a form
//! with errors can be shown again (422) with what was typed; `edit` reads the maps.

use std::collections::HashMap;
use std::sync::Arc;

use actix_web::{dev::Payload, http::header, web, FromRequest, HttpRequest, HttpResponse};

use super::home::html;
use crate::domain::survey::Survey;
use crate::use_cases::questionnaires::{
    self, DraftChange, ExportFormat, QuestionnaireError, Step, StoredVersion, SurveyLine,
};
use crate::web::access::{Authorized, Designers};
use crate::web::error::AppError;
use crate::web::forms::{CsrfForm, LocalFuture, PageCtx, Who};
use crate::web::multipart::CsrfMultipart;
use crate::web::views::designer::{self as view, FormState};
use crate::web::AppState;

pub mod edit;
pub mod test_run;

/// A submitted form as field name → value (checkboxes are present only when ticked).
pub type Fields = HashMap<String, String>;

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

/// What every designer handler starts with: a logged-in designer (others get the login page or
/// 403), the page context, who acts (for the audit log) and the application state.
pub struct Designer {
    ctx: PageCtx,
    who: Arc<Who>,
    state: web::Data<AppState>,
}

impl FromRequest for Designer {
    type Error = AppError;
    type Future = LocalFuture<Self>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let auth = Authorized::<Designers>::from_request(req, payload);
        let ctx = PageCtx::from_request(req, payload);
        let req = req.clone();
        Box::pin(async move {
            let auth = auth.await?;
            let ctx = ctx.await?;
            let state = req
                .app_data::<web::Data<AppState>>()
                .cloned()
                .ok_or_else(|| AppError::unexpected("application state missing"))?;
            Ok(Designer {
                ctx,
                who: Arc::new(Who::of(&auth, &req)),
                state,
            })
        })
    }
}

/// A designer's upload. The designer is checked before the body is looked at, as the old
/// `web::Bytes` handler did, so a visitor without the role gets 403 whatever the body holds
/// (two separate extractors would race, and a body error could win).
pub struct DesignerUpload(Designer, CsrfMultipart);

impl FromRequest for DesignerUpload {
    type Error = AppError;
    type Future = LocalFuture<Self>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let designer = Designer::from_request(req, payload);
        let upload = CsrfMultipart::from_request(req, payload);
        Box::pin(async move { Ok(DesignerUpload(designer.await?, upload.await?)) })
    }
}

impl Designer {
    /// One version, or 404.
    async fn version(&self, key: &str, version: u32) -> Result<StoredVersion, AppError> {
        let key = key.to_owned();
        self.state
            .run(move |c| questionnaires::get_version(c, &key, version))
            .await
    }

    /// The survey list.
    async fn survey_lines(&self) -> Result<Vec<SurveyLine>, AppError> {
        self.state.run(questionnaires::list_for_designer).await
    }

    /// Apply a form's change to a draft through `questionnaires::change_draft`.
    async fn change<F>(
        &self,
        key: &str,
        version: u32,
        change: F,
    ) -> Result<DraftChange<edit::Errors>, AppError>
    where
        F: FnOnce(&mut Survey) -> Result<String, edit::Errors> + Send + 'static,
    {
        let (who, key) = (self.who.clone(), key.to_owned());
        self.state
            .run(move |c| questionnaires::change_draft(c, who.actor(), &key, version, change))
            .await
    }

    /// Run a draft change from a version-page form: 303 back to the form on success, else the
    /// version page again with the form's errors and typed values (422).
    async fn version_form<F>(
        &self,
        (key, version): (String, u32),
        (form_id, fields): (String, Fields),
        change: F,
    ) -> Result<HttpResponse, AppError>
    where
        F: FnOnce(&mut Survey) -> Result<String, edit::Errors> + Send + 'static,
    {
        match self.change(&key, version, change).await? {
            DraftChange::Saved(_) => Ok(see_other(&format!(
                "{}#{form_id}",
                version_url(&key, version)
            ))),
            DraftChange::Refused(stored, errors) => {
                let form = FormState::failed(&form_id, fields, errors);
                Ok(unprocessable(view::version(&self.ctx, &stored, &form)))
            }
        }
    }

    /// Create a survey; a refused key comes back as the key field's error.
    async fn create(
        &self,
        new: edit::NewSurvey,
    ) -> Result<Result<StoredVersion, edit::Errors>, AppError> {
        let who = self.who.clone();
        let created = self
            .state
            .db
            .run(move |c| {
                let (key, sv, en) = (&new.key, &new.title_sv, &new.title_en);
                Ok(questionnaires::create(c, who.actor(), key, sv, en))
            })
            .await?;
        match created {
            Ok(v) => Ok(Ok(v)),
            Err(QuestionnaireError::BadKey { key, problem }) => {
                let text = problem.message(&key).get(self.ctx.lang).to_owned();
                Ok(Err(vec![("key".into(), text)]))
            }
            Err(e) => Err(e.into()),
        }
    }
}

/// `GET /designer`
pub async fn list_surveys(d: Designer) -> Result<HttpResponse, AppError> {
    let lines = d.survey_lines().await?;
    Ok(html(view::list(&d.ctx, &lines, &FormState::default())))
}

/// `POST /designer`: a new survey with a key and titles.
pub async fn create_survey(
    d: Designer,
    CsrfForm(fields): CsrfForm<Fields>,
) -> Result<HttpResponse, AppError> {
    let created = match edit::new_survey(d.ctx.lang, &fields) {
        Ok(new) => d.create(new).await?,
        Err(errors) => Err(errors),
    };
    match created {
        Ok(v) => Ok(see_other(&version_url(&v.survey.key, v.survey.version))),
        Err(errors) => {
            let lines = d.survey_lines().await?;
            let form = FormState::failed("new", fields, errors);
            Ok(unprocessable(view::list(&d.ctx, &lines, &form)))
        }
    }
}

/// `GET /designer/{key}/{version}`
pub async fn show_version(
    d: Designer,
    path: web::Path<(String, u32)>,
) -> Result<HttpResponse, AppError> {
    let (key, version) = path.into_inner();
    let stored = d.version(&key, version).await?;
    Ok(html(view::version(&d.ctx, &stored, &FormState::default())))
}

/// `POST /designer/{key}/{version}/texts`: title, introduction and thanks.
pub async fn save_texts(
    d: Designer,
    path: web::Path<(String, u32)>,
    CsrfForm(fields): CsrfForm<Fields>,
) -> Result<HttpResponse, AppError> {
    let (f, lang) = (fields.clone(), d.ctx.lang);
    let change = move |s: &mut Survey| edit::texts(lang, s, &f);
    d.version_form(path.into_inner(), ("texts".into(), fields), change)
        .await
}

/// `POST /designer/{key}/{version}/pages`: add a page.
pub async fn add_page(
    d: Designer,
    path: web::Path<(String, u32)>,
    CsrfForm(fields): CsrfForm<Fields>,
) -> Result<HttpResponse, AppError> {
    let (f, lang) = (fields.clone(), d.ctx.lang);
    let change = move |s: &mut Survey| edit::add_page(lang, s, &f);
    d.version_form(path.into_inner(), ("newpage".into(), fields), change)
        .await
}

/// `POST /designer/{key}/{version}/pages/{page}/{action}`: `save`, `up`, `down`, `delete` or
/// `add-question`.
pub async fn page_action(
    d: Designer,
    path: web::Path<(String, u32, String, String)>,
    CsrfForm(fields): CsrfForm<Fields>,
) -> Result<HttpResponse, AppError> {
    let (key, version, page, action) = path.into_inner();
    let form_id = match action.as_str() {
        "add-question" => format!("addq-{page}"),
        _ => format!("page-{page}"),
    };
    let (f, lang) = (fields.clone(), d.ctx.lang);
    let change = move |s: &mut Survey| edit::page_action(lang, s, &page, &action, &f);
    d.version_form((key, version), (form_id, fields), change)
        .await
}

/// `POST /designer/{key}/{version}/questions/{question}/{action}`: `up`, `down` or `delete`.
pub async fn question_action(
    d: Designer,
    path: web::Path<(String, u32, String, String)>,
    CsrfForm(fields): CsrfForm<Fields>,
) -> Result<HttpResponse, AppError> {
    let (key, version, question, action) = path.into_inner();
    let form_id = format!("q-{question}");
    let lang = d.ctx.lang;
    let change = move |s: &mut Survey| edit::question_action(lang, s, &question, &action);
    d.version_form((key, version), (form_id, fields), change)
        .await
}

/// `POST /designer/{key}/{version}/lists` (new list) and `/lists/{name}/{action}` (`save`,
/// `delete`).
pub async fn list_action(
    d: Designer,
    path: web::Path<(String, u32, String, String)>,
    CsrfForm(fields): CsrfForm<Fields>,
) -> Result<HttpResponse, AppError> {
    let (key, version, list, action) = path.into_inner();
    let form_id = if action == "add" {
        "newlist".to_owned()
    } else {
        format!("list-{list}")
    };
    let (f, lang) = (fields.clone(), d.ctx.lang);
    let change = move |s: &mut Survey| edit::list_action(lang, s, &list, &action, &f);
    d.version_form((key, version), (form_id, fields), change)
        .await
}

/// `GET /designer/{key}/{version}/questions/{question}`: the question's edit form.
pub async fn show_question(
    d: Designer,
    path: web::Path<(String, u32, String)>,
) -> Result<HttpResponse, AppError> {
    let (key, version, question) = path.into_inner();
    let stored = d.version(&key, version).await?;
    stored
        .survey
        .question(&question)
        .ok_or(AppError::NotFound)?;
    let form = FormState::default();
    Ok(html(view::question(&d.ctx, &stored, &question, &form)))
}

/// `POST /designer/{key}/{version}/questions/{question}`: save the edit form (`form=fields`) or
/// the advanced TOML (`form=toml`).
pub async fn save_question(
    d: Designer,
    path: web::Path<(String, u32, String)>,
    CsrfForm(fields): CsrfForm<Fields>,
) -> Result<HttpResponse, AppError> {
    let (key, version, question) = path.into_inner();
    let as_toml = fields.get("form").is_some_and(|f| f == "toml");
    let (f, lang, q) = (fields.clone(), d.ctx.lang, question.clone());
    let change = move |s: &mut Survey| match as_toml {
        true => edit::question_toml(lang, s, &q, &f),
        false => edit::question(lang, s, &q, &f),
    };
    match d.change(&key, version, change).await? {
        DraftChange::Saved(_) => Ok(see_other(&format!(
            "{}#q-{question}",
            version_url(&key, version)
        ))),
        DraftChange::Refused(stored, errors) => {
            let form = FormState::failed(if as_toml { "toml" } else { "edit" }, fields, errors);
            Ok(unprocessable(view::question(
                &d.ctx, &stored, &question, &form,
            )))
        }
    }
}

/// `GET /designer/{key}/{version}/preview/{lang}/{page}`: a test run from page `page`, on the
/// respondent renderer with skip logic live; its steps are posted to [`preview_step`].
pub async fn preview(
    d: Designer,
    path: web::Path<(String, u32, String, usize)>,
) -> Result<HttpResponse, AppError> {
    let (key, version, lang, page) = path.into_inner();
    let stored = d.version(&key, version).await?;
    let s = test_run::load(stored.survey_id, stored.id, stored.survey, &lang)?;
    let a = test_run::start(&s, &lang, page)?;
    let notice = crate::web::views::designer::preview::Notice::None;
    Ok(html(test_run::show(
        &s,
        a,
        &d.ctx.csrf,
        version,
        page,
        &[],
        notice,
    )))
}

/// `POST /designer/{key}/{version}/preview/{lang}`: one step of a test run (Next, Back,
/// Change, another language, Send); the answers stay in the page, nothing is stored.
pub async fn preview_step(
    d: Designer,
    path: web::Path<(String, u32, String)>,
    CsrfForm(fields): CsrfForm<test_run::Fields>,
) -> Result<HttpResponse, AppError> {
    let (key, version, lang) = path.into_inner();
    let stored = d.version(&key, version).await?;
    let s = test_run::load(stored.survey_id, stored.id, stored.survey, &lang)?;
    let (a, shown, nav) = test_run::read(&s, &fields);
    Ok(html(test_run::step(
        &s,
        a,
        nav,
        &shown,
        &d.ctx.csrf,
        version,
    )))
}

/// `GET /designer/{key}/{version}/checks`: the publish checks.
pub async fn show_checks(
    d: Designer,
    path: web::Path<(String, u32)>,
) -> Result<HttpResponse, AppError> {
    let (key, version) = path.into_inner();
    let (stored, findings) = d
        .state
        .run(move |c| questionnaires::findings(c, &key, version))
        .await?;
    Ok(html(view::checks(&d.ctx, &stored, &findings, false)))
}

/// The life-cycle step a button's verb names.
fn step_of(verb: &str) -> Option<Step> {
    match verb {
        "publish" => Some(Step::Publish),
        "close" => Some(Step::Close),
        "new-draft" => Some(Step::NewDraft),
        "reopen" => Some(Step::Reopen),
        "duplicate" => Some(Step::Duplicate),
        "delete" => Some(Step::DeleteDraft),
        _ => None,
    }
}

/// `POST /designer/{key}/{version}/{verb}`: `publish`, `close`, `reopen`, `new-draft`,
/// `duplicate` or `delete` (a draft).
pub async fn lifecycle(
    d: Designer,
    path: web::Path<(String, u32, String)>,
    _form: CsrfForm<serde::de::IgnoredAny>,
) -> Result<HttpResponse, AppError> {
    let (key, version, verb) = path.into_inner();
    let step = step_of(&verb).ok_or(AppError::NotFound)?;
    let (who, k) = (d.who.clone(), key.clone());
    let result = d
        .state
        .db
        .run(move |c| Ok(questionnaires::take_step(c, who.actor(), &k, version, step)))
        .await?;
    d.state.surveys.invalidate(&key);
    match result {
        Ok(Some((key, shown))) => Ok(see_other(&version_url(&key, shown))),
        Ok(None) => Ok(see_other("/designer")),
        Err(QuestionnaireError::ChecksFailed(findings)) => {
            let stored = d.version(&key, version).await?;
            Ok(unprocessable(view::checks(
                &d.ctx, &stored, &findings, true,
            )))
        }
        Err(e) => Err(e.into()),
    }
}

/// `POST /designer/{key}/{verb}`: `archive`, `unarchive` or `delete` a whole survey (delete is
/// refused for a survey with responses: it can only be archived).
pub async fn survey_action(
    d: Designer,
    path: web::Path<(String, String)>,
    _form: CsrfForm<serde::de::IgnoredAny>,
) -> Result<HttpResponse, AppError> {
    let (key, verb) = path.into_inner();
    let (who, k) = (d.who.clone(), key.clone());
    let act: fn(&mut crate::use_cases::DbConnection, crate::use_cases::Actor<'_>, &str) -> _ =
        match verb.as_str() {
            "archive" => |c, a, k| questionnaires::set_archived(c, a, k, true),
            "unarchive" => |c, a, k| questionnaires::set_archived(c, a, k, false),
            "delete" => questionnaires::delete_survey,
            _ => return Err(AppError::NotFound),
        };
    d.state.run(move |c| act(c, who.actor(), &k)).await?;
    d.state.surveys.invalidate(&key);
    Ok(see_other("/designer"))
}

/// `GET /designer/{key}/options`
pub async fn show_options(
    d: Designer,
    req: HttpRequest,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let key = path.into_inner();
    let k = key.clone();
    let options = d.state.run(move |c| questionnaires::options(c, &k)).await?;
    let saved = req.query_string().contains("saved=1");
    let form = FormState::default();
    let zone = &d.state.settings.timezone;
    Ok(html(view::options(
        &d.ctx, zone, &key, &options, &form, saved,
    )))
}

/// `POST /designer/{key}/options`: replace the survey's options.
pub async fn save_options(
    d: Designer,
    path: web::Path<String>,
    CsrfForm(fields): CsrfForm<Fields>,
) -> Result<HttpResponse, AppError> {
    let key = path.into_inner();
    let zone = &d.state.settings.timezone;
    let options = match edit::options(d.ctx.lang, zone, &fields) {
        Ok(o) => o,
        Err(errors) => {
            let form = FormState::failed("options", fields, errors);
            let shown = edit::options_lenient(zone, &form.values);
            return Ok(unprocessable(view::options(
                &d.ctx, zone, &key, &shown, &form, false,
            )));
        }
    };
    let (who, k) = (d.who.clone(), key.clone());
    d.state
        .run(move |c| questionnaires::set_options(c, who.actor(), &k, &options))
        .await?;
    d.state.surveys.invalidate(&key);
    Ok(see_other(&format!("/designer/{key}/options?saved=1")))
}

/// The export format and content type of a file extension.
fn export_format(ext: &str) -> Option<(ExportFormat, &'static str)> {
    match ext {
        "xlsx" => Some((
            ExportFormat::Xlsx,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )),
        "toml" => Some((ExportFormat::Toml, "application/toml; charset=utf-8")),
        _ => None,
    }
}

/// `GET /designer/{key}/{version}/export.{xlsx|toml}`: a download (changes nothing).
pub async fn export(
    d: Designer,
    path: web::Path<(String, u32, String)>,
) -> Result<HttpResponse, AppError> {
    let (key, version, ext) = path.into_inner();
    let (format, mime) = export_format(&ext).ok_or(AppError::NotFound)?;
    let k = key.clone();
    let bytes = d
        .state
        .run(move |c| questionnaires::export(c, &k, Some(version), format))
        .await?;
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
    DesignerUpload(d, mut upload): DesignerUpload,
) -> Result<HttpResponse, AppError> {
    let (filename, file) = upload.take_file("file").unwrap_or_default();
    let into = upload
        .text_fields()
        .remove("into")
        .filter(|k| !k.is_empty());
    let who = d.who.clone();
    let name = filename.clone();
    let result = d
        .state
        .db
        .run(move |c| {
            Ok(questionnaires::import_xlsform(
                c,
                who.actor(),
                &file,
                name.as_deref(),
                into.as_deref(),
            ))
        })
        .await?;
    let (ctx, name) = (&d.ctx, filename.as_deref());
    match result {
        Ok((v, warnings)) => Ok(html(view::imported(ctx, name, Some(&v), &warnings, &[]))),
        Err(QuestionnaireError::Import(e)) => {
            let page = view::imported(ctx, name, None, &e.warnings, &e.errors);
            Ok(unprocessable(page))
        }
        Err(e) => Err(e.into()),
    }
}
