//! The outbox worker: claims due deliveries, re-checks each invitation, sends over pooled SMTP
//! connections (several at once, paced to the configured rate) and records what the server
//! said. A message is `sent` only when the server accepted it; a 5xx bounces the invitation; a
//! refused connection, a timeout or a 4xx waits with exponential back-off and fails after the
//! last attempt.
//!
//! Delivery is at-least-once: an instance that dies between the server's acceptance and the
//! database update sends that message again after the lease ([`LEASE`]) runs out.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use lettre::message::Mailbox;
use lettre::transport::smtp::PoolConfig;
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use tokio::sync::{Notify, Semaphore};
use tokio::task::JoinSet;
use tokio::time::{Interval, MissedTickBehavior};

use super::message::{self, Letter, SurveyInfo};
use super::MailError;
use crate::config::MailSettings;
use crate::storage::deliveries::{self, Claimed, Outcome};
use crate::storage::{self, Db, DbConnection, StorageError};

/// How long a claimed row belongs to the instance that claimed it. A batch is sized to be sent
/// well within it; after it, another instance may take the row over.
pub const LEASE: Duration = Duration::from_secs(600);

/// An SMTP connection pool and what every message needs.
pub struct Sender {
    /// Replaced after a timeout: a connection abandoned mid-command must not be reused.
    transport: Mutex<AsyncSmtpTransport<Tokio1Executor>>,
    from: Mailbox,
    settings: MailSettings,
    secret: Arc<[u8]>,
}

impl Sender {
    /// A sender for these settings, or `None` when no SMTP URL is configured. Call inside a
    /// tokio runtime: the connection pool starts a background task.
    pub fn new(settings: &MailSettings, secret: &[u8]) -> Result<Option<Sender>, MailError> {
        let Some(transport) = transport(settings)? else {
            return Ok(None);
        };
        let from = settings
            .from
            .parse::<Mailbox>()
            .map_err(|_| MailError::From(settings.from.clone()))?;
        Ok(Some(Sender {
            transport: Mutex::new(transport),
            from,
            settings: settings.clone(),
            secret: secret.into(),
        }))
    }

    fn transport(&self) -> AsyncSmtpTransport<Tokio1Executor> {
        match self.transport.lock() {
            Ok(t) => t.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// A fresh pool (the old one closes its connections when the last clone is dropped).
    fn reset(&self) {
        if let Ok(Some(fresh)) = transport(&self.settings) {
            match self.transport.lock() {
                Ok(mut t) => *t = fresh,
                Err(poisoned) => *poisoned.into_inner() = fresh,
            }
        }
    }

    /// Rows per claim: about ten seconds of sending at the configured rate.
    fn batch_size(&self) -> i64 {
        let c = i64::from(self.settings.concurrency.max(1));
        if self.settings.rate > 0.0 {
            ((self.settings.rate * 10.0) as i64).clamp(c, 500)
        } else {
            500
        }
    }

    fn pacer(&self) -> Option<Interval> {
        (self.settings.rate > 0.0).then(|| {
            let mut i = tokio::time::interval(Duration::from_secs_f64(1.0 / self.settings.rate));
            i.set_missed_tick_behavior(MissedTickBehavior::Delay);
            i
        })
    }
}

fn transport(
    settings: &MailSettings,
) -> Result<Option<AsyncSmtpTransport<Tokio1Executor>>, MailError> {
    let Some(url) = &settings.smtp_url else {
        return Ok(None);
    };
    Ok(Some(
        AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|e| MailError::Smtp(e.to_string()))?
            .timeout(Some(settings.timeout))
            .pool_config(PoolConfig::new().max_size(settings.concurrency.max(1)))
            .build(),
    ))
}

/// What one drain of the outbox did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SendSummary {
    /// Accepted by the server.
    pub sent: usize,
    /// Waiting for another attempt.
    pub retried: usize,
    /// Given up.
    pub failed: usize,
    /// Refused permanently (invitation marked bounced).
    pub bounced: usize,
    /// Not sent: answered, opted out or bounced since queuing.
    pub skipped: usize,
}

impl SendSummary {
    fn add(&mut self, outcome: &Outcome) {
        match outcome {
            Outcome::Sent => self.sent += 1,
            Outcome::Retry { .. } => self.retried += 1,
            Outcome::Failed { .. } => self.failed += 1,
            Outcome::Bounced { .. } => self.bounced += 1,
            Outcome::Skipped { .. } => self.skipped += 1,
        }
    }

    /// Messages handled.
    pub fn total(&self) -> usize {
        self.sent + self.retried + self.failed + self.bounced + self.skipped
    }
}

