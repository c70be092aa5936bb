//! The e-mail outbox: one `deliveries` row per message (invitation, reminder 1, reminder 2) of an
//! invitation. Rows are queued by staff, claimed by the outbox worker with a conditional UPDATE
//! (so several instances on one PostgreSQL database never send the same row twice at once) and
//! become `sent` only after the SMTP server accepted the message.

use diesel::prelude::*;
use time::{Duration, PrimitiveDateTime};

use super::schema::{deliveries, invitation_contacts, invitations, surveys};
use super::{now, DbConnection, StorageError};

/// Which message of an invitation a delivery is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DeliveryKind {
    /// The first e-mail.
    Invitation,
    /// The first reminder (only after the invitation was sent).
    Reminder1,
    /// The second reminder (only after the first reminder was sent).
    Reminder2,
}

impl DeliveryKind {
    /// Every kind, in sending order.
    pub const ALL: [DeliveryKind; 3] = [
        DeliveryKind::Invitation,
        DeliveryKind::Reminder1,
        DeliveryKind::Reminder2,
    ];

    /// The stored value.
    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryKind::Invitation => "invitation",
            DeliveryKind::Reminder1 => "reminder1",
            DeliveryKind::Reminder2 => "reminder2",
        }
    }

    /// Parse a stored (or URL) value.
    pub fn parse(s: &str) -> Option<DeliveryKind> {
        DeliveryKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// The message that must have been sent before this one may be queued.
    pub fn previous(self) -> Option<DeliveryKind> {
        match self {
            DeliveryKind::Invitation => None,
            DeliveryKind::Reminder1 => Some(DeliveryKind::Invitation),
            DeliveryKind::Reminder2 => Some(DeliveryKind::Reminder1),
        }
    }

    /// Whether this is a reminder.
    pub fn is_reminder(self) -> bool {
        self != DeliveryKind::Invitation
    }
}

/// Statuses as stored.
pub mod status {
    /// Waiting to be sent (or to be retried at `next_attempt_at`).
    pub const QUEUED: &str = "queued";
    /// Accepted by the SMTP server.
    pub const SENT: &str = "sent";
    /// Gave up after the last attempt.
    pub const FAILED: &str = "failed";
    /// Permanently refused by the server.
    pub const BOUNCED: &str = "bounced";
    /// Not sent: the person answered, opted out or bounced before it was sent.
    pub const SKIPPED: &str = "skipped";
}

#[derive(Insertable)]
#[diesel(table_name = deliveries)]
struct DeliveryRow<'a> {
    id: String,
    invitation_id: &'a str,
    kind: &'static str,
    status: &'static str,
    attempts: i32,
    next_attempt_at: PrimitiveDateTime,
    created_at: PrimitiveDateTime,
}

