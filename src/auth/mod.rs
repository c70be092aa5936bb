//! Staff authentication: password hashing, server-side sessions, CSRF tokens, login throttling
//! and the extractors that decide who may see a page.

pub mod csrf;
pub mod extract;
pub mod login;
pub mod mac;
pub mod password;
pub mod session;
