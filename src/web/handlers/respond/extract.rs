//! The preambles every respondent handler shares, as extractors: the published survey of the
//! path (404 when there is none), the checked form with the per-address rate limit, and the
//! attempt the page form carries, its seal checked.

use std::sync::Arc;

use actix_web::dev::Payload;
use actix_web::{web, FromRequest, HttpRequest};

use crate::domain::lang::Msg;
use crate::domain::response::{self, Mode};
use crate::use_cases::answering::{Attempt, LoadedSurvey, Nav};
use crate::web::error::AppError;
use crate::web::forms::{client_ip, CsrfForm, LocalFuture};
use crate::web::AppState;

/// The fields of a respondent form, in order (checkboxes repeat a name).
pub type Fields = Vec<(String, String)>;

/// The keys of the questions the page showed (its `shown` field).
pub fn shown_keys(fields: &Fields) -> Vec<String> {
    field(fields, "shown")
        .unwrap_or("")
        .split(',')
        .filter(|k| !k.is_empty())
        .map(str::to_owned)
        .collect()
}

/// The first value of field `name`.
pub fn field<'a>(fields: &'a Fields, name: &str) -> Option<&'a str> {
    fields
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

fn state_of(req: &HttpRequest) -> Result<web::Data<AppState>, AppError> {
    req.app_data::<web::Data<AppState>>()
        .cloned()
        .ok_or_else(|| AppError::unexpected("application state missing"))
}

/// The per-address rate limit of the public pages that look codes up or store something.
pub fn limit(state: &AppState, req: &HttpRequest) -> Result<(), AppError> {
    state
        .limiter
        .check_client(&crate::web::ratelimit::Client::Address(client_ip(req)))
        .map_err(|secs| AppError::TooManyRequests {
            retry_after_secs: i64::try_from(secs).unwrap_or(60),
        })
}

/// The published survey of the `{key}` path segment (cached), or a 404.
async fn load(req: &HttpRequest, state: &AppState) -> Result<Arc<LoadedSurvey>, AppError> {
    let key = web::Path::<String>::from_request(req, &mut Payload::None)
        .await
        .map_err(|_| AppError::NotFound)?
        .into_inner();
    state
        .surveys
        .get(&state.db, &key)
        .await?
        .ok_or(AppError::NotFound)
}

/// The rate limit of an answering form: per account for a logged-in interviewer (authenticated,
/// so counted by who they are rather than the address a call centre shares), per address for
/// everyone else.
pub async fn limit_form(state: &AppState, req: &HttpRequest) -> Result<(), AppError> {
    use crate::web::access::{current_user, Interviewers, Policy};
    use crate::web::ratelimit::Client;
    let client = match current_user(req).await? {
        Some(user) if Interviewers::allows(user.role) => Client::Account(user.id),
        _ => Client::Address(client_ip(req)),
    };
    state
        .limiter
        .check_client(&client)
        .map_err(|secs| AppError::TooManyRequests {
            retry_after_secs: i64::try_from(secs).unwrap_or(60),
        })
}

/// `GET /s/{key}…`: the published survey (no rate limit: reading a landing page looks nothing up).
pub struct SurveyAt(pub Arc<LoadedSurvey>);

impl FromRequest for SurveyAt {
    type Error = AppError;
    type Future = LocalFuture<Self>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let state = state_of(&req)?;
            Ok(SurveyAt(load(&req, &state).await?))
        })
    }
}

/// `POST /s/{key}…`: the CSRF-checked form, then the rate limit, then the published survey,
/// in that order.
pub struct SurveyForm {
    /// The survey of the path.
    pub survey: Arc<LoadedSurvey>,
    /// The form's fields.
    pub fields: Fields,
}

impl SurveyForm {
    /// The first value of field `name`.
    pub fn field(&self, name: &str) -> Option<&str> {
        field(&self.fields, name)
    }

    /// The language the form asks for, if the survey has it.
    pub fn lang(&self) -> String {
        self.survey.language(self.field("lang"))
    }
}

impl FromRequest for SurveyForm {
    type Error = AppError;
    type Future = LocalFuture<Self>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let req = req.clone();
        let form = CsrfForm::<Fields>::from_request(&req, payload);
        Box::pin(async move {
            let CsrfForm(fields) = form.await?;
            let state = state_of(&req)?;
            limit_form(&state, &req).await?;
            let survey = load(&req, &state).await?;
            Ok(SurveyForm { survey, fields })
        })
    }
}

