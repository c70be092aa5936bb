//! The respondent pages: landing, one POST endpoint that moves between pages, save-and-resume,
//! submission and the receipt.

use std::collections::HashMap;
use std::sync::Arc;

use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpMessage, HttpRequest, HttpResponse};
use sha2::{Digest, Sha256};

use crate::answering::{self as ans, Attempt, LoadedSurvey, Nav};
use crate::auth::csrf::CsrfToken;
use crate::domain::expr::Value;
use crate::domain::response::{self, Mode};
use crate::domain::survey::flow::AnswerMap;
use crate::domain::survey::QuestionKind;
use crate::storage::responses::{Draft, SubmitOutcome};
use crate::storage::{self};
use crate::web::error::AppError;
use crate::web::forms::{client_ip, CsrfForm};
use crate::web::views::respond as view;
use crate::web::AppState;

type Fields = Vec<(String, String)>;

fn field<'a>(fields: &'a Fields, name: &str) -> Option<&'a str> {
    fields
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

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

async fn load(state: &AppState, key: &str) -> Result<Arc<LoadedSurvey>, AppError> {
    state
        .surveys
        .get(&state.db, key)
        .await?
        .ok_or(AppError::NotFound)
}

fn closed_page(s: &LoadedSurvey, lang: &str) -> HttpResponse {
    let at = s.options.closes_at.map(|t| format!("{}", t.date()));
    page(StatusCode::GONE, view::closed(s, lang, at))
}

fn limit(state: &AppState, req: &HttpRequest) -> Result<(), AppError> {
    state
        .limiter
        .check(&client_ip(req))
        .map_err(|secs| AppError::TooManyRequests {
            retry_after_secs: i64::try_from(secs).unwrap_or(60),
        })
}

/// `GET /s/{key}`: title, introduction, privacy notice and the start button. Hidden questions
/// can be pre-filled from the query string (e.g. a sample stratum in an invitation link).
pub async fn show_survey(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    query: web::Query<HashMap<String, String>>,
) -> Result<HttpResponse, AppError> {
    let s = load(&state, &path).await?;
    let lang = s.language(query.get("lang").map(String::as_str));
    if s.is_closed(time::OffsetDateTime::now_utc()) {
        return Ok(closed_page(&s, &lang));
    }
    let hidden: AnswerMap = s
        .survey
        .questions()
        .filter(|q| matches!(q.kind, QuestionKind::Hidden { .. }))
        .filter_map(|q| {
            query
                .get(&q.key)
                .map(|v| (q.key.clone(), Value::Text(v.clone())))
        })
        .collect();
    Ok(page(
        StatusCode::OK,
        view::landing(&s, &lang, &csrf(&req), &hidden),
    ))
}

/// `POST /s/{key}/start`: begin an attempt and show the first page.
pub async fn start_survey(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    CsrfForm(fields): CsrfForm<Fields>,
) -> Result<HttpResponse, AppError> {
    limit(&state, &req)?;
    let s = load(&state, &path).await?;
    let lang = s.language(field(&fields, "lang"));
    if s.is_closed(time::OffsetDateTime::now_utc()) {
        return Ok(closed_page(&s, &lang));
    }
    reject_bots(&fields)?;
    let hidden = response::answers_from_form(&s.survey, &[], &fields);
    let consent_needed =
        s.options.privacy.legal_basis == crate::domain::options::LegalBasis::Consent;
    if consent_needed && field(&fields, "consent") != Some("1") {
        let body = view::landing(&s, &lang, &csrf(&req), &hidden);
        return Ok(page(StatusCode::UNPROCESSABLE_ENTITY, body));
    }
    let attempt = Attempt::start(lang, hidden);
    let first = ans::next_page(&s.survey, 0, &attempt.answers, &ans::today());
    Ok(show(&req, &s, attempt, first, &[]))
}

