//! WebVTT (W3C WebVTT: The Web Video Text Tracks Format): the `WEBVTT` header and its lines,
//! then blocks separated by blank lines — `NOTE`, `STYLE` and `REGION` blocks are skipped, a
//! cue is an optional id line, a timing line (`00:01.000 --> 00:04.000` with optional
//! settings after it) and its text, where `<v Speaker>` names the speaker.

use super::{cue_segment, Fraction, Problem, Segment, TranscriptError};

/// "WEBVTT", alone or followed by a space or tab and anything.
pub(super) fn is_header(line: &str) -> bool {
    let line = line.trim_start_matches('\u{feff}');
    line.strip_prefix("WEBVTT")
        .is_some_and(|rest| rest.is_empty() || rest.starts_with([' ', '\t']))
}

fn starts_block(line: &str, word: &str) -> bool {
    line.strip_prefix(word)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with([' ', '\t']))
}

pub(super) fn parse(lines: &[&str]) -> Result<Vec<Segment>, TranscriptError> {
    if !lines.first().is_some_and(|l| is_header(l)) {
        return Err(TranscriptError::at(1, Problem::MissingHeader));
    }
    let blank = |l: &&str| l.trim().is_empty();
    // The header runs to the first blank line.
    let mut i = lines.iter().position(blank).unwrap_or(lines.len());
    let mut out = Vec::new();
    while i < lines.len() {
        if blank(&lines[i]) {
            i += 1;
            continue;
        }
        let start = i;
        let end = lines[start..]
            .iter()
            .position(blank)
            .map_or(lines.len(), |n| start + n);
        i = end;
        let block = &lines[start..end];
        let first = block[0].trim();
        if starts_block(first, "NOTE")
            || starts_block(first, "STYLE")
            || starts_block(first, "REGION")
        {
            continue;
        }
        // An id line is optional; the timing line is the first or the second.
        let timing = if first.contains("-->") {
            0
        } else if block.get(1).is_some_and(|l| l.contains("-->")) {
            1
        } else {
            let (at, found) = match block.get(1) {
                Some(l) => (start + 2, *l),
                None => (start + 1, first),
            };
            return Err(TranscriptError::at(
                at,
                Problem::ExpectedTiming(found.to_owned()),
            ));
        };
        let timing_line = start + timing + 1;
        out.push(cue_segment(
            out.len(),
            (block[timing], timing_line),
            Fraction::Dot,
            &block[timing + 1..],
            start + 1..=end,
        )?);
    }
    Ok(out)
}
