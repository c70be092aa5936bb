//! The respondent pages: landing, one POST endpoint that moves between pages, save-and-resume,
//! submission and the receipt.

use std::collections::HashMap;
use std::sync::Arc;

use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpMessage, HttpRequest, HttpResponse};
use sha2::{Digest, Sha256};

use crate::auth::csrf::CsrfToken;
use crate::domain::expr::Value;
use crate::domain::lang::Msg;
use crate::domain::options::Access;
use crate::domain::response::{self, Mode};
use crate::domain::survey::flow::AnswerMap;
use crate::domain::survey::QuestionKind;
use crate::domain::user::User;
use crate::storage::invitations::Invitation;
use crate::storage::responses::SubmitOutcome;
use crate::storage::{self};
use crate::use_cases::answering::{self as ans, Attempt, LoadedSurvey, Nav};
use crate::use_cases::Actor;
use crate::web::access::{current_user, Interviewers, Policy};
use crate::web::error::AppError;
use crate::web::forms::{client_ip, site_base, CsrfForm, PageCtx};
use crate::web::views::respond::{self as view, CodeProblem, Entry};
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
/// can be pre-filled from the query string (e.g. a sample stratum in an invitation link). With
/// `?code=` (the e-mail link, the letter's QR code) the access code moves into a short-lived
/// cookie and the browser is sent to the plain URL, so the code does not stay in its history;
/// an invitation-only survey without a code shows the code form.
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
    if let Some(code) = query.get("code") {
        // Keep the rest of the link (language, pre-filled hidden questions).
        let mut rest: Vec<(&String, &String)> =
            query.iter().filter(|(k, _)| *k != "code").collect();
        rest.sort();
        let mut to = format!("/s/{}", s.survey.key);
        if !rest.is_empty() {
            to.push('?');
            to.push_str(&serde_urlencoded::to_string(&rest).map_err(anyhow::Error::from)?);
        }
        return Ok(code_redirect(&state, &s.survey.key, code, &to));
    }
    let hidden = prefilled(&s, &query);
    let Some(typed) = req.cookie(INVITATION_COOKIE).map(|c| c.value().to_owned()) else {
        if s.options.access == Access::Invitation {
            let body = view::code_form(&s, &lang, &csrf(&req), None, "");
            return Ok(page(StatusCode::OK, body));
        }
        let body = view::landing(&s, &lang, &csrf(&req), &hidden, &Entry::default());
        return Ok(page(StatusCode::OK, body));
    };
    limit(&state, &req)?;
    let mut res = landing_with_code(&req, &state, &s, &lang, &typed, &hidden).await?;
    let mut gone = actix_web::cookie::Cookie::new(INVITATION_COOKIE, "");
    gone.set_path(format!("/s/{}", s.survey.key));
    gone.make_removal();
    res.add_removal_cookie(&gone)
        .map_err(|e| AppError::Unexpected(anyhow::anyhow!(e.to_string())))?;
    Ok(res)
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

const INVITATION_COOKIE: &str = "insikt_invitation";

/// A 303 to `to` that hands the access code over in an HttpOnly cookie scoped to the survey.
fn code_redirect(state: &AppState, key: &str, code: &str, to: &str) -> HttpResponse {
    // A mangled code still lands on the retry form (as unknown), never on a broken cookie.
    let code = response::normalise_access_code(code).unwrap_or_else(|| "-".into());
    let cookie = actix_web::cookie::Cookie::build(INVITATION_COOKIE, code)
        .path(format!("/s/{key}"))
        .http_only(true)
        .same_site(actix_web::cookie::SameSite::Lax)
        .secure(state.settings.secure_cookies)
        .max_age(actix_web::cookie::time::Duration::minutes(10))
        .finish();
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, to.to_owned()))
        .cookie(cookie)
        .finish()
}

/// What a typed access code turned out to be.
enum CodeCheck {
    /// An unused invitation of this survey.
    Valid(Box<Invitation>),
    /// Already used to answer.
    Used,
    /// Not a code of this survey.
    Unknown,
}

async fn check_code(
    state: &AppState,
    s: &LoadedSurvey,
    typed: &str,
) -> Result<CodeCheck, AppError> {
    let Some(code) = response::normalise_access_code(typed) else {
        return Ok(CodeCheck::Unknown);
    };
    let found = state
        .db
        .run(move |c| storage::invitations::find_by_code(c, &code))
        .await?;
    Ok(match found {
        Some(i) if i.survey_id == s.survey_id && i.completed_at.is_some() => CodeCheck::Used,
        Some(i) if i.survey_id == s.survey_id => CodeCheck::Valid(Box::new(i)),
        _ => CodeCheck::Unknown,
    })
}