/// Send every message that is due now, optionally of one survey, then return (the worker's
/// drain, and `insikt mail send-due` for cron).
pub async fn send_due(
    db: &Db,
    sender: &Sender,
    survey_key: Option<&str>,
) -> Result<SendSummary, StorageError> {
    let mut summary = SendSummary::default();
    let mut surveys: HashMap<String, Option<Arc<SurveyInfo>>> = HashMap::new();
    let mut pacer = sender.pacer();
    let lease = time::Duration::try_from(LEASE).unwrap_or(time::Duration::minutes(10));
    loop {
        let key = survey_key.map(str::to_owned);
        let size = sender.batch_size();
        let claimed = db
            .run(move |c| deliveries::claim_due(c, key.as_deref(), size, lease))
            .await?;
        if claimed.is_empty() {
            return Ok(summary);
        }
        let missing: HashSet<String> = claimed
            .iter()
            .filter(|d| !surveys.contains_key(&d.survey_key))
            .map(|d| d.survey_key.clone())
            .collect();
        if !missing.is_empty() {
            surveys.extend(db.run(move |c| load_surveys(c, missing)).await?);
        }
        let outcomes = send_batch(sender, claimed, &surveys, &mut pacer).await;
        for (d, outcome) in &outcomes {
            summary.add(outcome);
            log_outcome(d, outcome);
        }
        db.run(move |c| deliveries::record_outcomes(c, &outcomes))
            .await?;
    }
}

/// The outbox worker: drain, then sleep until woken or the poll interval passes. Returns at
/// once when no SMTP server is configured (queued messages wait for one).
pub async fn run(db: Db, settings: MailSettings, secret: Vec<u8>, wake: Arc<Notify>) {
    let sender = match Sender::new(&settings, &secret) {
        Ok(Some(s)) => s,
        Ok(None) => return,
        Err(e) => {
            tracing::error!(error = %e, "e-mail sending is off: the SMTP settings cannot be used");
            return;
        }
    };
    loop {
        match send_due(&db, &sender, None).await {
            Ok(s) if s.total() > 0 => tracing::info!(
                sent = s.sent,
                retried = s.retried,
                failed = s.failed,
                bounced = s.bounced,
                skipped = s.skipped,
                "outbox drained"
            ),
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "outbox drain failed; will retry"),
        }
        tokio::select! {
            _ = wake.notified() => {}
            _ = tokio::time::sleep(settings.poll_interval) => {}
        }
    }
}

/// Each survey key with what its messages say about it (`None`: nothing published to link to).
type SurveyInfos = Vec<(String, Option<Arc<SurveyInfo>>)>;

fn load_surveys(
    conn: &mut DbConnection,
    keys: HashSet<String>,
) -> Result<SurveyInfos, StorageError> {
    let mut out = Vec::with_capacity(keys.len());
    for key in keys {
        let info = match storage::surveys::find_respondent_version(conn, &key)? {
            Some((record, version)) => Some(Arc::new(SurveyInfo {
                key: key.clone(),
                title: version.survey.title,
                options: record.options,
            })),
            None => None,
        };
        out.push((key, info));
    }
    Ok(out)
}

async fn send_batch(
    sender: &Sender,
    claimed: Vec<Claimed>,
    surveys: &HashMap<String, Option<Arc<SurveyInfo>>>,
    pacer: &mut Option<Interval>,
) -> Vec<(Claimed, Outcome)> {
    let limit = Arc::new(Semaphore::new(sender.settings.concurrency.max(1) as usize));
    let mut in_flight = JoinSet::new();
    let mut out = Vec::with_capacity(claimed.len());
    for d in claimed {
        let message = match prepare(sender, &d, surveys) {
            Ok(m) => m,
            Err(outcome) => {
                out.push((d, outcome));
                continue;
            }
        };
        if let Some(p) = pacer.as_mut() {
            p.tick().await;
        }
        let Ok(permit) = limit.clone().acquire_owned().await else {
            break;
        };
        let transport = sender.transport();
        let settings = sender.settings.clone();
        in_flight.spawn(async move {
            // lettre bounds only the connect with its timeout; this bounds the whole exchange,
            // so a server that accepts and then says nothing cannot hold a row forever.
            let result = tokio::time::timeout(settings.timeout, transport.send(message)).await;
            drop(permit);
            match result {
                Ok(answer) => (d.clone(), classify(answer, &d, &settings), false),
                Err(_) => {
                    let error = format!(
                        "timeout: no answer from the SMTP server within {} s",
                        settings.timeout.as_secs_f64()
                    );
                    (d.clone(), retry_or_fail(error, &d, &settings), true)
                }
            }
        });
    }
    let mut timed_out = false;
    while let Some(done) = in_flight.join_next().await {
        match done {
            Ok((d, outcome, timeout)) => {
                timed_out |= timeout;
                out.push((d, outcome));
            }
            // The row stays claimed and is retried after the lease.
            Err(e) => tracing::error!(error = %e, "a send task did not finish"),
        }
    }
    if timed_out {
        sender.reset();
    }
    out
}

