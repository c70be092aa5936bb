//! Insikt: a survey and user-research platform. This crate is the web application; statistics live in `analysis`.

pub mod domain;
pub mod stats_cli;
