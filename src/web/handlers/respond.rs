//! The respondent pages: landing, one POST endpoint that moves between pages, save-and-resume,
//! submission and the receipt.

pub(crate) mod extract;

use std::collections::HashMap;
use std::sync::Arc;

use actix_web::cookie::{Cookie, SameSite};
use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpMessage, HttpRequest, HttpResponse};

use self::extract::{field, limit, reject_bots, AnswerForm, Fields, SurveyAt, SurveyForm};
use crate::auth::csrf::CsrfToken;
use crate::domain::expr::Value;
use crate::domain::local_time;
use crate::domain::options::Access;
use crate::domain::response::{self, Mode};
use crate::domain::survey::flow::{AnswerError, AnswerMap};
use crate::domain::survey::QuestionKind;
use crate::domain::user::User;
use crate::use_cases::answering::{
    self as ans, Admission, Attempt, CodeCheck, LoadedSurvey, Refusal, StartRequest, Started, Step,
    SubmitOutcome,
};
use crate::web::access::{current_user, Interviewers, Policy};
use crate::web::error::AppError;
use crate::web::forms::{site_base, CsrfForm, PageCtx, Who};
use crate::web::i18n::Lang;
use crate::web::views::respond::{self as view, CodeProblem, Entry};
use crate::web::AppState;

fn csrf(req: &HttpRequest) -> String {
    req.extensions()
        .get::<CsrfToken>()
        .map(|t| t.0.clone())
        .unwrap_or_default()
}

fn page(status: StatusCode, markup: maud::Markup) -> HttpResponse {
    HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .body(markup.into_string())
}

/// The 410 page when the survey no longer (or not yet) accepts answers; the closing date in
/// the instance's local time.
fn closed(state: &AppState, s: &LoadedSurvey, lang: &str) -> Option<HttpResponse> {
    if !s.is_closed(time::OffsetDateTime::now_utc()) {
        return None;
    }
    let zone = &state.settings.timezone;
    let at = s
        .options
        .closes_at
        .map(|t| local_time::display_date(t, zone, view::chrome(lang)));
    Some(page(StatusCode::GONE, view::closed(s, lang, at)))
}

const INVITATION_COOKIE: &str = "insikt_invitation";
const RESUME_COOKIE: &str = "insikt_resume";

/// A short-lived HttpOnly cookie scoped to `path` that hands a code over to the plain URL.
fn code_cookie(
    state: &AppState,
    name: &'static str,
    code: String,
    path: String,
) -> Cookie<'static> {
    Cookie::build(name, code)
        .path(path)
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(state.settings.secure_cookies)
        .max_age(actix_web::cookie::time::Duration::minutes(10))
        .finish()
}

/// A 303 to `to` setting `cookie`.
fn see_other(to: String, cookie: Cookie<'static>) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, to))
        .cookie(cookie)
        .finish()
}

/// `res` with the code cookie `name` (scoped to `path`) removed: a code is used once.
fn without_cookie(
    mut res: HttpResponse,
    name: &'static str,
    path: String,
) -> Result<HttpResponse, AppError> {
    let mut gone = Cookie::new(name, "");
    gone.set_path(path);
    gone.make_removal();
    res.add_removal_cookie(&gone)
        .map_err(|e| AppError::Unexpected(anyhow::Error::new(e)))?;
    Ok(res)
}