fn reject_bots(fields: &Fields) -> Result<(), AppError> {
    if field(fields, "website").is_some_and(|v| !v.is_empty()) {
        return Err(AppError::BadRequest(
            "the form contained a field people leave empty".into(),
        ));
    }
    Ok(())
}

/// Render page `index` (or the review page when `index` is past the last page).
fn show(
    req: &HttpRequest,
    s: &LoadedSurvey,
    mut a: Attempt,
    index: usize,
    errors: &[crate::domain::survey::flow::AnswerError],
) -> HttpResponse {
    let today = ans::today();
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    if index >= s.survey.pages.len() {
        a.page = s.survey.pages.len();
        let errs: Vec<_> = errors.iter().collect();
        return page(status, view::review(s, &a, &csrf(req), &errs));
    }
    a.page = index;
    let layout = a.layout(&s.survey);
    let shown = ans::visible_questions(&s.survey, &layout, index, &a.answers, &today);
    let showing: Vec<usize> = (0..s.survey.pages.len())
        .filter(|&i| ans::page_shows(&s.survey, i, &a.answers, &today))
        .collect();
    let number = showing
        .iter()
        .position(|&i| i == index)
        .map_or(1, |p| p + 1);
    let errs = ans::errors_for(errors, &shown);
    page(
        status,
        view::page(
            s,
            &a,
            &csrf(req),
            index,
            &shown,
            &layout,
            &errs,
            showing.len().max(1),
            number,
        ),
    )
}

fn attempt_from(s: &LoadedSurvey, fields: &Fields) -> Result<(Attempt, Vec<String>), AppError> {
    let bad =
        |what: &str| AppError::BadRequest(format!("the form is missing or has a broken '{what}'"));
    let attempt = field(fields, "attempt")
        .filter(|a| a.len() == 32 && a.bytes().all(|b| b.is_ascii_hexdigit()))
        .ok_or_else(|| bad("attempt"))?;
    let seed = field(fields, "seed")
        .and_then(|v| v.parse().ok())
        .ok_or_else(|| bad("seed"))?;
    let page = field(fields, "page")
        .and_then(|v| v.parse::<usize>().ok())
        .filter(|p| *p <= s.survey.pages.len())
        .ok_or_else(|| bad("page"))?;
    let started = field(fields, "started")
        .and_then(|v| v.parse().ok())
        .ok_or_else(|| bad("started"))?;
    let shown: Vec<String> = field(fields, "shown")
        .unwrap_or("")
        .split(',')
        .filter(|k| !k.is_empty())
        .map(str::to_owned)
        .collect();
    let shown_qs: Vec<_> = shown.iter().filter_map(|k| s.survey.question(k)).collect();
    Ok((
        Attempt {
            attempt: attempt.to_owned(),
            seed,
            lang: s.language(field(fields, "lang")),
            page,
            draft: field(fields, "draft")
                .filter(|d| !d.is_empty())
                .map(str::to_owned),
            invitation: field(fields, "invitation")
                .filter(|d| !d.is_empty())
                .map(str::to_owned),
            started,
            answers: response::answers_from_form(&s.survey, &shown_qs, fields),
        },
        shown,
    ))
}