/// The kind page for a code that cannot be used: unknown (404, with a retry form) or already
/// used (409). Nothing is stored either way.
fn code_refused(
    req: &HttpRequest,
    s: &LoadedSurvey,
    lang: &str,
    typed: &str,
    used: bool,
) -> HttpResponse {
    if used {
        return page(StatusCode::CONFLICT, view::code_used(s, lang));
    }
    let body = view::code_form(s, lang, &csrf(req), Some(CodeProblem::Unknown), typed);
    page(StatusCode::NOT_FOUND, body)
}

async fn landing_with_code(
    req: &HttpRequest,
    state: &AppState,
    s: &LoadedSurvey,
    lang: &str,
    typed: &str,
    hidden: &AnswerMap,
) -> Result<HttpResponse, AppError> {
    Ok(match check_code(state, s, typed).await? {
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
        CodeCheck::Used => code_refused(req, s, lang, typed, true),
        CodeCheck::Unknown => code_refused(req, s, lang, typed, false),
    })
}

/// `POST /s/{key}/code`: a typed access code (rate-limited against guessing).
pub async fn submit_code(
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
    let typed = field(&fields, "code").unwrap_or("");
    landing_with_code(&req, &state, &s, &lang, typed, &AnswerMap::new()).await
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
    let typed = field(&fields, "code").unwrap_or("").to_owned();
    let key = match response::normalise_access_code(&typed) {
        Some(code) => {
            let c = code.clone();
            let key = state
                .db
                .run(move |conn| storage::invitations::survey_key_for_code(conn, &c))
                .await?;
            key.map(|k| (k, code))
        }
        None => None,
    };
    let Some((key, code)) = key else {
        let body = crate::web::views::home::code_entry(&ctx, true, &typed);
        return Ok(page(StatusCode::NOT_FOUND, body));
    };
    let to = match ctx.lang {
        crate::web::i18n::Lang::Sv => format!("/s/{key}"),
        crate::web::i18n::Lang::En => format!("/s/{key}?lang=en"),
    };
    Ok(code_redirect(&state, &key, &code, &to))
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
    let invitation = match admit(&req, &state, &s, &lang, &fields).await? {
        Ok(invitation) => invitation,
        Err(refused) => return Ok(refused),
    };
    let hidden = response::answers_from_form(&s.survey, &[], &fields);
    let entry = Entry {
        invitation: invitation.as_ref().map(|i| i.code.clone()),
        mode: entry_mode(&req, field(&fields, "mode")).await?.0,
    };
    let consent_needed =
        s.options.privacy.legal_basis == crate::domain::options::LegalBasis::Consent;
    if consent_needed && field(&fields, "consent") != Some("1") {
        let body = view::landing(&s, &lang, &csrf(&req), &hidden, &entry);
        return Ok(page(StatusCode::UNPROCESSABLE_ENTITY, body));
    }
    if let Some(i) = invitation {
        let anonymous = s.options.anonymous;
        state
            .db
            .run(move |c| storage::invitations::mark_started(c, &i.id, anonymous))
            .await?;
    }
    let mut attempt = Attempt::start(lang, hidden);
    attempt.invitation = entry.invitation;
    attempt.mode = entry.mode;
    let first = ans::next_page(&s.survey, 0, &attempt.answers, &ans::today());
    Ok(show(&req, &state, &s, attempt, first, &[]))
}

/// The invitation a start form names, if any; `Err(page)` when the code cannot be used or an
/// invitation-only survey got none.
async fn admit(
    req: &HttpRequest,
    state: &AppState,
    s: &LoadedSurvey,
    lang: &str,
    fields: &Fields,
) -> Result<Result<Option<Invitation>, HttpResponse>, AppError> {
    let typed = field(fields, "invitation").unwrap_or("").trim();
    if typed.is_empty() {
        if s.options.access == Access::Invitation {
            let body = view::code_form(s, lang, &csrf(req), Some(CodeProblem::Missing), "");
            return Ok(Err(page(StatusCode::FORBIDDEN, body)));
        }
        return Ok(Ok(None));
    }
    Ok(match check_code(state, s, typed).await? {
        CodeCheck::Valid(i) => Ok(Some(*i)),
        CodeCheck::Used => Err(code_refused(req, s, lang, typed, true)),
        CodeCheck::Unknown => Err(code_refused(req, s, lang, typed, false)),
    })
}