/// The message for a claimed row, or the outcome that makes sending pointless.
fn prepare(
    sender: &Sender,
    d: &Claimed,
    surveys: &HashMap<String, Option<Arc<SurveyInfo>>>,
) -> Result<lettre::Message, Outcome> {
    if let Some(reason) = d.stop_reason {
        return Err(Outcome::Skipped {
            reason: reason.to_owned(),
        });
    }
    let Some(Some(survey)) = surveys.get(&d.survey_key) else {
        return Err(Outcome::Skipped {
            reason: "the survey is not published".into(),
        });
    };
    let Some(to) = d
        .email
        .as_deref()
        .and_then(|e| e.trim().parse::<Mailbox>().ok())
    else {
        return Err(Outcome::Bounced {
            reason: "not a valid e-mail address".into(),
        });
    };
    let token = super::opt_out_token(&sender.secret, &d.invitation_id);
    let composed = message::compose(&Letter {
        kind: d.kind,
        language: &d.language,
        survey,
        code: &d.code,
        public_url: &sender.settings.public_url,
        opt_out_token: &token,
    });
    message::build(&sender.from, to, &composed).map_err(|e| Outcome::Failed {
        error: format!("the message could not be built: {e}"),
    })
}

/// Turn the server's answer into an outcome. The recipient's address is cut out of the
/// server's text before it is stored.
fn classify(
    result: Result<lettre::transport::smtp::response::Response, lettre::transport::smtp::Error>,
    d: &Claimed,
    settings: &MailSettings,
) -> Outcome {
    let e = match result {
        Ok(_) => return Outcome::Sent,
        Err(e) => e,
    };
    let text = scrub(&describe(&e), d.email.as_deref());
    if e.is_permanent() {
        return Outcome::Bounced { reason: text };
    }
    retry_or_fail(text, d, settings)
}

/// A transient failure: wait with back-off, or give up after the last attempt.
fn retry_or_fail(error: String, d: &Claimed, settings: &MailSettings) -> Outcome {
    let attempts = u32::try_from(d.attempts).unwrap_or(0);
    if attempts >= settings.max_attempts {
        return Outcome::Failed { error };
    }
    let wait = super::backoff(settings.retry_base, attempts);
    let wait = time::Duration::try_from(wait).unwrap_or(time::Duration::HOUR);
    Outcome::Retry {
        error,
        at: storage::now() + wait,
    }
}

/// The error with its causes ("Connection error: Connection refused (os error 111)").
fn describe(e: &lettre::transport::smtp::Error) -> String {
    let mut text = if e.is_timeout() {
        "timeout".to_owned()
    } else {
        e.to_string()
    };
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        let part = s.to_string();
        if !text.contains(&part) {
            text.push_str(": ");
            text.push_str(&part);
        }
        source = s.source();
    }
    text.chars().take(500).collect()
}

fn scrub(text: &str, address: Option<&str>) -> String {
    match address.map(str::trim).filter(|a| !a.is_empty()) {
        Some(a) => {
            // ASCII case folding keeps byte offsets equal between `text` and `lower`.
            let lower = text.to_ascii_lowercase();
            let needle = a.to_ascii_lowercase();
            let mut out = String::with_capacity(text.len());
            let mut rest = 0;
            for (i, _) in lower.match_indices(&needle) {
                out.push_str(&text[rest..i]);
                out.push_str("[recipient]");
                rest = i + needle.len();
            }
            out.push_str(&text[rest..]);
            out
        }
        None => text.to_owned(),
    }
}

fn log_outcome(d: &Claimed, outcome: &Outcome) {
    // Delivery ids only: never the address or the access code.
    let what = match outcome {
        Outcome::Sent => "sent",
        Outcome::Retry { .. } => "retry",
        Outcome::Failed { .. } => "failed",
        Outcome::Bounced { .. } => "bounced",
        Outcome::Skipped { .. } => "skipped",
    };
    tracing::debug!(delivery = %d.id, kind = d.kind.as_str(), attempt = d.attempts, outcome = what);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_recipient_is_cut_out_of_a_server_message_whatever_its_case() {
        let s = scrub(
            "550 5.1.1 <Anna@Example.se>: unknown",
            Some("anna@example.se"),
        );
        assert_eq!(s, "550 5.1.1 <[recipient]>: unknown");
    }
}
