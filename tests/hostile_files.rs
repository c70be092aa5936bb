//! Hostile workbooks (issue 10, findings 2 and 3): a sparse grid, a shared-strings bomb, a zip of
//! 100,000 entries, a string table declaring a trillion strings and one long string copied into
//! many cells. Each is refused with a message naming the sheet or part and the limit, by the
//! library, by `insikt surveys import` and by the real server, whose peak memory (`VmHWM`) stays
//! under 300 MB. The files are built here, part by part, with the zip crate: a spreadsheet writer
//! would refuse to write most of them.

mod common;

use std::io::{Cursor, Write};
use std::sync::OnceLock;

use common::{insikt, login};
use insikt::formats::xlsform::{self, Issue};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipWriter};

/// The server's peak resident memory must stay under this.
const PEAK_LIMIT_KB: u64 = 300 * 1024;

const MAIN: &str = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
const RELS: &str = "http://schemas.openxmlformats.org/package/2006/relationships";
const DOC_RELS: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";

type Zip = ZipWriter<Cursor<Vec<u8>>>;

fn deflated() -> SimpleFileOptions {
    SimpleFileOptions::default().compression_method(CompressionMethod::Deflated)
}

/// A minimal valid .xlsx whose only sheet, `survey`, has `sheet_data` as its `<sheetData>`
/// content, plus `xl/sharedStrings.xml` when `shared_strings` writes one. The caller may add
/// entries before finishing.
fn workbook(sheet_data: &str, shared_strings: Option<&mut dyn FnMut(&mut Zip)>) -> Zip {
    let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
    let part = |zip: &mut Zip, name: &str, xml: String| {
        zip.start_file(name, deflated()).expect("starts a part");
        zip.write_all(xml.as_bytes()).expect("writes a part");
    };
    part(
        &mut zip,
        "[Content_Types].xml",
        format!(
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>{}</Types>"#,
            if shared_strings.is_some() {
                r#"<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>"#
            } else {
                ""
            }
        ),
    );
    part(
        &mut zip,
        "_rels/.rels",
        format!(
            r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{RELS}"><Relationship Id="rId1" Type="{DOC_RELS}/officeDocument" Target="xl/workbook.xml"/></Relationships>"#
        ),
    );
    part(
        &mut zip,
        "xl/workbook.xml",
        format!(
            r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{MAIN}" xmlns:r="{DOC_RELS}"><sheets><sheet name="survey" sheetId="1" r:id="rId1"/></sheets></workbook>"#
        ),
    );
    part(
        &mut zip,
        "xl/_rels/workbook.xml.rels",
        format!(
            r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{RELS}"><Relationship Id="rId1" Type="{DOC_RELS}/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="{DOC_RELS}/sharedStrings" Target="sharedStrings.xml"/></Relationships>"#
        ),
    );
    part(
        &mut zip,
        "xl/worksheets/sheet1.xml",
        format!(
            r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN}"><sheetData>{sheet_data}</sheetData></worksheet>"#
        ),
    );
    if let Some(write) = shared_strings {
        // The best deflate level: about 1,000 to 1 on repetitive XML.
        zip.start_file(
            "xl/sharedStrings.xml",
            deflated().compression_level(Some(9)),
        )
        .expect("starts the string table");
        write(&mut zip);
    }
    zip
}

fn finish(zip: Zip) -> Vec<u8> {
    zip.finish().expect("finishes the zip").into_inner()
}

