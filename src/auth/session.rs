//! Session ids and cookies. The browser holds a random 256-bit id; the database holds its
//! SHA-256, so reading the database does not let anyone log in.

use actix_web::cookie::{time::Duration as CookieDuration, Cookie, SameSite};
use base64::Engine;
use rand::RngCore;
use sha2::{Digest, Sha256};
use time::Duration;

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

/// Cookie names: with TLS the `__Host-` prefix pins the cookie to this host and path `/`.
#[derive(Debug, Clone, Copy)]
pub struct CookieNames {
    /// Session cookie.
    pub session: &'static str,
    /// CSRF cookie.
    pub csrf: &'static str,
    /// Whether cookies are marked `Secure`.
    pub secure: bool,
}

impl CookieNames {
    /// Names for a secure (TLS) or plain deployment.
    pub fn new(secure: bool) -> CookieNames {
        if secure {
            CookieNames {
                session: "__Host-insikt_session",
                csrf: "__Host-insikt_csrf",
                secure,
            }
        } else {
            CookieNames {
                session: "insikt_session",
                csrf: "insikt_csrf",
                secure,
            }
        }
    }

    /// The session cookie: HttpOnly, SameSite=Lax, path `/`, lives as long as the absolute limit.
    pub fn session_cookie(&self, id: String) -> Cookie<'static> {
        self.build(self.session, id, Some(ABSOLUTE_TIMEOUT.whole_seconds()))
    }

    /// A cookie that deletes the session cookie.
    pub fn clear_session_cookie(&self) -> Cookie<'static> {
        self.build(self.session, String::new(), Some(0))
    }

    /// The CSRF cookie: a browser-session cookie.
    pub fn csrf_cookie(&self, value: String) -> Cookie<'static> {
        self.build(self.csrf, value, None)
    }

    fn build(&self, name: &'static str, value: String, max_age: Option<i64>) -> Cookie<'static> {
        let mut c = Cookie::build(name, value)
            .path("/")
            .http_only(true)
            .same_site(SameSite::Lax)
            .secure(self.secure)
            .finish();
        if let Some(secs) = max_age {
            c.set_max_age(CookieDuration::seconds(secs));
        }
        c
    }
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

    #[test]
    fn secure_cookies_use_the_host_prefix_and_the_secure_flag() {
        let c = CookieNames::new(true).session_cookie("x".into());
        assert_eq!(c.name(), "__Host-insikt_session");
        assert_eq!(c.secure(), Some(true));
        assert_eq!(c.http_only(), Some(true));
        assert_eq!(c.same_site(), Some(SameSite::Lax));
    }
}
