//! Thin entry point: parse the command line and hand over to the library.
//!
//! Minimal dispatcher for the `analysis` branch: only `insikt stats`. The owner of main.rs merges this
//! subcommand into the full CLI.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(name = "insikt", about = "Survey and user-research platform")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Weighted survey statistics on a CSV file.
    Stats(insikt::stats_cli::StatsArgs),
}

fn main() -> ExitCode {
    match Cli::parse().command {
        Command::Stats(args) => match insikt::stats_cli::run(args) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                // One line: the whole cause chain joined by ": ".
                eprintln!("error: {e:#}");
                ExitCode::FAILURE
            }
        },
    }
}
