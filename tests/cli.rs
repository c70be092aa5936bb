//! The `insikt` binary: help, first start, configuration errors and account commands.

mod common;

use std::io::Write;
use std::process::Stdio;

use common::{insikt, login, Server};

#[test]
fn help_explains_every_command() {
    let out = insikt().arg("--help").output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    for word in ["serve", "migrate", "user", "DATABASE_URL", "INSIKT_BIND"] {
        assert!(text.contains(word), "--help lacks {word}:\n{text}");
    }
    let out = insikt().args(["user", "--help"]).output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    for word in ["add", "list", "set-role", "disable", "reset-password"] {
        assert!(text.contains(word), "user --help lacks {word}:\n{text}");
    }
}

#[test]
fn first_start_prints_the_url_and_an_admin_login_that_works() {
    let dir = tempfile::tempdir().unwrap();
    let (_server, base, password) = common::start_with_first_admin(dir.path());
    let session = login(&base, "admin", &password);
    assert_eq!(common::get_status(&base, "/admin/users", &session), 200);
    assert!(
        dir.path().join("insikt.db").exists(),
        "default SQLite file under the data dir"
    );
}

#[test]
fn a_second_start_does_not_create_another_admin() {
    let dir = tempfile::tempdir().unwrap();
    for round in 0..2 {
        let mut cmd = insikt();
        cmd.env("INSIKT_DATA_DIR", dir.path())
            .env("INSIKT_BIND", "127.0.0.1:0");
        let mut server = Server::start(cmd);
        server.base_url();
        std::thread::sleep(std::time::Duration::from_millis(300));
        while let Ok(l) = server.lines.try_recv() {
            server.seen.push(l);
        }
        let printed = server.seen.iter().any(|l| l.contains("username: admin"));
        assert_eq!(printed, round == 0, "round {round}: {:?}", server.seen);
    }
}

fn fails_with(cmd: &mut std::process::Command, needle: &str) {
    let out = cmd.output().expect("run insikt");
    assert!(!out.status.success(), "expected failure");
    let err = String::from_utf8(out.stderr).expect("utf-8 stderr");
    let last = err.trim().lines().last().unwrap_or("").to_owned();
    assert!(last.starts_with("insikt: "), "{err}");
    assert!(last.contains(needle), "wanted {needle:?} in {last:?}");
}

#[test]
fn an_unparseable_bind_address_is_a_one_line_error_naming_the_setting() {
    fails_with(
        insikt().arg("serve").env("INSIKT_BIND", "not-an-address"),
        "INSIKT_BIND",
    );
}

#[test]
fn an_unwritable_data_directory_is_a_one_line_error_naming_the_setting() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("a-file");
    std::fs::write(&file, "x").unwrap();
    fails_with(
        insikt()
            .arg("serve")
            .env("INSIKT_BIND", "127.0.0.1:0")
            .env("INSIKT_DATA_DIR", file.join("data")),
        "INSIKT_DATA_DIR",
    );
}

