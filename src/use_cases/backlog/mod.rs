//! The backlog's candidate e-service areas: list, create, edit, change status (with history),
//! link survey questions that measure an area and remove such links, and the catalogue import
//! and export ([`catalogue`]). Researchers and admins change areas; analysts and managers read
//! them (the web edge decides who calls what). Every change is audited in its own transaction.

pub mod catalogue;
pub mod followup;
pub mod gaps;
pub mod presets;
pub mod ranking;
pub mod snapshots;

use std::collections::HashMap;

use crate::domain::backlog::{Area, FieldError, LinkRole, QuestionLink, Status, StatusChange};
use crate::domain::lang::Msg;
use crate::domain::survey::QuestionKind;
/// The stored shapes the pages show (plain values, not rows).
pub use crate::storage::backlog::{HistoryEntry, StoredArea, StoredLink};
use crate::storage::{self, DbConnection, StorageError};
use crate::use_cases::Actor;

/// Why a backlog change was refused. Nothing is stored then.
#[derive(Debug, thiserror::Error)]
pub enum BacklogError {
    /// No area has this key.
    #[error("no backlog area {0}")]
    NotFound(String),
    /// The form has fields that do not parse; every one is listed.
    #[error("the area has {} invalid field(s)", .0.len())]
    Invalid(Vec<FieldError>),
    /// Another area already has this key.
    #[error("the key {0} is taken")]
    KeyTaken(String),
    /// The status change is not allowed (or lacks a reason).
    #[error("status change refused: {0}")]
    Status(FieldError),
    /// The question cannot be linked (unknown version or question, wrong type for the role).
    #[error("link refused: {0}")]
    Link(FieldError),
    /// The same question is already linked in this role.
    #[error("the question is already linked in this role")]
    LinkExists,
    /// The catalogue file has problems; each names the file, row and column.
    #[error("the catalogue has {} problem(s)", .0.len())]
    Catalogue(Vec<Msg>),
    /// The database failed.
    #[error(transparent)]
    Storage(#[from] StorageError),
}

impl BacklogError {
    /// The message for the person who asked (`None`: not theirs to fix).
    pub fn message(&self) -> Option<Msg> {
        Some(match self {
            BacklogError::NotFound(k) => Msg::new(
                format!("Det finns inget område med nyckeln '{k}'."),
                format!("There is no area with the key '{k}'."),
            ),
            BacklogError::Invalid(errors) => Msg::new(
                format!("{} fält behöver rättas.", errors.len()),
                format!("{} field(s) need correcting.", errors.len()),
            ),
            BacklogError::KeyTaken(k) => Msg::new(
                format!("Nyckeln '{k}' används redan av ett annat område."),
                format!("The key '{k}' is already used by another area."),
            ),
            BacklogError::Status(e) | BacklogError::Link(e) => e.message(),
            BacklogError::LinkExists => Msg::fixed(
                "Frågan är redan kopplad till området i den rollen.",
                "The question is already linked to the area in that role.",
            ),
            BacklogError::Catalogue(problems) => Msg::new(
                format!(
                    "Katalogen importerades inte ({} fel); inget sparades.",
                    problems.len()
                ),
                format!(
                    "The catalogue was not imported ({} problem(s)); nothing was stored.",
                    problems.len()
                ),
            ),
            BacklogError::Storage(_) => return None,
        })
    }
}

/// An area in the list: the area and how many questions measure it.
#[derive(Debug, Clone)]
pub struct AreaSummary {
    /// The stored area.
    pub stored: StoredArea,
    /// Linked questions.
    pub links: usize,
}

/// Every area, by key, with its link count.
pub fn list(conn: &mut DbConnection) -> Result<Vec<AreaSummary>, BacklogError> {
    let areas = storage::backlog::list_areas(conn)?;
    let counts = storage::backlog::link_counts(conn)?;
    Ok(areas
        .into_iter()
        .map(|stored| AreaSummary {
            links: counts.get(&stored.id).copied().unwrap_or(0),
            stored,
        })
        .collect())
}

/// Every area with the questions that measure it (two queries): what a ranking or a snapshot
/// reads, with the area's stable key and id.
pub fn areas_with_links(
    conn: &mut DbConnection,
) -> Result<Vec<(StoredArea, Vec<QuestionLink>)>, BacklogError> {
    let mut links = storage::backlog::list_all_links(conn)?;
    Ok(storage::backlog::list_areas(conn)?
        .into_iter()
        .map(|a| {
            let l = links.remove(&a.id).unwrap_or_default();
            (a, l.into_iter().map(|s| s.link).collect())
        })
        .collect())
}

/// A question that may be linked, for the selects of the area page.
#[derive(Debug, Clone)]
pub struct QuestionChoice {
    /// Survey key.
    pub survey_key: String,
    /// Version number.
    pub version: u32,
    /// Question key.
    pub question_key: String,
    /// The question text (Swedish, English).
    pub label: Msg,
    /// The items an item-taking role may name (MaxDiff items, multiple-choice options).
    pub items: Vec<String>,
}

/// A link as shown: the link, and the question text when the version still has the question.
#[derive(Debug, Clone)]
pub struct LinkShown {
    /// The stored link.
    pub stored: StoredLink,
    /// The question's text, if found.
    pub label: Option<Msg>,
}

/// Everything the area page shows.
#[derive(Debug, Clone)]
pub struct AreaPage {
    /// The area.
    pub stored: StoredArea,
    /// Status changes, oldest first.
    pub history: Vec<HistoryEntry>,
    /// Linked questions.
    pub links: Vec<LinkShown>,
    /// Questions of every stored survey version, for linking.
    pub questions: Vec<QuestionChoice>,
}

fn find(conn: &mut DbConnection, key: &str) -> Result<StoredArea, BacklogError> {
    storage::backlog::find_area(conn, key)?.ok_or_else(|| BacklogError::NotFound(key.to_owned()))
}

/// Questions that can answer for an area (not notes, texts, dates or hidden fields), of every
/// survey version.
fn question_choices(conn: &mut DbConnection) -> Result<Vec<QuestionChoice>, StorageError> {
    let mut out = Vec::new();
    for (key, v) in storage::surveys::list_all_versions(conn)? {
        let s = &v.survey;
        for q in s.questions() {
            let items: Vec<String> = match &q.kind {
                QuestionKind::Note
                | QuestionKind::ShortText
                | QuestionKind::LongText
                | QuestionKind::Date
                | QuestionKind::Hidden { .. }
                | QuestionKind::Calculate { .. } => continue,
                QuestionKind::MaxDiff { list, .. } | QuestionKind::MultipleChoice { list, .. } => s
                    .choice_list(list)
                    .unwrap_or(&[])
                    .iter()
                    .map(|c| c.value.clone())
                    .collect(),
                _ => Vec::new(),
            };
            out.push(QuestionChoice {
                survey_key: key.clone(),
                version: s.version,
                question_key: q.key.clone(),
                label: Msg::new(
                    q.label.get_or("sv", &s.default_language).to_owned(),
                    q.label.get_or("en", &s.default_language).to_owned(),
                ),
                items,
            });
        }
    }
    Ok(out)
}

/// The area page: the area, its history, its links and the questions that could be linked.
pub fn show(conn: &mut DbConnection, key: &str) -> Result<AreaPage, BacklogError> {
    let stored = find(conn, key)?;
    let history = storage::backlog::list_history(conn, &stored.id)?;
    let questions = question_choices(conn)?;
    let labels: HashMap<(&str, u32, &str), &Msg> = questions
        .iter()
        .map(|q| {
            (
                (q.survey_key.as_str(), q.version, q.question_key.as_str()),
                &q.label,
            )
        })
        .collect();
    let links = storage::backlog::list_links(conn, &stored.id)?
        .into_iter()
        .map(|l| LinkShown {
            label: labels
                .get(&(
                    l.link.survey_key.as_str(),
                    l.link.version,
                    l.link.question_key.as_str(),
                ))
                .map(|m| (*m).clone()),
            stored: l,
        })
        .collect();
    Ok(AreaPage {
        stored,
        history,
        links,
        questions,
    })
}

/// The area with `key` (the edit form).
pub fn get(conn: &mut DbConnection, key: &str) -> Result<StoredArea, BacklogError> {
    find(conn, key)
}

fn audit_detail(area: &Area) -> String {
    format!(
        "{} ({}), {} errands/year",
        area.name_en,
        area.target_group.code(),
        area.yearly_volume
    )
}

/// Create an area (status idea, with its first history row); a taken key is refused.
pub fn create(conn: &mut DbConnection, actor: Actor<'_>, area: &Area) -> Result<(), BacklogError> {
    storage::transaction(conn, |c| {
        if storage::backlog::find_area(c, area.key.as_str())?.is_some() {
            return Err(BacklogError::KeyTaken(area.key.to_string()));
        }
        let id = storage::backlog::insert_area(c, area, Status::Idea).map_err(|e| match e {
            StorageError::Conflict(_) => BacklogError::KeyTaken(area.key.to_string()),
            other => other.into(),
        })?;
        storage::backlog::change_status(c, &id, None, Status::Idea, "", actor.name)?;
        actor.record(
            c,
            "backlog.area_created",
            area.key.as_str(),
            &audit_detail(area),
        )?;
        Ok(())
    })
}

/// Replace the fields of the area with `key` (its status and links stay).
pub fn edit(
    conn: &mut DbConnection,
    actor: Actor<'_>,
    key: &str,
    area: &Area,
) -> Result<(), BacklogError> {
    storage::transaction(conn, |c| {
        let stored = find(c, key)?;
        if area.key.as_str() != key {
            return Err(BacklogError::Invalid(vec![FieldError {
                field: "key",
                why: Msg::fixed(
                    "nyckeln kan inte ändras (länkar och historik hänger på den)",
                    "the key cannot change (links and history hang on it)",
                ),
            }]));
        }
        storage::backlog::update_area(c, &stored.id, area)?;
        actor.record(c, "backlog.area_edited", key, &audit_detail(area))?;
        Ok(())
    })
}

/// Move the area with `key` to `to`, with a reason (required for a rejection).
pub fn change_status(
    conn: &mut DbConnection,
    actor: Actor<'_>,
    key: &str,
    to: Status,
    reason: &str,
) -> Result<(), BacklogError> {
    storage::transaction(conn, |c| {
        let stored = find(c, key)?;
        let change =
            StatusChange::decide(stored.status, to, reason).map_err(BacklogError::Status)?;
        storage::backlog::change_status(
            c,
            &stored.id,
            Some(change.from),
            change.to,
            &change.reason,
            actor.name,
        )?;
        actor.record(
            c,
            "backlog.status_changed",
            key,
            &format!(
                "{} → {}: {}",
                change.from.code(),
                change.to.code(),
                change.reason
            ),
        )?;
        Ok(())
    })
}

/// What a link request names, as typed.
#[derive(Debug, Clone, Default)]
pub struct LinkRequest {
    /// `survey_key|version|question_key`, as the question select sends it.
    pub question: String,
    /// The role code.
    pub role: String,
    /// The item (MaxDiff item, multiple-choice option), if the role takes one.
    pub item: String,
}

fn link_refused(sv: &str, en: &str) -> BacklogError {
    BacklogError::Link(FieldError {
        field: "question",
        why: Msg::new(sv.to_owned(), en.to_owned()),
    })
}

/// Link a question to the area with `key`: the version and question must exist and the
/// question's type must fit the role (the refusal says why).
pub fn link_question(
    conn: &mut DbConnection,
    actor: Actor<'_>,
    key: &str,
    req: &LinkRequest,
) -> Result<(), BacklogError> {
    let role = LinkRole::parse(&req.role).map_err(BacklogError::Link)?;
    let mut parts = req.question.splitn(3, '|');
    let (Some(survey_key), Some(version), Some(question_key)) =
        (parts.next(), parts.next(), parts.next())
    else {
        return Err(link_refused("välj en fråga", "choose a question"));
    };
    let Ok(version) = version.trim().parse::<u32>() else {
        return Err(link_refused("välj en fråga", "choose a question"));
    };
    storage::transaction(conn, |c| {
        let stored = find(c, key)?;
        let Some(v) = storage::surveys::find_version(c, survey_key.trim(), version)? else {
            return Err(BacklogError::Link(FieldError {
                field: "question",
                why: Msg::new(
                    format!("enkäten '{survey_key}' har ingen version {version}"),
                    format!("the survey '{survey_key}' has no version {version}"),
                ),
            }));
        };
        let link = QuestionLink::check(&v.survey, question_key, role, &req.item)
            .map_err(BacklogError::Link)?;
        storage::backlog::insert_link(c, &stored.id, &link, actor.name).map_err(|e| match e {
            StorageError::Conflict(_) => BacklogError::LinkExists,
            other => other.into(),
        })?;
        actor.record(c, "backlog.question_linked", key, &link_text(&link))?;
        Ok(())
    })
}

fn link_text(l: &QuestionLink) -> String {
    let item = if l.item.is_empty() {
        String::new()
    } else {
        format!(" [{}]", l.item)
    };
    format!(
        "{} v{} {} as {}{item}",
        l.survey_key,
        l.version,
        l.question_key,
        l.role.code()
    )
}

/// Remove link `link_id` from the area with `key` (a link already gone is not an error).
pub fn unlink_question(
    conn: &mut DbConnection,
    actor: Actor<'_>,
    key: &str,
    link_id: &str,
) -> Result<(), BacklogError> {
    storage::transaction(conn, |c| {
        let stored = find(c, key)?;
        if let Some(link) = storage::backlog::delete_link(c, &stored.id, link_id)? {
            actor.record(c, "backlog.question_unlinked", key, &link_text(&link))?;
        }
        Ok(())
    })
}