/// `GET /s/{key}`: title, introduction, privacy notice and the start button. Hidden questions
/// can be pre-filled from the query string (e.g. a sample stratum in an invitation link). With
/// `?code=` (the e-mail link, the letter's QR code) the access code moves into a short-lived
/// cookie and the browser is sent to the plain URL, so the code does not stay in its history;
/// an invitation-only survey without a code shows the code form.
pub async fn show_survey(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: web::Query<HashMap<String, String>>,
    SurveyAt(s): SurveyAt,
) -> Result<HttpResponse, AppError> {
    let lang = s.language(query.get("lang").map(String::as_str));
    if let Some(closed) = closed(&state, &s, &lang) {
        return Ok(closed);
    }
    if let Some(code) = query.get("code") {
        return Ok(code_redirect(
            &state,
            &s.survey.key,
            code,
            plain_link(&s, &query)?,
        ));
    }
    let hidden = prefilled(&s, &query);
    let Some(typed) = req.cookie(INVITATION_COOKIE).map(|c| c.value().to_owned()) else {
        let body = if s.options.access == Access::Invitation {
            view::code_form(&s, &lang, &csrf(&req), None, "")
        } else {
            view::landing(&s, &lang, &csrf(&req), &hidden, &Entry::default())
        };
        return Ok(page(StatusCode::OK, body));
    };
    limit(&state, &req)?;
    let res = landing_with_code(&req, &state, &s, &lang, &typed, &hidden).await?;
    without_cookie(res, INVITATION_COOKIE, format!("/s/{}", s.survey.key))
}

/// The survey's URL with the rest of the link (language, pre-filled hidden questions) but
/// without the code.
fn plain_link(s: &LoadedSurvey, query: &HashMap<String, String>) -> Result<String, AppError> {
    let mut rest: Vec<(&String, &String)> = query.iter().filter(|(k, _)| *k != "code").collect();
    rest.sort();
    let mut to = format!("/s/{}", s.survey.key);
    if !rest.is_empty() {
        to.push('?');
        to.push_str(&serde_urlencoded::to_string(&rest).map_err(anyhow::Error::from)?);
    }
    Ok(to)
}

/// Hidden questions pre-filled from the query string.
fn prefilled(s: &LoadedSurvey, query: &HashMap<String, String>) -> AnswerMap {
    s.survey
        .questions()
        .filter(|q| matches!(q.kind, QuestionKind::Hidden { .. }))
        .filter_map(|q| {
            query
                .get(&q.key)
                .map(|v| (q.key.clone(), Value::Text(v.clone())))
        })
        .collect()
}

/// A 303 to `to` that hands the access code over in an HttpOnly cookie scoped to the survey.
fn code_redirect(state: &AppState, key: &str, code: &str, to: String) -> HttpResponse {
    // A mangled code still lands on the retry form (as unknown), never on a broken cookie.
    let code = response::normalise_access_code(code).unwrap_or_else(|| "-".into());
    see_other(
        to,
        code_cookie(state, INVITATION_COOKIE, code, format!("/s/{key}")),
    )
}

/// The kind page for a code that cannot be used: missing (403, the code form), unknown (404,
/// with a retry form) or already used (409). Nothing is stored either way.
fn refused(
    req: &HttpRequest,
    s: &LoadedSurvey,
    lang: &str,
    typed: &str,
    r: Refusal,
) -> HttpResponse {
    let (status, problem, typed) = match r {
        Refusal::Used => return page(StatusCode::CONFLICT, view::code_used(s, lang)),
        Refusal::Unknown => (StatusCode::NOT_FOUND, CodeProblem::Unknown, typed),
        Refusal::Missing => (StatusCode::FORBIDDEN, CodeProblem::Missing, ""),
    };
    page(
        status,
        view::code_form(s, lang, &csrf(req), Some(problem), typed),
    )
}

/// The landing for a typed code: with the start button if it is an unused invitation.
async fn landing_with_code(
    req: &HttpRequest,
    state: &AppState,
    s: &LoadedSurvey,
    lang: &str,
    typed: &str,
    hidden: &AnswerMap,
) -> Result<HttpResponse, AppError> {
    Ok(
        match ans::check_code(&state.db, &s.survey_id, typed).await? {
            CodeCheck::Valid(i) => {
                let entry = Entry {
                    invitation: Some(i.code),
                    mode: Mode::Web,
                };
                page(
                    StatusCode::OK,
                    view::landing(s, lang, &csrf(req), hidden, &entry),
                )
            }
            CodeCheck::Used => refused(req, s, lang, typed, Refusal::Used),
            CodeCheck::Unknown => refused(req, s, lang, typed, Refusal::Unknown),
        },
    )
}

