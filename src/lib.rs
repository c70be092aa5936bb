//! Insikt: a survey and user-research platform. This crate is the web application; statistics
//! live in the `analysis` crate.

pub mod accounts;
pub mod analysis_jobs;
pub mod answering;
pub mod auth;
pub mod cli;
pub mod config;
pub mod domain;
pub mod fieldwork;
pub mod mail;
pub mod questionnaires;
pub mod sample_cli;
pub mod startup;
pub mod stats_cli;
pub mod storage;
pub mod survey_file;
pub mod telemetry;
pub mod web;
pub mod xlsform;