/// The access decision again, on every step: an invitation-only survey's attempt must still
/// hold an unused code of this survey (it may have been used in another tab or by another
/// attempt since the start). `Some(page)` when it does not. The writer decides once more.
async fn still_admitted(
    req: &HttpRequest,
    state: &AppState,
    s: &LoadedSurvey,
    a: &Attempt,
) -> Result<Option<HttpResponse>, AppError> {
    let Some(code) = a.invitation.as_deref() else {
        if s.options.access == Access::Invitation {
            let body = view::code_form(s, &a.lang, &csrf(req), Some(CodeProblem::Missing), "");
            return Ok(Some(page(StatusCode::FORBIDDEN, body)));
        }
        return Ok(None);
    };
    Ok(match check_code(state, s, code).await? {
        CodeCheck::Valid(_) => None,
        CodeCheck::Used => Some(code_refused(req, s, &a.lang, code, true)),
        CodeCheck::Unknown => Some(code_refused(req, s, &a.lang, code, false)),
    })
}

fn reject_bots(fields: &Fields) -> Result<(), AppError> {
    if field(fields, "website").is_some_and(|v| !v.is_empty()) {
        return Err(AppError::BadRequest(Msg::fixed(
            "Formuläret innehöll ett fält som människor lämnar tomt.",
            "the form contained a field people leave empty",
        )));
    }
    Ok(())
}

