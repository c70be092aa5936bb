//! Thin entry point: run the command line and turn an error into one line and exit code 1.

use std::process::ExitCode;

fn main() -> ExitCode {
    match insikt::cli::run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            // `{:#}` prints the whole cause chain on one line, naming the setting first.
            eprintln!("insikt: {e:#}");
            ExitCode::FAILURE
        }
    }
}
