//! Integration tests of the web app: one binary, each test owns its database and runs the
//! app in-process on a random port.

#![expect(
    clippy::unwrap_used,
    reason = "test helpers fail loudly, like the tests themselves"
)]

mod access;
mod admin;
mod analyses;
mod auth;
mod backlog;
mod backlog_equity;
mod backlog_followup;
mod backlog_presets;
mod backlog_ranking;
mod designer;
mod fieldwork;
mod helpers;
mod mail;
mod people;
mod platform;
mod preview;
mod respond;
mod respond_inputs;
mod results;
mod results_load;
mod sample_download;
mod smtp_sink;
mod staff_home;
mod writer;
