//! Completed responses and in-progress drafts.
//!
//! Submissions go through one [`ResponseWriter`] per instance: a thread that takes every
//! submission waiting in its queue and commits them in **one** transaction (group commit), each
//! inside its own savepoint so one bad submission cannot spoil the others. With SQLite at
//! `synchronous=FULL` a commit costs an fsync; grouping is what lets one disk take thousands of
//! durable submissions a second. A caller learns its receipt only after the commit returned.

use std::collections::{HashMap, HashSet};
use std::sync::mpsc;
use std::time::Duration;

use diesel::connection::DefaultLoadingMode;
use diesel::prelude::*;
use time::PrimitiveDateTime;

use super::pool::Db;
use super::schema::{
    answers, drafts, invitations, quota_counts, response_answers_packed, response_erasures,
    response_exclusions, responses, surveys,
};
use super::{now, DbConnection, StorageError};
use crate::domain::options::{Access, SurveyOptions};
use crate::domain::response::{new_receipt, Cell, Mode};

/// A complete response ready to store.
#[derive(Debug, Clone)]
pub struct NewResponse {
    /// The survey.
    pub survey_id: String,
    /// The exact version answered.
    pub version_id: String,
    /// One key per answering attempt: a retried or double-clicked submit stores nothing new.
    pub idempotency_key: String,
    /// Web, phone or paper.
    pub mode: Mode,
    /// The language answered in.
    pub language: String,
    /// The randomisation seed the respondent's layout came from.
    pub seed: i64,
    /// When the respondent started.
    pub started_at: PrimitiveDateTime,
    /// The answer cells.
    pub cells: Vec<Cell>,
    /// Refuse when the survey already has this many responses.
    pub max_responses: Option<u32>,
    /// A resumed draft to delete in the same transaction.
    pub draft_id: Option<String>,
    /// The invitation (access code) this response uses up, if any.
    pub invitation: Option<InvitationClaim>,
    /// The quota cells this response falls in: `(quota, cell, limit)`.
    pub quotas: Vec<(String, String, u32)>,
}

/// A response's claim on a single-use invitation.
#[derive(Debug, Clone)]
pub struct InvitationClaim {
    /// The invitation's access code (canonical form).
    pub code: String,
    /// Anonymous survey: mark the invitation used, but never store which response used it.
    pub anonymous: bool,
}

/// What happened to a submission.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SubmitOutcome {
    /// Stored now.
    Stored {
        /// The receipt number.
        receipt: String,
        /// Commit time.
        submitted_at: PrimitiveDateTime,
    },
    /// The same attempt was stored before (double click, retry): its original receipt.
    Duplicate {
        /// The receipt number given the first time.
        receipt: String,
        /// When it was stored.
        submitted_at: PrimitiveDateTime,
    },
    /// The survey has reached its maximum number of responses; nothing was stored.
    Full,
    /// A quota cell this response falls in is full; nothing was stored.
    QuotaFull {
        /// The quota's name.
        quota: String,
    },
    /// The invitation was already used by another response; nothing was stored.
    InvitationUsed,
    /// No invitation of this survey has that code; nothing was stored.
    InvitationUnknown,
    /// The survey is invitation-only and the submission named no code; nothing was stored.
    InvitationMissing,
}

#[derive(Insertable)]
#[diesel(table_name = responses)]
struct ResponseRow<'a> {
    id: String,
    survey_id: &'a str,
    version_id: &'a str,
    receipt: String,
    idempotency_key: &'a str,
    mode: &'a str,
    language: &'a str,
    seed: i64,
    started_at: PrimitiveDateTime,
    submitted_at: PrimitiveDateTime,
    stratum: Option<String>,
    design_weight: Option<f64>,
}

#[derive(Insertable)]
#[diesel(table_name = answers)]
struct AnswerRow<'a> {
    response_id: &'a str,
    answer_key: &'a str,
    value_text: Option<&'a str>,
    value_num: Option<f64>,
}

#[derive(Insertable)]
#[diesel(table_name = response_answers_packed)]
struct PackedRow<'a> {
    response_id: &'a str,
    version_id: &'a str,
    packed: String,
}

/// An invitation as the writer sees it.
struct InvitationState {
    id: String,
    survey_id: String,
    used: bool,
    stratum: Option<String>,
    design_weight: Option<f64>,
}

/// Store one response in its own transaction (the batch path with a batch of one).
pub fn insert_response(
    conn: &mut DbConnection,
    r: &NewResponse,
) -> Result<SubmitOutcome, StorageError> {
    let mut out = conn.transaction(|c| store_batch(c, &[r]))?;
    out.pop()
        .ok_or_else(|| StorageError::Blocking("empty batch result".into()))
}