/// Queue one `kind` message for every invitation of the survey that has an e-mail address, has
/// not answered, opted out or bounced, has no such message yet, and (for reminders) whose
/// previous message was sent. Returns how many were queued. Idempotent: pressing twice queues
/// nothing new, and the UNIQUE (invitation, kind) constraint settles a race between two presses.
pub fn queue(
    conn: &mut DbConnection,
    survey_id: &str,
    kind: DeliveryKind,
) -> Result<usize, StorageError> {
    use diesel::dsl::{exists, not};
    let this_kind = deliveries::table
        .filter(deliveries::invitation_id.eq(invitations::id))
        .filter(deliveries::kind.eq(kind.as_str()));
    let has_email = invitation_contacts::table
        .filter(invitation_contacts::invitation_id.eq(invitations::id))
        .filter(invitation_contacts::email.is_not_null())
        .filter(invitation_contacts::email.ne(""));
    let mut candidates = invitations::table
        .filter(invitations::survey_id.eq(survey_id))
        .filter(exists(has_email))
        .filter(invitations::completed_at.is_null())
        .filter(invitations::opted_out_at.is_null())
        .filter(invitations::bounced_at.is_null())
        .filter(not(exists(this_kind)))
        .select(invitations::id)
        .into_boxed();
    if let Some(previous) = kind.previous() {
        let previous_sent = deliveries::table
            .filter(deliveries::invitation_id.eq(invitations::id))
            .filter(deliveries::kind.eq(previous.as_str()))
            .filter(deliveries::status.eq(status::SENT));
        candidates = candidates.filter(exists(previous_sent));
    }
    let ids: Vec<String> = candidates.load(conn)?;
    let at = now();
    let rows: Vec<DeliveryRow<'_>> = ids
        .iter()
        .map(|id| DeliveryRow {
            id: uuid::Uuid::new_v4().to_string(),
            invitation_id: id,
            kind: kind.as_str(),
            status: status::QUEUED,
            attempts: 0,
            next_attempt_at: at,
            created_at: at,
        })
        .collect();
    let mut queued = 0;
    // 7 columns × 2,000 rows stays under SQLite's bound-variable limit.
    for chunk in rows.chunks(2000) {
        queued += match conn {
            #[cfg(feature = "postgres")]
            DbConnection::Pg(c) => diesel::insert_into(deliveries::table)
                .values(chunk)
                .on_conflict_do_nothing()
                .execute(c)?,
            // SQLite's batch insert has no ON CONFLICT form; INSERT OR IGNORE does the same.
            #[cfg(feature = "sqlite")]
            DbConnection::Sqlite(c) => diesel::insert_or_ignore_into(deliveries::table)
                .values(chunk)
                .execute(c)?,
        };
    }
    Ok(queued)
}

/// A delivery this instance claimed, with what is needed to compose and send it.
#[derive(Debug, Clone)]
pub struct Claimed {
    /// Delivery id (the only identifier that goes to the log).
    pub id: String,
    /// Which message.
    pub kind: DeliveryKind,
    /// Attempts including this one.
    pub attempts: i32,
    /// The invitation.
    pub invitation_id: String,
    /// The survey's key (for the link).
    pub survey_key: String,
    /// Where to send.
    pub email: Option<String>,
    /// `sv` or `en`.
    pub language: String,
    /// The access code for the link.
    pub code: String,
    /// Whether the invitation was used, opted out or bounced since queuing (then it is skipped).
    pub stop_reason: Option<&'static str>,
}

type ClaimedRow = (
    String,
    String,
    i32,
    String,
    String,
    String,
    String,
    Option<PrimitiveDateTime>,
    Option<PrimitiveDateTime>,
    Option<PrimitiveDateTime>,
);

