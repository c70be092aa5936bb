//! Surveys and their versions. A version row holds the whole instrument as JSON; the status
//! column is the truth about its life cycle, and a non-draft definition is never rewritten.

use diesel::prelude::*;
use time::PrimitiveDateTime;

use super::rows::{SurveyRow, VersionRow};
use super::schema::{responses, survey_versions, surveys};
use super::{now, DbConnection, StorageError};
use crate::domain::options::SurveyOptions;
use crate::domain::survey::{Survey, VersionStatus};

/// A survey (all versions share its key and options).
#[derive(Debug, Clone)]
pub struct SurveyRecord {
    /// Row id.
    pub id: String,
    /// Stable key (slug), used in public links.
    pub key: String,
    /// Operational options.
    pub options: SurveyOptions,
    /// When it was archived (hidden from the start page, listed apart in the designer).
    pub archived_at: Option<PrimitiveDateTime>,
}

/// One stored version.
#[derive(Debug, Clone)]
pub struct StoredVersion {
    /// Row id; responses point here.
    pub id: String,
    /// The survey it belongs to.
    pub survey_id: String,
    /// The instrument, with `status` taken from the row.
    pub survey: Survey,
    /// The stored JSON exactly as written (to prove published versions never change).
    pub definition: String,
    /// When it was published, if it was.
    pub published_at: Option<PrimitiveDateTime>,
    /// When it was closed, if it was.
    pub closed_at: Option<PrimitiveDateTime>,
}

/// A line of the survey list.
#[derive(Debug, Clone)]
pub struct SurveySummary {
    /// The survey.
    pub survey: SurveyRecord,
    /// Its newest version.
    pub latest: StoredVersion,
    /// The newest published (open) version, if any.
    pub published: Option<u32>,
    /// How many versions exist.
    pub versions: usize,
}

fn status_str(s: VersionStatus) -> &'static str {
    match s {
        VersionStatus::Draft => "draft",
        VersionStatus::Published => "published",
        VersionStatus::Closed => "closed",
    }
}

fn parse_status(s: &str) -> Result<VersionStatus, StorageError> {
    match s {
        "draft" => Ok(VersionStatus::Draft),
        "published" => Ok(VersionStatus::Published),
        "closed" => Ok(VersionStatus::Closed),
        other => Err(StorageError::Corrupt(format!("version status '{other}'"))),
    }
}

fn to_json<T: serde::Serialize>(v: &T) -> Result<String, StorageError> {
    serde_json::to_string(v).map_err(|e| StorageError::Corrupt(e.to_string()))
}

impl TryFrom<SurveyRow> for SurveyRecord {
    type Error = StorageError;
    fn try_from(r: SurveyRow) -> Result<Self, StorageError> {
        Ok(SurveyRecord {
            options: serde_json::from_str(&r.options)
                .map_err(|e| StorageError::Corrupt(format!("options of survey {}: {e}", r.key)))?,
            id: r.id,
            key: r.key,
            archived_at: r.archived_at,
        })
    }
}

impl TryFrom<VersionRow> for StoredVersion {
    type Error = StorageError;
    fn try_from(r: VersionRow) -> Result<Self, StorageError> {
        let mut survey: Survey = serde_json::from_str(&r.definition)
            .map_err(|e| StorageError::Corrupt(format!("definition of version {}: {e}", r.id)))?;
        survey.status = parse_status(&r.status)?;
        Ok(StoredVersion {
            id: r.id,
            survey_id: r.survey_id,
            survey,
            definition: r.definition,
            published_at: r.published_at,
            closed_at: r.closed_at,
        })
    }
}

/// Create a survey with its first version (`survey.version`, `survey.status`).
pub fn insert_survey(
    conn: &mut DbConnection,
    survey: &Survey,
    options: &SurveyOptions,
    created_by: Option<&str>,
) -> Result<(SurveyRecord, StoredVersion), StorageError> {
    conn.transaction(|conn| {
        let at = now();
        let row = SurveyRow {
            id: uuid::Uuid::new_v4().to_string(),
            key: survey.key.clone(),
            options: to_json(options)?,
            created_at: at,
            updated_at: at,
            archived_at: None,
        };
        diesel::insert_into(surveys::table)
            .values(&row)
            .execute(conn)?;
        let record = SurveyRecord::try_from(row)?;
        let version = insert_version(conn, &record.id, survey, created_by)?;
        Ok((record, version))
    })
}

/// Add a version to an existing survey.
pub fn insert_version(
    conn: &mut DbConnection,
    survey_id: &str,
    survey: &Survey,
    created_by: Option<&str>,
) -> Result<StoredVersion, StorageError> {
    let at = now();
    let published = matches!(
        survey.status,
        VersionStatus::Published | VersionStatus::Closed
    );
    let row = VersionRow {
        id: uuid::Uuid::new_v4().to_string(),
        survey_id: survey_id.to_owned(),
        version: i32::try_from(survey.version)
            .map_err(|_| StorageError::Corrupt("version number too large".into()))?,
        status: status_str(survey.status).to_owned(),
        definition: to_json(survey)?,
        created_by: created_by.map(str::to_owned),
        created_at: at,
        updated_at: at,
        published_at: published.then_some(at),
        closed_at: (survey.status == VersionStatus::Closed).then_some(at),
    };
    diesel::insert_into(survey_versions::table)
        .values(&row)
        .execute(conn)?;
    StoredVersion::try_from(row)
}