/// Store a batch of responses; call inside a transaction. Each response is checked in order
/// (duplicate attempt, invitation, quota cells, maximum) against the database *and* the
/// responses before it in the batch, then everything accepted is written with a few multi-row
/// statements. Any database error fails the whole batch (the caller rolls back and retries:
/// a receipt collision or a race with another instance resolves on the retry).
pub fn store_batch(
    conn: &mut DbConnection,
    batch: &[&NewResponse],
) -> Result<Vec<SubmitOutcome>, StorageError> {
    // A write first: on SQLite this takes the write lock at the first statement, so the reads
    // below can never be invalidated by another writer (no SQLITE_BUSY_SNAPSHOT).
    let drafts_done: Vec<&str> = batch.iter().filter_map(|r| r.draft_id.as_deref()).collect();
    for chunk in drafts_done.chunks(500) {
        diesel::delete(drafts::table.filter(drafts::id.eq_any(chunk))).execute(conn)?;
    }
    if drafts_done.is_empty() {
        diesel::delete(drafts::table.filter(drafts::id.eq(""))).execute(conn)?;
    }

    let mut known = existing_attempts(conn, batch)?;
    let mut invitations = invitations_for(conn, batch)?;
    let invitation_only = invitation_only_surveys(conn, batch)?;
    // Stored responses per survey (read lazily) and those accepted earlier in this batch.
    let mut totals: HashMap<String, i64> = HashMap::new();
    let mut accepted_per_survey: HashMap<String, i64> = HashMap::new();
    let mut quota_counts: HashMap<(String, String, String), i64> = HashMap::new();

    let submitted_at = now();
    let mut outcomes = Vec::with_capacity(batch.len());
    let mut rows: Vec<ResponseRow<'_>> = Vec::with_capacity(batch.len());
    let mut accepted: Vec<usize> = Vec::with_capacity(batch.len());
    let mut used_invitations: Vec<(String, Option<String>, bool)> = Vec::new();
    let mut quota_increments: HashMap<(String, String, String), i64> = HashMap::new();
    let mut quota_limits: HashMap<(String, String, String), i64> = HashMap::new();

    for (i, r) in batch.iter().enumerate() {
        if let Some((receipt, at)) = known.get(&r.idempotency_key) {
            outcomes.push(SubmitOutcome::Duplicate {
                receipt: receipt.clone(),
                submitted_at: *at,
            });
            continue;
        }
        let invitation = match &r.invitation {
            // The writer has the final word on access, whatever the pages before it let through.
            None if invitation_only.contains(&r.survey_id) => {
                outcomes.push(SubmitOutcome::InvitationMissing);
                continue;
            }
            None => None,
            Some(claim) => match invitations.get(&claim.code) {
                Some(inv) if inv.survey_id == r.survey_id => {
                    if inv.used {
                        outcomes.push(SubmitOutcome::InvitationUsed);
                        continue;
                    }
                    Some(claim)
                }
                _ => {
                    outcomes.push(SubmitOutcome::InvitationUnknown);
                    continue;
                }
            },
        };
        let mut full_quota = None;
        for (quota, cell, limit) in &r.quotas {
            let key = (r.survey_id.clone(), quota.clone(), cell.clone());
            let count = match quota_counts.get(&key) {
                Some(n) => *n,
                None => {
                    let n = quota_count(conn, &key)?;
                    quota_counts.insert(key.clone(), n);
                    n
                }
            };
            if count >= i64::from(*limit) {
                full_quota = Some(quota.clone());
                break;
            }
        }
        if let Some(quota) = full_quota {
            outcomes.push(SubmitOutcome::QuotaFull { quota });
            continue;
        }
        if let Some(max) = r.max_responses {
            let stored = match totals.get(&r.survey_id) {
                Some(n) => *n,
                None => {
                    let n = count_for_survey(conn, &r.survey_id)?;
                    totals.insert(r.survey_id.clone(), n);
                    n
                }
            };
            let total = stored + accepted_per_survey.get(&r.survey_id).copied().unwrap_or(0);
            if total >= i64::from(max) {
                outcomes.push(SubmitOutcome::Full);
                continue;
            }
        }

        // Accepted: count it against everything later responses in the batch check.
        *accepted_per_survey.entry(r.survey_id.clone()).or_insert(0) += 1;
        for (quota, cell, limit) in &r.quotas {
            let key = (r.survey_id.clone(), quota.clone(), cell.clone());
            quota_limits.insert(key.clone(), i64::from(*limit));
            *quota_counts.entry(key.clone()).or_insert(0) += 1;
            *quota_increments.entry(key).or_insert(0) += 1;
        }
        // Time-ordered ids (UUIDv7): a batch's responses and their answer rows land at the end
        // of the primary-key B-trees instead of on hundreds of random pages, which is most of
        // what a group commit writes. The id is internal (respondents see the receipt) and
        // reveals no more than `submitted_at` beside it.
        let id = uuid::Uuid::now_v7().to_string();
        let receipt = new_receipt();
        let (mut stratum, mut design_weight) = (None, None);
        if let Some(claim) = invitation {
            if let Some(inv) = invitations.get_mut(&claim.code) {
                inv.used = true;
                stratum = inv.stratum.clone();
                design_weight = inv.design_weight;
                let link = (!claim.anonymous).then(|| id.clone());
                used_invitations.push((inv.id.clone(), link, claim.anonymous));
            }
        }
        known.insert(r.idempotency_key.clone(), (receipt.clone(), submitted_at));
        outcomes.push(SubmitOutcome::Stored {
            receipt: receipt.clone(),
            submitted_at,
        });
        accepted.push(i);
        rows.push(ResponseRow {
            id,
            survey_id: &r.survey_id,
            version_id: &r.version_id,
            receipt,
            idempotency_key: &r.idempotency_key,
            mode: r.mode.as_str(),
            language: &r.language,
            seed: r.seed,
            started_at: r.started_at,
            submitted_at,
            stratum,
            design_weight,
        });
    }

    insert_rows(conn, &rows)?;
    let answer_rows: Vec<AnswerRow<'_>> = accepted
        .iter()
        .zip(&rows)
        .flat_map(|(&i, row)| {
            batch[i].cells.iter().map(move |cell| AnswerRow {
                response_id: &row.id,
                answer_key: &cell.key,
                value_text: cell.text.as_deref(),
                value_num: cell.number,
            })
        })
        .collect();
    insert_answers(conn, &answer_rows)?;
    // The same cells packed, one row per response: what the first load of results reads.
    let packed_rows: Vec<PackedRow<'_>> = accepted
        .iter()
        .zip(&rows)
        .map(|(&i, row)| PackedRow {
            response_id: &row.id,
            version_id: row.version_id,
            packed: super::packed::pack(&batch[i].cells),
        })
        .collect();
    insert_packed(conn, &packed_rows)?;
    for (invitation_id, response_id, anonymous) in &used_invitations {
        mark_invitation_used(conn, invitation_id, response_id.as_deref(), *anonymous)?;
    }
    // A used code's other drafts (saved, then submitted without resuming) would otherwise keep
    // the code next to the attempt key that is now a response's idempotency key.
    let used_codes: Vec<&str> = accepted
        .iter()
        .filter_map(|&i| batch[i].invitation.as_ref().map(|c| c.code.as_str()))
        .collect();
    for chunk in used_codes.chunks(500) {
        diesel::delete(drafts::table.filter(drafts::invitation_code.eq_any(chunk)))
            .execute(conn)?;
    }
    for (key, n) in &quota_increments {
        add_to_quota(conn, key, *n)?;
        // Another PostgreSQL instance may have filled the cell since we read it: its UPDATE
        // held the row, ours then added to its committed count. Over the limit means we lost
        // the race; the batch rolls back and its retry sees the cell full.
        let limit = quota_limits.get(key).copied().unwrap_or(i64::MAX);
        if quota_count(conn, key)? > limit {
            return Err(StorageError::Conflict(
                "a quota cell filled concurrently".into(),
            ));
        }
    }
    Ok(outcomes)
}