/// Claim up to `limit` due rows (`queued` and `next_attempt_at <= now`), optionally of one
/// survey. Each claim is a conditional UPDATE that bumps `attempts` and moves `next_attempt_at`
/// by `lease`; only the instance whose UPDATE changed the row owns it, so concurrent workers on
/// one database never share a row. A worker that dies leaves the row to be retried after the
/// lease.
pub fn claim_due(
    conn: &mut DbConnection,
    survey_key: Option<&str>,
    limit: i64,
    lease: Duration,
) -> Result<Vec<Claimed>, StorageError> {
    let at = now();
    let mut due = deliveries::table
        .inner_join(invitations::table.inner_join(surveys::table))
        .filter(deliveries::status.eq(status::QUEUED))
        .filter(deliveries::next_attempt_at.le(at))
        .order((deliveries::next_attempt_at.asc(), deliveries::id.asc()))
        .limit(limit)
        .select((deliveries::id, deliveries::attempts))
        .into_boxed();
    if let Some(key) = survey_key {
        due = due.filter(surveys::key.eq(key.to_owned()));
    }
    let candidates: Vec<(String, i32)> = due.load(conn)?;
    if candidates.is_empty() {
        return Ok(Vec::new());
    }
    let owned = super::transaction(conn, |c| -> Result<Vec<String>, StorageError> {
        let mut owned = Vec::with_capacity(candidates.len());
        for (id, attempts) in &candidates {
            let n = diesel::update(
                deliveries::table
                    .find(id)
                    .filter(deliveries::status.eq(status::QUEUED))
                    .filter(deliveries::next_attempt_at.le(at))
                    .filter(deliveries::attempts.eq(*attempts)),
            )
            .set((
                deliveries::attempts.eq(attempts + 1),
                deliveries::next_attempt_at.eq(at + lease),
            ))
            .execute(c)?;
            if n == 1 {
                owned.push(id.clone());
            }
        }
        Ok(owned)
    })?;
    let mut out = Vec::with_capacity(owned.len());
    for chunk in owned.chunks(500) {
        let rows: Vec<ClaimedRow> = deliveries::table
            .inner_join(invitations::table.inner_join(surveys::table))
            .filter(deliveries::id.eq_any(chunk))
            .select((
                deliveries::id,
                deliveries::kind,
                deliveries::attempts,
                invitations::id,
                surveys::key,
                invitations::language,
                invitations::code,
                invitations::completed_at,
                invitations::opted_out_at,
                invitations::bounced_at,
            ))
            .load(conn)?;
        let invitation_ids: Vec<&str> = rows.iter().map(|r| r.3.as_str()).collect();
        let emails = emails_of(conn, &invitation_ids)?;
        for r in rows {
            let kind = DeliveryKind::parse(&r.1)
                .ok_or_else(|| StorageError::Corrupt(format!("delivery kind '{}'", r.1)))?;
            let stop_reason = if r.7.is_some() {
                Some("answered")
            } else if r.8.is_some() {
                Some("opted out")
            } else if r.9.is_some() {
                Some("bounced earlier")
            } else {
                None
            };
            out.push(Claimed {
                id: r.0,
                kind,
                attempts: r.2,
                email: emails.get(&r.3).cloned(),
                invitation_id: r.3,
                survey_key: r.4,
                language: r.5,
                code: r.6,
                stop_reason,
            });
        }
    }
    Ok(out)
}

/// E-mail addresses of these invitations (those that have one).
fn emails_of(
    conn: &mut DbConnection,
    invitation_ids: &[&str],
) -> Result<std::collections::HashMap<String, String>, StorageError> {
    let rows: Vec<(String, Option<String>)> = invitation_contacts::table
        .filter(invitation_contacts::invitation_id.eq_any(invitation_ids))
        .select((
            invitation_contacts::invitation_id,
            invitation_contacts::email,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .filter_map(|(id, email)| email.map(|e| (id, e)))
        .collect())
}

/// What happened to one claimed delivery.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// The server accepted the message.
    Sent,
    /// A transient failure: try again at `at`.
    Retry {
        /// Why (safe to show staff: no address, no code).
        error: String,
        /// The next attempt.
        at: PrimitiveDateTime,
    },
    /// Gave up after the last attempt.
    Failed {
        /// Why.
        error: String,
    },
    /// Permanently refused: the invitation is marked bounced.
    Bounced {
        /// The server's reason.
        reason: String,
    },
    /// Not sent (answered, opted out or bounced since it was queued).
    Skipped {
        /// Why.
        reason: String,
    },
}

