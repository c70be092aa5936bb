//! `insikt sample draw` on generated frames: reproducible draws, allocations, and bad input.

#![expect(
    clippy::unwrap_used,
    reason = "test helpers fail loudly, like the tests themselves"
)]

mod common;

use std::fmt::Write as _;

fn frame(dir: &std::path::Path, rows: usize) -> std::path::PathBuf {
    let districts = ["bromma", "farsta", "kista"];
    let mut text = String::from("id,district,age_group,sd\n");
    for i in 0..rows {
        // Bromma gets half the frame, the others a quarter each.
        let d = if i % 2 == 0 {
            districts[0]
        } else {
            districts[1 + (i / 2) % 2]
        };
        let sd = if d == "kista" { 3.0 } else { 1.0 };
        writeln!(
            text,
            "p{i},{d},{},{sd}",
            if i % 3 == 0 { "young" } else { "old" }
        )
        .unwrap();
    }
    let path = dir.join("frame.csv");
    std::fs::write(&path, text).unwrap();
    path
}

fn draw(args: &[&str]) -> (bool, String, String) {
    let out = common::insikt()
        .arg("sample")
        .arg("draw")
        .args(args)
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn read(path: &std::path::Path) -> Vec<Vec<String>> {
    let mut r = csv::Reader::from_path(path).unwrap();
    r.records()
        .map(|rec| rec.unwrap().iter().map(str::to_owned).collect())
        .collect()
}

#[test]
fn the_same_seed_draws_the_same_sample_and_probabilities_match_the_allocation() {
    let dir = tempfile::tempdir().unwrap();
    let f = frame(dir.path(), 2000);
    let (a, b, c) = (
        dir.path().join("a.csv"),
        dir.path().join("b.csv"),
        dir.path().join("c.csv"),
    );
    let base = [
        "--strata",
        "district",
        "--n",
        "200",
        "--allocation",
        "proportional",
    ];
    for (out, seed) in [(&a, "7"), (&b, "7"), (&c, "8")] {
        let mut args: Vec<&str> = vec![
            "--frame",
            f.to_str().unwrap(),
            "--seed",
            seed,
            "--out",
            out.to_str().unwrap(),
        ];
        args.extend(base);
        let (ok, stdout, err) = draw(&args);
        assert!(ok, "{err}");
        assert!(
            stdout.contains("bromma") && stdout.contains("total"),
            "{stdout}"
        );
    }
    let (sa, sb, sc) = (read(&a), read(&b), read(&c));
    assert_eq!(sa, sb);
    assert_ne!(sa, sc);
    assert_eq!(sa.len(), 200);
    // Proportional: bromma 1000 of 2000 → 100 drawn, π = 0.1, weight 10.
    let bromma: Vec<_> = sa.iter().filter(|r| r[1] == "bromma").collect();
    assert_eq!(bromma.len(), 100);
    assert!(bromma.iter().all(|r| r[5] == "0.1" && r[6] == "10"));
    let total_weight: f64 = sa.iter().map(|r| r[6].parse::<f64>().unwrap()).sum();
    assert!((total_weight - 2000.0).abs() < 1e-6);
}

#[test]
fn neyman_allocation_puts_more_sample_where_the_expected_spread_is_larger() {
    let dir = tempfile::tempdir().unwrap();
    let f = frame(dir.path(), 2000);
    let out = dir.path().join("s.csv");
    let (ok, _, err) = draw(&[
        "--frame",
        f.to_str().unwrap(),
        "--strata",
        "district",
        "--n",
        "300",
        "--allocation",
        "neyman",
        "--sd-column",
        "sd",
        "--seed",
        "1",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(ok, "{err}");
    let s = read(&out);
    let count = |d: &str| s.iter().filter(|r| r[1] == d).count();
    // N·S: bromma 1000·1, farsta 500·1, kista 500·3 → 100, 50, 150.
    assert_eq!(
        (count("bromma"), count("farsta"), count("kista")),
        (100, 50, 150)
    );
}

#[test]
fn bad_frames_give_one_clear_line_and_write_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let f = frame(dir.path(), 50);
    let out = dir.path().join("out.csv");
    let run = |frame: &std::path::Path, extra: &[&str]| {
        let mut args = vec![
            "--frame",
            frame.to_str().unwrap(),
            "--n",
            "10",
            "--seed",
            "1",
            "--out",
            out.to_str().unwrap(),
        ];
        args.extend_from_slice(extra);
        draw(&args)
    };
    let (ok, _, err) = run(&f, &["--strata", "kommun"]);
    assert!(!ok && err.contains("no column 'kommun'"), "{err}");

    let dup = dir.path().join("dup.csv");
    std::fs::write(&dup, "id,district\na,x\nb,y\na,x\n").unwrap();
    let (ok, _, err) = run(&dup, &["--strata", "district"]);
    assert!(
        !ok && err.contains("row 4") && err.contains("duplicate id 'a'") && err.contains("row 2"),
        "{err}"
    );

    let latin1 = dir.path().join("latin1.csv");
    std::fs::write(&latin1, b"id,district\n1,S\xf6dermalm\n").unwrap();
    let (ok, _, err) = run(&latin1, &["--strata", "district"]);
    assert!(
        !ok && err.contains("row 2") && err.contains("UTF-8"),
        "{err}"
    );

    let (ok, _, err) = run(&f, &["--strata", "district", "--max-rows", "20"]);
    assert!(!ok && err.contains("more than 20 rows"), "{err}");

    let (ok, _, err) = run(&f, &["--strata", "district", "--allocation", "neyman"]);
    assert!(!ok && err.contains("--sd-column"), "{err}");
    assert!(!out.exists(), "nothing is written when the draw fails");
}

#[test]
fn the_print_shop_gets_one_letter_per_listed_address_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("cli.db").display());
    let run = |args: &[&str]| {
        let out = common::insikt()
            .env("DATABASE_URL", &db)
            .env("INSIKT_DATA_DIR", dir.path())
            .args(args)
            .output()
            .unwrap();
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let surveys = concat!(env!("CARGO_MANIFEST_DIR"), "/surveys");
    // --demo: the shipped surveys publish with their privacy notice and controller.
    let (ok, _, err) = run(&["surveys", "load", "--demo", surveys]);
    assert!(ok, "{err}");
    let list = dir.path().join("list.csv");
    std::fs::write(
        &list,
        "id,name,address,email,language\n\
         R-1,Anna Andersson,Storgatan 1|111 22 Stockholm,,sv\n\
         R-2,Bo Berg,Kungsgatan 2|111 33 Stockholm,,en\n\
         R-3,,,carl@example.se,sv\n",
    )
    .unwrap();
    let (ok, out, err) = run(&[
        "invitations",
        "import",
        "--survey",
        "it-habits",
        "--list",
        list.to_str().unwrap(),
    ]);
    assert!(ok && out.contains("created 3 invitations"), "{out}{err}");
    let html = dir.path().join("letters.html");
    let (ok, out, err) = run(&[
        "invitations",
        "letters",
        "--survey",
        "it-habits",
        "--base-url",
        "https://enkat.example.se",
        "--out",
        html.to_str().unwrap(),
    ]);
    assert!(ok && out.contains("wrote 2 letters"), "{out}{err}");
    let page = std::fs::read_to_string(&html).unwrap();
    assert_eq!(
        page.matches("class=\"letter\"").count(),
        2,
        "the e-mail-only row gets no letter"
    );
    assert!(page.contains("Anna Andersson") && page.contains("111 33 Stockholm"));
    assert!(
        page.contains("https://enkat.example.se/s/it-habits<"),
        "the survey address as text"
    );
    assert!(page.contains("href=\"insikt-letters.css\""));
    assert!(dir.path().join("insikt-letters.css").exists());

    // A bad list names the row and stores nothing.
    std::fs::write(&list, "email\na@example.se\nnot-an-address\n").unwrap();
    let (ok, _, err) = run(&[
        "invitations",
        "import",
        "--survey",
        "it-habits",
        "--list",
        list.to_str().unwrap(),
    ]);
    assert!(
        !ok && err.contains("list.csv row 3, column 'email'"),
        "{err}"
    );
}
