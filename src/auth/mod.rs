//! Staff authentication: password hashing, server-side sessions, CSRF tokens, login and its
//! throttling. Nothing here knows of the web edge; `web::access` turns a session into a user.

pub mod csrf;
pub mod login;
pub mod mac;
pub mod password;
pub mod session;
