//! CSRF protection by a signed double-submit cookie (OWASP): the browser holds a random value
//! in an HttpOnly cookie; every form carries HMAC(secret, value). A cross-site page can make
//! the browser send the cookie but cannot read it, so it cannot compute the form field.

use base64::Engine;
use hmac::Mac;
use subtle::ConstantTimeEq;

/// The hidden form field every state-changing form carries.
pub const FIELD: &str = "csrf_token";

/// The token for a given cookie value.
pub fn token_for(secret: &[u8], cookie_value: &str) -> String {
    let mut mac = super::mac::keyed(secret, b"insikt-csrf:");
    mac.update(cookie_value.as_bytes());
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
}

/// Whether `submitted` is the token for `cookie_value` (constant time).
pub fn verify(secret: &[u8], cookie_value: &str, submitted: &str) -> bool {
    if cookie_value.is_empty() || submitted.is_empty() {
        return false;
    }
    let expected = token_for(secret, cookie_value);
    expected.as_bytes().ct_eq(submitted.as_bytes()).into()
}

/// The token of the current request, put into request extensions by the CSRF middleware so
/// that every view rendering a form can embed it.
#[derive(Debug, Clone)]
pub struct CsrfToken(pub String);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_verifies_only_with_its_own_cookie_and_secret() {
        let t = token_for(b"secret", "cookie-a");
        assert!(verify(b"secret", "cookie-a", &t));
        assert!(!verify(b"secret", "cookie-b", &t));
        assert!(!verify(b"other", "cookie-a", &t));
        assert!(!verify(b"secret", "cookie-a", ""));
    }
}