/// Record the outcomes of a batch in one transaction. Only rows still `queued` change, so an
/// opt-out that raced with the send is not overwritten.
pub fn record_outcomes(
    conn: &mut DbConnection,
    outcomes: &[(Claimed, Outcome)],
) -> Result<(), StorageError> {
    super::transaction(conn, |c| -> Result<(), StorageError> {
        let at = now();
        for (d, outcome) in outcomes {
            let row = deliveries::table
                .find(&d.id)
                .filter(deliveries::status.eq(status::QUEUED));
            match outcome {
                Outcome::Sent => {
                    diesel::update(row)
                        .set((
                            deliveries::status.eq(status::SENT),
                            deliveries::sent_at.eq(Some(at)),
                            deliveries::last_error.eq(None::<String>),
                        ))
                        .execute(c)?;
                }
                Outcome::Retry { error, at: next } => {
                    diesel::update(row)
                        .set((
                            deliveries::next_attempt_at.eq(*next),
                            deliveries::last_error.eq(Some(error)),
                        ))
                        .execute(c)?;
                }
                Outcome::Failed { error } => {
                    diesel::update(row)
                        .set((
                            deliveries::status.eq(status::FAILED),
                            deliveries::last_error.eq(Some(error)),
                        ))
                        .execute(c)?;
                }
                Outcome::Skipped { reason } => {
                    diesel::update(row)
                        .set((
                            deliveries::status.eq(status::SKIPPED),
                            deliveries::last_error.eq(Some(reason)),
                        ))
                        .execute(c)?;
                }
                Outcome::Bounced { reason } => {
                    diesel::update(row)
                        .set((
                            deliveries::status.eq(status::BOUNCED),
                            deliveries::last_error.eq(Some(reason)),
                        ))
                        .execute(c)?;
                    mark_invitation_bounced(c, &d.invitation_id, reason, at)?;
                }
            }
        }
        Ok(())
    })
}

/// Mark an invitation bounced (the first reason wins) and skip its queued messages.
fn mark_invitation_bounced(
    conn: &mut DbConnection,
    invitation_id: &str,
    reason: &str,
    at: PrimitiveDateTime,
) -> Result<(), StorageError> {
    diesel::update(
        invitations::table
            .find(invitation_id)
            .filter(invitations::bounced_at.is_null()),
    )
    .set((
        invitations::bounced_at.eq(Some(at)),
        invitations::bounce_reason.eq(Some(reason)),
    ))
    .execute(conn)?;
    skip_queued(conn, invitation_id, "bounced")
}

fn skip_queued(
    conn: &mut DbConnection,
    invitation_id: &str,
    reason: &str,
) -> Result<(), StorageError> {
    diesel::update(
        deliveries::table
            .filter(deliveries::invitation_id.eq(invitation_id))
            .filter(deliveries::status.eq(status::QUEUED)),
    )
    .set((
        deliveries::status.eq(status::SKIPPED),
        deliveries::last_error.eq(Some(reason)),
    ))
    .execute(conn)?;
    Ok(())
}

/// What the opt-out page needs to know about an invitation.
#[derive(Debug, Clone)]
pub struct OptOutTarget {
    /// The invitation.
    pub invitation_id: String,
    /// The survey's key (to load its title).
    pub survey_key: String,
    /// Already opted out.
    pub opted_out_at: Option<PrimitiveDateTime>,
}

/// The invitation an opt-out link points at.
pub fn find_opt_out_target(
    conn: &mut DbConnection,
    invitation_id: &str,
) -> Result<Option<OptOutTarget>, StorageError> {
    let row: Option<(String, String, Option<PrimitiveDateTime>)> = invitations::table
        .inner_join(surveys::table)
        .filter(invitations::id.eq(invitation_id))
        .select((invitations::id, surveys::key, invitations::opted_out_at))
        .first(conn)
        .optional()?;
    Ok(
        row.map(|(invitation_id, survey_key, opted_out_at)| OptOutTarget {
            invitation_id,
            survey_key,
            opted_out_at,
        }),
    )
}

/// Record an opt-out (the first time counts) and skip the invitation's queued messages, in one
/// transaction. Returns whether the invitation exists.
pub fn opt_out(conn: &mut DbConnection, invitation_id: &str) -> Result<bool, StorageError> {
    super::transaction(conn, |c| -> Result<bool, StorageError> {
        let exists: i64 = invitations::table
            .filter(invitations::id.eq(invitation_id))
            .count()
            .get_result(c)?;
        if exists == 0 {
            return Ok(false);
        }
        diesel::update(
            invitations::table
                .find(invitation_id)
                .filter(invitations::opted_out_at.is_null()),
        )
        .set(invitations::opted_out_at.eq(Some(now())))
        .execute(c)?;
        skip_queued(c, invitation_id, "opted out")?;
        Ok(true)
    })
}