/// Attempts of this batch that are already stored: `key → (receipt, submitted_at)`.
fn existing_attempts(
    conn: &mut DbConnection,
    batch: &[&NewResponse],
) -> Result<HashMap<String, (String, PrimitiveDateTime)>, StorageError> {
    let keys: Vec<&str> = batch.iter().map(|r| r.idempotency_key.as_str()).collect();
    let mut found = HashMap::new();
    for chunk in keys.chunks(500) {
        let rows: Vec<(String, String, PrimitiveDateTime)> = responses::table
            .filter(responses::idempotency_key.eq_any(chunk))
            .select((
                responses::idempotency_key,
                responses::receipt,
                responses::submitted_at,
            ))
            .load(conn)?;
        for (key, receipt, at) in rows {
            found.insert(key, (receipt, at));
        }
    }
    Ok(found)
}

/// The surveys of this batch's code-less submissions that accept answers only with an
/// invitation, read from the stored options (not from the caller) so no path can skip it.
fn invitation_only_surveys(
    conn: &mut DbConnection,
    batch: &[&NewResponse],
) -> Result<HashSet<String>, StorageError> {
    let ids: HashSet<&str> = batch
        .iter()
        .filter(|r| r.invitation.is_none())
        .map(|r| r.survey_id.as_str())
        .collect();
    if ids.is_empty() {
        return Ok(HashSet::new());
    }
    let ids: Vec<&str> = ids.into_iter().collect();
    let rows: Vec<(String, String)> = surveys::table
        .filter(surveys::id.eq_any(&ids))
        .select((surveys::id, surveys::options))
        .load(conn)?;
    let mut out = HashSet::new();
    for (id, options) in rows {
        let options: SurveyOptions = serde_json::from_str(&options)
            .map_err(|e| StorageError::Corrupt(format!("options of survey {id}: {e}")))?;
        if options.access == Access::Invitation {
            out.insert(id);
        }
    }
    Ok(out)
}

/// The invitations this batch claims, by code.
fn invitations_for(
    conn: &mut DbConnection,
    batch: &[&NewResponse],
) -> Result<HashMap<String, InvitationState>, StorageError> {
    let codes: Vec<&str> = batch
        .iter()
        .filter_map(|r| r.invitation.as_ref().map(|c| c.code.as_str()))
        .collect();
    let mut found = HashMap::new();
    for chunk in codes.chunks(500) {
        type Row = (
            String,
            String,
            String,
            Option<PrimitiveDateTime>,
            Option<String>,
            Option<f64>,
        );
        let rows: Vec<Row> = invitations::table
            .filter(invitations::code.eq_any(chunk))
            .select((
                invitations::id,
                invitations::code,
                invitations::survey_id,
                invitations::completed_at,
                invitations::stratum,
                invitations::design_weight,
            ))
            .load(conn)?;
        for (id, code, survey_id, completed, stratum, design_weight) in rows {
            found.insert(
                code,
                InvitationState {
                    id,
                    survey_id,
                    used: completed.is_some(),
                    stratum,
                    design_weight,
                },
            );
        }
    }
    Ok(found)
}