/// `POST /s/{key}/code`: a typed access code (rate-limited against guessing).
pub async fn submit_code(
    req: HttpRequest,
    state: web::Data<AppState>,
    form: SurveyForm,
) -> Result<HttpResponse, AppError> {
    let lang = form.lang();
    if let Some(closed) = closed(&state, &form.survey, &lang) {
        return Ok(closed);
    }
    let typed = form.field("code").unwrap_or("");
    landing_with_code(&req, &state, &form.survey, &lang, typed, &AnswerMap::new()).await
}

/// `GET /kod`: the public page where someone holding a letter types its access code.
pub async fn show_code_entry(ctx: PageCtx) -> HttpResponse {
    page(
        StatusCode::OK,
        crate::web::views::home::code_entry(&ctx, false, ""),
    )
}

/// `POST /kod`: find the survey of a typed access code and send the browser there, the code in
/// the same short-lived cookie as the letter's link (rate-limited against guessing).
pub async fn submit_code_entry(
    req: HttpRequest,
    ctx: PageCtx,
    state: web::Data<AppState>,
    CsrfForm(fields): CsrfForm<Fields>,
) -> Result<HttpResponse, AppError> {
    limit(&state, &req)?;
    let typed = field(&fields, "code").unwrap_or("");
    let Some((key, code)) = ans::survey_for_code(&state.db, typed).await? else {
        let body = crate::web::views::home::code_entry(&ctx, true, typed);
        return Ok(page(StatusCode::NOT_FOUND, body));
    };
    let to = match ctx.lang {
        Lang::Sv => format!("/s/{key}"),
        Lang::En => format!("/s/{key}?lang=en"),
    };
    Ok(code_redirect(&state, &key, &code, to))
}

/// The mode an attempt may record: anything but web only from a logged-in interviewer's (or
/// admin's or researcher's) session, whatever the form says; with the user who may.
async fn entry_mode(
    req: &HttpRequest,
    asked: Option<&str>,
) -> Result<(Mode, Option<User>), AppError> {
    let asked = asked.and_then(Mode::parse).unwrap_or(Mode::Web);
    if asked == Mode::Web {
        return Ok((Mode::Web, None));
    }
    Ok(match current_user(req).await? {
        Some(user) if Interviewers::allows(user.role) => (asked, Some(user)),
        _ => (Mode::Web, None),
    })
}

/// `POST /s/{key}/start`: begin an attempt and show the first page. An access code (typed,
/// from the letter's link, or from an interviewer's work list) must be an unused invitation of
/// this survey; it is marked started and carried through the pages in a hidden field.
pub async fn start_survey(
    req: HttpRequest,
    state: web::Data<AppState>,
    form: SurveyForm,
) -> Result<HttpResponse, AppError> {
    let (s, lang) = (&form.survey, form.lang());
    if let Some(closed) = closed(&state, s, &lang) {
        return Ok(closed);
    }
    reject_bots(&form.fields)?;
    let code = form.field("invitation").unwrap_or("").trim();
    let hidden = response::answers_from_form(&s.survey, &[], &form.fields);
    let mode = entry_mode(&req, form.field("mode")).await?.0;
    let start = StartRequest {
        lang: lang.clone(),
        hidden: hidden.clone(),
        code: Some(code.to_owned()),
        mode,
        consent: form.field("consent") == Some("1"),
    };
    Ok(match ans::start(&state.db, s, start).await? {
        Started::Refused(r) => refused(&req, s, &lang, code, r),
        Started::NeedsConsent { invitation } => {
            let entry = Entry { invitation, mode };
            let body = view::landing(s, &lang, &csrf(&req), &hidden, &entry);
            page(StatusCode::UNPROCESSABLE_ENTITY, body)
        }
        Started::Begun(attempt, first) => show(&req, &state, s, *attempt, first, &[]),
    })
}

