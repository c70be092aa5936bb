//! E-mail to invited respondents: queuing invitations and reminders (audited use cases), the
//! opt-out tokens in every message, the retry schedule, and the outbox worker ([`worker`]) that
//! sends over SMTP with `lettre`. Messages are composed in [`message`].
//!
//! The outbox lives in the database (`deliveries`), so nothing is lost when SMTP is not
//! configured or down, and several instances can share the work.

pub mod message;
pub mod worker;

use std::sync::Arc;
use std::time::Duration;

use hmac::Mac;
use tokio::sync::Notify;

use crate::config::MailSettings;
use crate::domain::lang::{Lang, Msg};
use crate::storage::deliveries;
use crate::storage::surveys::{StoredVersion, SurveyRecord};
use crate::storage::{self, DbConnection, StorageError};
use crate::use_cases::Actor;

/// The delivery records the mail page shows, and the kinds of message.
pub use crate::storage::deliveries::{status, DeliveryKind, KindCounts, Summary};
pub use worker::{send_due, SendSummary, Sender};

/// What can go wrong in the mail use cases.
#[derive(Debug, thiserror::Error)]
pub enum MailError {
    /// No survey with this key.
    #[error("no survey '{0}'")]
    SurveyNotFound(String),
    /// The SMTP settings cannot be used.
    #[error("INSIKT_SMTP_URL: {0}")]
    Smtp(String),
    /// The `From:` address does not parse.
    #[error("INSIKT_MAIL_FROM: '{0}' is not an address like Insikt <insikt@example.se>")]
    From(String),
    /// The database.
    #[error(transparent)]
    Storage(#[from] StorageError),
}

/// The handle handlers use to wake the outbox worker after queuing, and to tell staff whether
/// sending is configured at all.
#[derive(Debug, Clone)]
pub struct Outbox {
    wake: Arc<Notify>,
    enabled: bool,
}

impl Outbox {
    /// An outbox for these settings (sending is enabled when an SMTP URL is set).
    pub fn new(settings: &MailSettings) -> Outbox {
        Outbox {
            wake: Arc::new(Notify::new()),
            enabled: settings.smtp_url.is_some(),
        }
    }

    /// Whether an SMTP server is configured.
    pub fn is_enabled(&self) -> bool {
        self.enabled
    }

    /// Wake the worker (something was queued).
    pub fn wake(&self) {
        self.wake.notify_one();
    }

    /// The notifier the worker waits on.
    pub fn notifier(&self) -> Arc<Notify> {
        self.wake.clone()
    }
}

/// Queue `kind` for a survey's invitations (see [`deliveries::queue`] for who gets one) and
/// record it in the audit log. Returns how many messages were queued.
pub fn queue(
    conn: &mut DbConnection,
    actor: Actor<'_>,
    survey_key: &str,
    kind: DeliveryKind,
) -> Result<usize, MailError> {
    storage::transaction(conn, |c| {
        let survey = storage::surveys::find_survey(c, survey_key)?
            .ok_or_else(|| MailError::SurveyNotFound(survey_key.to_owned()))?;
        let n = deliveries::queue(c, &survey.id, kind)?;
        actor.record(
            c,
            "mail.queue",
            survey_key,
            &format!("{}: {n}", kind.as_str()),
        )?;
        Ok(n)
    })
}

/// What recording returned mail did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BounceReport {
    /// Invitations marked bounced.
    pub marked: usize,
    /// Addresses that matched no invitation of the survey (nothing was changed for them).
    pub unknown: Vec<String>,
}

/// Addresses from a pasted list: one or more per line, separated by spaces, commas or
/// semicolons; anything without an `@` is left out.
pub fn parse_address_list(text: &str) -> Vec<String> {
    text.split(|c: char| c.is_whitespace() || c == ',' || c == ';')
        .map(|a| a.trim_matches(|c| c == '<' || c == '>'))
        .filter(|a| a.contains('@'))
        .map(str::to_owned)
        .collect()
}

/// Mark the invitations with these addresses bounced (mail that came back later by post or to
/// the sender's mailbox), audited, in one transaction.
pub fn record_bounces(
    conn: &mut DbConnection,
    actor: Actor<'_>,
    survey_key: &str,
    addresses: &[String],
    reason: &str,
) -> Result<BounceReport, MailError> {
    storage::transaction(conn, |c| {
        let survey = storage::surveys::find_survey(c, survey_key)?
            .ok_or_else(|| MailError::SurveyNotFound(survey_key.to_owned()))?;
        let (marked, unknown) =
            deliveries::mark_bounced_addresses(c, &survey.id, addresses, reason)?;
        actor.record(c, "mail.bounces", survey_key, &format!("{marked} marked"))?;
        Ok(BounceReport { marked, unknown })
    })
}

/// What the staff mail page shows of a survey.
pub struct Overview {
    /// The survey title in the reader's language.
    pub title: String,
    /// Delivery counts and problems.
    pub summary: Summary,
}

/// The title and delivery summary of a survey, published or still a draft.
pub fn overview(
    conn: &mut DbConnection,
    survey_key: &str,
    lang: Lang,
) -> Result<Overview, MailError> {
    let (record, version) = match storage::surveys::find_respondent_version(conn, survey_key)? {
        Some(found) => found,
        None => latest_version(conn, survey_key)?
            .ok_or_else(|| MailError::SurveyNotFound(survey_key.to_owned()))?,
    };
    Ok(Overview {
        title: version.survey.title.get_or(lang.code(), "sv").to_owned(),
        summary: deliveries::summary(conn, &record.id)?,
    })
}