/// Mark an invitation used. The `completed_at IS NULL` guard makes a race between two
/// instances fail the later batch (which then retries and sees the invitation used). An
/// anonymous survey keeps only the date, so the time cannot be matched to a response.
fn mark_invitation_used(
    conn: &mut DbConnection,
    invitation_id: &str,
    response_id: Option<&str>,
    anonymous: bool,
) -> Result<(), StorageError> {
    let at = now();
    let at = if anonymous {
        PrimitiveDateTime::new(at.date(), time::Time::MIDNIGHT)
    } else {
        at
    };
    let n = diesel::update(
        invitations::table
            .find(invitation_id)
            .filter(invitations::completed_at.is_null()),
    )
    .set((
        invitations::completed_at.eq(at),
        invitations::response_id.eq(response_id),
    ))
    .execute(conn)?;
    if n == 1 {
        Ok(())
    } else {
        Err(StorageError::Conflict(
            "an invitation was used concurrently".into(),
        ))
    }
}

fn quota_count(
    conn: &mut DbConnection,
    (survey, quota, cell): &(String, String, String),
) -> Result<i64, StorageError> {
    Ok(quota_counts::table
        .find((survey, quota, cell))
        .select(quota_counts::count)
        .first(conn)
        .optional()?
        .unwrap_or(0))
}

