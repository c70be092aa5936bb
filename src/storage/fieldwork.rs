//! Fieldwork counts for one survey: invitations, e-mail deliveries, bounces, opt-outs, starts and
//! completions, per stratum and per day. Plain SELECTs; the counting is done in Rust so both
//! backends run the same code.

use std::collections::BTreeMap;

use diesel::prelude::*;
use time::{Date, PrimitiveDateTime};

use super::schema::{deliveries, invitation_contacts, invitations};
use super::{DbConnection, StorageError};

/// Invitations and completions of one stratum.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StratumCount {
    /// Stratum key (`None`: invitations from a plain list).
    pub stratum: Option<String>,
    /// Invited units.
    pub invited: u64,
    /// Completed responses.
    pub completed: u64,
}

/// A delivery that failed or is being retried.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryProblem {
    /// invitation, reminder1 or reminder2.
    pub kind: String,
    /// failed, queued, bounced.
    pub status: String,
    /// Attempts so far.
    pub attempts: i32,
    /// The SMTP server's or the network's words.
    pub error: String,
    /// When it is tried next (or was last due).
    pub next_attempt_at: PrimitiveDateTime,
}

/// Everything the fieldwork view counts.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldworkCounts {
    /// Invitations created.
    pub invitations: u64,
    /// Invitations with an e-mail address.
    pub with_email: u64,
    /// E-mails the SMTP server accepted (invitations and reminders).
    pub emails_sent: u64,
    /// E-mails still waiting in the outbox.
    pub emails_queued: u64,
    /// Deliveries that gave up.
    pub deliveries_failed: u64,
    /// Queued deliveries that already failed at least once (being retried).
    pub deliveries_retrying: u64,
    /// Invitations whose e-mail bounced.
    pub bounced: u64,
    /// Invitations that opted out.
    pub opted_out: u64,
    /// Invitations opened.
    pub started: u64,
    /// Invitations used by a completed response.
    pub completed: u64,
    /// Per stratum, in key order (the list's `None` first).
    pub per_stratum: Vec<StratumCount>,
    /// Completions per day, oldest first.
    pub per_day: Vec<(Date, u64)>,
    /// The latest delivery errors, newest first (at most 10).
    pub last_errors: Vec<DeliveryProblem>,
}

type InvitationFacts = (
    Option<String>,
    Option<PrimitiveDateTime>,
    Option<PrimitiveDateTime>,
    Option<PrimitiveDateTime>,
    Option<PrimitiveDateTime>,
    Option<String>,
);

/// Count a survey's fieldwork.
pub fn counts(conn: &mut DbConnection, survey_id: &str) -> Result<FieldworkCounts, StorageError> {
    let rows: Vec<InvitationFacts> = invitations::table
        .left_join(invitation_contacts::table)
        .filter(invitations::survey_id.eq(survey_id))
        .select((
            invitations::stratum,
            invitations::started_at,
            invitations::completed_at,
            invitations::opted_out_at,
            invitations::bounced_at,
            invitation_contacts::email.nullable(),
        ))
        .load(conn)?;
    let mut c = FieldworkCounts::default();
    let mut strata: BTreeMap<Option<String>, StratumCount> = BTreeMap::new();
    let mut days: BTreeMap<Date, u64> = BTreeMap::new();
    for (stratum, started, completed, opted_out, bounced, email) in rows {
        c.invitations += 1;
        c.with_email += u64::from(email.is_some());
        c.started += u64::from(started.is_some() || completed.is_some());
        c.opted_out += u64::from(opted_out.is_some());
        c.bounced += u64::from(bounced.is_some());
        let s = strata
            .entry(stratum.clone())
            .or_insert_with(|| StratumCount {
                stratum,
                ..StratumCount::default()
            });
        s.invited += 1;
        if let Some(at) = completed {
            c.completed += 1;
            s.completed += 1;
            *days.entry(at.date()).or_default() += 1;
        }
    }
    c.per_stratum = strata.into_values().collect();
    c.per_day = days.into_iter().collect();

    let deliveries: Vec<(String, String, i32, Option<String>, PrimitiveDateTime)> =
        deliveries::table
            .inner_join(invitations::table)
            .filter(invitations::survey_id.eq(survey_id))
            .select((
                deliveries::kind,
                deliveries::status,
                deliveries::attempts,
                deliveries::last_error,
                deliveries::next_attempt_at,
            ))
            .load(conn)?;
    for (kind, status, attempts, error, next_attempt_at) in deliveries {
        match status.as_str() {
            "sent" => c.emails_sent += 1,
            "failed" => c.deliveries_failed += 1,
            "queued" => {
                c.emails_queued += 1;
                c.deliveries_retrying += u64::from(attempts > 0);
            }
            _ => {}
        }
        if let Some(error) = error.filter(|_| status != "sent") {
            c.last_errors.push(DeliveryProblem {
                kind,
                status,
                attempts,
                error,
                next_attempt_at,
            });
        }
    }
    c.last_errors
        .sort_by_key(|e| std::cmp::Reverse(e.next_attempt_at));
    c.last_errors.truncate(10);
    Ok(c)
}