/// Mark the survey's invitations with these addresses bounced (compared case-insensitively) —
/// for bounces that come back later by mail or post. Returns the addresses that matched no
/// invitation, in the order given. Call inside a transaction for all-or-nothing.
pub fn mark_bounced_addresses(
    conn: &mut DbConnection,
    survey_id: &str,
    addresses: &[String],
    reason: &str,
) -> Result<(usize, Vec<String>), StorageError> {
    let all: Vec<(String, Option<String>)> = invitation_contacts::table
        .inner_join(invitations::table)
        .filter(invitations::survey_id.eq(survey_id))
        .filter(invitation_contacts::email.is_not_null())
        .select((invitations::id, invitation_contacts::email))
        .load(conn)?;
    let mut by_address: std::collections::HashMap<String, Vec<String>> = Default::default();
    for (id, email) in all {
        if let Some(e) = email {
            by_address
                .entry(e.trim().to_lowercase())
                .or_default()
                .push(id);
        }
    }
    let at = now();
    let mut marked = 0;
    let mut unknown = Vec::new();
    for address in addresses {
        match by_address.get(&address.trim().to_lowercase()) {
            Some(ids) => {
                for id in ids {
                    mark_invitation_bounced(conn, id, reason, at)?;
                    marked += 1;
                }
            }
            None => unknown.push(address.clone()),
        }
    }
    Ok((marked, unknown))
}

/// Counts of one kind of message, by status.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KindCounts {
    /// Waiting (including retries).
    pub queued: i64,
    /// Accepted by the server.
    pub sent: i64,
    /// Given up.
    pub failed: i64,
    /// Refused permanently.
    pub bounced: i64,
    /// Not sent (answered or opted out first).
    pub skipped: i64,
}

/// A delivery staff should look at: waiting after a failure, failed or bounced.
#[derive(Debug, Clone)]
pub struct Problem {
    /// Delivery id.
    pub id: String,
    /// Which message.
    pub kind: DeliveryKind,
    /// Status.
    pub status: String,
    /// Attempts so far.
    pub attempts: i32,
    /// The next attempt (for queued rows).
    pub next_attempt_at: PrimitiveDateTime,
    /// Why the last attempt failed.
    pub last_error: Option<String>,
    /// The address (the page shows it masked).
    pub email: Option<String>,
}

/// The state of a survey's outbox for the staff mail page.
#[derive(Debug, Clone, Default)]
pub struct Summary {
    /// Invitations with an e-mail address.
    pub with_email: i64,
    /// Invitations that opted out.
    pub opted_out: i64,
    /// Invitations whose address bounced.
    pub bounced: i64,
    /// Invitations used by a response.
    pub completed: i64,
    /// Counts per kind, in [`DeliveryKind::ALL`] order.
    pub kinds: Vec<(DeliveryKind, KindCounts)>,
    /// The latest problems (at most 50).
    pub problems: Vec<Problem>,
}

/// id, kind, status, attempts, next attempt, last error, invitation id.
type ProblemRow = (
    String,
    String,
    String,
    i32,
    PrimitiveDateTime,
    Option<String>,
    String,
);

