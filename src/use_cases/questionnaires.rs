//! Questionnaire use cases shared by the designer pages and the `insikt surveys` commands:
//! create, import, edit drafts, publish (with checks), close, clone to a new draft, export, and
//! load the shipped instruments. Every change writes its audit event in the same transaction.

use std::collections::BTreeMap;
use std::path::Path;

use crate::domain::lang::Msg;
use crate::domain::options::SurveyOptions;
use crate::domain::survey::check::check_options;
use crate::domain::survey::{check, Finding, Severity, Survey, SurveyError, Text, VersionStatus};
use crate::formats::{survey_file, xlsform};
use crate::storage::surveys::{self as store, SurveyRecord};
use crate::storage::{self, DbConnection, StorageError};
use crate::use_cases::Actor;

/// The stored version the designer pages show, re-exported so the web layer needs no storage.
pub use crate::storage::surveys::StoredVersion;

/// Why a survey key was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyProblem {
    /// Not a slug: a–z, digits, `-` or `_`, starting with a letter.
    Invalid,
    /// Another survey has it.
    Taken,
}

impl KeyProblem {
    /// The refusal of `key` in both languages; the English text is also the error's `Display`.
    pub fn message(&self, key: &str) -> Msg {
        match self {
            KeyProblem::Invalid => Msg::new(
                "Nyckeln får bara innehålla a–z, siffror, - och _ och ska börja med en bokstav.",
                format!(
                "'{key}' is not a valid key: use a–z, digits, '-' or '_', starting with a letter"
            ),
            ),
            KeyProblem::Taken => Msg::new(
                "Det finns redan en enkät med den nyckeln.",
                format!("a survey with the key '{key}' already exists"),
            ),
        }
    }
}

