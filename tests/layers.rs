//! The layers of `src/` (ARCHITECTURE.md, "Layers") checked by reading the source as text, so
//! a wrong-way import fails the suite instead of waiting for a reviewer to notice.
//!
//! Comments are skipped: a doc comment may name any module it explains.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

/// Top-level modules from the bottom up. A module may use modules of a lower rank only.
const RANKS: &[(&str, u8)] = &[
    ("domain", 0),
    ("config", 0),
    ("formats", 1),
    ("storage", 1),
    ("auth", 2),
    ("use_cases", 3),
    ("web", 4),
    ("telemetry", 5),
    ("startup", 5),
    ("cli", 6),
];

/// Downward uses that skip the layer that owns them anyway: the web edge reaches the database
/// only through use cases.
const FORBIDDEN: &[(&str, &str)] = &[("web", "storage")];

/// The files allowed at the top of `src/`: the entry points and the wiring.
const TOP_FILES: &[&str] = &[
    "config.rs",
    "lib.rs",
    "main.rs",
    "startup.rs",
    "telemetry.rs",
];

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).expect("readable source folder") {
        let path = entry.expect("directory entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The code of a file without line comments (`//`, `//!`, `///`).
fn code(path: &Path) -> String {
    fs::read_to_string(path)
        .expect("readable source file")
        .lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The top-level module a source file belongs to (`src/web/handlers/home.rs` → `web`).
fn layer_of(path: &Path) -> String {
    let rel = path.strip_prefix(src()).expect("under src");
    let first = rel
        .components()
        .next()
        .expect("non-empty path")
        .as_os_str()
        .to_string_lossy()
        .into_owned();
    first.trim_end_matches(".rs").to_owned()
}

/// Every source file of the crate, with its layer and its code.
fn sources() -> Vec<(String, PathBuf, String)> {
    let mut files = Vec::new();
    rust_files(&src(), &mut files);
    files.sort();
    files
        .into_iter()
        .map(|p| (layer_of(&p), p.clone(), code(&p)))
        .collect()
}

/// The top-level modules a piece of code names as `crate::x`.
fn crate_uses(code: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = code;
    while let Some(at) = rest.find("crate::") {
        let before = rest[..at].chars().next_back();
        let after = &rest[at + "crate::".len()..];
        // `$crate::` in a macro names this crate too; `insikt_crate::` would not.
        let standalone = before.is_none_or(|c| !(c.is_alphanumeric() || c == '_'));
        if standalone || before == Some('$') {
            let name: String = after
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            if !name.is_empty() {
                out.push(name);
            }
        }
        rest = after;
    }
    out
}

fn rank(module: &str) -> Option<u8> {
    RANKS.iter().find(|(m, _)| *m == module).map(|(_, r)| *r)
}

fn relative(path: &Path) -> String {
    path.strip_prefix(src())
        .unwrap_or(path)
        .display()
        .to_string()
}

#[test]
fn the_top_of_src_holds_only_the_entry_points_and_the_wiring() {
    let mut stray = Vec::new();
    for entry in fs::read_dir(src()).expect("src") {
        let path = entry.expect("entry").path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if path.is_file() && !TOP_FILES.contains(&name.as_str()) {
            stray.push(name);
        } else if path.is_dir() && rank(&name).is_none() {
            stray.push(format!("{name}/"));
        }
    }
    assert!(stray.is_empty(), "not in a layer folder: {stray:?}");
}

#[test]
fn every_module_uses_only_the_layers_below_it() {
    let mut wrong = BTreeMap::new();
    for (layer, path, code) in sources() {
        let Some(own) = rank(&layer) else {
            continue; // lib.rs and main.rs name every layer
        };
        for used in crate_uses(&code) {
            let Some(theirs) = rank(&used) else {
                continue;
            };
            let upward = used != layer && theirs >= own;
            if upward || FORBIDDEN.contains(&(layer.as_str(), used.as_str())) {
                wrong
                    .entry(relative(&path))
                    .or_insert_with(Vec::new)
                    .push(used);
            }
        }
    }
    assert!(wrong.is_empty(), "wrong-way imports: {wrong:#?}");
}

/// Files of `layers` whose code contains one of `words`.
fn files_naming(layers: &[&str], words: &[&str]) -> Vec<String> {
    sources()
        .into_iter()
        .filter(|(layer, _, _)| layers.contains(&layer.as_str()))
        .filter(|(_, _, code)| words.iter().any(|w| code.contains(w)))
        .map(|(_, path, _)| relative(&path))
        .collect()
}

#[test]
fn the_web_edge_reaches_the_database_only_through_use_cases() {
    let found = files_naming(&["web"], &["storage::", "diesel"]);
    assert!(found.is_empty(), "storage named under src/web: {found:?}");
}

#[test]
fn diesel_is_imported_only_under_storage() {
    let layers: Vec<&str> = RANKS
        .iter()
        .map(|(m, _)| *m)
        .filter(|m| *m != "storage")
        .collect();
    let found = files_naming(&layers, &["diesel::", "use diesel"]);
    assert!(found.is_empty(), "diesel outside src/storage: {found:?}");
}

#[test]
fn use_cases_formats_domain_and_auth_know_nothing_of_actix_or_maud() {
    let found = files_naming(
        &["use_cases", "domain", "storage"],
        &["actix", "maud", "HttpRequest"],
    );
    assert!(found.is_empty(), "web types below the web edge: {found:?}");
    // Formats may write HTML documents (printed letters) with maud, never speak HTTP.
    let found = files_naming(&["formats", "auth"], &["actix", "HttpRequest"]);
    assert!(found.is_empty(), "HTTP types in formats or auth: {found:?}");
}

#[test]
fn only_results_fieldwork_backlog_draws_and_the_command_line_use_the_analysis_crate() {
    let found: Vec<String> = sources()
        .into_iter()
        .filter(|(_, _, code)| code.contains("analysis::"))
        .map(|(_, path, _)| relative(&path))
        .filter(|p| {
            !(p.starts_with("use_cases/results")
                || p.starts_with("use_cases/fieldwork")
                // The backlog (ranking, benefit, follow-up) calls the decision maths.
                || p.starts_with("use_cases/backlog")
                || p.starts_with("cli/"))
        })
        .collect();
    assert!(found.is_empty(), "analysis used outside results: {found:?}");
}

#[test]
fn there_is_one_translation_mechanism() {
    let found = files_naming(
        &[
            "web",
            "use_cases",
            "domain",
            "formats",
            "auth",
            "storage",
            "cli",
        ],
        &["sv: bool", "swedish: bool", "is_sv()", "fn sv_problem"],
    );
    assert!(found.is_empty(), "a second way to translate: {found:?}");
}

#[test]
fn use_case_errors_reach_the_web_through_web_error_only() {
    let found: Vec<String> = sources()
        .into_iter()
        .filter(|(layer, path, _)| layer == "web" && !path.ends_with("web/error.rs"))
        .filter(|(_, _, code)| code.contains("for AppError"))
        .map(|(_, path, _)| relative(&path))
        .collect();
    assert!(
        found.is_empty(),
        "an error mapped to AppError outside web/error.rs: {found:?}"
    );
}

#[test]
fn the_checks_see_a_wrong_way_import_when_there_is_one() {
    // The scanner itself: a made-up line must be caught, a comment must not.
    assert_eq!(crate_uses("use crate::storage::x;"), ["storage"]);
    assert_eq!(crate_uses("$crate::storage::DbConnection"), ["storage"]);
    assert!(crate_uses("use my_crate::storage;").is_empty());
    let file = std::env::temp_dir().join(format!("layers-{}.rs", std::process::id()));
    fs::write(&file, "//! see crate::web\nuse crate::web::x;\n").unwrap();
    assert_eq!(crate_uses(&code(&file)), ["web"]);
    fs::remove_file(&file).unwrap();
}