#[cfg(not(feature = "postgres"))]
#[test]
fn a_postgres_url_on_a_build_without_the_feature_exits_with_a_clear_message() {
    let dir = tempfile::tempdir().unwrap();
    fails_with(
        insikt()
            .arg("serve")
            .current_dir(dir.path())
            .env("INSIKT_BIND", "127.0.0.1:0")
            .env("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/insikt"),
        "--features postgres",
    );
    // And no SQLite file was created in its place.
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

#[test]
fn user_commands_add_list_change_and_disable_accounts() {
    let dir = tempfile::tempdir().unwrap();
    let run = |args: &[&str], stdin: Option<&str>| {
        let mut child = insikt()
            .args(args)
            .env("INSIKT_DATA_DIR", dir.path())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        if let Some(input) = stdin {
            child
                .stdin
                .take()
                .unwrap()
                .write_all(input.as_bytes())
                .unwrap();
        }
        let out = child.wait_with_output().unwrap();
        (
            out.status.success(),
            String::from_utf8(out.stdout).unwrap(),
            String::from_utf8(out.stderr).unwrap(),
        )
    };
    let (ok, out, err) = run(
        &[
            "user",
            "add",
            "Karin",
            "--role",
            "researcher",
            "--password-stdin",
        ],
        Some("ett-långt-och-ovanligt-lösen\n"),
    );
    assert!(ok, "{err}");
    assert!(out.contains("created karin (researcher)"));

    let (ok, _, err) = run(
        &[
            "user",
            "add",
            "olle",
            "--role",
            "analyst",
            "--password-stdin",
        ],
        Some("kort\n"),
    );
    assert!(!ok);
    assert!(err.contains("at least 12"), "{err}");

    let (ok, _, err) = run(&["user", "add", "olle", "--role", "boss"], None);
    assert!(!ok);
    assert!(err.contains("unknown role"), "{err}");

    assert!(run(&["user", "set-role", "karin", "manager"], None).0);
    assert!(run(&["user", "disable", "karin"], None).0);
    let (_, list, _) = run(&["user", "list"], None);
    let karin = list.lines().find(|l| l.starts_with("karin")).unwrap();
    assert!(
        karin.contains("manager") && karin.contains("disabled"),
        "{list}"
    );

    let (ok, _, err) = run(&["user", "disable", "nobody"], None);
    assert!(!ok);
    assert!(err.contains("no such account"), "{err}");
}

#[test]
fn request_log_lines_name_the_route_but_never_a_code_from_the_address() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("stderr.log");
    let mut cmd = insikt();
    cmd.env("INSIKT_DATA_DIR", dir.path())
        .env("INSIKT_BIND", "127.0.0.1:0")
        .env("RUST_LOG", "info")
        .stderr(std::fs::File::create(&log).unwrap());
    let mut server = Server::start_keeping_stderr(cmd);
    let base = server.base_url();
    for path in [
        "/s/it-habits?code=7K3F-Q2TB&lang=en",
        "/s/it-habits/resume?code=9M4X-R2TB-QQ",
        "/optout/secret-opt-out-token",
    ] {
        common::get_status(&base, path, "none");
    }
    drop(server);
    let text = std::fs::read_to_string(&log).unwrap();
    assert!(
        text.contains("/s/{key}"),
        "the request log names the route pattern:\n{text}"
    );
    for secret in ["7K3F-Q2TB", "9M4X-R2TB-QQ", "secret-opt-out-token", "?code"] {
        assert!(!text.contains(secret), "{secret} reached the log:\n{text}");
    }
}

#[test]
fn a_redirect_to_login_logs_no_query_and_no_error() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("stderr.log");
    let mut cmd = insikt();
    cmd.env("INSIKT_DATA_DIR", dir.path())
        .env("INSIKT_BIND", "127.0.0.1:0")
        .env("RUST_LOG", "debug")
        .stderr(std::fs::File::create(&log).unwrap());
    let mut server = Server::start_keeping_stderr(cmd);
    let base = server.base_url();
    assert_eq!(
        common::get_status(&base, "/staff/receipts?number=SECRET123", "none"),
        303
    );
    // Extractor failures with input in their internal message.
    common::get_status(&base, "/designer/some-key/99999999999SECRET456", "none");
    common::get_status(&base, "/admin/audit?before=SECRET789", "none");
    drop(server);
    let text = std::fs::read_to_string(&log).unwrap();
    assert!(
        text.contains("/staff/receipts"),
        "the request is logged by its route:\n{text}"
    );
    for secret in ["SECRET123", "SECRET456", "SECRET789", "number="] {
        assert!(!text.contains(secret), "{secret} reached the log:\n{text}");
    }
    assert!(
        !text.lines().any(|l| l.contains("ERROR")),
        "a redirect to the login page is not an error:\n{text}"
    );
}

#[test]
fn log_format_is_an_option_of_serve_only() {
    let help = |args: &[&str]| {
        let out = insikt().args(args).output().unwrap();
        assert!(out.status.success(), "{args:?}");
        String::from_utf8(out.stdout).unwrap()
    };
    assert!(help(&["serve", "--help"]).contains("--log-format"));
    for args in [&["--help"][..], &["user", "--help"], &["surveys", "--help"]] {
        assert!(!help(args).contains("--log-format"), "{args:?}");
    }
    assert!(!insikt()
        .args(["--log-format", "json", "migrate"])
        .output()
        .unwrap()
        .status
        .success());
}

