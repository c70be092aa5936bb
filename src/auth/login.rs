//! The login use case: throttling, constant-cost password checks, session creation and
//! rotation, and the audit trail, in one place so the handler stays short.

use time::Duration;

use super::password;
use super::session::{hash_id, random_token, ABSOLUTE_TIMEOUT};
use crate::domain::user::{User, Username};
use crate::storage::audit::Actor;
use crate::storage::{self, Db, StorageError};

// The lockout policy (OWASP Authentication Cheat Sheet): failures are counted per (account,
// address) pair, per address, and per account across all addresses. Nobody can lock an account
// for its owner: the per-account limit is higher and, once reached, holds back only addresses
// that have themselves failed for that account — the right password from anywhere else still
// goes through. Everything lives in `login_throttle`, so all instances share it.

/// Failures allowed for one account from one address before back-off starts.
pub const PAIR_FREE_FAILURES: i32 = 5;
/// Failures allowed per client address, over all accounts, before back-off starts. Higher than
/// per pair: a whole office may share one address behind NAT.
pub const IP_FREE_FAILURES: i32 = 20;
/// Failures allowed per account over all addresses before addresses that failed for it are
/// held back (a distributed guess at one account). Addresses without a failure for the
/// account are not.
pub const ACCOUNT_FREE_FAILURES: i32 = 30;
/// First lock-out; doubles with each further failure.
pub const BACKOFF_BASE: Duration = Duration::seconds(30);
/// Longest lock-out.
pub const BACKOFF_MAX: Duration = Duration::minutes(15);
/// Failures older than this are forgotten.
pub const FORGET_AFTER: Duration = Duration::minutes(15);

/// The throttle keys of one attempt.
struct Keys {
    /// This account from this address.
    pair: String,
    /// This address, any account.
    ip: String,
    /// This account, any address.
    account: String,
}

impl Keys {
    fn new(name: &str, ip: &str) -> Keys {
        // The address goes first: it has no `|`, so the pair key is unambiguous.
        Keys {
            pair: format!("pair:{ip}|{name}"),
            ip: format!("ip:{ip}"),
            account: format!("user:{name}"),
        }
    }

    /// When this attempt may be made, if not now.
    fn locked_until(
        &self,
        c: &mut storage::DbConnection,
    ) -> Result<Option<time::PrimitiveDateTime>, StorageError> {
        let mut until = [&self.pair, &self.ip]
            .into_iter()
            .map(|k| storage::throttle::locked_until(c, k))
            .collect::<Result<Vec<_>, _>>()?;
        // The account-wide lock binds only addresses that failed for this account.
        if storage::throttle::recent_failures(c, &self.pair, FORGET_AFTER)? > 0 {
            until.push(storage::throttle::locked_until(c, &self.account)?);
        }
        Ok(until.into_iter().flatten().max())
    }

    fn record_failure(&self, c: &mut storage::DbConnection) -> Result<(), StorageError> {
        for (key, free) in [
            (&self.pair, PAIR_FREE_FAILURES),
            (&self.ip, IP_FREE_FAILURES),
            (&self.account, ACCOUNT_FREE_FAILURES),
        ] {
            storage::throttle::record_failure(
                c,
                key,
                free,
                BACKOFF_BASE,
                BACKOFF_MAX,
                FORGET_AFTER,
            )?;
        }
        Ok(())
    }
}

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

/// What a login needs of the running instance (the web edge builds it from its state).
pub struct Gate<'a> {
    /// The database pool.
    pub db: &'a Db,
    /// A hash to verify against when the username does not exist, so an unknown name costs
    /// as much time as a wrong password.
    pub dummy_hash: &'a str,
}

/// Try to log in. `previous_session` is the session id the browser already had, if any: it
/// is deleted, so a session id planted before login (fixation) never becomes authenticated.
pub async fn attempt(
    gate: Gate<'_>,
    username: &str,
    password_given: String,
    ip: String,
    previous_session: Option<String>,
) -> Result<LoginOutcome, StorageError> {
    // An unparseable name cannot exist; it still goes through the same steps and costs.
    let name = Username::parse(username)
        .map(|u| u.as_str().to_owned())
        .unwrap_or_else(|_| username.trim().chars().take(64).collect());
    let keys = std::sync::Arc::new(Keys::new(&name, &ip));

    let (lock, credentials) = {
        let (name, keys) = (name.clone(), keys.clone());
        gate.db
            .run(move |c| {
                let lock = keys.locked_until(c)?;
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
        audit(gate.db, None, &name, "login.throttled", &ip).await?;
        return Ok(LoginOutcome::Throttled { retry_after_secs });
    }

    let stored_hash = credentials
        .as_ref()
        .map(|(_, h)| h.clone())
        .unwrap_or_else(|| gate.dummy_hash.to_owned());
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
            gate.db
                .run(move |c| {
                    if let Some(prev) = previous_hash {
                        storage::sessions::delete_session(c, &prev)?;
                    }
                    storage::sessions::insert_session(c, &id_hash, &user_id, expires_at)?;
                    // Only this address's count for the account: the account-wide count stays,
                    // or one success would reopen the account to every failing address.
                    storage::throttle::clear(c, &keys.pair)?;
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
            gate.db
                .run(move |c| {
                    keys.record_failure(c)?;
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
    db: &Db,
    actor_id: Option<String>,
    actor_name: &str,
    action: &'static str,
    ip: &str,
) -> Result<(), StorageError> {
    let (actor_name, ip) = (actor_name.to_owned(), ip.to_owned());
    db.run(move |c| {
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
    db: &Db,
    session_id: String,
    user: Option<User>,
    ip: String,
) -> Result<(), StorageError> {
    let id_hash = hash_id(&session_id);
    db.run(move |c| {
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
