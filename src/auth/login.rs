//! The login use case: throttling, constant-cost password checks, session creation and
//! rotation, and the audit trail, in one place so the handler stays short.

use time::Duration;

use super::password;
use super::session::{hash_id, random_token, ABSOLUTE_TIMEOUT};
use crate::accounts::Actor;
use crate::domain::user::{User, Username};
use crate::storage::{self, StorageError};
use crate::web::AppState;

/// Failures allowed per account before back-off starts.
pub const ACCOUNT_FREE_FAILURES: i32 = 5;
/// Failures allowed per client address before back-off starts. Higher than per account:
/// a whole office may share one address behind NAT.
pub const IP_FREE_FAILURES: i32 = 20;
/// First lock-out; doubles with each further failure.
pub const BACKOFF_BASE: Duration = Duration::seconds(30);
/// Longest lock-out.
pub const BACKOFF_MAX: Duration = Duration::minutes(15);
/// Failures older than this are forgotten.
pub const FORGET_AFTER: Duration = Duration::minutes(15);

/// What came of a login attempt. Deliberately says nothing about *why* a login was refused.
pub enum LoginOutcome {
    /// Right password, account enabled: a new session id for the cookie.
    LoggedIn {
        /// The account.
        user: User,
        /// The new session id (raw; only its hash is stored).
        session_id: String,
    },
    /// Wrong password, unknown user or disabled account.
    Refused,
    /// Too many recent failures for this account or address.
    Throttled {
        /// Seconds until the next attempt is allowed.
        retry_after_secs: i64,
    },
}

/// Try to log in. `previous_session` is the session id the browser already had, if any: it
/// is deleted, so a session id planted before login (fixation) never becomes authenticated.
pub async fn attempt(
    state: &AppState,
    username: &str,
    password_given: String,
    ip: String,
    previous_session: Option<String>,
) -> Result<LoginOutcome, StorageError> {
    // An unparseable name cannot exist; it still goes through the same steps and costs.
    let name = Username::parse(username)
        .map(|u| u.as_str().to_owned())
        .unwrap_or_else(|_| username.trim().chars().take(64).collect());
    let user_key = format!("user:{name}");
    let ip_key = format!("ip:{ip}");

    let (lock, credentials) = {
        let (name, user_key, ip_key) = (name.clone(), user_key.clone(), ip_key.clone());
        state
            .db
            .run(move |c| {
                let lock = [&user_key, &ip_key]
                    .into_iter()
                    .map(|k| storage::throttle::locked_until(c, k))
                    .collect::<Result<Vec<_>, _>>()?
                    .into_iter()
                    .flatten()
                    .max();
                let credentials = match lock {
                    Some(_) => None,
                    None => storage::users::find_credentials(c, &name)?,
                };
                Ok((lock, credentials))
            })
            .await?
    };

    if let Some(until) = lock {
        let retry_after_secs = (until - storage::now()).whole_seconds().max(1);
        audit(state, None, &name, "login.throttled", &ip).await?;
        return Ok(LoginOutcome::Throttled { retry_after_secs });
    }

    let stored_hash = credentials
        .as_ref()
        .map(|(_, h)| h.clone())
        .unwrap_or_else(|| state.dummy_hash.to_string());
    let password_ok =
        tokio::task::spawn_blocking(move || password::verify(&stored_hash, &password_given))
            .await
            .map_err(|e| StorageError::Blocking(e.to_string()))?;

    match credentials {
        Some((user, _)) if password_ok && !user.disabled => {
            let session_id = random_token();
            let id_hash = hash_id(&session_id);
            let expires_at = storage::now() + ABSOLUTE_TIMEOUT;
            let previous_hash = previous_session.map(|s| hash_id(&s));
            let (user_id, user_name) = (user.id.clone(), user.username.clone());
            let ip_for_audit = ip.clone();
            state
                .db
                .run(move |c| {
                    if let Some(prev) = previous_hash {
                        storage::sessions::delete_session(c, &prev)?;
                    }
                    storage::sessions::insert_session(c, &id_hash, &user_id, expires_at)?;
                    storage::throttle::clear(c, &user_key)?;
                    let actor = Actor {
                        id: Some(&user_id),
                        name: &user_name,
                        ip: Some(&ip_for_audit),
                    };
                    actor.record(c, "login.ok", "", "")
                })
                .await?;
            Ok(LoginOutcome::LoggedIn { user, session_id })
        }
        _ => {
            let ip_for_audit = ip.clone();
            let name_for_audit = name.clone();
            state
                .db
                .run(move |c| {
                    storage::throttle::record_failure(
                        c,
                        &user_key,
                        ACCOUNT_FREE_FAILURES,
                        BACKOFF_BASE,
                        BACKOFF_MAX,
                        FORGET_AFTER,
                    )?;
                    storage::throttle::record_failure(
                        c,
                        &ip_key,
                        IP_FREE_FAILURES,
                        BACKOFF_BASE,
                        BACKOFF_MAX,
                        FORGET_AFTER,
                    )?;
                    let actor = Actor {
                        id: None,
                        name: &name_for_audit,
                        ip: Some(&ip_for_audit),
                    };
                    actor.record(c, "login.failed", "", "")
                })
                .await?;
            Ok(LoginOutcome::Refused)
        }
    }
}

async fn audit(
    state: &AppState,
    actor_id: Option<String>,
    actor_name: &str,
    action: &'static str,
    ip: &str,
) -> Result<(), StorageError> {
    let (actor_name, ip) = (actor_name.to_owned(), ip.to_owned());
    state
        .db
        .run(move |c| {
            let actor = Actor {
                id: actor_id.as_deref(),
                name: &actor_name,
                ip: Some(&ip),
            };
            actor.record(c, action, "", "")
        })
        .await
}

/// End a session server-side and note it in the audit log.
pub async fn logout(
    state: &AppState,
    session_id: String,
    user: Option<User>,
    ip: String,
) -> Result<(), StorageError> {
    let id_hash = hash_id(&session_id);
    state
        .db
        .run(move |c| {
            storage::sessions::delete_session(c, &id_hash)?;
            if let Some(user) = user {
                let actor = Actor {
                    id: Some(&user.id),
                    name: &user.username,
                    ip: Some(&ip),
                };
                actor.record(c, "logout", "", "")?;
            }
            Ok(())
        })
        .await
}
