//! Helpers for tests that run the real `insikt` binary as a separate process.

#![allow(dead_code, reason = "each test binary uses a different subset")]

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// The binary under test, with no configuration inherited from the developer's shell.
pub fn insikt() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_insikt"));
    for var in [
        "DATABASE_URL",
        "INSIKT_BIND",
        "INSIKT_DATA_DIR",
        "INSIKT_SECRET_KEY",
        "INSIKT_LOG_FORMAT",
        "INSIKT_CONFIG",
        "INSIKT_SECURE_COOKIES",
        "INSIKT_TRUST_PROXY",
    ] {
        cmd.env_remove(var);
    }
    cmd.env("INSIKT_WORKERS", "1").env("RUST_LOG", "warn");
    // Seeding the demo takes a while; only the tests about the demo turn it back on.
    cmd.env("INSIKT_DEMO", "false");
    cmd
}

/// A running `insikt serve` whose console lines arrive on a channel; killed on drop.
pub struct Server {
    pub child: Child,
    pub lines: mpsc::Receiver<String>,
    pub seen: Vec<String>,
}

impl Server {
    pub fn start(mut cmd: Command) -> Server {
        cmd.stderr(Stdio::inherit());
        Self::start_keeping_stderr(cmd)
    }

    /// Like [`Server::start`], but stderr (the log) goes wherever `cmd` already sends it.
    pub fn start_keeping_stderr(mut cmd: Command) -> Server {
        let mut child = cmd
            .arg("serve")
            .stdout(Stdio::piped())
            .spawn()
            .expect("start insikt");
        let stdout = child.stdout.take().expect("stdout");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        Server {
            child,
            lines: rx,
            seen: vec![],
        }
    }

    /// Wait for a console line containing `needle` and return it.
    pub fn wait_for(&mut self, needle: &str) -> String {
        if let Some(l) = self.seen.iter().find(|l| l.contains(needle)) {
            return l.clone();
        }
        loop {
            let line = self
                .lines
                .recv_timeout(Duration::from_secs(120))
                .unwrap_or_else(|_| panic!("no line containing {needle:?}; saw {:?}", self.seen));
            self.seen.push(line.clone());
            if line.contains(needle) {
                return line;
            }
        }
    }

    /// The base URL printed at start, e.g. `http://127.0.0.1:41234`.
    pub fn base_url(&mut self) -> String {
        let line = self.wait_for("Insikt is running at ");
        let url = line
            .split("Insikt is running at ")
            .nth(1)
            .and_then(|rest| rest.split_whitespace().next())
            .expect("url after the prefix");
        url.trim_end_matches('/').to_owned()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Log in through the real HTTP interface; returns the session cookie value.
/// A server on a fresh data directory, with the first admin's password it printed.
pub fn start_with_first_admin(data: &std::path::Path) -> (Server, String, String) {
    let mut cmd = insikt();
    cmd.env("INSIKT_DATA_DIR", data)
        .env("INSIKT_BIND", "127.0.0.1:0");
    let mut server = Server::start(cmd);
    let base = server.base_url();
    let line = server.wait_for("username: admin");
    let password = line
        .split("password: ")
        .nth(1)
        .expect("password printed")
        .trim()
        .to_owned();
    (server, base, password)
}

/// The value of the first form field `name` in a page (hidden fields, the CSRF token).
pub fn hidden_field(html: &str, name: &str) -> Option<String> {
    let marker = format!("name=\"{name}\" value=\"");
    Some(html.split(&marker).nth(1)?.split('"').next()?.to_owned())
}

pub fn login(base: &str, username: &str, password: &str) -> String {
    let client = reqwest::blocking::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let page = client
        .get(format!("{base}/login"))
        .send()
        .expect("GET /login");
    let csrf_cookie = cookie_value(&page, "insikt_csrf").expect("csrf cookie");
    let html = page.text().expect("body");
    let token = hidden_field(&html, "csrf_token").expect("csrf token in the form");
    let res = client
        .post(format!("{base}/login"))
        .header("cookie", format!("insikt_csrf={csrf_cookie}"))
        .form(&[
            ("csrf_token", token.as_str()),
            ("username", username),
            ("password", password),
        ])
        .send()
        .expect("POST /login");
    assert_eq!(res.status().as_u16(), 303, "login as {username} failed");
    cookie_value(&res, "insikt_session").expect("session cookie")
}

/// GET with a session cookie; returns the status.
pub fn get_status(base: &str, path: &str, session: &str) -> u16 {
    reqwest::blocking::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
        .get(format!("{base}{path}"))
        .header("cookie", format!("insikt_session={session}"))
        .send()
        .expect("GET")
        .status()
        .as_u16()
}

/// The value of cookie `name` set by a response.
pub fn cookie_value(res: &reqwest::blocking::Response, name: &str) -> Option<String> {
    res.headers().get_all("set-cookie").iter().find_map(|v| {
        let text = v.to_str().ok()?;
        let pair = text.split(';').next()?;
        let (k, val) = pair.split_once('=')?;
        (k == name).then(|| val.to_owned())
    })
}