/// `POST /s/{key}`: Next, Back, Continue later, Change, Submit or another language.
pub async fn answer_page(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    CsrfForm(fields): CsrfForm<Fields>,
) -> Result<HttpResponse, AppError> {
    limit(&state, &req)?;
    let s = load(&state, &path).await?;
    reject_bots(&fields)?;
    let (mut a, shown) = attempt_from(&s, &fields)?;
    if s.is_closed(time::OffsetDateTime::now_utc()) {
        return Ok(closed_page(&s, &a.lang));
    }
    let nav = field(&fields, "nav")
        .and_then(Nav::parse)
        .unwrap_or(Nav::Next);
    let today = ans::today();
    let here = a.page;
    match nav {
        Nav::Language(l) => {
            a.lang = s.language(Some(&l));
            Ok(show(&req, &s, a, here, &[]))
        }
        Nav::Back => {
            ans::validate(&s, &mut a.answers, None);
            let to = ans::previous_page(&s.survey, here, &a.answers, &today);
            Ok(show(&req, &s, a, to, &[]))
        }
        Nav::Goto(n) => {
            let to = ans::next_page(&s.survey, n.min(s.survey.pages.len()), &a.answers, &today);
            Ok(show(&req, &s, a, to, &[]))
        }
        Nav::Save => save(&req, &state, &s, a).await,
        Nav::Next => {
            let errors = ans::validate(
                &s,
                &mut a.answers,
                (here < s.survey.pages.len()).then_some(here),
            );
            let layout = a.layout(&s.survey);
            let now_visible: Vec<String> =
                ans::visible_questions(&s.survey, &layout, here, &a.answers, &today)
                    .iter()
                    .map(|q| q.key.clone())
                    .collect();
            // Without JavaScript a question that became relevant on this very page appears
            // only now: show the page again so it can be answered.
            let grew = now_visible.iter().any(|k| !shown.contains(k));
            if !errors.is_empty() || (grew && here < s.survey.pages.len()) {
                return Ok(show(&req, &s, a, here, &errors));
            }
            let to = ans::next_page(&s.survey, here + 1, &a.answers, &today);
            Ok(show(&req, &s, a, to, &[]))
        }
        Nav::Submit => submit(&req, &state, &s, a).await,
    }
}

async fn submit(
    req: &HttpRequest,
    state: &AppState,
    s: &LoadedSurvey,
    mut a: Attempt,
) -> Result<HttpResponse, AppError> {
    let errors = ans::validate(s, &mut a.answers, None);
    if let Some(first) = errors.first() {
        let key = ans::error_question(first);
        let page_of = s
            .survey
            .pages
            .iter()
            .position(|p| p.questions.iter().any(|q| response::owns(q, key)))
            .unwrap_or(0);
        return Ok(show(req, s, a, page_of, &errors));
    }
    match ans::submit(&state.responses, s, &a, Mode::Web).await? {
        SubmitOutcome::Stored {
            receipt,
            submitted_at,
        }
        | SubmitOutcome::Duplicate {
            receipt,
            submitted_at,
        } => {
            let at = submitted_at
                .format(time::macros::format_description!(
                    "[year]-[month]-[day] [hour]:[minute]"
                ))
                .unwrap_or_default();
            Ok(page(
                StatusCode::OK,
                view::receipt(s, &a.lang, &receipt, &at, &a.answers),
            ))
        }
        SubmitOutcome::Full
        | SubmitOutcome::QuotaFull { .. }
        | SubmitOutcome::InvitationUsed
        | SubmitOutcome::InvitationUnknown => {
            Ok(page(StatusCode::FORBIDDEN, view::full(s, &a.lang)))
        }
    }
}

