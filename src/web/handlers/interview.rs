//! Interviewer entry (`/interview`): staff with the interviewer role (and admins and
//! researchers) start phone or paper entry of a survey, or work through the list of sampled
//! people to phone. The answering itself runs through the respondent handlers: the start form
//! posts to `/s/{key}/start` with a `mode`, which those handlers accept only from such a session.

use actix_web::{web, HttpResponse};

use super::home::html;
use crate::domain::options::Access;
use crate::use_cases::answering::{self, Invitation, LoadedSurvey};
use crate::web::access::{Authorized, Interviewers};
use crate::web::error::AppError;
use crate::web::forms::PageCtx;
use crate::web::views::interview::{self as view, EntrySurvey, WorkItem};
use crate::web::AppState;

/// `GET /interview`: the surveys open for entry, each with a start form.
pub async fn show_entry(
    _auth: Authorized<Interviewers>,
    ctx: PageCtx,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let keys = state.db.run(answering::entry_survey_keys).await?;
    let mut surveys = Vec::with_capacity(keys.len());
    for key in keys {
        if let Some(s) = state.surveys.get(&state.db, &key).await? {
            surveys.push(entry_survey(&ctx, key, &s));
        }
    }
    Ok(html(view::start(&ctx, &surveys)))
}

/// A survey's line on the entry page, its title in the interface language.
fn entry_survey(ctx: &PageCtx, key: String, s: &LoadedSurvey) -> EntrySurvey {
    EntrySurvey {
        key,
        title: s
            .survey
            .title
            .get_or(ctx.lang.code(), &s.survey.default_language)
            .to_owned(),
        invitation_only: s.options.access == Access::Invitation,
        consent: view::needs_consent(s.options.privacy.legal_basis),
        languages: s.survey.languages.clone(),
    }
}

/// `GET /interview/{key}`: sampled people with a phone number and no completed response.
pub async fn show_work_list(
    _auth: Authorized<Interviewers>,
    ctx: PageCtx,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let s = state
        .surveys
        .get(&state.db, &path)
        .await?
        .ok_or(AppError::NotFound)?;
    let survey_id = s.survey_id.clone();
    let people: Vec<WorkItem> = state
        .db
        .run(move |c| answering::phone_work_list(c, &survey_id))
        .await?
        .into_iter()
        .map(|i| work_item(&s, i))
        .collect();
    let title = s
        .survey
        .title
        .get_or(ctx.lang.code(), &s.survey.default_language);
    Ok(html(view::work_list(&ctx, &s.survey.key, title, &people)))
}

/// A person on the work list, in the survey language they asked for (if it has it).
fn work_item(s: &LoadedSurvey, i: Invitation) -> WorkItem {
    WorkItem {
        name: i.name.unwrap_or_default(),
        phone: i.phone.unwrap_or_default(),
        stratum: i.stratum.unwrap_or_default(),
        code: i.code,
        started: i.started_at.is_some(),
        opted_out: i.opted_out_at.is_some(),
        language: s.language(Some(&i.language)),
    }
}