/// One row of inline-string cells, e.g. `row(2, &[("A", "text"), ("B", "q1")])`.
fn row(r: u32, cells: &[(&str, &str)]) -> String {
    let mut xml = format!(r#"<row r="{r}">"#);
    for (col, text) in cells {
        xml.push_str(&format!(
            r#"<c r="{col}{r}" t="inlineStr"><is><t>{text}</t></is></c>"#
        ));
    }
    xml.push_str("</row>");
    xml
}

/// The header and one question: a complete, tiny XLSForm.
fn form_rows() -> String {
    row(1, &[("A", "type"), ("B", "name"), ("C", "label")])
        + &row(
            2,
            &[("A", "text"), ("B", "q1"), ("C", "What is your name?")],
        )
}

fn minimal_form() -> Vec<u8> {
    finish(workbook(&form_rows(), None))
}

/// Finding 2: cells A1 and XFD1048576, which made calamine allocate the 2^34-cell grid (512 GB).
fn sparse_grid() -> Vec<u8> {
    finish(workbook(
        &(form_rows() + &row(1_048_576, &[("XFD", "x")])),
        None,
    ))
}

/// Finding 3: `xl/sharedStrings.xml` inflating to 1 GiB from about 1 MB, streamed through the
/// zip writer 64 KiB at a time. Built once: compressing a gigabyte takes a few seconds.
fn shared_strings_bomb() -> &'static [u8] {
    static BOMB: OnceLock<Vec<u8>> = OnceLock::new();
    BOMB.get_or_init(|| {
        let mut write = |zip: &mut Zip| {
            write!(
                zip,
                r#"<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{MAIN}">"#
            )
            .expect("writes");
            // 4 KiB strings: long runs deflate best (about 1,000 to 1).
            let chunk = format!("<si><t>{}</t></si>", "x".repeat(4096 - 16)).repeat(16);
            let mut written = 0usize;
            while written < 1 << 30 {
                zip.write_all(chunk.as_bytes()).expect("writes");
                written += chunk.len();
            }
            zip.write_all(b"</sst>").expect("writes");
        };
        finish(workbook(&form_rows(), Some(&mut write)))
    })
}

/// A valid form followed by 100,000 empty entries (the zip crate writes ZIP64 records for them).
fn hundred_thousand_entries() -> Vec<u8> {
    let mut zip = workbook(&form_rows(), None);
    let stored = SimpleFileOptions::default().compression_method(CompressionMethod::Stored);
    for i in 0..100_000 {
        zip.start_file(format!("x/{i:05}"), stored)
            .expect("starts an entry");
    }
    finish(zip)
}

/// A 1 KB string table whose `uniqueCount` makes calamine reserve 24 TB before reading it.
fn trillion_declared_strings() -> Vec<u8> {
    let mut write = |zip: &mut Zip| {
        write!(
            zip,
            r#"<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{MAIN}" count="1" uniqueCount="1000000000000"><si><t>type</t></si></sst>"#
        )
        .expect("writes");
    };
    finish(workbook(&form_rows(), Some(&mut write)))
}

/// One 1 MB shared string used as the label of 200 questions: 200 MB of text from a tiny file.
fn one_long_string_in_many_cells() -> Vec<u8> {
    let mut write = |zip: &mut Zip| {
        write!(
            zip,
            r#"<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{MAIN}"><si><t>{}</t></si></sst>"#,
            "a".repeat(1024 * 1024)
        )
        .expect("writes");
    };
    let mut rows = row(1, &[("A", "type"), ("B", "name"), ("C", "label")]);
    for r in 2..202 {
        rows.push_str(&format!(
            r#"<row r="{r}"><c r="A{r}" t="inlineStr"><is><t>text</t></is></c><c r="B{r}" t="inlineStr"><is><t>q{r}</t></is></c><c r="C{r}" t="s"><v>0</v></c></row>"#
        ));
    }
    finish(workbook(&rows, Some(&mut write)))
}

/// The errors of a refused import; panics if it imported.
fn refused(bytes: &[u8]) -> Vec<Issue> {
    match xlsform::import(bytes) {
        Ok(i) => panic!("expected a refusal, imported {:?}", i.survey.key),
        Err(e) => e.errors,
    }
}

/// Uploads each file to `/designer/import` on a fresh server and returns, per file, the status
/// and page text, then the server's peak resident memory in kB (`None` without `/proc`).
fn upload_to_a_fresh_server(files: &[&[u8]]) -> (Vec<(u16, String)>, Option<u64>) {
    let dir = tempfile::tempdir().expect("temp dir");
    let (server, base, password) = common::start_with_first_admin(dir.path());
    let session = login(&base, "admin", &password);
    let client = reqwest::blocking::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(std::time::Duration::from_secs(120))
        .build()
        .expect("client");
    let page = client
        .get(format!("{base}/designer"))
        .header("cookie", format!("insikt_session={session}"))
        .send()
        .expect("GET /designer");
    let csrf = common::cookie_value(&page, "insikt_csrf").expect("a CSRF cookie");
    let html = page.text().expect("page");
    let token = common::hidden_field(&html, "csrf_token").expect("a CSRF token on /designer");
    let boundary = "----insikt-hostile-3f9c2a7e41d8b6";
    let mut results = Vec::new();
    for file in files {
        let mut body = format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\n{token}\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"hostile.xlsx\"\r\nContent-Type: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet\r\n\r\n"
        )
        .into_bytes();
        body.extend_from_slice(file);
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        let res = client
            .post(format!("{base}/designer/import"))
            .header(
                "cookie",
                format!("insikt_session={session}; insikt_csrf={csrf}"),
            )
            .header(
                "content-type",
                format!("multipart/form-data; boundary={boundary}"),
            )
            .body(body)
            .send()
            .expect("the server answers the upload (it did not abort)");
        let status = res.status().as_u16();
        results.push((status, res.text().expect("page text")));
    }
    // Still alive and serving after the uploads.
    assert_eq!(common::get_status(&base, "/designer", &session), 200);
    let peak = std::fs::read_to_string(format!("/proc/{}/status", server.child.id()))
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        });
    (results, peak)
}

