//! maud views. They take view data and the page context, never rows or connections.

pub mod admin;
pub mod auth;
pub mod backlog;
pub mod backlog_followup;
pub mod backlog_presets;
pub mod backlog_rank;
pub mod charts;
pub mod designer;
pub mod error;
pub mod fieldwork;
pub mod home;
pub mod interview;
pub mod layout;
pub mod mail;
pub mod receipts;
pub mod respond;
pub mod results;
