//! The response browser: a version's completed responses listed (filtered by mode, date and
//! stratum, paged), one response shown with its question and answer labels, and excluding a
//! response from results (test answers, duplicates) or re-including it.
//!
//! Who may exclude: researchers and admins, the roles that run the fieldwork and so know which
//! responses are tests or duplicates. Analysts and managers read results but do not change what
//! they are computed from, so one analyst's choice cannot silently move another's figures.
//! A reason is required and each change is audited (`response.exclude` / `response.include`);
//! re-including is always possible. Excluded responses are filtered out in the storage queries
//! results load from, so every figure leaves them out.
//!
//! Anonymous surveys: nothing about invitations (id, access code, unit, contact) is shown; for
//! the others the invitation id and unit reference are, never the access code (it is a
//! credential: whoever holds it could answer as the respondent).
//!
//! [`Filters`] and [`AnalysesError`] are shared by the other analyses pages (open text,
//! cross-tabs, trends, the dataset download).

use time::{Date, PrimitiveDateTime};

use crate::domain::lang::Msg;
use crate::domain::response::{Cell, Mode};
use crate::domain::survey::{placeholders, QuestionKind, Survey, DONT_KNOW};
use crate::storage::responses::ResponseMeta;
use crate::storage::surveys::{StoredVersion, SurveyRecord};
use crate::storage::{self, DbConnection, StorageError};
use crate::use_cases::Actor;

/// Responses per page of the browser and of the open-text list.
pub const PAGE_SIZE: usize = 50;
/// Longest exclusion reason kept.
pub const MAX_REASON_CHARS: usize = 500;

