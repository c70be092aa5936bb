//! SubRip (`.srt`): blocks separated by blank lines, each a cue number, a timing line
//! (`00:00:01,000 --> 00:00:04,000`, a full stop accepted for the comma) and its text. A
//! "Name: text" first line or a `<v Name>` tag names the speaker; `<i>`-style tags and
//! `{\an8}` positions are dropped.

use super::{cue_segment, parse_timing, Fraction, Problem, Segment, TranscriptError};

/// Whether a line is an SRT timing line.
pub(super) fn is_timing(line: &str) -> bool {
    line.contains("-->") && parse_timing(line, 0, Fraction::CommaOrDot).is_ok()
}

pub(super) fn parse(lines: &[&str]) -> Result<Vec<Segment>, TranscriptError> {
    let blank = |l: &&str| l.trim().is_empty();
    let mut out = Vec::new();
    let mut i = 0;
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
        // Some tools leave the number out; a timing line first is read as such.
        let timing = if first.contains("-->") {
            0
        } else if first.parse::<u64>().is_ok() {
            1
        } else {
            return Err(TranscriptError::at(
                start + 1,
                Problem::ExpectedCueNumber(first.to_owned()),
            ));
        };
        let Some(timing_text) = block.get(timing) else {
            return Err(TranscriptError::at(
                start + 2,
                Problem::ExpectedTiming(String::new()),
            ));
        };
        let timing_line = start + timing + 1;
        out.push(cue_segment(
            out.len(),
            (timing_text, timing_line),
            Fraction::CommaOrDot,
            &block[timing + 1..],
            start + 1..=end,
        )?);
    }
    Ok(out)
}
