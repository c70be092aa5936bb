//! Session ids and their lifetimes. The browser holds a random 256-bit id; the database holds
//! its SHA-256, so reading the database does not let anyone log in. The cookies that carry the
//! id are the web edge's (`web::cookies`).

use base64::Engine;
use rand::RngCore;
use sha2::{Digest, Sha256};
use time::Duration;

use crate::domain::user::User;
use crate::storage::{self, DbConnection, StorageError};

/// A session ends after this long without a request.
pub const IDLE_TIMEOUT: Duration = Duration::minutes(30);
/// A session ends this long after login, however active.
pub const ABSOLUTE_TIMEOUT: Duration = Duration::hours(12);
/// `last_seen_at` is written at most this often per session.
pub const TOUCH_EVERY: Duration = Duration::minutes(1);

/// 32 random bytes, URL-safe base64 without padding.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// What the database stores for a session id.
pub fn hash_id(id: &str) -> String {
    let digest = Sha256::digest(id.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// The account behind a browser's session id, if the session is live; touches the session
/// (see [`storage::sessions::find_live_session`] for when a session counts as live).
pub fn find_user(conn: &mut DbConnection, session_id: &str) -> Result<Option<User>, StorageError> {
    storage::sessions::find_live_session(conn, &hash_id(session_id), IDLE_TIMEOUT, TOUCH_EVERY)
}

/// Remove the sessions that have expired; returns how many.
pub fn sweep(conn: &mut DbConnection) -> Result<usize, StorageError> {
    storage::sessions::delete_expired(conn, IDLE_TIMEOUT)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_and_url_safe() {
        let a = random_token();
        let b = random_token();
        assert_ne!(a, b);
        assert_eq!(a.len(), 43);
        assert!(a
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'));
    }
}