/// Render page `index` (or the review page when `index` is past the last page).
fn show(
    req: &HttpRequest,
    state: &AppState,
    s: &LoadedSurvey,
    a: Attempt,
    index: usize,
    errors: &[AnswerError],
) -> HttpResponse {
    let mut a = a.sealed(&state.secret, &s.version_id);
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    a.page = index.min(s.survey.pages.len());
    if index >= s.survey.pages.len() {
        let errs: Vec<_> = errors.iter().collect();
        return page(status, view::review(s, &a, &csrf(req), &errs));
    }
    let today = ans::today();
    let layout = a.layout(&s.survey);
    let shown = ans::visible_questions(&s.survey, &layout, index, &a.answers, &today);
    let progress = ans::progress(&s.survey, index, &a.answers, &today, a.progress);
    a.progress = progress.percent;
    let errs = ans::errors_for(errors, &shown);
    let body = view::page(s, &a, &csrf(req), index, &shown, &layout, &errs, progress);
    page(status, body)
}

/// `POST /s/{key}`: Next, Back, Continue later, Change, Submit or another language.
pub async fn answer_page(
    req: HttpRequest,
    state: web::Data<AppState>,
    form: AnswerForm,
) -> Result<HttpResponse, AppError> {
    let AnswerForm {
        survey: s,
        attempt: mut a,
        shown,
        nav,
    } = form;
    if let Some(closed) = closed(&state, &s, &a.lang) {
        return Ok(closed);
    }
    // The access decision again, on every step (the writer decides once more).
    if let Admission::Refused(r) = ans::admit(&state.db, &s, a.invitation.as_deref()).await? {
        let typed = a.invitation.as_deref().unwrap_or("");
        return Ok(refused(&req, &s, &a.lang, typed, r));
    }
    match ans::step(&s, &mut a, nav, &shown) {
        Step::Show(to, errors) => Ok(show(&req, &state, &s, a, to, &errors)),
        Step::Advance { from, to } => {
            if let Some(quota) = ans::full_quota(&state.db, &s, from, &a.answers).await? {
                let body = view::quota_full(&s, &a.lang, Some(quota));
                return Ok(page(StatusCode::FORBIDDEN, body));
            }
            Ok(show(&req, &state, &s, a, to, &[]))
        }
        Step::Save => save(&req, &state, &s, a).await,
        Step::Submit => submit(&req, &state, &s, a).await,
    }
}

/// Hand a validated attempt to the writer; a staff entry is audited with its receipt.
async fn submit(
    req: &HttpRequest,
    state: &AppState,
    s: &Arc<LoadedSurvey>,
    a: Attempt,
) -> Result<HttpResponse, AppError> {
    let (mode, interviewer) = entry_mode(req, Some(a.mode.as_str())).await?;
    let outcome = ans::submit(&state.responses, s, &a, mode).await?;
    if let (SubmitOutcome::Stored { receipt, .. }, Some(user)) = (&outcome, &interviewer) {
        let (s, who, receipt) = (s.clone(), Who::user(user, req), receipt.clone());
        state
            .db
            .run(move |c| ans::record_entry(c, who.actor(), &s, mode, &receipt))
            .await?;
    }
    let staff = interviewer.is_some();
    let zone = &state.settings.timezone;
    Ok(outcome_page(s, &a, outcome, staff, &csrf(req), zone))
}

/// The page for every outcome of a submission; only a stored one shows a receipt.
fn outcome_page(
    s: &LoadedSurvey,
    a: &Attempt,
    outcome: SubmitOutcome,
    staff: bool,
    csrf: &str,
    zone: &local_time::Zone,
) -> HttpResponse {
    match outcome {
        SubmitOutcome::Stored {
            receipt,
            submitted_at,
        }
        | SubmitOutcome::Duplicate {
            receipt,
            submitted_at,
        } => {
            let at = local_time::display(submitted_at, zone, view::chrome(&a.lang));
            page(
                StatusCode::OK,
                view::receipt(
                    s,
                    &a.lang,
                    &receipt,
                    &at,
                    &a.answers,
                    staff.then_some(a.mode),
                ),
            )
        }
        SubmitOutcome::Full => page(StatusCode::FORBIDDEN, view::full(s, &a.lang)),
        SubmitOutcome::QuotaFull { quota } => {
            let q = s.options.quotas.iter().find(|q| q.name == quota);
            page(StatusCode::FORBIDDEN, view::quota_full(s, &a.lang, q))
        }
        SubmitOutcome::InvitationUsed => page(StatusCode::CONFLICT, view::code_used(s, &a.lang)),
        SubmitOutcome::InvitationMissing => page(
            StatusCode::FORBIDDEN,
            view::code_form(s, &a.lang, csrf, Some(CodeProblem::Missing), ""),
        ),
        SubmitOutcome::InvitationUnknown => {
            page(StatusCode::FORBIDDEN, view::code_unknown(s, &a.lang))
        }
    }
}