fn hash_code(code: &str) -> String {
    Sha256::digest(code.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

async fn save(
    req: &HttpRequest,
    state: &AppState,
    s: &LoadedSurvey,
    a: Attempt,
) -> Result<HttpResponse, AppError> {
    let code = response::new_resume_code();
    let days = i64::from(s.options.resume_days.max(1));
    let expires = storage::now() + time::Duration::days(days);
    let draft = Draft {
        id: uuid::Uuid::new_v4().to_string(),
        version_id: s.version_id.clone(),
        language: a.lang.clone(),
        seed: i64::try_from(a.seed).unwrap_or(0),
        attempt: a.attempt.clone(),
        page: i32::try_from(a.page).unwrap_or(0),
        answers: serde_json::to_string(&a.answers).map_err(anyhow::Error::from)?,
        invitation_code: a.invitation.clone(),
    };
    let (hash, replaces) = (hash_code(&code), a.draft.clone());
    state
        .db
        .run(move |c| {
            storage::responses::insert_draft(c, &hash, &draft, expires, replaces.as_deref())
        })
        .await?;
    let info = req.connection_info();
    let link = format!(
        "{}://{}/s/{}/resume?code={code}",
        info.scheme(),
        info.host(),
        s.survey.key
    );
    let until = expires
        .format(time::macros::format_description!("[year]-[month]-[day]"))
        .unwrap_or_default();
    Ok(page(
        StatusCode::OK,
        view::saved(s, &a.lang, &code, &link, &until),
    ))
}

const RESUME_COOKIE: &str = "insikt_resume";

/// `GET /s/{key}/resume`: the code form; with `?code=` (the emailed link) the code moves into a
/// short-lived cookie and the browser is sent to the plain URL, so it does not stay in history.
pub async fn show_resume(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    query: web::Query<HashMap<String, String>>,
) -> Result<HttpResponse, AppError> {
    let s = load(&state, &path).await?;
    let lang = s.language(query.get("lang").map(String::as_str));
    if let Some(code) = query.get("code") {
        let cookie = actix_web::cookie::Cookie::build(RESUME_COOKIE, code.clone())
            .path(format!("/s/{}/resume", s.survey.key))
            .http_only(true)
            .same_site(actix_web::cookie::SameSite::Lax)
            .secure(state.settings.secure_cookies)
            .max_age(actix_web::cookie::time::Duration::minutes(10))
            .finish();
        return Ok(HttpResponse::SeeOther()
            .insert_header((header::LOCATION, format!("/s/{}/resume", s.survey.key)))
            .cookie(cookie)
            .finish());
    }
    if let Some(code) = req.cookie(RESUME_COOKIE).map(|c| c.value().to_owned()) {
        let mut res = resume(&req, &state, &s, &lang, &code).await?;
        let mut gone = actix_web::cookie::Cookie::new(RESUME_COOKIE, "");
        gone.set_path(format!("/s/{}/resume", s.survey.key));
        gone.make_removal();
        res.add_removal_cookie(&gone)
            .map_err(|e| AppError::Unexpected(anyhow::anyhow!(e.to_string())))?;
        return Ok(res);
    }
    Ok(page(
        StatusCode::OK,
        view::resume_form(&s, &lang, &csrf(&req), false, ""),
    ))
}

/// `POST /s/{key}/resume`: a typed code.
pub async fn submit_resume(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    CsrfForm(fields): CsrfForm<Fields>,
) -> Result<HttpResponse, AppError> {
    limit(&state, &req)?;
    let s = load(&state, &path).await?;
    let lang = s.language(field(&fields, "lang"));
    resume(
        &req,
        &state,
        &s,
        &lang,
        field(&fields, "code").unwrap_or(""),
    )
    .await
}

async fn resume(
    req: &HttpRequest,
    state: &AppState,
    s: &LoadedSurvey,
    lang: &str,
    typed: &str,
) -> Result<HttpResponse, AppError> {
    if s.is_closed(time::OffsetDateTime::now_utc()) {
        return Ok(closed_page(s, lang));
    }
    let found = match response::normalise_resume_code(typed) {
        Some(code) => {
            let hash = hash_code(&code);
            state
                .db
                .run(move |c| storage::responses::find_draft(c, &hash))
                .await?
        }
        None => None,
    };
    let Some(draft) = found.filter(|d| d.version_id == s.version_id) else {
        let body = view::resume_form(s, lang, &csrf(req), true, typed);
        return Ok(page(StatusCode::UNPROCESSABLE_ENTITY, body));
    };
    let answers: AnswerMap = serde_json::from_str(&draft.answers).map_err(anyhow::Error::from)?;
    let a = Attempt {
        attempt: draft.attempt,
        seed: u64::try_from(draft.seed).unwrap_or(0),
        lang: draft.language,
        page: usize::try_from(draft.page).unwrap_or(0),
        draft: Some(draft.id),
        invitation: draft.invitation_code,
        started: time::OffsetDateTime::now_utc().unix_timestamp(),
        answers,
    };
    let index = a.page;
    Ok(show(req, s, a, index, &[]))
}
