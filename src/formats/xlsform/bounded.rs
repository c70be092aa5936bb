//! The zip check that runs before calamine opens a workbook: every part is inflated through a
//! bounded reader into a sink, so a decompression bomb or a zip with a huge number of entries is
//! refused after reading at most the limits below, never after inflating what the file declares.
//!
//! The sizes in the zip headers are not trusted (they are the attacker's numbers); only bytes
//! actually inflated count. calamine later reads the same bytes with the same zip code, so what
//! it inflates is at most what this check did.

use std::io::{self, BufRead, BufReader, Cursor, Read};

use quick_xml::events::Event;
use zip::ZipArchive;

/// At most this many zip entries. A workbook saved by Excel or LibreOffice has about a dozen
/// parts, one more per sheet, image or comment; a thousand leaves room for any real XLSForm and
/// keeps the per-entry work of a 10 MB zip of empty entries (about 100,000 fit) small.
pub const MAX_ENTRIES: usize = 1_000;
/// At most this many bytes inflated from any one part. A big real XLSForm is about 1 MB zipped,
/// a few MB of XML; 20 MB is several times the largest sheet or string table we have seen.
pub const MAX_PART_BYTES: u64 = 20 * 1024 * 1024;
/// At most this many bytes inflated from all parts together: room for two or three parts at the
/// limit plus styles and the rest, while keeping the parsed workbook far below the server's
/// memory budget (calamine holds the strings; the XML itself is streamed).
pub const MAX_TOTAL_BYTES: u64 = 50 * 1024 * 1024;
/// At most this many shared strings may be declared. calamine reserves room for the declared
/// `uniqueCount` before reading a single string (24 bytes each), so a 1 KB part declaring
/// 10^12 strings would abort the process; a million is far beyond any form and costs 24 MB.
pub const MAX_SHARED_STRINGS: u64 = 1_000_000;

/// Checks the zip container of a workbook. `Err` is a message for the user naming the part and
/// the limit; `Ok` means calamine may open it.
pub(crate) fn check_archive(bytes: &[u8]) -> Result<(), String> {
    let mut zip = ZipArchive::new(Cursor::new(bytes)).map_err(|e| {
        format!("not a readable .xlsx workbook (an XLSForm must be an Excel .xlsx file): {e}")
    })?;
    if zip.len() > MAX_ENTRIES {
        return Err(format!(
            "the workbook is a zip of {} parts; at most {MAX_ENTRIES} are read (an XLSForm has about a dozen)",
            zip.len()
        ));
    }
    let mut total: u64 = 0;
    for i in 0..zip.len() {
        let entry = zip
            .by_index(i)
            .map_err(|e| format!("the workbook's part number {} cannot be read: {e}", i + 1))?;
        let name = entry
            .name()
            .map_or_else(|_| format!("number {}", i + 1), |n| n.into_owned());
        let unreadable = |e: io::Error| format!("the part '{name}' cannot be read: {e}");
        // limit + 1, so that reaching it is distinguishable from being exactly at it.
        let mut counted = Counting {
            inner: entry.take(MAX_PART_BYTES + 1),
            count: 0,
        };
        if is_shared_strings(&name) {
            let mut buffered = BufReader::new(&mut counted);
            let declared = declared_string_count(&mut buffered).map_err(unreadable)?;
            if let Some(n) = declared.filter(|n| *n > MAX_SHARED_STRINGS) {
                return Err(format!(
                    "the part '{name}' declares {n} shared strings; at most {MAX_SHARED_STRINGS} are read"
                ));
            }
            io::copy(&mut buffered, &mut io::sink()).map_err(unreadable)?;
        } else {
            io::copy(&mut counted, &mut io::sink()).map_err(unreadable)?;
        }
        if counted.count > MAX_PART_BYTES {
            return Err(format!(
                "the part '{name}' inflates to more than {MAX_PART_BYTES} bytes (20 MB); at most that much is read from one part"
            ));
        }
        total += counted.count;
        if total > MAX_TOTAL_BYTES {
            return Err(format!(
                "the workbook's parts inflate to more than {MAX_TOTAL_BYTES} bytes (50 MB) in all; at most that much is read"
            ));
        }
    }
    Ok(())
}

/// calamine looks parts up case-insensitively and with `\` read as `/`; match the same way.
fn is_shared_strings(name: &str) -> bool {
    name.replace('\\', "/")
        .to_ascii_lowercase()
        .ends_with("sharedstrings.xml")
}

/// The `uniqueCount` of the first `sst` element, read the way calamine reads it (same parser
/// settings, the first `sst` wherever it is), so that what passes here is what calamine reserves.
/// Reading stops at that element; what follows stays in `xml` for the caller to count.
fn declared_string_count<R: BufRead>(xml: R) -> io::Result<Option<u64>> {
    let mut reader = quick_xml::Reader::from_reader(xml);
    let config = reader.config_mut();
    config.check_end_names = false;
    config.trim_text(false);
    config.check_comments = false;
    config.expand_empty_elements = true;
    let mut buf = Vec::new();
    loop {
        buf.clear();
        match reader.read_event_into(&mut buf) {
            Ok(Event::Start(e)) if e.local_name().as_ref() == "sst" => {
                let Ok(Some(attr)) = e.try_get_attribute("uniqueCount") else {
                    return Ok(None);
                };
                let digits: &str = attr.value.as_ref();
                if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                    // calamine ignores a count that is not a number.
                    return Ok(None);
                }
                // More digits than a u64 holds is over the limit too.
                let n = digits.parse().unwrap_or(u64::MAX);
                return Ok(Some(n));
            }
            Ok(Event::Eof) => return Ok(None),
            Err(quick_xml::Error::Io(e)) => return Err(io::Error::new(e.kind(), e.to_string())),
            // calamine stops at a malformed part with its own error, before reserving anything.
            Err(_) => return Ok(None),
            Ok(_) => {}
        }
    }
}

/// A reader that counts the bytes passing through it.
struct Counting<R> {
    inner: R,
    count: u64,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count += n as u64;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::declared_string_count;

    fn count(xml: &str) -> Option<u64> {
        declared_string_count(xml.as_bytes()).expect("reads from memory")
    }

    #[test]
    fn the_declared_count_is_read_where_calamine_reads_it() {
        assert_eq!(count(r#"<sst uniqueCount="12"><si/></sst>"#), Some(12));
        // A namespace prefix, and a stray end tag before it (calamine does not check end names).
        assert_eq!(count(r#"<a></b><x:sst uniqueCount="7"/>"#), Some(7));
        // More digits than a u64 holds is over every limit.
        assert_eq!(
            count(r#"<sst uniqueCount="99999999999999999999999"/>"#),
            Some(u64::MAX)
        );
        // calamine ignores what is not a number, and so do we.
        assert_eq!(count(r#"<sst uniqueCount="+5"/>"#), None);
        assert_eq!(count(r#"<sst count="5"/>"#), None);
        assert_eq!(count("no xml at all"), None);
    }
}