/// A survey by key.
pub fn find_survey(
    conn: &mut DbConnection,
    key: &str,
) -> Result<Option<SurveyRecord>, StorageError> {
    surveys::table
        .filter(surveys::key.eq(key))
        .select(SurveyRow::as_select())
        .first(conn)
        .optional()?
        .map(SurveyRecord::try_from)
        .transpose()
}

/// Replace a survey's options.
pub fn update_options(
    conn: &mut DbConnection,
    survey_id: &str,
    options: &SurveyOptions,
) -> Result<bool, StorageError> {
    let n = diesel::update(surveys::table.find(survey_id))
        .set((
            surveys::options.eq(to_json(options)?),
            surveys::updated_at.eq(now()),
        ))
        .execute(conn)?;
    Ok(n == 1)
}

/// All versions of a survey, oldest first.
pub fn list_versions(
    conn: &mut DbConnection,
    survey_id: &str,
) -> Result<Vec<StoredVersion>, StorageError> {
    survey_versions::table
        .filter(survey_versions::survey_id.eq(survey_id))
        .order(survey_versions::version.asc())
        .select(VersionRow::as_select())
        .load(conn)?
        .into_iter()
        .map(StoredVersion::try_from)
        .collect()
}

/// One version by survey key and number.
pub fn find_version(
    conn: &mut DbConnection,
    key: &str,
    version: u32,
) -> Result<Option<StoredVersion>, StorageError> {
    let Ok(version) = i32::try_from(version) else {
        return Ok(None);
    };
    survey_versions::table
        .inner_join(surveys::table)
        .filter(surveys::key.eq(key))
        .filter(survey_versions::version.eq(version))
        .select(VersionRow::as_select())
        .first(conn)
        .optional()?
        .map(StoredVersion::try_from)
        .transpose()
}

/// One version by row id.
pub fn find_version_by_id(
    conn: &mut DbConnection,
    id: &str,
) -> Result<Option<StoredVersion>, StorageError> {
    survey_versions::table
        .find(id)
        .select(VersionRow::as_select())
        .first(conn)
        .optional()?
        .map(StoredVersion::try_from)
        .transpose()
}

/// The version respondents get: the newest published one; failing that the newest closed one
/// (so a closed survey can say it is closed), else `None`.
pub fn find_respondent_version(
    conn: &mut DbConnection,
    key: &str,
) -> Result<Option<(SurveyRecord, StoredVersion)>, StorageError> {
    let Some(survey) = find_survey(conn, key)? else {
        return Ok(None);
    };
    let versions = list_versions(conn, &survey.id)?;
    let pick = versions
        .iter()
        .rev()
        .find(|v| v.survey.status == VersionStatus::Published)
        .or_else(|| {
            versions
                .iter()
                .rev()
                .find(|v| v.survey.status == VersionStatus::Closed)
        })
        .cloned();
    Ok(pick.map(|v| (survey, v)))
}

/// Every survey that is not archived with its newest version, by key.
pub fn list_surveys(conn: &mut DbConnection) -> Result<Vec<SurveySummary>, StorageError> {
    let records: Vec<SurveyRecord> = surveys::table
        .filter(surveys::archived_at.is_null())
        .order(surveys::key.asc())
        .select(SurveyRow::as_select())
        .load(conn)?
        .into_iter()
        .map(SurveyRecord::try_from)
        .collect::<Result<_, _>>()?;
    let mut out = Vec::with_capacity(records.len());
    for survey in records {
        let versions = list_versions(conn, &survey.id)?;
        let published = versions
            .iter()
            .rev()
            .find(|v| v.survey.status == VersionStatus::Published)
            .map(|v| v.survey.version);
        if let Some(latest) = versions.last().cloned() {
            out.push(SurveySummary {
                survey,
                latest,
                published,
                versions: versions.len(),
            });
        }
    }
    Ok(out)
}

/// Every version of every survey with the survey's key, by key and then version (oldest
/// first), in one query. Surveys without a version are left out, as in [`list_surveys`].
pub fn list_all_versions(
    conn: &mut DbConnection,
) -> Result<Vec<(String, StoredVersion)>, StorageError> {
    survey_versions::table
        .inner_join(surveys::table)
        .order((surveys::key.asc(), survey_versions::version.asc()))
        .select((surveys::key, VersionRow::as_select()))
        .load::<(String, VersionRow)>(conn)?
        .into_iter()
        .map(|(key, row)| Ok((key, StoredVersion::try_from(row)?)))
        .collect()
}

