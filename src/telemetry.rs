//! Logging setup: human-readable by default, JSON on request; level from `RUST_LOG`.

use tracing_subscriber::fmt::format::FmtSpan;
use tracing_subscriber::{fmt, EnvFilter};

use crate::config::LogFormat;

/// Targets capped at `info` because their debug lines carry request paths or queries
/// (actix-web's extractors; it logs nothing at info, so this adds no lines either).
const QUIET_TARGETS: [&str; 1] = ["actix_web=info"];

/// Install the global subscriber. Safe to call once per process.
pub fn init(format: LogFormat) {
    let mut filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,actix_server=warn"));
    // actix-web's extractors log the raw request path and query at debug when they fail; the
    // log holds route patterns only, whatever RUST_LOG asks for (our own error handlers log the
    // failure with the route instead, see `web::error::path_config`).
    for quiet in QUIET_TARGETS {
        if let Ok(directive) = quiet.parse() {
            filter = filter.add_directive(directive);
        }
    }
    // One line per request when its span closes (method, route, status, latency).
    let builder = fmt()
        .with_env_filter(filter)
        .with_span_events(FmtSpan::CLOSE)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_writer(std::io::stderr);
    let result = match format {
        LogFormat::Text => builder.try_init(),
        LogFormat::Json => builder.json().flatten_event(true).try_init(),
    };
    // A second init (tests that build several apps) is harmless: the first subscriber stays.
    drop(result);
}