/// Uploads `file` then a normal form; the first is a 422 whose page says `needle`, the second
/// imports, and the server's peak memory stays under the limit.
fn refused_over_the_web_with_bounded_memory(what: &str, file: &[u8], needle: &str) {
    let (results, peak) = upload_to_a_fresh_server(&[file, &minimal_form()]);
    let (status, page) = &results[0];
    assert_eq!(*status, 422, "{what}: {page}");
    assert!(page.contains(needle), "{what}: wanted {needle:?} in {page}");
    assert!(
        page.contains("hostile.xlsx"),
        "{what}: the page names the file: {page}"
    );
    let (status, page) = &results[1];
    assert_eq!(
        *status, 200,
        "a normal form imports after the {what}: {page}"
    );
    match peak {
        Some(kb) => {
            println!(
                "{what} ({} bytes): server VmHWM {kb} kB ({} MB)",
                file.len(),
                kb / 1024
            );
            assert!(
                kb < PEAK_LIMIT_KB,
                "{what}: the server peaked at {kb} kB, over {PEAK_LIMIT_KB} kB"
            );
        }
        None => println!("{what}: /proc is not available; the peak memory was not measured"),
    }
}

#[test]
fn a_hand_written_minimal_workbook_imports_so_the_hostile_ones_differ_only_in_what_makes_them_hostile(
) {
    let imported = xlsform::import(&minimal_form()).expect("the minimal form imports");
    assert_eq!(imported.survey.questions().count(), 1);
}

#[test]
fn a_sparse_grid_workbook_is_refused_with_a_clear_message_and_bounded_memory() {
    let file = sparse_grid();
    assert!(file.len() < 5_000, "a small file: {} bytes", file.len());
    let e = refused(&file);
    assert_eq!(
        e[0].to_string(),
        "sheet 'survey', row 1048576: the sheet has a cell at row 1048576 (XFD1048576); at most 20000 rows are read"
    );
    refused_over_the_web_with_bounded_memory(
        "sparse grid",
        &file,
        "the sheet has a cell at row 1048576 (XFD1048576); at most 20000 rows are read",
    );
}

#[test]
fn a_cell_in_the_last_column_is_refused_naming_the_column() {
    let file = finish(workbook(&(form_rows() + &row(3, &[("XFD", "x")])), None));
    let e = refused(&file);
    assert_eq!(e[0].sheet, "survey");
    assert_eq!(e[0].row, Some(3));
    assert_eq!(
        e[0].message,
        "the sheet has a cell in column XFD (XFD3); at most 1000 columns (A to ALL) are read"
    );
}

#[test]
fn a_shared_strings_bomb_is_refused_with_a_clear_message_and_bounded_memory() {
    let file = shared_strings_bomb();
    assert!(
        file.len() < 2 * 1024 * 1024,
        "about a megabyte: {} bytes",
        file.len()
    );
    let started = std::time::Instant::now();
    let e = refused(file);
    let message = "the part 'xl/sharedStrings.xml' inflates to more than 20971520 bytes (20 MB); at most that much is read from one part";
    assert_eq!(e[0].to_string(), message);
    assert!(
        started.elapsed() < std::time::Duration::from_secs(10),
        "refused quickly, not after inflating a gigabyte: {:?}",
        started.elapsed()
    );
    refused_over_the_web_with_bounded_memory("shared-strings bomb", file, message);
}

#[test]
fn a_zip_of_100000_entries_is_refused_with_a_clear_message_and_bounded_memory() {
    let file = hundred_thousand_entries();
    assert!(
        file.len() < xlsform::MAX_INPUT_BYTES,
        "under the upload limit: {} bytes",
        file.len()
    );
    let e = refused(&file);
    let message = "the workbook is a zip of 100005 parts; at most 1000 are read (an XLSForm has about a dozen)";
    assert_eq!(e[0].to_string(), message);
    refused_over_the_web_with_bounded_memory("100,000 entries", &file, message);
}

