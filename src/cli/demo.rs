//! `insikt demo`: seed the synthetic demo into any database (also PostgreSQL, where it is never
//! seeded by itself), and the console lines that tell a newcomer how to log in to it.

use std::time::Instant;

use anyhow::anyhow;

use crate::config::Settings;
use crate::domain::lang::Lang;
use crate::use_cases::demo::{self, DemoReport};
use crate::use_cases::Actor;
use crate::{startup, storage};

/// Seed the demo; refuses (and changes nothing) when the database already holds it.
pub fn run(settings: Settings) -> anyhow::Result<()> {
    let db = startup::open_db(&settings)?;
    storage::migrate::run_pending(&mut *db.get()?)?;
    let started = Instant::now();
    let report = demo::seed(
        &mut *db.get()?,
        settings.argon2,
        Actor::CLI,
        &settings.surveys_dir,
    )
    .map_err(|e| anyhow!("{} ({e})", e.message().get(Lang::En)))?;
    println!(
        "Seeded the demo data in {:.1} s (database: {}).",
        started.elapsed().as_secs_f64(),
        db.backend().name()
    );
    print_report(&report, None);
    Ok(())
}

/// What was seeded and the demo logins (passwords are shown only here, never logged).
pub fn print_report(report: &DemoReport, login_url: Option<&str>) {
    println!(
        "Demo data (synthetic, for trying Insikt out): {} invitations, {} responses ({}).",
        report.invitations,
        report.total_responses(),
        report
            .responses
            .iter()
            .map(|(v, n)| format!("{v}: {n}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    if report.areas > 0 {
        println!(
            "  {} candidate e-service areas, ranked with one published snapshot (/backlog).",
            report.areas
        );
    }
    if !report.accounts.is_empty() {
        match login_url {
            Some(url) => println!("  Demo accounts (log in at {url}):"),
            None => println!("  Demo accounts:"),
        }
        for a in &report.accounts {
            println!(
                "    username: {:<12} password: {}  ({})",
                a.username, a.password, a.role
            );
        }
        println!("  These passwords are shown only now.");
    }
}