/// Why an analyses page could not be shown or a change not made.
#[derive(Debug, thiserror::Error)]
pub enum AnalysesError {
    /// No such survey, version, question or response.
    #[error("not found: {0}")]
    NotFound(String),
    /// A filter or parameter did not parse; the message names it.
    #[error("bad parameter: {}", .0.get(crate::domain::lang::Lang::En))]
    BadParameter(Msg),
    /// Excluding needs a reason.
    #[error("an exclusion needs a reason")]
    ReasonRequired,
    /// The statistics could not be computed (too few responses, one category only).
    #[error("analysis: {0}")]
    Analysis(#[from] analysis::AnalysisError),
    /// Loading the responses failed.
    #[error(transparent)]
    Results(#[from] super::ResultsError),
    /// The database failed.
    #[error(transparent)]
    Storage(#[from] StorageError),
}

impl AnalysesError {
    /// What to tell the user, when it is their input (or the data) and not a fault.
    pub fn message(&self) -> Option<Msg> {
        match self {
            AnalysesError::NotFound(_) => Some(Msg::new("Finns inte.", "Not found.")),
            AnalysesError::BadParameter(m) => Some(m.clone()),
            AnalysesError::ReasonRequired => Some(Msg::new(
                "Ange varför svaret undantas (t.ex. testsvar eller dubblett).",
                "Give the reason for excluding the response (e.g. a test answer or a duplicate).",
            )),
            AnalysesError::Analysis(e) => Some(Msg::new(
                format!("Kan inte beräknas för det här urvalet av svar: {e}"),
                format!("Cannot be computed for this selection of responses: {e}"),
            )),
            AnalysesError::Results(_) | AnalysesError::Storage(_) => None,
        }
    }
}

/// The response filters of the analyses pages (all optional): mode, submission date range
/// (inclusive, UTC dates) and sample stratum.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Filters {
    /// Web, phone or paper.
    pub mode: Option<Mode>,
    /// Submitted on or after this date.
    pub from: Option<Date>,
    /// Submitted on or before this date.
    pub to: Option<Date>,
    /// The sample stratum.
    pub stratum: Option<String>,
}

fn parse_date(field: &str, s: &str) -> Result<Option<Date>, AnalysesError> {
    if s.trim().is_empty() {
        return Ok(None);
    }
    Date::parse(
        s.trim(),
        time::macros::format_description!("[year]-[month]-[day]"),
    )
    .map(Some)
    .map_err(|_| {
        AnalysesError::BadParameter(Msg::new(
            format!("{field}: skriv datumet som ÅÅÅÅ-MM-DD."),
            format!("{field}: write the date as YYYY-MM-DD."),
        ))
    })
}

impl Filters {
    /// Parse the raw query values (empty = no filter).
    pub fn parse(
        mode: &str,
        from: &str,
        to: &str,
        stratum: &str,
    ) -> Result<Filters, AnalysesError> {
        let mode = match mode.trim() {
            "" => None,
            m => Some(Mode::parse(m).ok_or_else(|| {
                AnalysesError::BadParameter(Msg::new(
                    "mode: välj webb, telefon eller papper.",
                    "mode: choose web, phone or paper.",
                ))
            })?),
        };
        let f = Filters {
            mode,
            from: parse_date("from", from)?,
            to: parse_date("to", to)?,
            stratum: Some(stratum.trim().to_owned()).filter(|s| !s.is_empty()),
        };
        if let (Some(a), Some(b)) = (f.from, f.to) {
            if a > b {
                return Err(AnalysesError::BadParameter(Msg::new(
                    "Från-datumet ligger efter till-datumet.",
                    "The from date is after the to date.",
                )));
            }
        }
        Ok(f)
    }

    /// Whether a response passes.
    pub fn admits(&self, m: &ResponseMeta) -> bool {
        let day = m.submitted_at.date();
        self.mode.is_none_or(|mode| m.mode == mode.as_str())
            && self.from.is_none_or(|d| day >= d)
            && self.to.is_none_or(|d| day <= d)
            && self
                .stratum
                .as_deref()
                .is_none_or(|s| m.stratum.as_deref() == Some(s))
    }

    /// The filters as query pairs (for links that keep them, and the dataset download).
    pub fn query_pairs(&self) -> Vec<(&'static str, String)> {
        let mut q = Vec::new();
        if let Some(m) = self.mode {
            q.push(("mode", m.as_str().to_owned()));
        }
        if let Some(d) = self.from {
            q.push(("from", d.to_string()));
        }
        if let Some(d) = self.to {
            q.push(("to", d.to_string()));
        }
        if let Some(s) = &self.stratum {
            q.push(("stratum", s.clone()));
        }
        q
    }
}

/// A survey version found by key and number, with its survey record.
pub struct Found {
    /// The survey (key, options: anonymity).
    pub survey: SurveyRecord,
    /// The version.
    pub version: StoredVersion,
}

/// Find `key` version `version`, or [`AnalysesError::NotFound`].
pub fn find(conn: &mut DbConnection, key: &str, version: u32) -> Result<Found, AnalysesError> {
    let survey = storage::surveys::find_survey(conn, key)?
        .ok_or_else(|| AnalysesError::NotFound(key.to_owned()))?;
    let version = storage::surveys::find_version(conn, key, version)?
        .ok_or_else(|| AnalysesError::NotFound(format!("{key} v{version}")))?;
    Ok(Found { survey, version })
}

/// The ids of the responses of a version that results use (excluded ones left out) and that
/// pass `filters`, as a row mask over `ids` (the loaded rows, in response id order).
pub fn filter_mask(
    conn: &mut DbConnection,
    version_id: &str,
    ids: &[String],
    filters: &Filters,
) -> Result<Vec<bool>, AnalysesError> {
    if *filters == Filters::default() {
        return Ok(vec![true; ids.len()]);
    }
    let admitted: std::collections::HashSet<String> =
        storage::responses::meta_for_version(conn, version_id)?
            .into_iter()
            .filter(|m| filters.admits(m))
            .map(|m| m.id)
            .collect();
    Ok(ids.iter().map(|id| admitted.contains(id)).collect())
}

/// One line of the response list.
#[derive(Debug, Clone)]
pub struct ListedResponse {
    /// Response id.
    pub id: String,
    /// Mode as stored.
    pub mode: String,
    /// Commit time (UTC).
    pub submitted_at: PrimitiveDateTime,
    /// Sample stratum, if any.
    pub stratum: Option<String>,
    /// Why it is excluded, when it is.
    pub excluded: Option<String>,
}

/// A page of the response list.
pub struct ResponseList {
    /// Survey title, key and version number.
    pub survey: Survey,
    /// Whether the survey is anonymous.
    pub anonymous: bool,
    /// The strata seen among the version's responses (for the filter).
    pub strata: Vec<String>,
    /// How many responses pass the filters (excluded ones counted, and marked).
    pub matching: usize,
    /// How many of the version's responses are excluded.
    pub excluded: usize,
    /// This page (1-based) and the number of pages.
    pub page: usize,
    /// Number of pages (at least 1).
    pub pages: usize,
    /// The responses on this page.
    pub rows: Vec<ListedResponse>,
}

/// List the completed responses of `key` v`version` that pass `filters`, page `page` (1-based).
pub fn list_responses(
    conn: &mut DbConnection,
    key: &str,
    version: u32,
    filters: &Filters,
    page: usize,
) -> Result<ResponseList, AnalysesError> {
    let f = find(conn, key, version)?;
    let all = storage::responses::meta_for_version(conn, &f.version.id)?;
    let mut strata: Vec<String> = all.iter().filter_map(|m| m.stratum.clone()).collect();
    strata.sort();
    strata.dedup();
    let excluded = all.iter().filter(|m| m.excluded.is_some()).count();
    let matching: Vec<ResponseMeta> = all.into_iter().filter(|m| filters.admits(m)).collect();
    let pages = matching.len().div_ceil(PAGE_SIZE).max(1);
    let page = page.clamp(1, pages);
    let rows = matching
        .iter()
        .skip((page - 1) * PAGE_SIZE)
        .take(PAGE_SIZE)
        .map(|m| ListedResponse {
            id: m.id.clone(),
            mode: m.mode.clone(),
            submitted_at: m.submitted_at,
            stratum: m.stratum.clone(),
            excluded: m.excluded.clone(),
        })
        .collect();
    Ok(ResponseList {
        survey: f.version.survey,
        anonymous: f.survey.options.anonymous,
        strata,
        matching: matching.len(),
        excluded,
        page,
        pages,
        rows,
    })
}

/// One answer of a shown response: the question (and sub-item) label and the answer's label.
#[derive(Debug, Clone)]
pub struct ShownAnswer {
    /// Question key (or `question.sub`).
    pub key: String,
    /// Question label, in Swedish and English.
    pub question: Msg,
    /// The answer as a label (choice labels looked up; "don't know" named).
    pub answer: Msg,
}

/// The invitation a response came through (never for anonymous surveys; never the code).
#[derive(Debug, Clone)]
pub struct InvitationRef {
    /// Invitation id.
    pub id: String,
    /// The frame's unit reference, if the list had one.
    pub unit_ref: Option<String>,
}

/// One response with its labels.
pub struct ShownResponse {
    /// The instrument it answered.
    pub survey: Survey,
    /// Whether the survey is anonymous.
    pub anonymous: bool,
    /// Mode, time, stratum, exclusion.
    pub meta: ListedResponse,
    /// Design weight, if any.
    pub design_weight: Option<f64>,
    /// Language answered in.
    pub language: String,
    /// Answers in questionnaire order.
    pub answers: Vec<ShownAnswer>,
    /// The invitation (only for surveys that are not anonymous).
    pub invitation: Option<InvitationRef>,
}

/// Response `id` of `key` v`version`, with labels.
pub fn show_response(
    conn: &mut DbConnection,
    key: &str,
    version: u32,
    id: &str,
) -> Result<ShownResponse, AnalysesError> {
    let f = find(conn, key, version)?;
    let not_found = || AnalysesError::NotFound(id.to_owned());
    let (version_id, cells) =
        storage::responses::response_with_cells(conn, id)?.ok_or_else(not_found)?;
    if version_id != f.version.id {
        return Err(not_found());
    }
    let meta = storage::responses::meta_for_version(conn, &version_id)?
        .into_iter()
        .find(|m| m.id == id)
        .ok_or_else(not_found)?;
    let anonymous = f.survey.options.anonymous;
    let invitation = if anonymous {
        None
    } else {
        storage::responses::invitation_of_response(conn, id)?
            .map(|(id, _code, unit_ref)| InvitationRef { id, unit_ref })
    };
    let survey = f.version.survey;
    Ok(ShownResponse {
        answers: labelled(&survey, &cells),
        anonymous,
        design_weight: meta.design_weight,
        language: meta.language.clone(),
        meta: ListedResponse {
            id: meta.id,
            mode: meta.mode,
            submitted_at: meta.submitted_at,
            stratum: meta.stratum,
            excluded: meta.excluded,
        },
        invitation,
        survey,
    })
}

fn text_msg(t: &crate::domain::survey::Text) -> Msg {
    Msg::new(
        t.get_or("sv", "en").to_owned(),
        t.get_or("en", "sv").to_owned(),
    )
}

/// The cells of a response as labelled answers, in questionnaire order.
pub fn labelled(survey: &Survey, cells: &[Cell]) -> Vec<ShownAnswer> {
    let mut out = Vec::new();
    for q in survey.questions() {
        let list = match &q.kind {
            QuestionKind::SingleChoice { list, .. }
            | QuestionKind::MultipleChoice { list, .. }
            | QuestionKind::Matrix { list, .. }
            | QuestionKind::Kano { list, .. }
            | QuestionKind::MaxDiff { list, .. } => survey.choice_list(list),
            _ => None,
        };
        let choice_label = |v: &str| -> Option<Msg> {
            list.and_then(|cs| cs.iter().find(|c| c.value == v))
                .map(|c| text_msg(&c.label))
        };
        let multi = matches!(q.kind, QuestionKind::MultipleChoice { .. });
        let prefix = format!("{}.", q.key);
        let mine = cells
            .iter()
            .filter(|c| c.key == q.key || c.key.starts_with(&prefix));
        let mut chosen: Vec<Msg> = Vec::new();
        for c in mine {
            let sub = c.key.strip_prefix(&prefix);
            if multi {
                if let Some(opt) = sub {
                    if c.number == Some(1.0) {
                        chosen.push(choice_label(opt).unwrap_or_else(|| Msg::same(opt)));
                    } else if opt == "other" {
                        if let Some(t) = &c.text {
                            chosen.push(Msg::same(t.clone()));
                        }
                    }
                }
                continue;
            }
            let answer = match (&c.text, c.number) {
                (Some(t), _) if t == DONT_KNOW => Msg::new("Vet inte", "Don't know"),
                (Some(t), _) => choice_label(t).unwrap_or_else(|| Msg::same(t.clone())),
                (None, Some(n)) => Msg::same(n.to_string()),
                (None, None) => continue,
            };
            let mut question = placeholders::label(survey, &q.label);
            if let Some(sub) = sub {
                question = Msg::new(
                    format!("{} – {sub}", question.get(crate::domain::lang::Lang::Sv)),
                    format!("{} – {sub}", question.get(crate::domain::lang::Lang::En)),
                );
            }
            out.push(ShownAnswer {
                key: c.key.clone(),
                question,
                answer,
            });
        }
        if multi && !chosen.is_empty() {
            let join = |l| {
                chosen
                    .iter()
                    .map(|m| m.get(l).to_owned())
                    .collect::<Vec<_>>()
                    .join("; ")
            };
            out.push(ShownAnswer {
                key: q.key.clone(),
                question: placeholders::label(survey, &q.label),
                answer: Msg::new(
                    join(crate::domain::lang::Lang::Sv),
                    join(crate::domain::lang::Lang::En),
                ),
            });
        }
    }
    out
}

/// Exclude response `id` of `key` v`version` from results (`exclude`) with `reason`, or
/// re-include it; audited in the same transaction. Returns whether anything changed.
pub fn set_exclusion(
    conn: &mut DbConnection,
    actor: Actor<'_>,
    key: &str,
    version: u32,
    id: &str,
    exclude: bool,
    reason: &str,
) -> Result<bool, AnalysesError> {
    let reason: String = reason.trim().chars().take(MAX_REASON_CHARS).collect();
    if exclude && reason.is_empty() {
        return Err(AnalysesError::ReasonRequired);
    }
    let f = find(conn, key, version)?;
    storage::transaction(conn, |c| {
        let Some((version_id, _)) = storage::responses::response_with_cells(c, id)? else {
            return Err(AnalysesError::NotFound(id.to_owned()));
        };
        if version_id != f.version.id {
            return Err(AnalysesError::NotFound(id.to_owned()));
        }
        let changed =
            storage::responses::set_excluded(c, id, &version_id, exclude, &reason, actor.name)?;
        if changed {
            let action = if exclude {
                "response.exclude"
            } else {
                "response.include"
            };
            actor.record(c, action, id, &reason)?;
        }
        Ok(changed)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meta(mode: &str, day: u8, stratum: Option<&str>) -> ResponseMeta {
        ResponseMeta {
            id: "r".into(),
            mode: mode.into(),
            language: "sv".into(),
            submitted_at: PrimitiveDateTime::new(
                Date::from_calendar_date(2026, time::Month::March, day).unwrap(),
                time::Time::MIDNIGHT,
            ),
            stratum: stratum.map(str::to_owned),
            design_weight: None,
            excluded: None,
        }
    }

    #[test]
    fn filters_admit_by_mode_inclusive_dates_and_stratum() {
        let f = Filters::parse("phone", "2026-03-02", "2026-03-04", "kista").unwrap();
        assert!(f.admits(&meta("phone", 4, Some("kista"))));
        assert!(!f.admits(&meta("web", 3, Some("kista"))));
        assert!(!f.admits(&meta("phone", 5, Some("kista"))));
        assert!(!f.admits(&meta("phone", 3, None)));
        assert!(Filters::parse("", "", "", "")
            .unwrap()
            .admits(&meta("web", 1, None)));
    }

    #[test]
    fn a_bad_date_or_mode_or_reversed_range_is_refused() {
        assert!(Filters::parse("", "1 mars", "", "").is_err());
        assert!(Filters::parse("fax", "", "", "").is_err());
        assert!(Filters::parse("", "2026-03-05", "2026-03-01", "").is_err());
    }
}