/// Refuse a form whose honeypot field (hidden from people) was filled in.
pub fn reject_bots(fields: &Fields) -> Result<(), AppError> {
    if field(fields, "website").is_some_and(|v| !v.is_empty()) {
        return Err(AppError::BadRequest(Msg::fixed(
            "Formuläret innehöll ett fält som människor lämnar tomt.",
            "the form contained a field people leave empty",
        )));
    }
    Ok(())
}

/// `POST /s/{key}`: a page form: survey and fields as [`SurveyForm`], the honeypot checked, the
/// attempt it carries read and its seal checked, and the button pressed.
pub struct AnswerForm {
    /// The survey of the path.
    pub survey: Arc<LoadedSurvey>,
    /// The attempt, its seal holding.
    pub attempt: Attempt,
    /// The keys of the questions the page showed.
    pub shown: Vec<String>,
    /// The button pressed (Next when none).
    pub nav: Nav,
}

impl FromRequest for AnswerForm {
    type Error = AppError;
    type Future = LocalFuture<Self>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let req = req.clone();
        let form = SurveyForm::from_request(&req, payload);
        Box::pin(async move {
            let SurveyForm { survey, fields } = form.await?;
            reject_bots(&fields)?;
            let state = state_of(&req)?;
            let (attempt, shown) = attempt_from(&state.secret, &survey, &fields)?;
            let nav = field(&fields, "nav")
                .and_then(Nav::parse)
                .unwrap_or(Nav::Next);
            Ok(AnswerForm {
                survey,
                attempt,
                shown,
                nav,
            })
        })
    }
}

fn bad(what: &str) -> AppError {
    AppError::BadRequest(Msg::new(
        format!("Formuläret saknar fältet '{what}' eller har det i fel form."),
        format!("the form is missing or has a broken '{what}'"),
    ))
}

/// A non-empty field's value.
fn present(fields: &Fields, name: &str) -> Option<String> {
    field(fields, name)
        .filter(|d| !d.is_empty())
        .map(str::to_owned)
}

/// A field's value parsed.
fn parsed<T: std::str::FromStr>(fields: &Fields, name: &str) -> Option<T> {
    field(fields, name).and_then(|v| v.parse().ok())
}

/// The attempt of a page form and the keys of the questions it showed.
fn attempt_from(
    secret: &[u8],
    s: &LoadedSurvey,
    fields: &Fields,
) -> Result<(Attempt, Vec<String>), AppError> {
    let attempt = field(fields, "attempt")
        .filter(|a| a.len() == 32 && a.bytes().all(|b| b.is_ascii_hexdigit()))
        .ok_or_else(|| bad("attempt"))?;
    let seed = parsed(fields, "seed").ok_or_else(|| bad("seed"))?;
    let page = parsed(fields, "page")
        .filter(|p: &usize| *p <= s.survey.pages.len())
        .ok_or_else(|| bad("page"))?;
    let started = parsed(fields, "started").ok_or_else(|| bad("started"))?;
    let shown = shown_keys(fields);
    let shown_qs: Vec<_> = shown.iter().filter_map(|k| s.survey.question(k)).collect();
    let a = Attempt {
        attempt: attempt.to_owned(),
        seed,
        lang: s.language(field(fields, "lang")),
        page,
        draft: present(fields, "draft"),
        invitation: present(fields, "invitation"),
        // Only what was asked for: `entry_mode` checks the session before it counts.
        mode: field(fields, "mode")
            .and_then(Mode::parse)
            .unwrap_or(Mode::Web),
        started,
        answers: response::answers_from_form(&s.survey, &shown_qs, fields),
        // Display only, so not sealed: a client that raises it only changes its own bar.
        progress: parsed(fields, "progress").unwrap_or(0),
        seal: field(fields, "seal").unwrap_or("").to_owned(),
    };
    // Only a start or a resume seals an attempt: a form made up without one, or with a sealed
    // field (key, seed, start time, invitation, mode, draft) changed, is refused.
    if !a.seal_holds(secret, &s.version_id) {
        return Err(AppError::BadRequest(Msg::fixed(
            "Formulärets svarsomgång startades inte på den här servern.",
            "the form's answering attempt was not started on this server",
        )));
    }
    Ok((a, shown))
}
