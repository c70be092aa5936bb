//! The session and CSRF cookies: names and flags. With TLS the `__Host-` prefix pins a cookie
//! to this host and path `/`.

use actix_web::cookie::{time::Duration as CookieDuration, Cookie, SameSite};

use crate::auth::session::ABSOLUTE_TIMEOUT;

/// Cookie names and whether cookies are marked `Secure`.
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
    fn secure_cookies_use_the_host_prefix_and_the_secure_flag() {
        let c = CookieNames::new(true).session_cookie("x".into());
        assert_eq!(c.name(), "__Host-insikt_session");
        assert_eq!(c.secure(), Some(true));
        assert_eq!(c.http_only(), Some(true));
        assert_eq!(c.same_site(), Some(SameSite::Lax));
    }
}
