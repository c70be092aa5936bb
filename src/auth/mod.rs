//! Staff authentication: password hashing, server-side sessions, CSRF tokens, login and its
//! throttling. Built on storage and domain only: nothing here knows of the web edge, which
//! owns the cookies (`web::cookies`) and asks `session::find_user` who a session belongs to.

pub mod csrf;
pub mod login;
pub mod mac;
pub mod password;
pub mod session;