/// "Continue later": save a draft and show its resume code and link.
async fn save(
    req: &HttpRequest,
    state: &AppState,
    s: &Arc<LoadedSurvey>,
    a: Attempt,
) -> Result<HttpResponse, AppError> {
    let lang = a.lang.clone();
    let (survey, secret) = (s.clone(), state.secret.clone());
    let saved = state
        .run(move |c| ans::save_draft(c, &survey, &a, &secret))
        .await?;
    let link = format!(
        "{}/s/{}/resume?code={}",
        site_base(req),
        s.survey.key,
        saved.code
    );
    let until = local_time::display(saved.until, &state.settings.timezone, view::chrome(&lang));
    let body = view::saved(s, &lang, &saved.code, &link, &until);
    Ok(page(StatusCode::OK, body))
}

/// `GET /s/{key}/resume`: the code form; with `?code=` (the emailed link) the code moves into a
/// short-lived cookie and the browser is sent to the plain URL, so it does not stay in history.
pub async fn show_resume(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: web::Query<HashMap<String, String>>,
    SurveyAt(s): SurveyAt,
) -> Result<HttpResponse, AppError> {
    let lang = s.language(query.get("lang").map(String::as_str));
    let path = format!("/s/{}/resume", s.survey.key);
    if let Some(code) = query.get("code") {
        // Only a well-formed code reaches the header: anything else (`x; Domain=…`) becomes a
        // placeholder that lands on the retry form, so nothing typed is written into a cookie.
        let code = response::normalise_resume_code(code).unwrap_or_else(|| "-".into());
        let cookie = code_cookie(&state, RESUME_COOKIE, code, path.clone());
        return Ok(see_other(path, cookie));
    }
    let Some(code) = req.cookie(RESUME_COOKIE).map(|c| c.value().to_owned()) else {
        let body = view::resume_form(&s, &lang, &csrf(&req), false, "");
        return Ok(page(StatusCode::OK, body));
    };
    // Every way a code is looked up counts against the same per-address limit.
    limit(&state, &req)?;
    let res = resume(&req, &state, &s, &lang, &code).await?;
    without_cookie(res, RESUME_COOKIE, path)
}

/// `POST /s/{key}/resume`: a typed code.
pub async fn submit_resume(
    req: HttpRequest,
    state: web::Data<AppState>,
    form: SurveyForm,
) -> Result<HttpResponse, AppError> {
    let typed = form.field("code").unwrap_or("");
    resume(&req, &state, &form.survey, &form.lang(), typed).await
}

/// The attempt a resume code restores, on its saved page; the code form again when the code
/// is malformed or unknown.
async fn resume(
    req: &HttpRequest,
    state: &AppState,
    s: &Arc<LoadedSurvey>,
    lang: &str,
    typed: &str,
) -> Result<HttpResponse, AppError> {
    if let Some(closed) = closed(state, s, lang) {
        return Ok(closed);
    }
    let found = match response::normalise_resume_code(typed) {
        Some(code) => {
            let (survey, secret) = (s.clone(), state.secret.clone());
            state
                .run(move |c| ans::resume(c, &survey, &secret, &code))
                .await?
        }
        None => None,
    };
    let Some(a) = found else {
        let body = view::resume_form(s, lang, &csrf(req), true, typed);
        return Ok(page(StatusCode::UNPROCESSABLE_ENTITY, body));
    };
    let index = a.page;
    Ok(show(req, state, s, a, index, &[]))
}
