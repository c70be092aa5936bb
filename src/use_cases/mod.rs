//! Use cases: what staff and respondents can do, as sync functions over a database connection,
//! the acting user and parsed input, returning thiserror enums. Nothing here knows of actix,
//! maud or form field maps; the web edge and the command line both call these.
//!
//! One exception to "sync": the respondent's hot path (`answering::admission`) takes the pool
//! and is async, because a public survey's start and every step without a code need no
//! connection at all, and taking one per step would cost the busiest path a pool checkout.

pub mod accounts;
pub mod answering;
pub mod backlog;
pub mod demo;
pub mod fieldwork;
pub mod health;
pub mod mail;
pub mod questionnaires;
pub mod results;

/// Who acts, for the audit log; every use case that changes something takes one.
pub use crate::storage::audit::Actor;
/// The group-commit writer for submissions, held by the web edge's state.
pub use crate::storage::responses::ResponseWriter;
/// The pool, a connection from it, and its error: the web edge holds the pool and runs use
/// cases on its connections without naming the storage layer.
pub use crate::storage::{Db, DbConnection, StorageError};
