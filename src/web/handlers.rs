//! Request handlers, one module per resource.

pub mod admin;
pub mod assets;
pub mod auth;
pub mod backlog;
pub mod backlog_followup;
pub mod backlog_presets;
pub mod backlog_rank;
pub mod designer;
pub mod fieldwork;
pub mod health;
pub mod home;
pub mod interview;
pub mod mail;
pub mod receipts;
pub mod respond;
pub mod results;
