//! Every dependency the manifests declare is used: an unused crate is attack surface and build
//! time for nothing (issue 10 found `ammonia` and `pulldown-cmark` declared and never used).
//! The RustSec advisory database cannot be fetched on the project's machines (only the package
//! registries are reachable), so `cargo audit` is run where GitHub is reachable (CONTRIBUTING.md);
//! this check keeps the list of crates to audit as short as the code allows.

use std::path::Path;

/// Crates declared for what they switch on, not for names the code imports.
const USED_FOR_FEATURES: &[(&str, &str)] = &[
    (
        "libsqlite3-sys",
        "bundles SQLite into the binary (feature `bundled`)",
    ),
    (
        "pq-sys",
        "builds libpq from source for the `postgres` feature",
    ),
];

fn declared(manifest: &str, table: &str) -> Vec<String> {
    let doc: toml::Table = manifest.parse().expect("the manifest parses");
    doc.get(table)
        .and_then(toml::Value::as_table)
        .map(|t| t.keys().cloned().collect())
        .unwrap_or_default()
}

fn sources(dirs: &[&Path]) -> String {
    fn walk(dir: &Path, out: &mut String) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push_str(&std::fs::read_to_string(&path).unwrap_or_default());
                out.push('\n');
            }
        }
    }
    let mut out = String::new();
    for dir in dirs {
        walk(dir, &mut out);
    }
    out
}

fn uses(code: &str, krate: &str) -> bool {
    let name = krate.replace('-', "_");
    code.match_indices(&name).any(|(at, _)| {
        let before = code[..at].chars().next_back();
        let after = code[at + name.len()..].chars().next();
        let ident = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_');
        !ident(before) && !ident(after)
    })
}

fn unused(crate_dir: &Path, table: &str, dirs: &[&str]) -> Vec<String> {
    let manifest = std::fs::read_to_string(crate_dir.join("Cargo.toml")).expect("Cargo.toml");
    let paths: Vec<_> = dirs.iter().map(|d| crate_dir.join(d)).collect();
    let refs: Vec<&Path> = paths.iter().map(|p| p.as_path()).collect();
    let code = sources(&refs);
    declared(&manifest, table)
        .into_iter()
        .filter(|d| !USED_FOR_FEATURES.iter().any(|(name, _)| name == d))
        .filter(|d| !uses(&code, d))
        .collect()
}

#[test]
fn every_declared_dependency_of_the_app_and_the_analysis_crate_is_used() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut unused_crates = unused(root, "dependencies", &["src"]);
    unused_crates.extend(
        unused(root, "dev-dependencies", &["tests", "benches", "src"])
            .into_iter()
            .map(|d| format!("{d} (dev)")),
    );
    let analysis = root.join("analysis");
    unused_crates.extend(
        unused(&analysis, "dependencies", &["src"])
            .into_iter()
            .map(|d| format!("analysis: {d}")),
    );
    unused_crates.extend(
        unused(&analysis, "dev-dependencies", &["tests", "benches", "src"])
            .into_iter()
            .map(|d| format!("analysis: {d} (dev)")),
    );
    assert!(
        unused_crates.is_empty(),
        "declared but never used: {unused_crates:?}"
    );
}

#[test]
fn the_usage_check_tells_a_used_crate_from_an_unused_one() {
    let code = "use pulldown_cmark::Parser;\nlet x = my_ammonia_clean(s);";
    assert!(uses(code, "pulldown-cmark"));
    assert!(!uses(code, "ammonia"), "a longer identifier is not a use");
}