/// Responses per survey id (all versions), in one query; surveys without responses are absent.
pub fn response_counts(
    conn: &mut DbConnection,
) -> Result<std::collections::HashMap<String, i64>, StorageError> {
    Ok(responses::table
        .group_by(responses::survey_id)
        .select((responses::survey_id, diesel::dsl::count_star()))
        .load::<(String, i64)>(conn)?
        .into_iter()
        .collect())
}

/// Rewrite a draft's definition. Returns `false` (and changes nothing) unless the row is still a
/// draft: the `WHERE status = 'draft'` makes "published never changes" hold even against races.
pub fn update_draft(
    conn: &mut DbConnection,
    version_id: &str,
    survey: &Survey,
) -> Result<bool, StorageError> {
    let mut draft = survey.clone();
    draft.status = VersionStatus::Draft;
    let n = diesel::update(
        survey_versions::table
            .find(version_id)
            .filter(survey_versions::status.eq("draft")),
    )
    .set((
        survey_versions::definition.eq(to_json(&draft)?),
        survey_versions::updated_at.eq(now()),
    ))
    .execute(conn)?;
    Ok(n == 1)
}

/// Publish a draft: the definition is written one last time (with status published) and frozen.
pub fn mark_published(
    conn: &mut DbConnection,
    version_id: &str,
    survey: &Survey,
) -> Result<bool, StorageError> {
    let at = now();
    let n = diesel::update(
        survey_versions::table
            .find(version_id)
            .filter(survey_versions::status.eq("draft")),
    )
    .set((
        survey_versions::status.eq("published"),
        survey_versions::definition.eq(to_json(survey)?),
        survey_versions::published_at.eq(Some(at)),
        survey_versions::updated_at.eq(at),
    ))
    .execute(conn)?;
    Ok(n == 1)
}

/// Close a published version (the definition is untouched).
pub fn mark_closed(conn: &mut DbConnection, version_id: &str) -> Result<bool, StorageError> {
    let at = now();
    let n = diesel::update(
        survey_versions::table
            .find(version_id)
            .filter(survey_versions::status.eq("published")),
    )
    .set((
        survey_versions::status.eq("closed"),
        survey_versions::closed_at.eq(Some(at)),
        survey_versions::updated_at.eq(at),
    ))
    .execute(conn)?;
    Ok(n == 1)
}

/// Delete a draft version (never a published one).
pub fn delete_draft(conn: &mut DbConnection, version_id: &str) -> Result<bool, StorageError> {
    let n = diesel::delete(
        survey_versions::table
            .find(version_id)
            .filter(survey_versions::status.eq("draft")),
    )
    .execute(conn)?;
    Ok(n == 1)
}

/// Archive (`true`) or restore (`false`) a survey. Returns whether the row exists.
pub fn set_archived(
    conn: &mut DbConnection,
    survey_id: &str,
    archived: bool,
) -> Result<bool, StorageError> {
    let at = now();
    let n = diesel::update(surveys::table.find(survey_id))
        .set((
            surveys::archived_at.eq(archived.then_some(at)),
            surveys::updated_at.eq(at),
        ))
        .execute(conn)?;
    Ok(n == 1)
}

/// Keys of the archived surveys.
pub fn archived_keys(
    conn: &mut DbConnection,
) -> Result<std::collections::HashSet<String>, StorageError> {
    Ok(surveys::table
        .filter(surveys::archived_at.is_not_null())
        .select(surveys::key)
        .load::<String>(conn)?
        .into_iter()
        .collect())
}

/// Responses of one survey (all versions).
pub fn response_count(conn: &mut DbConnection, survey_id: &str) -> Result<i64, StorageError> {
    Ok(responses::table
        .filter(responses::survey_id.eq(survey_id))
        .count()
        .get_result(conn)?)
}

/// Delete a survey without responses, with its versions, samples and invitations (the
/// foreign keys cascade). The `NOT EXISTS` makes "never a survey with responses" hold even
/// against a response arriving meanwhile. Returns whether it was deleted.
pub fn delete_survey_without_responses(
    conn: &mut DbConnection,
    survey_id: &str,
) -> Result<bool, StorageError> {
    let n = diesel::delete(surveys::table.find(survey_id).filter(diesel::dsl::not(
        diesel::dsl::exists(responses::table.filter(responses::survey_id.eq(survey_id))),
    )))
    .execute(conn)?;
    Ok(n == 1)
}

/// Reopen a closed version: published again, its close time cleared (the definition is
/// untouched).
pub fn mark_reopened(conn: &mut DbConnection, version_id: &str) -> Result<bool, StorageError> {
    let n = diesel::update(
        survey_versions::table
            .find(version_id)
            .filter(survey_versions::status.eq("closed")),
    )
    .set((
        survey_versions::status.eq("published"),
        survey_versions::closed_at.eq(None::<PrimitiveDateTime>),
        survey_versions::updated_at.eq(now()),
    ))
    .execute(conn)?;
    Ok(n == 1)
}