/// A survey that is still a draft has no respondent version; staff still see its page.
fn latest_version(
    conn: &mut DbConnection,
    survey_key: &str,
) -> Result<Option<(SurveyRecord, StoredVersion)>, StorageError> {
    let Some(record) = storage::surveys::find_survey(conn, survey_key)? else {
        return Ok(None);
    };
    let latest = storage::surveys::list_versions(conn, &record.id)?.pop();
    Ok(latest.map(|v| (record, v)))
}

/// What the opt-out page of an invitation shows.
pub struct OptOutInfo {
    /// The invitation.
    pub invitation_id: String,
    /// The survey title in both languages (the page is bilingual).
    pub title: Msg,
    /// Whether the person has already opted out.
    pub done: bool,
}

/// The invitation behind a verified opt-out token and its survey's title; `None` when the
/// invitation no longer exists.
pub fn opt_out_info(
    conn: &mut DbConnection,
    invitation_id: &str,
) -> Result<Option<OptOutInfo>, MailError> {
    let Some(target) = deliveries::find_opt_out_target(conn, invitation_id)? else {
        return Ok(None);
    };
    let title = latest_version(conn, &target.survey_key)?
        .map(|(_, v)| v.survey.title)
        .unwrap_or_default();
    Ok(Some(OptOutInfo {
        invitation_id: target.invitation_id,
        title: Msg::new(
            title.get_or("sv", "en").to_owned(),
            title.get_or("en", "sv").to_owned(),
        ),
        done: target.opted_out_at.is_some(),
    }))
}

/// The opt-out token for an invitation: its id and an HMAC of it under the instance secret, so
/// the link identifies the invitation without carrying the access code, and cannot be guessed.
pub fn opt_out_token(secret: &[u8], invitation_id: &str) -> String {
    use base64::Engine;
    let mac = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(mac(secret, invitation_id));
    format!("{invitation_id}.{mac}")
}

/// The invitation id in a valid opt-out token (constant-time MAC check).
pub fn verify_opt_out_token(secret: &[u8], token: &str) -> Option<String> {
    use base64::Engine;
    let (id, tag) = token.rsplit_once('.')?;
    let tag = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(tag)
        .ok()?;
    let mut m = crate::auth::mac::keyed(secret, b"optout:");
    m.update(id.as_bytes());
    m.verify_slice(&tag).ok()?;
    Some(id.to_owned())
}

fn mac(secret: &[u8], invitation_id: &str) -> Vec<u8> {
    let mut m = crate::auth::mac::keyed(secret, b"optout:");
    m.update(invitation_id.as_bytes());
    m.finalize().into_bytes().to_vec()
}

/// Record an opt-out through a token: `Ok(false)` for a token that names no invitation.
pub fn opt_out(conn: &mut DbConnection, invitation_id: &str) -> Result<bool, StorageError> {
    deliveries::opt_out(conn, invitation_id)
}

/// The wait before the next attempt after `attempts` failed ones: `base`, then doubling, capped
/// at an hour.
pub fn backoff(base: Duration, attempts: u32) -> Duration {
    let factor = 2u32.saturating_pow(attempts.saturating_sub(1).min(20));
    base.saturating_mul(factor).min(Duration::from_secs(3600))
}

/// `a…@example.se`: enough for staff to recognise an address on the page without showing it
/// whole (and never in a log).
pub fn mask_address(address: &str) -> String {
    match address.split_once('@') {
        Some((local, domain)) => {
            let first: String = local.chars().take(1).collect();
            format!("{first}…@{domain}")
        }
        None => "…".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn back_off_doubles_from_the_base_and_stops_at_an_hour() {
        let base = Duration::from_secs(60);
        assert_eq!(backoff(base, 1), Duration::from_secs(60));
        assert_eq!(backoff(base, 2), Duration::from_secs(120));
        assert_eq!(backoff(base, 3), Duration::from_secs(240));
        assert_eq!(backoff(base, 7), Duration::from_secs(3600));
        assert_eq!(backoff(base, 40), Duration::from_secs(3600));
    }

    #[test]
    fn an_opt_out_token_verifies_only_with_its_own_id_and_key() {
        let token = opt_out_token(b"key", "inv-1");
        assert_eq!(
            verify_opt_out_token(b"key", &token).as_deref(),
            Some("inv-1")
        );
        assert_eq!(verify_opt_out_token(b"other", &token), None);
        let forged = token.replace("inv-1", "inv-2");
        assert_eq!(verify_opt_out_token(b"key", &forged), None);
        assert_eq!(verify_opt_out_token(b"key", "nonsense"), None);
    }

    #[test]
    fn a_pasted_list_yields_the_addresses_only() {
        let list = parse_address_list("a@x.se, <b@y.se>;\nnot-an-address\n  c@z.se ");
        assert_eq!(list, vec!["a@x.se", "b@y.se", "c@z.se"]);
    }

    #[test]
    fn a_masked_address_keeps_the_first_letter_and_the_domain() {
        assert_eq!(mask_address("anna.svensson@example.se"), "a…@example.se");
    }
}
