//! Plain text and Markdown notes: "Name: text" turns, continuation lines belonging to the last
//! speaker, paragraphs as segments.
//!
//! Rules, in order, per line:
//! - a blank line ends the open segment; the next paragraph without a label keeps the last
//!   speaker (a turn often runs over several paragraphs);
//! - a Markdown heading (`# …`) is a segment of its own without speaker and ends the last
//!   speaker's turn (a new section of the notes);
//! - a line with a label ("P3: …", "- P3: …", "**P3:** …", optionally after a time such as
//!   `[00:12:03]`) starts a new segment;
//! - any other line continues the open segment, or starts one for the last speaker.
//!
//! Plain text has no syntax to get wrong, so the only errors are those of every format
//! (not UTF-8, too large, empty).

use super::{parse_time, split_speaker, Fraction, Segment, TranscriptError};

struct Open<'a> {
    speaker: Option<String>,
    start_ms: Option<u64>,
    first: usize,
    last: usize,
    text: Vec<&'a str>,
}

pub(super) fn parse(lines: &[&str]) -> Result<Vec<Segment>, TranscriptError> {
    let mut out = Vec::new();
    let mut open: Option<Open<'_>> = None;
    let mut last_speaker: Option<String> = None;
    for (i, raw) in lines.iter().enumerate() {
        let line_no = i + 1;
        let line = raw.trim();
        if line.is_empty() {
            close(&mut open, &mut out);
            continue;
        }
        if is_heading(line) {
            close(&mut open, &mut out);
            last_speaker = None;
            open = Some(Open {
                speaker: None,
                start_ms: None,
                first: line_no,
                last: line_no,
                text: vec![line],
            });
            close(&mut open, &mut out);
            continue;
        }
        let (time, body) = leading_time(line);
        let unlisted = body
            .strip_prefix("- ")
            .or_else(|| body.strip_prefix("* "))
            .unwrap_or(body);
        if let Some((label, rest)) = split_speaker(unlisted) {
            close(&mut open, &mut out);
            last_speaker = Some(label.to_owned());
            open = Some(Open {
                speaker: last_speaker.clone(),
                start_ms: time,
                first: line_no,
                last: line_no,
                text: if rest.is_empty() { vec![] } else { vec![rest] },
            });
            continue;
        }
        match &mut open {
            Some(o) => {
                o.text.push(line);
                o.last = line_no;
            }
            None => {
                open = Some(Open {
                    speaker: last_speaker.clone(),
                    start_ms: time,
                    first: line_no,
                    last: line_no,
                    text: vec![body],
                })
            }
        }
    }
    close(&mut open, &mut out);
    Ok(out)
}

fn close(open: &mut Option<Open<'_>>, out: &mut Vec<Segment>) {
    let Some(o) = open.take() else { return };
    // A label alone on a line whose text never came ("P3:" then a blank line) leaves nothing.
    let text = o.text.join("\n");
    if text.trim().is_empty() {
        return;
    }
    out.push(Segment {
        index: out.len(),
        speaker: o.speaker,
        start_ms: o.start_ms,
        end_ms: None,
        text,
        lines: o.first..=o.last,
    });
}

fn is_heading(line: &str) -> bool {
    let hashes = line.bytes().take_while(|&b| b == b'#').count();
    (1..=6).contains(&hashes) && line[hashes..].starts_with(' ')
}

/// "[00:12:03] P3: …", "(12:03) …" or "00:12:03 P3: …" → (the time, the rest).
fn leading_time(line: &str) -> (Option<u64>, &str) {
    for (open, close) in [('[', ']'), ('(', ')')] {
        if let Some(inner) = line.strip_prefix(open) {
            if let Some((t, rest)) = inner.split_once(close) {
                if let Some(ms) = parse_time(t.trim(), Fraction::Optional) {
                    return (Some(ms), rest.trim_start());
                }
            }
            return (None, line);
        }
    }
    // Unbracketed only as h:mm:ss, so a clock time in notes ("10:30 började vi") stays text.
    let (first, rest) = line.split_once(' ').unwrap_or((line, ""));
    if first.matches(':').count() == 2 {
        if let Some(ms) = parse_time(first, Fraction::Optional) {
            return (Some(ms), rest.trim_start());
        }
    }
    (None, line)
}
