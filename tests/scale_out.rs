//! Scale-out: two `insikt serve` processes on one PostgreSQL database share sessions, and
//! migrations and first-start seeding run exactly once even when both start together.

#![cfg(feature = "postgres")]

mod common;

use common::{get_status, insikt, login, Server};

#[test]
fn two_instances_on_one_database_share_sessions_and_migrate_once() {
    let admin_url = std::env::var("TEST_DATABASE_URL")
        .expect("the postgres suite needs TEST_DATABASE_URL (see .ci/run)");
    let name = format!("insikt_scale_{}", uuid::Uuid::new_v4().simple());
    let url = insikt::storage::create_scratch_database(&admin_url, &name).unwrap();

    let start = || {
        let mut cmd = insikt();
        cmd.env("DATABASE_URL", &url)
            .env("INSIKT_BIND", "127.0.0.1:0")
            .env("INSIKT_DATA_DIR", std::env::temp_dir());
        Server::start(cmd)
    };
    // Both at the same moment, on an empty database.
    let (mut a, mut b) = (start(), start());
    let (base_a, base_b) = (a.base_url(), b.base_url());
    for s in [&mut a, &mut b] {
        std::thread::sleep(std::time::Duration::from_millis(200));
        while let Ok(l) = s.lines.try_recv() {
            s.seen.push(l);
        }
    }
    let admins_printed = [&a, &b]
        .iter()
        .filter(|s| s.seen.iter().any(|l| l.contains("username: admin")))
        .count();
    assert_eq!(
        admins_printed, 1,
        "exactly one instance creates the first admin"
    );

    let db =
        insikt::storage::Db::connect(insikt::storage::Backend::from_url(&url).unwrap(), Some(1))
            .unwrap();
    let mut conn = db.get().unwrap();
    let applied = insikt::storage::migrate::applied_versions(&mut conn).unwrap();
    let mut unique = applied.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(applied.len(), unique.len());
    assert!(!applied.is_empty());
    let users = insikt::storage::users::list_users(&mut conn).unwrap();
    assert_eq!(users.iter().filter(|u| u.username == "admin").count(), 1);

    let mut add = insikt()
        .args([
            "user",
            "add",
            "delad",
            "--role",
            "analyst",
            "--password-stdin",
        ])
        .env("DATABASE_URL", &url)
        .stdin(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    add.stdin
        .take()
        .unwrap()
        .write_all(b"ett-langt-och-ovanligt-losen\n")
        .unwrap();
    assert!(add.wait().unwrap().success());

    let session = login(&base_a, "delad", "ett-langt-och-ovanligt-losen");
    assert_eq!(
        get_status(&base_b, "/staff", &session),
        200,
        "session from A works on B"
    );
    assert_eq!(get_status(&base_b, "/staff", "not-a-session"), 303);

    drop(conn);
    drop(db);
    drop(a);
    drop(b);
    let _ = insikt::storage::drop_scratch_database(&admin_url, &name);
}
