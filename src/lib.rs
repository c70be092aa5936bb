//! Insikt: a survey and user-research platform. This crate is the web application; statistics
//! live in the `analysis` crate.
//!
//! The modules are layers (see `ARCHITECTURE.md`, "Layers"): `cli` → `startup` → `web` →
//! `use_cases` → {`formats`, `storage`, `auth`} → `domain`. A module uses only the layers to its
//! right.

pub mod auth;
pub mod cli;
pub mod config;
pub mod domain;
pub mod formats;
pub mod startup;
pub mod storage;
pub mod telemetry;
pub mod use_cases;
pub mod web;