/// Render page `index` (or the review page when `index` is past the last page).
fn show(
    req: &HttpRequest,
    state: &AppState,
    s: &LoadedSurvey,
    a: Attempt,
    index: usize,
    errors: &[crate::domain::survey::flow::AnswerError],
) -> HttpResponse {
    let mut a = a.sealed(&state.secret, &s.version_id);
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

fn attempt_from(
    state: &AppState,
    s: &LoadedSurvey,
    fields: &Fields,
) -> Result<(Attempt, Vec<String>), AppError> {
    let bad = |what: &str| {
        AppError::BadRequest(Msg::new(
            format!("Formuläret saknar fältet '{what}' eller har det i fel form."),
            format!("the form is missing or has a broken '{what}'"),
        ))
    };
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
    let a = Attempt {
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
        // Only what was asked for: `entry_mode` checks the session before it counts.
        mode: field(fields, "mode")
            .and_then(Mode::parse)
            .unwrap_or(Mode::Web),
        started,
        answers: response::answers_from_form(&s.survey, &shown_qs, fields),
        seal: field(fields, "seal").unwrap_or("").to_owned(),
    };
    // Only a start or a resume seals an attempt: a form made up without one, or with a sealed
    // field (key, seed, start time, invitation, mode, draft) changed, is refused.
    if !a.seal_holds(&state.secret, &s.version_id) {
        return Err(AppError::BadRequest(Msg::fixed(
            "Formulärets svarsomgång startades inte på den här servern.",
            "the form's answering attempt was not started on this server",
        )));
    }
    Ok((a, shown))
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
    let (mut a, shown) = attempt_from(&state, &s, &fields)?;
    if s.is_closed(time::OffsetDateTime::now_utc()) {
        return Ok(closed_page(&s, &a.lang));
    }
    if let Some(refused) = still_admitted(&req, &state, &s, &a).await? {
        return Ok(refused);
    }
    let nav = field(&fields, "nav")
        .and_then(Nav::parse)
        .unwrap_or(Nav::Next);
    let today = ans::today();
    let here = a.page;
    match nav {
        Nav::Language(l) => {
            a.lang = s.language(Some(&l));
            Ok(show(&req, &state, &s, a, here, &[]))
        }
        Nav::Back => {
            ans::validate(&s, &mut a.answers, None);
            let to = ans::previous_page(&s.survey, here, &a.answers, &today);
            Ok(show(&req, &state, &s, a, to, &[]))
        }
        Nav::Goto(n) => {
            let to = ans::next_page(&s.survey, n.min(s.survey.pages.len()), &a.answers, &today);
            Ok(show(&req, &state, &s, a, to, &[]))
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
                return Ok(show(&req, &state, &s, a, here, &errors));
            }
            if let Some(quota) = ans::full_quota(&state.db, &s, here, &a.answers).await? {
                return Ok(page(
                    StatusCode::FORBIDDEN,
                    view::quota_full(&s, &a.lang, Some(quota)),
                ));
            }
            let to = ans::next_page(&s.survey, here + 1, &a.answers, &today);
            Ok(show(&req, &state, &s, a, to, &[]))
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
        return Ok(show(req, state, s, a, page_of, &errors));
    }
    let (mode, interviewer) = entry_mode(req, Some(a.mode.as_str())).await?;
    let outcome = ans::submit(&state.responses, s, &a, mode).await?;
    if let (SubmitOutcome::Stored { receipt, .. }, Some(user)) = (&outcome, &interviewer) {
        record_entry(req, state, s, user, mode, receipt).await?;
    }
    Ok(outcome_page(
        s,
        &a,
        outcome,
        interviewer.is_some(),
        &csrf(req),
    ))
}

/// The interviewer goes to the audit log, never into the response: survey, mode and (unless
/// the survey is anonymous) the receipt, so a paper form can be matched to its entry.
async fn record_entry(
    req: &HttpRequest,
    state: &AppState,
    s: &LoadedSurvey,
    user: &User,
    mode: Mode,
    receipt: &str,
) -> Result<(), AppError> {
    let mut detail = format!("survey={} mode={}", s.survey.key, mode.as_str());
    if !s.options.anonymous {
        detail.push_str(&format!(" receipt={receipt}"));
    }
    let (id, name, ip, key) = (
        user.id.clone(),
        user.username.clone(),
        client_ip(req),
        s.survey.key.clone(),
    );
    state
        .db
        .run(move |c| {
            let actor = Actor {
                id: Some(&id),
                name: &name,
                ip: Some(&ip),
            };
            actor.record(c, "response.entered", &key, &detail)
        })
        .await?;
    Ok(())
}

/// The page for every outcome of a submission; only a stored one shows a receipt.
fn outcome_page(
    s: &LoadedSurvey,
    a: &Attempt,
    outcome: SubmitOutcome,
    staff: bool,
    csrf: &str,
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
            let at = submitted_at
                .format(time::macros::format_description!(
                    "[year]-[month]-[day] [hour]:[minute]"
                ))
                .unwrap_or_default();
            page(
                StatusCode::OK,
                view::receipt(s, &a.lang, &receipt, &at, &a.answers, staff),
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
    let draft = ans::new_draft(s, &a, &state.secret, &code).map_err(anyhow::Error::from)?;
    let (hash, replaces) = (hash_code(&code), a.draft.clone());
    state
        .db
        .run(move |c| {
            storage::responses::insert_draft(c, &hash, &draft, expires, replaces.as_deref())
        })
        .await?;
    let link = format!("{}/s/{}/resume?code={code}", site_base(req), s.survey.key);
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
        // Only a well-formed code reaches the header: anything else (`x; Domain=…`) becomes a
        // placeholder that lands on the retry form, so nothing typed is written into a cookie.
        let code = response::normalise_resume_code(code).unwrap_or_else(|| "-".into());
        let cookie = actix_web::cookie::Cookie::build(RESUME_COOKIE, code)
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
        // Every way a code is looked up counts against the same per-address limit.
        limit(&state, &req)?;
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
    let code = response::normalise_resume_code(typed);
    let found = match &code {
        Some(code) => {
            let hash = hash_code(code);
            state
                .db
                .run(move |c| storage::responses::find_draft(c, &hash))
                .await?
        }
        None => None,
    };
    let (Some(code), Some(draft)) = (code, found.filter(|d| d.version_id == s.version_id)) else {
        let body = view::resume_form(s, lang, &csrf(req), true, typed);
        return Ok(page(StatusCode::UNPROCESSABLE_ENTITY, body));
    };
    let content = ans::draft_content(&state.secret, &code, &draft).map_err(anyhow::Error::from)?;
    let a = Attempt {
        attempt: content.attempt,
        seed: content.seed,
        lang: draft.language,
        page: usize::try_from(draft.page).unwrap_or(0),
        draft: Some(draft.id),
        invitation: content.invitation,
        mode: Mode::Web,
        started: time::OffsetDateTime::now_utc().unix_timestamp(),
        answers: content.answers,
        seal: String::new(),
    };
    let index = a.page;
    Ok(show(req, state, s, a, index, &[]))
}