/// Counts and problems for one survey.
pub fn summary(conn: &mut DbConnection, survey_id: &str) -> Result<Summary, StorageError> {
    let of_survey = || invitations::table.filter(invitations::survey_id.eq(survey_id));
    let with_email: i64 = invitation_contacts::table
        .inner_join(invitations::table)
        .filter(invitations::survey_id.eq(survey_id))
        .filter(invitation_contacts::email.is_not_null())
        .filter(invitation_contacts::email.ne(""))
        .count()
        .get_result(conn)?;
    let opted_out: i64 = of_survey()
        .filter(invitations::opted_out_at.is_not_null())
        .count()
        .get_result(conn)?;
    let bounced: i64 = of_survey()
        .filter(invitations::bounced_at.is_not_null())
        .count()
        .get_result(conn)?;
    let completed: i64 = of_survey()
        .filter(invitations::completed_at.is_not_null())
        .count()
        .get_result(conn)?;
    let grouped: Vec<(String, String, i64)> = deliveries::table
        .inner_join(invitations::table)
        .filter(invitations::survey_id.eq(survey_id))
        .group_by((deliveries::kind, deliveries::status))
        .select((
            deliveries::kind,
            deliveries::status,
            diesel::dsl::count_star(),
        ))
        .load(conn)?;
    let kinds = DeliveryKind::ALL
        .into_iter()
        .map(|kind| {
            let mut counts = KindCounts::default();
            for (k, s, n) in grouped.iter().filter(|g| g.0 == kind.as_str()) {
                let _ = k;
                match s.as_str() {
                    status::QUEUED => counts.queued += n,
                    status::SENT => counts.sent += n,
                    status::FAILED => counts.failed += n,
                    status::BOUNCED => counts.bounced += n,
                    _ => counts.skipped += n,
                }
            }
            (kind, counts)
        })
        .collect();
    let rows: Vec<ProblemRow> = deliveries::table
        .inner_join(invitations::table)
        .filter(invitations::survey_id.eq(survey_id))
        .filter(
            deliveries::status
                .eq_any([status::FAILED, status::BOUNCED])
                .or(deliveries::status
                    .eq(status::QUEUED)
                    .and(deliveries::last_error.is_not_null())),
        )
        .order((deliveries::next_attempt_at.desc(), deliveries::id.asc()))
        .limit(50)
        .select((
            deliveries::id,
            deliveries::kind,
            deliveries::status,
            deliveries::attempts,
            deliveries::next_attempt_at,
            deliveries::last_error,
            invitations::id,
        ))
        .load(conn)?;
    let ids: Vec<&str> = rows.iter().map(|r| r.6.as_str()).collect();
    let emails = emails_of(conn, &ids)?;
    let problems = rows
        .into_iter()
        .filter_map(|r| {
            Some(Problem {
                id: r.0,
                kind: DeliveryKind::parse(&r.1)?,
                status: r.2,
                attempts: r.3,
                next_attempt_at: r.4,
                last_error: r.5,
                email: emails.get(&r.6).cloned(),
            })
        })
        .collect();
    Ok(Summary {
        with_email,
        opted_out,
        bounced,
        completed,
        kinds,
        problems,
    })
}

/// The row of one delivery (tests and the command line inspect it).
#[derive(Debug, Clone, Queryable)]
pub struct Delivery {
    /// Id.
    pub id: String,
    /// Invitation.
    pub invitation_id: String,
    /// Kind as stored.
    pub kind: String,
    /// Status as stored.
    pub status: String,
    /// Attempts made.
    pub attempts: i32,
    /// Due at.
    pub next_attempt_at: PrimitiveDateTime,
    /// Why the last attempt failed.
    pub last_error: Option<String>,
    /// Queued at.
    pub created_at: PrimitiveDateTime,
    /// Accepted by the server at.
    pub sent_at: Option<PrimitiveDateTime>,
}

/// Every delivery of an invitation, in kind order of creation.
pub fn for_invitation(
    conn: &mut DbConnection,
    invitation_id: &str,
) -> Result<Vec<Delivery>, StorageError> {
    Ok(deliveries::table
        .filter(deliveries::invitation_id.eq(invitation_id))
        .order((deliveries::created_at.asc(), deliveries::kind.asc()))
        .load(conn)?)
}