/// Add `n` to a quota cell's count (creating it).
fn add_to_quota(
    conn: &mut DbConnection,
    key: &(String, String, String),
    n: i64,
) -> Result<(), StorageError> {
    let (survey, quota, cell) = key;
    let updated = diesel::update(quota_counts::table.find((survey, quota, cell)))
        .set(quota_counts::count.eq(quota_counts::count + n))
        .execute(conn)?;
    if updated == 0 {
        // A concurrent first insert on another instance makes this a unique violation, which
        // fails the batch; its retry then takes the UPDATE path above.
        diesel::insert_into(quota_counts::table)
            .values((
                quota_counts::survey_id.eq(survey),
                quota_counts::quota.eq(quota),
                quota_counts::cell.eq(cell),
                quota_counts::count.eq(n),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// Multi-row INSERTs of responses (12 columns × 1,000 rows per statement).
fn insert_rows(conn: &mut DbConnection, rows: &[ResponseRow<'_>]) -> Result<(), StorageError> {
    insert_chunked!(conn, responses::table, rows, 1000);
    Ok(())
}

/// Multi-row INSERTs of answer cells (4 columns × 4,000 rows per statement).
fn insert_answers(conn: &mut DbConnection, rows: &[AnswerRow<'_>]) -> Result<(), StorageError> {
    insert_chunked!(conn, answers::table, rows, 4000);
    Ok(())
}

/// Multi-row INSERTs of packed answers (3 columns × 1,000 rows per statement).
fn insert_packed(conn: &mut DbConnection, rows: &[PackedRow<'_>]) -> Result<(), StorageError> {
    insert_chunked!(conn, response_answers_packed::table, rows, 1000);
    Ok(())
}

type Reply = tokio::sync::oneshot::Sender<Result<SubmitOutcome, StorageError>>;

/// The group-commit writer. Cheap to clone; all clones feed the same thread.
#[derive(Clone)]
pub struct ResponseWriter {
    queue: mpsc::SyncSender<(NewResponse, Reply)>,
}

/// Largest batch per transaction (bounded so one commit never holds the lock for long).
const MAX_BATCH: usize = 512;

impl ResponseWriter {
    /// Start the writer thread on `db`.
    pub fn start(db: Db) -> ResponseWriter {
        let (tx, rx) = mpsc::sync_channel::<(NewResponse, Reply)>(8192);
        let spawned = std::thread::Builder::new()
            .name("response-writer".into())
            .spawn(move || writer_loop(&db, &rx));
        if let Err(e) = spawned {
            tracing::error!(error = %e, "could not start the response writer");
        }
        ResponseWriter { queue: tx }
    }

    /// Queue a response and wait until it is durably committed (or refused).
    pub async fn submit(&self, response: NewResponse) -> Result<SubmitOutcome, StorageError> {
        let (reply, answer) = tokio::sync::oneshot::channel();
        // `try_send` first: the queue is almost never full, and a blocking-pool hop per
        // submission costs more than the commit it waits for.
        let response = match self.queue.try_send((response, reply)) {
            Ok(()) => None,
            Err(mpsc::TrySendError::Full(job)) => Some(job),
            Err(mpsc::TrySendError::Disconnected(_)) => {
                return Err(StorageError::Blocking(
                    "the response writer has stopped".into(),
                ))
            }
        };
        if let Some(job) = response {
            // Back-pressure: 8,192 submissions are already waiting; block off the executor.
            let queue = self.queue.clone();
            tokio::task::spawn_blocking(move || queue.send(job).map_err(|_| ()))
                .await
                .map_err(|e| StorageError::Blocking(e.to_string()))?
                .map_err(|_| StorageError::Blocking("the response writer has stopped".into()))?;
        }
        answer.await.map_err(|_| {
            StorageError::Blocking("the response writer dropped a submission".into())
        })?
    }
}

fn writer_loop(db: &Db, rx: &mpsc::Receiver<(NewResponse, Reply)>) {
    while let Ok(first) = rx.recv() {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        match commit_batch(db, &batch) {
            Ok(results) => {
                for ((_, reply), result) in batch.into_iter().zip(results) {
                    let _ = reply.send(Ok(result));
                }
            }
            Err(e) => {
                tracing::error!(error = %e, batch = batch.len(), "response batch failed");
                for (_, reply) in batch {
                    let _ = reply.send(Err(StorageError::Blocking(format!("batch failed: {e}"))));
                }
            }
        }
    }
}

fn commit_batch(
    db: &Db,
    batch: &[(NewResponse, Reply)],
) -> Result<Vec<SubmitOutcome>, StorageError> {
    let responses: Vec<&NewResponse> = batch.iter().map(|(r, _)| r).collect();
    let mut last_err = None;
    // A failed batch rolls back completely and is tried again: a busy database (another writer
    // holding the lock past the busy timeout), a receipt collision or a race with another
    // instance over an attempt key, invitation or quota cell all resolve on a retry.
    for attempt in 0..5 {
        let result = db
            .get()
            .and_then(|mut conn| conn.transaction(|c| store_batch(c, &responses)));
        match result {
            Ok(v) => return Ok(v),
            Err(e) => {
                tracing::warn!(error = %e, attempt, "response batch retried");
                last_err = Some(e);
                std::thread::sleep(Duration::from_millis(5 << attempt));
            }
        }
    }
    Err(last_err.unwrap_or_else(|| StorageError::Blocking("batch failed".into())))
}

/// A stored response as staff see it.
#[derive(Debug, Clone)]
pub struct StoredResponse {
    /// Row id.
    pub id: String,
    /// The version answered.
    pub version_id: String,
    /// Receipt number.
    pub receipt: String,
    /// Web, phone or paper.
    pub mode: String,
    /// Language.
    pub language: String,
    /// Commit time.
    pub submitted_at: PrimitiveDateTime,
    /// The answer cells.
    pub cells: Vec<Cell>,
}

/// Look a response up by its receipt number.
pub fn find_by_receipt(
    conn: &mut DbConnection,
    receipt: &str,
) -> Result<Option<StoredResponse>, StorageError> {
    let row: Option<(String, String, String, String, String, PrimitiveDateTime)> = responses::table
        .filter(responses::receipt.eq(receipt))
        .select((
            responses::id,
            responses::version_id,
            responses::receipt,
            responses::mode,
            responses::language,
            responses::submitted_at,
        ))
        .first(conn)
        .optional()?;
    let Some((id, version_id, receipt, mode, language, submitted_at)) = row else {
        return Ok(None);
    };
    let cells = answers::table
        .filter(answers::response_id.eq(&id))
        .order(answers::answer_key.asc())
        .select((answers::answer_key, answers::value_text, answers::value_num))
        .load::<(String, Option<String>, Option<f64>)>(conn)?
        .into_iter()
        .map(|(key, text, number)| Cell { key, text, number })
        .collect();
    Ok(Some(StoredResponse {
        id,
        version_id,
        receipt,
        mode,
        language,
        submitted_at,
        cells,
    }))
}

/// Delete a response and its answers (a respondent's erasure request).
pub fn delete_response(conn: &mut DbConnection, response_id: &str) -> Result<bool, StorageError> {
    conn.transaction(|c| {
        diesel::delete(answers::table.filter(answers::response_id.eq(response_id))).execute(c)?;
        diesel::delete(response_answers_packed::table.find(response_id)).execute(c)?;
        Ok(diesel::delete(responses::table.find(response_id)).execute(c)? == 1)
    })
}

/// How many completed responses a survey has.
pub fn count_for_survey(conn: &mut DbConnection, survey_id: &str) -> Result<i64, StorageError> {
    Ok(responses::table
        .filter(responses::survey_id.eq(survey_id))
        .count()
        .get_result(conn)?)
}

/// Every answer cell of a version's responses, ordered by response: what the analysis loads.
/// Responses a researcher excluded ([`set_excluded`]) are left out.
pub fn cells_for_version(
    conn: &mut DbConnection,
    version_id: &str,
) -> Result<Vec<(String, Cell)>, StorageError> {
    Ok(answers::table
        .inner_join(responses::table)
        .filter(responses::version_id.eq(version_id))
        .filter(responses::id.ne_all(excluded_ids()))
        .order((answers::response_id.asc(), answers::answer_key.asc()))
        .select((
            answers::response_id,
            answers::answer_key,
            answers::value_text,
            answers::value_num,
        ))
        .load::<(String, String, Option<String>, Option<f64>)>(conn)?
        .into_iter()
        .map(|(rid, key, text, number)| (rid, Cell { key, text, number }))
        .collect())
}

/// A saved "continue later" draft.
#[derive(Debug, Clone)]
pub struct Draft {
    /// Row id (carried in the form so a later submit deletes it).
    pub id: String,
    /// The version being answered.
    pub version_id: String,
    /// Language.
    pub language: String,
    /// Layout seed.
    pub seed: i64,
    /// The answering attempt's idempotency key.
    pub attempt: String,
    /// The page to return to.
    pub page: i32,
    /// Answers as JSON (an `AnswerMap`).
    pub answers: String,
    /// The invitation code the attempt answers under, if any.
    pub invitation_code: Option<String>,
}

/// Save a draft under the hash of its resume code; replaces `replaces` if given.
#[allow(clippy::too_many_arguments)]
pub fn insert_draft(
    conn: &mut DbConnection,
    code_hash: &str,
    draft: &Draft,
    expires_at: PrimitiveDateTime,
    replaces: Option<&str>,
) -> Result<(), StorageError> {
    conn.transaction(|c| {
        if let Some(old) = replaces {
            diesel::delete(drafts::table.find(old)).execute(c)?;
        }
        diesel::insert_into(drafts::table)
            .values((
                drafts::id.eq(&draft.id),
                drafts::version_id.eq(&draft.version_id),
                drafts::code_hash.eq(code_hash),
                drafts::language.eq(&draft.language),
                drafts::seed.eq(draft.seed),
                drafts::attempt.eq(&draft.attempt),
                drafts::page.eq(draft.page),
                drafts::answers.eq(&draft.answers),
                drafts::created_at.eq(now()),
                drafts::expires_at.eq(expires_at),
                drafts::invitation_code.eq(&draft.invitation_code),
            ))
            .execute(c)?;
        Ok(())
    })
}

#[derive(Queryable)]
struct DraftRow {
    id: String,
    version_id: String,
    language: String,
    seed: i64,
    attempt: String,
    page: i32,
    answers: String,
    expires_at: PrimitiveDateTime,
    invitation_code: Option<String>,
}

/// A live draft by the hash of its code (expired drafts are deleted on sight).
pub fn find_draft(conn: &mut DbConnection, code_hash: &str) -> Result<Option<Draft>, StorageError> {
    let row: Option<DraftRow> = drafts::table
        .filter(drafts::code_hash.eq(code_hash))
        .select((
            drafts::id,
            drafts::version_id,
            drafts::language,
            drafts::seed,
            drafts::attempt,
            drafts::page,
            drafts::answers,
            drafts::expires_at,
            drafts::invitation_code,
        ))
        .first(conn)
        .optional()?;
    match row {
        Some(r) if r.expires_at <= now() => {
            diesel::delete(drafts::table.find(&r.id)).execute(conn)?;
            Ok(None)
        }
        Some(r) => Ok(Some(Draft {
            id: r.id,
            version_id: r.version_id,
            language: r.language,
            seed: r.seed,
            attempt: r.attempt,
            page: r.page,
            answers: r.answers,
            invitation_code: r.invitation_code,
        })),
        None => Ok(None),
    }
}

/// Delete expired drafts; returns how many.
pub fn delete_expired_drafts(conn: &mut DbConnection) -> Result<usize, StorageError> {
    Ok(diesel::delete(drafts::table.filter(drafts::expires_at.le(now()))).execute(conn)?)
}

/// What the results read about each response besides its answers.
#[derive(Debug, Clone, PartialEq, Queryable)]
pub struct ResultRow {
    /// Response id.
    pub id: String,
    /// Web, phone or paper (as stored).
    pub mode: String,
    /// Commit time.
    pub submitted_at: PrimitiveDateTime,
    /// The sample stratum, if the response came from a drawn sample.
    pub stratum: Option<String>,
    /// The design weight, if any.
    pub design_weight: Option<f64>,
}

/// The responses results are computed from: every completed response of `version_id` except
/// the excluded ones, in response id order (the row order of the loaded columns).
pub fn rows_for_version(
    conn: &mut DbConnection,
    version_id: &str,
) -> Result<Vec<ResultRow>, StorageError> {
    Ok(responses::table
        .filter(responses::version_id.eq(version_id))
        .filter(responses::id.ne_all(excluded_ids()))
        .order(responses::id.asc())
        .select((
            responses::id,
            responses::mode,
            responses::submitted_at,
            responses::stratum,
            responses::design_weight,
        ))
        .load(conn)?)
}

/// Call `each(response id, answer key, text, number)` for every answer cell of the responses
/// [`rows_for_version`] reads, streaming, in **no particular order**, from the long-format
/// `answers` table: the reference for the packed read the results use
/// ([`super::packed::each_packed`]), which reads 43 times fewer rows. Asking for an order cost
/// more than everything else the first load of a version does: SQLite walks the version's
/// responses (their version index, in insertion order) and each one's answers (the primary
/// key), so `ORDER BY response_id` sorted every answer row in a temporary B-tree (4.3 million
/// for 40 questions and 100,000 responses, see BENCHMARKS.md). The caller places each cell by
/// its response id instead; on SQLite a response's cells still come together, in key order.
pub fn each_answer(
    conn: &mut DbConnection,
    version_id: &str,
    mut each: impl FnMut(&str, &str, Option<&str>, Option<f64>),
) -> Result<(), StorageError> {
    let rows = answers::table
        .inner_join(responses::table)
        .filter(responses::version_id.eq(version_id))
        .filter(responses::id.ne_all(excluded_ids()))
        .select((
            answers::response_id,
            answers::answer_key,
            answers::value_text,
            answers::value_num,
        ))
        .load_iter::<(String, String, Option<String>, Option<f64>), DefaultLoadingMode>(conn)?;
    for row in rows {
        let (response, key, text, number) = row?;
        each(&response, &key, text.as_deref(), number);
    }
    Ok(())
}

// ---------------------------------------------------------------- erasure (a respondent's request)

/// What erasing a response removed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Erased {
    /// The survey the response belonged to.
    pub survey_id: String,
    /// Answer cells deleted.
    pub answers: usize,
    /// Drafts of the same attempt deleted.
    pub drafts: usize,
}

/// Erase the response with receipt `receipt`: its answers, any draft of the same attempt, the
/// invitation's link to it, its share of the quota counts (`quota_cells`: `(quota, cell)` it
/// was counted in) and the response row, and remember the receipt as erased, all in one
/// transaction; `audit` writes the audit event inside it. `None` when no response has that
/// receipt (nothing is changed). The invitation stays used: erasing answers does not hand out
/// a second chance to answer under the same code.
pub fn erase_response(
    conn: &mut DbConnection,
    receipt: &str,
    quota_cells: &[(String, String)],
    audit: impl FnOnce(&mut DbConnection) -> Result<(), StorageError>,
) -> Result<Option<Erased>, StorageError> {
    conn.transaction(|c| {
        let row: Option<(String, String, String)> = responses::table
            .filter(responses::receipt.eq(receipt))
            .select((
                responses::id,
                responses::survey_id,
                responses::idempotency_key,
            ))
            .first(c)
            .optional()?;
        let Some((id, survey_id, attempt)) = row else {
            return Ok(None);
        };
        let answers_deleted =
            diesel::delete(answers::table.filter(answers::response_id.eq(&id))).execute(c)?;
        diesel::delete(response_answers_packed::table.find(&id)).execute(c)?;
        let drafts_deleted =
            diesel::delete(drafts::table.filter(drafts::attempt.eq(&attempt))).execute(c)?;
        // An exclusion points at the response; the erased response leaves no trace of it.
        diesel::delete(response_exclusions::table.filter(response_exclusions::response_id.eq(&id)))
            .execute(c)?;
        diesel::update(invitations::table.filter(invitations::response_id.eq(&id)))
            .set(invitations::response_id.eq(None::<String>))
            .execute(c)?;
        for (quota, cell) in quota_cells {
            diesel::update(
                quota_counts::table
                    .find((&survey_id, quota, cell))
                    .filter(quota_counts::count.gt(0)),
            )
            .set(quota_counts::count.eq(quota_counts::count - 1))
            .execute(c)?;
        }
        let gone = diesel::delete(responses::table.find(&id)).execute(c)?;
        if gone != 1 {
            return Err(StorageError::Conflict(
                "the response was erased concurrently".into(),
            ));
        }
        diesel::insert_into(response_erasures::table)
            .values((
                response_erasures::receipt.eq(receipt),
                response_erasures::survey_id.eq(&survey_id),
                response_erasures::erased_at.eq(now()),
            ))
            .execute(c)?;
        audit(c)?;
        Ok(Some(Erased {
            survey_id,
            answers: answers_deleted,
            drafts: drafts_deleted,
        }))
    })
}

/// When the response with receipt `receipt` was erased, if it was.
pub fn find_erasure(
    conn: &mut DbConnection,
    receipt: &str,
) -> Result<Option<PrimitiveDateTime>, StorageError> {
    Ok(response_erasures::table
        .find(receipt)
        .select(response_erasures::erased_at)
        .first(conn)
        .optional()?)
}

// --- Response browsing and exclusions (issue 13 item 7) ---

/// The ids of responses currently excluded from results, as a subquery.
#[diesel::dsl::auto_type]
fn excluded_ids() -> _ {
    response_exclusions::table
        .filter(response_exclusions::excluded.eq(true))
        .select(response_exclusions::response_id)
}

/// What the response browser lists about a completed response (no answers, no invitation).
#[derive(Debug, Clone)]
pub struct ResponseMeta {
    /// Response id.
    pub id: String,
    /// Web, phone or paper (as stored).
    pub mode: String,
    /// The language answered in.
    pub language: String,
    /// Commit time.
    pub submitted_at: PrimitiveDateTime,
    /// The sample stratum, if the response came from a drawn sample.
    pub stratum: Option<String>,
    /// The design weight, if any.
    pub design_weight: Option<f64>,
    /// The reason it is excluded from results, when it is.
    pub excluded: Option<String>,
}

/// `(id, mode, language, submitted_at, stratum, design_weight)`.
type MetaRow = (
    String,
    String,
    String,
    PrimitiveDateTime,
    Option<String>,
    Option<f64>,
);

/// Every completed response of a version, excluded ones included (marked), oldest first.
pub fn meta_for_version(
    conn: &mut DbConnection,
    version_id: &str,
) -> Result<Vec<ResponseMeta>, StorageError> {
    let rows: Vec<MetaRow> = responses::table
        .filter(responses::version_id.eq(version_id))
        .order((responses::submitted_at.asc(), responses::id.asc()))
        .select((
            responses::id,
            responses::mode,
            responses::language,
            responses::submitted_at,
            responses::stratum,
            responses::design_weight,
        ))
        .load(conn)?;
    let excluded: HashMap<String, String> = response_exclusions::table
        .filter(response_exclusions::version_id.eq(version_id))
        .filter(response_exclusions::excluded.eq(true))
        .select((
            response_exclusions::response_id,
            response_exclusions::reason,
        ))
        .load::<(String, String)>(conn)?
        .into_iter()
        .collect();
    Ok(rows
        .into_iter()
        .map(
            |(id, mode, language, submitted_at, stratum, design_weight)| ResponseMeta {
                excluded: excluded.get(&id).cloned(),
                id,
                mode,
                language,
                submitted_at,
                stratum,
                design_weight,
            },
        )
        .collect())
}

/// One response's version id and its answer cells (by key), if it exists.
pub fn response_with_cells(
    conn: &mut DbConnection,
    response_id: &str,
) -> Result<Option<(String, Vec<Cell>)>, StorageError> {
    let Some(version_id) = responses::table
        .find(response_id)
        .select(responses::version_id)
        .first::<String>(conn)
        .optional()?
    else {
        return Ok(None);
    };
    let cells = answers::table
        .filter(answers::response_id.eq(response_id))
        .order(answers::answer_key.asc())
        .select((answers::answer_key, answers::value_text, answers::value_num))
        .load::<(String, Option<String>, Option<f64>)>(conn)?
        .into_iter()
        .map(|(key, text, number)| Cell { key, text, number })
        .collect();
    Ok(Some((version_id, cells)))
}

/// The invitation a response used: `(invitation id, access code, unit reference)`. Anonymous
/// surveys never store the link, so there is none to find; callers still must not ask for
/// anonymous surveys.
pub fn invitation_of_response(
    conn: &mut DbConnection,
    response_id: &str,
) -> Result<Option<(String, String, Option<String>)>, StorageError> {
    Ok(invitations::table
        .filter(invitations::response_id.eq(response_id))
        .select((invitations::id, invitations::code, invitations::unit_ref))
        .first(conn)
        .optional()?)
}

/// Exclude (`excluded`) or re-include a response of `version_id`, with the reason and who did
/// it; bumps the version's [`exclusion_stamp`]. Returns false when nothing changed (already in
/// that state). Call inside the transaction that writes the audit event.
pub fn set_excluded(
    conn: &mut DbConnection,
    response_id: &str,
    version_id: &str,
    excluded: bool,
    reason: &str,
    by: &str,
) -> Result<bool, StorageError> {
    let current: Option<(bool, i64)> = response_exclusions::table
        .find(response_id)
        .select((response_exclusions::excluded, response_exclusions::revision))
        .first(conn)
        .optional()?;
    match current {
        Some((state, _)) if state == excluded => Ok(false),
        None if !excluded => Ok(false),
        Some((_, revision)) => {
            diesel::update(response_exclusions::table.find(response_id))
                .set((
                    response_exclusions::excluded.eq(excluded),
                    response_exclusions::reason.eq(reason),
                    response_exclusions::changed_by.eq(by),
                    response_exclusions::changed_at.eq(now()),
                    response_exclusions::revision.eq(revision + 1),
                ))
                .execute(conn)?;
            Ok(true)
        }
        None => {
            diesel::insert_into(response_exclusions::table)
                .values((
                    response_exclusions::response_id.eq(response_id),
                    response_exclusions::version_id.eq(version_id),
                    response_exclusions::excluded.eq(true),
                    response_exclusions::reason.eq(reason),
                    response_exclusions::changed_by.eq(by),
                    response_exclusions::changed_at.eq(now()),
                    response_exclusions::revision.eq(1_i64),
                ))
                .execute(conn)?;
            Ok(true)
        }
    }
}

/// A number that changes on every exclusion and re-inclusion in a version (the sum of the
/// revisions, which only grow): part of the results cache's stamp.
pub fn exclusion_stamp(conn: &mut DbConnection, version_id: &str) -> Result<i64, StorageError> {
    let revisions: Vec<i64> = response_exclusions::table
        .filter(response_exclusions::version_id.eq(version_id))
        .select(response_exclusions::revision)
        .load(conn)?;
    Ok(revisions.iter().sum())
}

/// `(response id, text)` of every non-empty text answer under `answer_key` in a version,
/// excluded responses left out, in response id order.
pub fn texts_for_key(
    conn: &mut DbConnection,
    version_id: &str,
    answer_key: &str,
) -> Result<Vec<(String, String)>, StorageError> {
    Ok(answers::table
        .inner_join(responses::table)
        .filter(responses::version_id.eq(version_id))
        .filter(responses::id.ne_all(excluded_ids()))
        .filter(answers::answer_key.eq(answer_key))
        .filter(answers::value_text.is_not_null())
        .order(answers::response_id.asc())
        .select((answers::response_id, answers::value_text.assume_not_null()))
        .load(conn)?)
}