/// Why a questionnaire operation was refused.
#[derive(Debug, thiserror::Error)]
pub enum QuestionnaireError {
    /// No survey with that key (or no such version).
    #[error("no survey '{0}'")]
    NotFound(String),
    /// The key is not a valid slug or is taken.
    #[error("{}", .problem.message(.key))]
    BadKey {
        /// The refused key.
        key: String,
        /// Why.
        problem: KeyProblem,
    },
    /// A life-cycle rule (published versions never change, only published can close, …).
    #[error(transparent)]
    Lifecycle(#[from] SurveyError),
    /// Publish checks found errors; all findings are attached.
    #[error(
        "publish checks found {} error(s): {}",
        .0.iter().filter(|f| f.severity == Severity::Error).count(),
        .0.iter().filter(|f| f.severity == Severity::Error).map(ToString::to_string).collect::<Vec<_>>().join("; ")
    )]
    ChecksFailed(Vec<Finding>),
    /// A shipped file and the stored version of the same number differ.
    #[error("survey '{key}' version {version} in the files differs from the stored one; give the changed instrument a new version number")]
    ChangedWithoutNewVersion {
        /// Survey key.
        key: String,
        /// Version number.
        version: u32,
    },
    /// The survey files could not be read.
    #[error(transparent)]
    Files(#[from] survey_file::LoadErrors),
    /// The XLSForm could not be imported.
    #[error(transparent)]
    Import(#[from] xlsform::ImportErrors),
    /// Export failed.
    #[error(transparent)]
    Export(#[from] xlsform::ExportError),
    /// TOML writing failed.
    #[error(transparent)]
    File(#[from] survey_file::SurveyFileError),
    /// A survey with responses is archived, never deleted.
    #[error("survey '{0}' has responses; it can be archived but not deleted")]
    HasResponses(String),
    /// A survey with a published version is still answered: close it before archiving, so no
    /// respondent meets a survey the staff no longer see.
    #[error("survey '{0}' has a published version; close it before archiving")]
    StillOpen(String),
    /// Only a closed version can be reopened, and only a draft version deleted.
    #[error("survey '{key}' version {version} is not {wanted:?}")]
    WrongStatus {
        /// Survey key.
        key: String,
        /// Version number.
        version: u32,
        /// The status the step needs.
        wanted: VersionStatus,
    },
    /// The database failed.
    #[error(transparent)]
    Storage(#[from] StorageError),
}

impl QuestionnaireError {
    /// What the designer may read, in both languages; `None` for failures that are not about
    /// the request (missing things are a 404, the rest are ours and logged as a 500).
    pub fn message(&self) -> Option<Msg> {
        match self {
            QuestionnaireError::BadKey { key, problem } => Some(problem.message(key)),
            QuestionnaireError::Lifecycle(SurveyError::NotEditable { .. }) => Some(Msg::fixed(
                "Versionen är publicerad eller stängd och kan inte ändras. Välj ”Redigera” för att skapa ett nytt utkast.",
                "This version is published or closed and cannot be changed. Choose “Edit” to create a new draft.",
            )),
            QuestionnaireError::Lifecycle(SurveyError::NotPublished) => Some(Msg::fixed(
                "Bara en publicerad version kan stängas.",
                "Only a published version can be closed.",
            )),
            QuestionnaireError::HasResponses(_) => Some(Msg::fixed(
                "Enkäten har svar och kan inte raderas. Arkivera den i stället.",
                "The survey has responses and cannot be deleted. Archive it instead.",
            )),
            QuestionnaireError::StillOpen(_) => Some(Msg::fixed(
                "Enkäten har en publicerad version som fortfarande tar emot svar. Stäng den innan du arkiverar enkäten.",
                "The survey has a published version that still takes answers. Close it before archiving the survey.",
            )),
            QuestionnaireError::WrongStatus { wanted, .. } => Some(match wanted {
                VersionStatus::Closed => Msg::fixed(
                    "Bara en stängd version kan öppnas igen.",
                    "Only a closed version can be reopened.",
                ),
                _ => Msg::fixed(
                    "Bara ett utkast kan raderas; publicerade versioner finns kvar.",
                    "Only a draft can be deleted; published versions are kept.",
                ),
            }),
            _ => None,
        }
    }
}

type Result<T> = std::result::Result<T, QuestionnaireError>;

fn audit(
    conn: &mut DbConnection,
    actor: Actor<'_>,
    action: &str,
    target: &str,
    detail: &str,
) -> Result<()> {
    Ok(actor.record(conn, action, target, detail)?)
}

fn require_survey(conn: &mut DbConnection, key: &str) -> Result<SurveyRecord> {
    store::find_survey(conn, key)?.ok_or_else(|| QuestionnaireError::NotFound(key.to_owned()))
}

/// One version of a survey, or `NotFound`.
pub fn get_version(conn: &mut DbConnection, key: &str, version: u32) -> Result<StoredVersion> {
    store::find_version(conn, key, version)?
        .ok_or_else(|| QuestionnaireError::NotFound(format!("{key} v{version}")))
}

/// A new, empty draft survey (version 1) with a title in Swedish and English.
pub fn create(
    conn: &mut DbConnection,
    actor: Actor<'_>,
    key: &str,
    title_sv: &str,
    title_en: &str,
) -> Result<StoredVersion> {
    if !crate::domain::survey::check::is_valid_key(key) {
        return Err(QuestionnaireError::BadKey {
            key: key.to_owned(),
            problem: KeyProblem::Invalid,
        });
    }
    let survey = Survey {
        key: key.to_owned(),
        version: 1,
        status: VersionStatus::Draft,
        default_language: "sv".into(),
        languages: vec!["sv".into(), "en".into()],
        title: Text::new([("sv", title_sv), ("en", title_en)]),
        intro: Text::default(),
        thanks: Text::default(),
        settings: Default::default(),
        choice_lists: BTreeMap::new(),
        pages: vec![],
    };
    insert_new(
        conn,
        actor,
        &survey,
        &SurveyOptions::default(),
        "survey.created",
    )
}

fn insert_new(
    conn: &mut DbConnection,
    actor: Actor<'_>,
    survey: &Survey,
    options: &SurveyOptions,
    action: &str,
) -> Result<StoredVersion> {
    storage::transaction(conn, |conn| {
        if store::find_survey(conn, &survey.key)?.is_some() {
            return Err(QuestionnaireError::BadKey {
                key: survey.key.clone(),
                problem: KeyProblem::Taken,
            });
        }
        let (_, version) = store::insert_survey(conn, survey, options, actor.id)?;
        audit(
            conn,
            actor,
            action,
            &survey.key,
            &format!("version {}", survey.version),
        )?;
        Ok(version)
    })
}

/// The key the XLSForm importer gives a workbook without a `form_id` (and no Insikt key).
const NO_FORM_ID: &str = "imported-form";

/// A slug of `s` usable as a survey key ("Parkering 2026.xlsx" → "parkering-2026"), or `None`
/// when nothing of it is left.
fn key_from(s: &str) -> Option<String> {
    let mut out = String::new();
    for c in s.trim().to_lowercase().chars() {
        if c.is_ascii_alphanumeric() || c == '_' {
            out.push(c);
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    let out = out.trim_end_matches('-').to_owned();
    let out = if out.chars().next().is_some_and(|c| c.is_ascii_alphabetic()) {
        out
    } else if out.is_empty() {
        return None;
    } else {
        format!("form-{out}")
    };
    crate::domain::survey::check::is_valid_key(&out).then_some(out)
}

/// `base`, or `base-2`, `base-3`, … : the first key no survey has.
fn free_key(conn: &mut DbConnection, base: &str) -> Result<String> {
    if store::find_survey(conn, base)?.is_none() {
        return Ok(base.to_owned());
    }
    for n in 2.. {
        let key = format!("{base}-{n}");
        if store::find_survey(conn, &key)?.is_none() {
            return Ok(key);
        }
    }
    unreachable!("some suffix is free")
}

/// Import an XLSForm workbook. By default it becomes its own new survey: keyed by its
/// `form_id`, else by `file_name` (without `.xlsx`), else by its title, with a `-2`, `-3`, …
/// suffix when the key is taken, so workbooks without a `form_id` never pile up as drafts of one
/// survey. With `into`, it becomes the next draft version of that existing survey instead.
/// Returns the stored draft and the import warnings.
pub fn import_xlsform(
    conn: &mut DbConnection,
    actor: Actor<'_>,
    bytes: &[u8],
    file_name: Option<&str>,
    into: Option<&str>,
) -> Result<(StoredVersion, Vec<xlsform::Issue>)> {
    let imported = xlsform::import(bytes)?;
    let mut survey = imported.survey;
    survey.status = VersionStatus::Draft;
    let stored = storage::transaction(conn, |conn| match into {
        Some(key) => {
            let existing = require_survey(conn, key)?;
            let latest = store::list_versions(conn, &existing.id)?
                .last()
                .map_or(0, |v| v.survey.version);
            survey.key = existing.key.clone();
            survey.version = latest + 1;
            let v = store::insert_version(conn, &existing.id, &survey, actor.id)?;
            audit(
                conn,
                actor,
                "survey.imported",
                &survey.key,
                &format!("version {}", survey.version),
            )?;
            Ok(v)
        }
        None => {
            let base = if survey.key == NO_FORM_ID {
                file_name
                    .map(|n| n.trim_end_matches(".xlsx").trim_end_matches(".XLSX"))
                    .and_then(key_from)
                    .or_else(|| key_from(survey.title.get_or("sv", "en")))
                    .unwrap_or_else(|| NO_FORM_ID.to_owned())
            } else {
                survey.key.clone()
            };
            survey.key = free_key(conn, &base)?;
            survey.version = 1;
            insert_new(
                conn,
                actor,
                &survey,
                &SurveyOptions::default(),
                "survey.imported",
            )
        }
    })?;
    Ok((stored, imported.warnings))
}

/// Copy `version` of a survey into a new survey (draft version 1, same options) keyed
/// `<key>-kopia`, `<key>-kopia-2`, …; returns the new draft.
pub fn duplicate(
    conn: &mut DbConnection,
    actor: Actor<'_>,
    key: &str,
    version: u32,
) -> Result<StoredVersion> {
    storage::transaction(conn, |conn| {
        let record = require_survey(conn, key)?;
        let source = get_version(conn, key, version)?;
        let mut copy = source.survey.clone();
        copy.key = free_key(conn, &format!("{key}-kopia"))?;
        copy.version = 1;
        copy.status = VersionStatus::Draft;
        let (_, stored) = store::insert_survey(conn, &copy, &record.options, actor.id)?;
        audit(
            conn,
            actor,
            "survey.duplicated",
            &copy.key,
            &format!("from {key} version {version}"),
        )?;
        Ok(stored)
    })
}

/// Archive a survey (`archived`) or bring it back: archived surveys leave the start page and
/// are listed apart in the designer; nothing is deleted.
pub fn set_archived(
    conn: &mut DbConnection,
    actor: Actor<'_>,
    key: &str,
    archived: bool,
) -> Result<()> {
    storage::transaction(conn, |conn| {
        let record = require_survey(conn, key)?;
        let live = store::list_versions(conn, &record.id)?
            .iter()
            .any(|v| v.survey.status == VersionStatus::Published);
        if archived && live {
            return Err(QuestionnaireError::StillOpen(key.to_owned()));
        }
        store::set_archived(conn, &record.id, archived)?;
        let action = if archived {
            "survey.archived"
        } else {
            "survey.unarchived"
        };
        audit(conn, actor, action, key, "")
    })
}

/// Delete a survey that has no responses, with all its versions, samples and invitations. A
/// survey with responses is refused ([`QuestionnaireError::HasResponses`]): archive it.
pub fn delete_survey(conn: &mut DbConnection, actor: Actor<'_>, key: &str) -> Result<()> {
    storage::transaction(conn, |conn| {
        let record = require_survey(conn, key)?;
        if !store::delete_survey_without_responses(conn, &record.id)? {
            return Err(QuestionnaireError::HasResponses(key.to_owned()));
        }
        audit(conn, actor, "survey.deleted", key, "")
    })
}

/// Delete one draft version (published and closed versions are kept for their responses).
pub fn delete_draft(
    conn: &mut DbConnection,
    actor: Actor<'_>,
    key: &str,
    version: u32,
) -> Result<()> {
    storage::transaction(conn, |conn| {
        let stored = get_version(conn, key, version)?;
        if !store::delete_draft(conn, &stored.id)? {
            return Err(QuestionnaireError::WrongStatus {
                key: key.to_owned(),
                version,
                wanted: VersionStatus::Draft,
            });
        }
        // A survey whose only version was this draft has nothing left: its key is freed.
        if store::list_versions(conn, &stored.survey_id)?.is_empty() {
            store::delete_survey_without_responses(conn, &stored.survey_id)?;
        }
        audit(
            conn,
            actor,
            "survey.draft_deleted",
            key,
            &format!("version {version}"),
        )
    })
}

/// Reopen a closed version to responses; a version published since is closed, so respondents
/// still get exactly one version.
pub fn reopen(conn: &mut DbConnection, actor: Actor<'_>, key: &str, version: u32) -> Result<()> {
    storage::transaction(conn, |conn| {
        let stored = get_version(conn, key, version)?;
        if stored.survey.status != VersionStatus::Closed {
            return Err(QuestionnaireError::WrongStatus {
                key: key.to_owned(),
                version,
                wanted: VersionStatus::Closed,
            });
        }
        for other in store::list_versions(conn, &stored.survey_id)? {
            if other.survey.status == VersionStatus::Published {
                store::mark_closed(conn, &other.id)?;
            }
        }
        store::mark_reopened(conn, &stored.id)?;
        audit(
            conn,
            actor,
            "survey.reopened",
            key,
            &format!("version {version}"),
        )
    })
}

/// Replace a draft's content (the designer's save). Published versions are refused.
pub fn save_draft(
    conn: &mut DbConnection,
    actor: Actor<'_>,
    key: &str,
    version: u32,
    survey: &Survey,
    what: &str,
) -> Result<StoredVersion> {
    storage::transaction(conn, |conn| {
        let stored = get_version(conn, key, version)?;
        stored.survey.ensure_editable()?;
        write_draft(conn, actor, &stored, survey.clone(), what)
    })
}

/// What [`change_draft`] did.
pub enum DraftChange<E> {
    /// The change was saved; the version as stored now.
    Saved(StoredVersion),
    /// The change refused its input and nothing was saved: the unchanged version (to show the
    /// form again) and the change's own errors.
    Refused(StoredVersion, E),
}

/// Load an editable draft, let `change` edit a copy (it says what changed, for the audit log,
/// or refuses with its own errors) and save it, all in one transaction. Published and closed
/// versions are refused before `change` runs.
pub fn change_draft<E>(
    conn: &mut DbConnection,
    actor: Actor<'_>,
    key: &str,
    version: u32,
    change: impl FnOnce(&mut Survey) -> std::result::Result<String, E>,
) -> Result<DraftChange<E>> {
    storage::transaction(conn, |conn| {
        let stored = get_version(conn, key, version)?;
        stored.survey.ensure_editable()?;
        let mut survey = stored.survey.clone();
        match change(&mut survey) {
            Err(errors) => Ok(DraftChange::Refused(stored, errors)),
            Ok(what) => write_draft(conn, actor, &stored, survey, &what).map(DraftChange::Saved),
        }
    })
}

/// Write `next` over the draft `stored` (inside the caller's transaction) and audit it.
fn write_draft(
    conn: &mut DbConnection,
    actor: Actor<'_>,
    stored: &StoredVersion,
    mut next: Survey,
    what: &str,
) -> Result<StoredVersion> {
    let (key, version) = (stored.survey.key.clone(), stored.survey.version);
    next.key = key.clone();
    next.version = version;
    next.status = VersionStatus::Draft;
    if !store::update_draft(conn, &stored.id, &next)? {
        return Err(stored.survey.ensure_editable().err().map_or_else(
            || QuestionnaireError::NotFound(format!("{key} v{version}")),
            QuestionnaireError::from,
        ));
    }
    audit(
        conn,
        actor,
        "survey.edited",
        &key,
        &format!("version {version}: {what}"),
    )?;
    get_version(conn, &key, version)
}

/// A survey in the designer's list: its key, every version (oldest first) and how many
/// responses all versions have.
pub struct SurveyLine {
    /// The survey key.
    pub key: String,
    /// Every version, oldest first.
    pub versions: Vec<StoredVersion>,
    /// Completed responses over all versions.
    pub responses: i64,
    /// Archived: listed apart, hidden from the start page.
    pub archived: bool,
}

/// Every survey that has a version, by key, for the designer's list (archived ones marked):
/// three queries however many surveys there are.
pub fn list_for_designer(conn: &mut DbConnection) -> Result<Vec<SurveyLine>> {
    let counts = store::response_counts(conn)?;
    let archived = store::archived_keys(conn)?;
    let mut lines: Vec<SurveyLine> = Vec::new();
    for (key, version) in store::list_all_versions(conn)? {
        match lines.last_mut() {
            Some(line) if line.key == key => line.versions.push(version),
            _ => {
                let responses = counts.get(&version.survey_id).copied().unwrap_or(0);
                lines.push(SurveyLine {
                    archived: archived.contains(&key),
                    key,
                    versions: vec![version],
                    responses,
                });
            }
        }
    }
    Ok(lines)
}

/// Fieldwork progress of one survey, for the staff home.
#[derive(Debug, Clone, Copy, Default)]
pub struct Progress {
    /// Invitations created.
    pub invited: u64,
    /// Invitations used by a completed response.
    pub completed: u64,
}

/// A survey on the staff home: every version's number and status, the responses, and (for
/// those who may see fieldwork) the invitations and completions.
pub struct StaffSurvey {
    /// The survey key.
    pub key: String,
    /// The newest version's title.
    pub title: Text,
    /// Every version, oldest first.
    pub versions: Vec<(u32, VersionStatus)>,
    /// Completed responses over all versions.
    pub responses: i64,
    /// Fieldwork progress, when asked for.
    pub progress: Option<Progress>,
}

/// The surveys the staff home lists; `with_fieldwork` adds each survey's invitation counts
/// (one more query per survey, only for roles that may see fieldwork).
pub fn staff_overview(conn: &mut DbConnection, with_fieldwork: bool) -> Result<Vec<StaffSurvey>> {
    let mut out = Vec::new();
    for line in list_for_designer(conn)?.into_iter().filter(|l| !l.archived) {
        let Some(newest) = line.versions.last() else {
            continue;
        };
        let progress = if with_fieldwork {
            let c = storage::fieldwork::counts(conn, &newest.survey_id)?;
            Some(Progress {
                invited: c.invitations,
                completed: c.completed,
            })
        } else {
            None
        };
        out.push(StaffSurvey {
            key: line.key.clone(),
            title: newest.survey.title.clone(),
            versions: line
                .versions
                .iter()
                .map(|v| (v.survey.version, v.survey.status))
                .collect(),
            responses: line.responses,
            progress,
        });
    }
    Ok(out)
}

/// A survey's operational options, or `NotFound`.
pub fn options(conn: &mut DbConnection, key: &str) -> Result<SurveyOptions> {
    Ok(require_survey(conn, key)?.options)
}

/// Every publish finding of `survey` run with `options`: the instrument's and the options'
/// (privacy notice), errors first.
fn all_findings(survey: &Survey, options: &SurveyOptions) -> Vec<Finding> {
    let mut found = check(survey);
    found.extend(check_options(options));
    found.sort_by_key(|f| f.severity);
    found
}

/// Run the publish checks on a version and its survey's options (errors block, warnings
/// don't); returns the version too, for the page that shows them.
pub fn findings(
    conn: &mut DbConnection,
    key: &str,
    version: u32,
) -> Result<(StoredVersion, Vec<Finding>)> {
    let options = require_survey(conn, key)?.options;
    let stored = get_version(conn, key, version)?;
    let found = all_findings(&stored.survey, &options);
    Ok((stored, found))
}

/// Publish `survey` in memory when neither it nor `options` has an error; else every finding.
fn publishable(survey: &Survey, options: &SurveyOptions) -> Result<(Survey, Vec<Finding>)> {
    let mut published = survey.clone();
    let blocked = || QuestionnaireError::ChecksFailed(all_findings(survey, options));
    let warnings = published.publish().map_err(|e| match e {
        SurveyError::PublishBlocked { .. } => blocked(),
        other => QuestionnaireError::Lifecycle(other),
    })?;
    if check_options(options)
        .iter()
        .any(|f| f.severity == Severity::Error)
    {
        return Err(blocked());
    }
    Ok((published, warnings))
}

/// Publish a draft after the checks pass; older published versions of the survey are closed so
/// respondents always get exactly one version. Returns the warnings.
pub fn publish(
    conn: &mut DbConnection,
    actor: Actor<'_>,
    key: &str,
    version: u32,
) -> Result<Vec<Finding>> {
    storage::transaction(conn, |conn| {
        let options = require_survey(conn, key)?.options;
        let stored = get_version(conn, key, version)?;
        let (survey, warnings) = publishable(&stored.survey, &options)?;
        for older in store::list_versions(conn, &stored.survey_id)? {
            if older.survey.status == VersionStatus::Published {
                store::mark_closed(conn, &older.id)?;
            }
        }
        store::mark_published(conn, &stored.id, &survey)?;
        audit(
            conn,
            actor,
            "survey.published",
            key,
            &format!("version {version}"),
        )?;
        Ok(warnings)
    })
}

/// Close a published version to new responses.
pub fn close(conn: &mut DbConnection, actor: Actor<'_>, key: &str, version: u32) -> Result<()> {
    storage::transaction(conn, |conn| {
        let stored = get_version(conn, key, version)?;
        stored.survey.clone().close()?;
        store::mark_closed(conn, &stored.id)?;
        audit(
            conn,
            actor,
            "survey.closed",
            key,
            &format!("version {version}"),
        )
    })
}

/// A life-cycle step the designer's buttons take on a version.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// [`publish`] the draft.
    Publish,
    /// [`close`] the published version.
    Close,
    /// Start (or find) the [`new_draft`] from it.
    NewDraft,
    /// [`reopen`] the closed version.
    Reopen,
    /// [`duplicate`] it into a new survey.
    Duplicate,
    /// [`delete_draft`] it.
    DeleteDraft,
}

/// Where the designer goes after a step: a version page, or the survey list (`None`).
pub type Shown = Option<(String, u32)>;

/// Take `step` on a version; returns what to show next: the new draft for
/// [`Step::NewDraft`] and [`Step::Duplicate`], the survey list after [`Step::DeleteDraft`], else
/// the version itself.
pub fn take_step(
    conn: &mut DbConnection,
    actor: Actor<'_>,
    key: &str,
    version: u32,
    step: Step,
) -> Result<Shown> {
    let here = Some((key.to_owned(), version));
    match step {
        Step::Publish => publish(conn, actor, key, version).map(|_| here),
        Step::Close => close(conn, actor, key, version).map(|()| here),
        Step::Reopen => reopen(conn, actor, key, version).map(|()| here),
        Step::NewDraft => {
            new_draft(conn, actor, key, version).map(|v| Some((key.to_owned(), v.survey.version)))
        }
        Step::Duplicate => {
            duplicate(conn, actor, key, version).map(|v| Some((v.survey.key, v.survey.version)))
        }
        Step::DeleteDraft => delete_draft(conn, actor, key, version).map(|()| None),
    }
}

/// Start a new draft from `from_version` (the designer's "edit" on a published version). If a
/// draft already exists it is returned instead of making a second one.
pub fn new_draft(
    conn: &mut DbConnection,
    actor: Actor<'_>,
    key: &str,
    from_version: u32,
) -> Result<StoredVersion> {
    storage::transaction(conn, |conn| {
        let record = require_survey(conn, key)?;
        let versions = store::list_versions(conn, &record.id)?;
        if let Some(draft) = versions
            .iter()
            .find(|v| v.survey.status == VersionStatus::Draft)
        {
            return Ok(draft.clone());
        }
        let source = versions
            .iter()
            .find(|v| v.survey.version == from_version)
            .ok_or_else(|| QuestionnaireError::NotFound(format!("{key} v{from_version}")))?;
        let mut draft = source.survey.new_draft();
        draft.version = versions.last().map_or(1, |v| v.survey.version + 1);
        let stored = store::insert_version(conn, &record.id, &draft, actor.id)?;
        audit(
            conn,
            actor,
            "survey.draft_created",
            key,
            &format!("version {} from {from_version}", draft.version),
        )?;
        Ok(stored)
    })
}

/// Replace a survey's operational options.
pub fn set_options(
    conn: &mut DbConnection,
    actor: Actor<'_>,
    key: &str,
    options: &SurveyOptions,
) -> Result<()> {
    storage::transaction(conn, |conn| {
        let record = require_survey(conn, key)?;
        store::update_options(conn, &record.id, options)?;
        audit(conn, actor, "survey.options_changed", key, "")
    })
}

/// Export formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    /// XLSForm workbook.
    Xlsx,
    /// Insikt's native TOML.
    Toml,
}

/// Export a version as bytes in the chosen format.
pub fn export(
    conn: &mut DbConnection,
    key: &str,
    version: Option<u32>,
    format: ExportFormat,
) -> Result<Vec<u8>> {
    let record = require_survey(conn, key)?;
    let versions = store::list_versions(conn, &record.id)?;
    let chosen = match version {
        Some(n) => versions.into_iter().find(|v| v.survey.version == n),
        None => versions.into_iter().last(),
    }
    .ok_or_else(|| QuestionnaireError::NotFound(key.to_owned()))?;
    Ok(match format {
        ExportFormat::Xlsx => xlsform::export(&chosen.survey)?,
        ExportFormat::Toml => survey_file::to_toml_string(&chosen.survey)?.into_bytes(),
    })
}

/// What loading the shipped instruments did.
#[derive(Debug, Default)]
pub struct LoadReport {
    /// `key vN` newly stored and published.
    pub added: Vec<String>,
    /// `key vN` already stored and identical.
    pub unchanged: Vec<String>,
}

/// Demo publication options for shipped instruments, from `<dir>/demo/options.toml`
/// (`[key]` tables of [`SurveyOptions`]); missing file → no options.
fn demo_options(
    dir: &Path,
) -> std::result::Result<BTreeMap<String, SurveyOptions>, survey_file::LoadErrors> {
    let path = dir.join("demo").join("options.toml");
    let Ok(text) = std::fs::read_to_string(&path) else {
        return Ok(BTreeMap::new());
    };
    toml::from_str(&text).map_err(|e| {
        survey_file::LoadErrors(vec![survey_file::SurveyFileError::Toml {
            file: Some(path),
            message: e.to_string(),
        }])
    })
}

/// Load every instrument in `dir`: new ones are stored and published (with the demo options when
/// `with_demo_options`), identical ones are left alone, and a changed file that kept its version
/// number is an error. All or nothing: one transaction.
pub fn load_dir(
    conn: &mut DbConnection,
    actor: Actor<'_>,
    dir: &Path,
    with_demo_options: bool,
) -> Result<LoadReport> {
    let surveys = survey_file::load_dir(dir)?;
    let options = if with_demo_options {
        demo_options(dir)?
    } else {
        BTreeMap::new()
    };
    storage::transaction(conn, |conn| {
        let mut report = LoadReport::default();
        for mut survey in surveys {
            let label = format!("{} v{}", survey.key, survey.version);
            survey.status = VersionStatus::Draft;
            let record = store::find_survey(conn, &survey.key)?;
            // A new survey is published with its demo options; a new version of a stored one
            // with the options it already has. Either way the privacy notice is checked.
            let opts = match &record {
                Some(r) => r.options.clone(),
                None => options.get(&survey.key).cloned().unwrap_or_default(),
            };
            match record {
                None => {
                    let (published, _) = publishable(&survey, &opts)?;
                    store::insert_survey(conn, &published, &opts, actor.id)?;
                    audit(
                        conn,
                        actor,
                        "survey.loaded",
                        &survey.key,
                        &format!("version {}", survey.version),
                    )?;
                    report.added.push(label);
                }
                Some(record) => {
                    let versions = store::list_versions(conn, &record.id)?;
                    match versions.iter().find(|v| v.survey.version == survey.version) {
                        Some(existing) => {
                            let mut a = existing.survey.clone();
                            a.status = VersionStatus::Draft;
                            if a != survey {
                                return Err(QuestionnaireError::ChangedWithoutNewVersion {
                                    key: survey.key.clone(),
                                    version: survey.version,
                                });
                            }
                            report.unchanged.push(label);
                        }
                        None => {
                            let (published, _) = publishable(&survey, &opts)?;
                            for older in &versions {
                                if older.survey.status == VersionStatus::Published {
                                    store::mark_closed(conn, &older.id)?;
                                }
                            }
                            store::insert_version(conn, &record.id, &published, actor.id)?;
                            audit(
                                conn,
                                actor,
                                "survey.loaded",
                                &survey.key,
                                &format!("version {}", survey.version),
                            )?;
                            report.added.push(label);
                        }
                    }
                }
            }
        }
        Ok(report)
    })
}
