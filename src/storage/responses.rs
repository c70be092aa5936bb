//! Completed responses and in-progress drafts.
//!
//! Submissions go through one [`ResponseWriter`] per instance: a thread that takes every
//! submission waiting in its queue and commits them in **one** transaction (group commit), each
//! inside its own savepoint so one bad submission cannot spoil the others. With SQLite at
//! `synchronous=FULL` a commit costs an fsync; grouping is what lets one disk take thousands of
//! durable submissions a second. A caller learns its receipt only after the commit returned.

use std::sync::mpsc;
use std::time::Duration;

use diesel::prelude::*;
use time::PrimitiveDateTime;

use super::pool::Db;
use super::schema::{answers, drafts, responses};
use super::{now, DbConnection, StorageError};
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
}

#[derive(Insertable)]
#[diesel(table_name = responses)]
struct ResponseRow<'a> {
    id: &'a str,
    survey_id: &'a str,
    version_id: &'a str,
    receipt: &'a str,
    idempotency_key: &'a str,
    mode: &'a str,
    language: &'a str,
    seed: i64,
    started_at: PrimitiveDateTime,
    submitted_at: PrimitiveDateTime,
}

#[derive(Insertable)]
#[diesel(table_name = answers)]
struct AnswerRow<'a> {
    response_id: &'a str,
    answer_key: &'a str,
    value_text: Option<&'a str>,
    value_num: Option<f64>,
}

enum TxFail {
    Full,
    Db(StorageError),
}

impl From<diesel::result::Error> for TxFail {
    fn from(e: diesel::result::Error) -> Self {
        TxFail::Db(e.into())
    }
}

impl From<StorageError> for TxFail {
    fn from(e: StorageError) -> Self {
        TxFail::Db(e)
    }
}

/// Store one response (call inside a transaction; this opens a savepoint of its own).
pub fn insert_response(
    conn: &mut DbConnection,
    r: &NewResponse,
) -> Result<SubmitOutcome, StorageError> {
    // A receipt collision (40 random bits) is astronomically rare; retrying a few times makes it
    // impossible in practice rather than an error page.
    for _ in 0..4 {
        let receipt = new_receipt();
        let submitted_at = now();
        let id = uuid::Uuid::new_v4().to_string();
        let attempt = conn.transaction::<_, TxFail, _>(|c| {
            // The INSERT comes first so that, on SQLite, the transaction takes the write lock at
            // its first statement (no read snapshot to upgrade, so no SQLITE_BUSY_SNAPSHOT).
            diesel::insert_into(responses::table)
                .values(&ResponseRow {
                    id: &id,
                    survey_id: &r.survey_id,
                    version_id: &r.version_id,
                    receipt: &receipt,
                    idempotency_key: &r.idempotency_key,
                    mode: r.mode.as_str(),
                    language: &r.language,
                    seed: r.seed,
                    started_at: r.started_at,
                    submitted_at,
                })
                .execute(c)?;
            if let Some(max) = r.max_responses {
                let n: i64 = responses::table
                    .filter(responses::survey_id.eq(&r.survey_id))
                    .count()
                    .get_result(c)?;
                if n > i64::from(max) {
                    return Err(TxFail::Full);
                }
            }
            let rows: Vec<AnswerRow<'_>> = r
                .cells
                .iter()
                .map(|cell| AnswerRow {
                    response_id: &id,
                    answer_key: &cell.key,
                    value_text: cell.text.as_deref(),
                    value_num: cell.number,
                })
                .collect();
            insert_answers(c, &rows)?;
            if let Some(draft) = &r.draft_id {
                diesel::delete(drafts::table.find(draft)).execute(c)?;
            }
            Ok(())
        });
        match attempt {
            Ok(()) => {
                return Ok(SubmitOutcome::Stored {
                    receipt,
                    submitted_at,
                })
            }
            Err(TxFail::Full) => return Ok(SubmitOutcome::Full),
            Err(TxFail::Db(StorageError::Conflict(_))) => {
                if let Some((receipt, submitted_at)) =
                    find_by_idempotency_key(conn, &r.idempotency_key)?
                {
                    return Ok(SubmitOutcome::Duplicate {
                        receipt,
                        submitted_at,
                    });
                }
            }
            Err(TxFail::Db(e)) => return Err(e),
        }
    }
    Err(StorageError::Conflict(
        "could not allocate a unique receipt number".into(),
    ))
}

/// Multi-row INSERTs (a few statements per response instead of one per cell). Diesel's
/// MultiConnection cannot express them, so each arm uses its concrete connection.
fn insert_answers(conn: &mut DbConnection, rows: &[AnswerRow<'_>]) -> Result<(), StorageError> {
    for chunk in rows.chunks(200) {
        match conn {
            #[cfg(feature = "postgres")]
            DbConnection::Pg(c) => diesel::insert_into(answers::table)
                .values(chunk)
                .execute(c)?,
            #[cfg(feature = "sqlite")]
            DbConnection::Sqlite(c) => diesel::insert_into(answers::table)
                .values(chunk)
                .execute(c)?,
        };
    }
    Ok(())
}

fn find_by_idempotency_key(
    conn: &mut DbConnection,
    key: &str,
) -> Result<Option<(String, PrimitiveDateTime)>, StorageError> {
    Ok(responses::table
        .filter(responses::idempotency_key.eq(key))
        .select((responses::receipt, responses::submitted_at))
        .first(conn)
        .optional()?)
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
        let queue = self.queue.clone();
        // `send` blocks only when 8,192 submissions are already waiting: back-pressure.
        tokio::task::spawn_blocking(move || queue.send((response, reply)).map_err(|_| ()))
            .await
            .map_err(|e| StorageError::Blocking(e.to_string()))?
            .map_err(|_| StorageError::Blocking("the response writer has stopped".into()))?;
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
        let outcomes = commit_batch(db, &batch);
        match outcomes {
            Ok(results) => {
                for ((_, reply), result) in batch.into_iter().zip(results) {
                    let _ = reply.send(result);
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
) -> Result<Vec<Result<SubmitOutcome, StorageError>>, StorageError> {
    let mut last_err = None;
    // A busy database (another writer holding the lock past the busy timeout) gets a few more
    // tries before the whole batch is reported as failed; nothing was committed in between.
    for attempt in 0..5 {
        let mut conn = db.get()?;
        let result = conn.transaction::<_, StorageError, _>(|c| {
            Ok(batch
                .iter()
                .map(|(r, _)| insert_response(c, r))
                .collect::<Vec<_>>())
        });
        match result {
            Ok(v) => return Ok(v),
            Err(e) => {
                tracing::warn!(error = %e, attempt, "response batch retried");
                last_err = Some(e);
                std::thread::sleep(Duration::from_millis(20 << attempt));
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
pub fn cells_for_version(
    conn: &mut DbConnection,
    version_id: &str,
) -> Result<Vec<(String, Cell)>, StorageError> {
    Ok(answers::table
        .inner_join(responses::table)
        .filter(responses::version_id.eq(version_id))
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
        })),
        None => Ok(None),
    }
}

/// Delete expired drafts; returns how many.
pub fn delete_expired_drafts(conn: &mut DbConnection) -> Result<usize, StorageError> {
    Ok(diesel::delete(drafts::table.filter(drafts::expires_at.le(now()))).execute(conn)?)
}
