//! Pure domain types: no actix, no diesel. Values of these types are valid by construction.

pub mod backlog;
pub mod backlog_followup;
pub mod backlog_preset;
pub mod expr;
pub mod lang;
pub mod local_time;
pub mod options;
pub mod qualitative;
pub mod quota;
pub mod redaction;
pub mod response;
pub mod sampling;
pub mod survey;
pub mod user;