#[test]
fn surveys_list_shows_every_version_and_imports_get_surveys_of_their_own() {
    let dir = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        let out = insikt()
            .env("INSIKT_DATA_DIR", dir.path())
            .args(args)
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout).into_owned()
            + &String::from_utf8_lossy(&out.stderr);
        (out.status.success(), text)
    };
    let surveys = concat!(env!("CARGO_MANIFEST_DIR"), "/surveys");
    let (ok, text) = run(&["surveys", "load", surveys]);
    assert!(!ok, "without options there is no privacy notice: {text}");
    assert!(text.contains("privacy"), "{text}");
    let (ok, text) = run(&["surveys", "load", "--demo", surveys]);
    assert!(ok, "{text}");
    let workbook = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/xlsform/or_other.xlsx"
    );
    for args in [
        &["surveys", "import", workbook][..],
        &["surveys", "import", workbook],
        &["surveys", "import", workbook, "--into", "it-habits"],
    ] {
        let (ok, text) = run(args);
        assert!(ok, "{args:?}: {text}");
    }
    let (ok, list) = run(&["surveys", "list"]);
    assert!(ok, "{list}");
    let line = |key: &str, v: &str, status: &str| {
        list.lines().any(|l| {
            let words: Vec<&str> = l.split_whitespace().collect();
            words.len() > 2 && words[0] == key && words[1] == v && words[2] == status
        })
    };
    assert!(line("it-habits", "v1", "published"), "{list}");
    assert!(line("it-habits", "v2", "draft"), "{list}");
    assert!(line("or_other", "v1", "draft"), "{list}");
    assert!(line("or_other-2", "v1", "draft"), "{list}");
}

#[test]
fn insikt_demo_seeds_a_fresh_database_and_refuses_a_second_time() {
    let dir = tempfile::tempdir().unwrap();
    let run = || {
        insikt()
            .env("INSIKT_DATA_DIR", dir.path())
            .arg("demo")
            .output()
            .unwrap()
    };
    let first = run();
    let out = String::from_utf8_lossy(&first.stdout);
    assert!(
        first.status.success(),
        "{out}{}",
        String::from_utf8_lossy(&first.stderr)
    );
    for needle in [
        "it-habits v1",
        "it-habits v2",
        "eservice-needs v1",
        "16 candidate e-service areas, ranked with one published snapshot",
        "username: researcher",
        "username: interviewer",
    ] {
        assert!(out.contains(needle), "{needle} missing from:\n{out}");
    }
    let second = run();
    assert!(!second.status.success(), "a second seeding is refused");
    let err = String::from_utf8_lossy(&second.stderr);
    assert!(err.contains("already holds the demo"), "{err}");
}

#[test]
fn serve_with_no_demo_leaves_a_new_database_empty() {
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = insikt();
    cmd.env("INSIKT_DATA_DIR", dir.path())
        .env("INSIKT_BIND", "127.0.0.1:0")
        .env("INSIKT_DEMO", "true")
        .arg("--no-demo");
    let mut server = Server::start(cmd);
    let base = server.base_url();
    let line = server.wait_for("username: admin");
    let password = line.split("password: ").nth(1).unwrap().trim().to_owned();
    assert!(
        !server.seen.iter().any(|l| l.contains("demo")),
        "{:?}",
        server.seen
    );
    drop(server);
    let out = insikt()
        .env("INSIKT_DATA_DIR", dir.path())
        .args(["surveys", "list"])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stdout).trim().is_empty(),
        "no surveys: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    let _ = (base, password);
}

#[test]
fn serve_on_a_new_database_seeds_the_demo_prints_the_demo_accounts_and_shows_the_banner() {
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = insikt();
    cmd.env("INSIKT_DATA_DIR", dir.path())
        .env("INSIKT_BIND", "127.0.0.1:0")
        .env("INSIKT_DEMO", "true");
    let mut server = Server::start(cmd);
    let base = server.base_url();
    server.wait_for("seeded the synthetic demo data");
    server.wait_for("username: admin");
    let line = server.wait_for("username: researcher");
    let password = line
        .split("password: ")
        .nth(1)
        .and_then(|p| p.split_whitespace().next())
        .unwrap()
        .to_owned();
    server.wait_for("username: manager");
    let session = login(&base, "researcher", &password);
    let page = reqwest::blocking::Client::new()
        .get(format!("{base}/staff"))
        .header("cookie", format!("insikt_session={session}"))
        .send()
        .unwrap()
        .text()
        .unwrap();
    assert!(page.contains("demo-banner"), "banner on the staff page");
}