#[test]
fn a_string_table_declaring_a_trillion_strings_is_refused_with_a_clear_message_and_bounded_memory()
{
    let file = trillion_declared_strings();
    let e = refused(&file);
    let message = "the part 'xl/sharedStrings.xml' declares 1000000000000 shared strings; at most 1000000 are read";
    assert_eq!(e[0].to_string(), message);
    refused_over_the_web_with_bounded_memory("trillion declared strings", &file, message);
}

#[test]
fn one_long_string_copied_into_many_cells_is_refused_with_a_clear_message_and_bounded_memory() {
    let file = one_long_string_in_many_cells();
    let e = refused(&file);
    assert_eq!(e[0].sheet, "survey");
    assert!(
        e[0].message.starts_with(
            "the sheet has more than 10485760 bytes (10 MB) of text (passed at cell C"
        ),
        "{}",
        e[0]
    );
    refused_over_the_web_with_bounded_memory(
        "one long string in many cells",
        &file,
        "bytes (10 MB) of text",
    );
}

#[test]
fn the_cli_refuses_the_sparse_grid_with_a_clear_message_naming_the_file() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("sparse-grid.xlsx");
    std::fs::write(&path, sparse_grid()).expect("writes the file");
    let out = insikt()
        .args(["surveys", "import"])
        .arg(&path)
        .env("INSIKT_DATA_DIR", dir.path())
        .output()
        .expect("runs insikt");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(1),
        "a clean failure, not a signal: {err}"
    );
    assert!(
        !err.contains("panicked") && !err.contains("memory allocation"),
        "{err}"
    );
    let last = err.trim().lines().last().unwrap_or("");
    assert!(last.starts_with("insikt: "), "{err}");
    assert!(last.contains("sparse-grid.xlsx"), "names the file: {last}");
    assert!(
        last.contains("sheet 'survey', row 1048576: the sheet has a cell at row 1048576 (XFD1048576); at most 20000 rows are read"),
        "{last}"
    );
}

#[test]
fn parts_inflating_past_the_total_limit_are_refused_even_when_each_is_under_the_part_limit() {
    let mut zip = workbook(&form_rows(), None);
    let zeros = vec![0u8; 1024 * 1024];
    for i in 0..3 {
        zip.start_file(format!("xl/media/padding{i}.bin"), deflated())
            .expect("starts a part");
        for _ in 0..19 {
            zip.write_all(&zeros).expect("writes");
        }
    }
    let e = refused(&finish(zip));
    assert_eq!(
        e[0].to_string(),
        "the workbook's parts inflate to more than 52428800 bytes (50 MB) in all; at most that much is read"
    );
}

#[test]
fn rows_padded_out_to_the_last_column_count_as_cells_against_the_cell_limit() {
    // 501 rows with one cell in column ALL (the 1,000th) hold 501,000 cells once padded.
    let mut rows = form_rows();
    for r in 3..504 {
        rows.push_str(&row(r, &[("ALL", "x")]));
    }
    let e = refused(&finish(workbook(&rows, None)));
    assert_eq!(e[0].sheet, "survey");
    assert!(
        e[0].message
            .starts_with("the sheet has more than 500000 cells"),
        "{}",
        e[0]
    );
}

#[test]
fn a_shared_formula_with_a_huge_index_is_reported_as_a_formula_not_an_abort() {
    // calamine's formula range sizes a table by the `si` index: 4·10^12 entries.
    let rows = row(1, &[("A", "type"), ("B", "name"), ("C", "label")])
        + r#"<row r="2"><c r="A2" t="inlineStr"><is><t>text</t></is></c><c r="B2"><f t="shared" si="4000000000000" ref="B2:B3">1+1</f><v>2</v></c></row>"#
        + r#"<row r="3"><c r="A3" t="inlineStr"><is><t>text</t></is></c><c r="B3"><f t="shared" si="4000000000000"/><v>2</v></c></row>"#;
    let e = refused(&finish(workbook(&rows, None)));
    assert_eq!(
        e[0].to_string(),
        "sheet 'survey', row 2, column 'name': cell B2 contains the formula '=1+1'; formulas are not supported, paste the values instead"
    );
    assert_eq!(
        e[1].to_string(),
        "sheet 'survey', row 3, column 'name': cell B3 contains a copy of the shared formula '=1+1'; formulas are not supported, paste the values instead"
    );
}
