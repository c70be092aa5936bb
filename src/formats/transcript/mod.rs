//! Notes and transcripts → speaker segments: plain text and Markdown ("P3: …" turns with
//! continuation lines), WebVTT (cues, `<v Speaker>` voice tags) and SRT. Every format reads
//! UTF-8 with or without a byte-order mark and any mix of CRLF, LF and CR line endings, and
//! either returns every segment or one error naming the line and why — never a part.
//!
//! A segment keeps the speaker label exactly as written ("P3", "Moderator (Anna)"): matching
//! labels to a session's pseudonymous participants is the caller's business, and a label that
//! is a real name is what the redaction step is for.

mod plain;
mod srt;
mod vtt;

use std::fmt;
use std::ops::RangeInclusive;

use crate::domain::lang::Msg;

/// Largest file read, in bytes (a two-hour transcript is about 150 kB).
pub const MAX_BYTES: usize = 10 * 1024 * 1024;

/// One speaker turn or paragraph.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Segment {
    /// Position in the transcript, from 0.
    pub index: usize,
    /// The speaker label as written ("P3", "Moderator (Anna)"), when the text names one.
    pub speaker: Option<String>,
    /// Start time in milliseconds from the start of the recording, when known.
    pub start_ms: Option<u64>,
    /// End time in milliseconds, when known.
    pub end_ms: Option<u64>,
    /// The text, lines joined with `\n`, markup of cues removed.
    pub text: String,
    /// The lines of the file it came from (1-based, inclusive).
    pub lines: RangeInclusive<usize>,
}

/// A transcript's format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Plain text or Markdown notes, optionally "Name: text" turns.
    Plain,
    /// WebVTT (`.vtt`).
    WebVtt,
    /// SubRip (`.srt`).
    Srt,
}

impl Format {
    /// The format a file is in: a `.vtt` or `.srt` name decides; otherwise (`.txt`, `.md`,
    /// pasted text) the content does — a `WEBVTT` first line, or a number followed by an SRT
    /// timing line; anything else is plain text.
    pub fn detect(file_name: Option<&str>, text: &str) -> Format {
        let ext = file_name
            .and_then(|n| n.rsplit_once('.'))
            .map(|(_, e)| e.to_ascii_lowercase());
        match ext.as_deref() {
            Some("vtt") => return Format::WebVtt,
            Some("srt") => return Format::Srt,
            _ => {}
        }
        let text = text.trim_start_matches('\u{feff}');
        let mut lines = split_lines(text)
            .into_iter()
            .filter(|l| !l.trim().is_empty());
        let first = lines.next().unwrap_or("");
        if vtt::is_header(first) {
            return Format::WebVtt;
        }
        let second = lines.next().unwrap_or("");
        if first.trim().parse::<u64>().is_ok() && srt::is_timing(second) {
            return Format::Srt;
        }
        Format::Plain
    }
}

/// Why a file could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// Larger than [`MAX_BYTES`].
    TooLarge(usize),
    /// Bytes that are not UTF-8.
    NotUtf8,
    /// No text at all.
    Empty,
    /// A WebVTT file without its `WEBVTT` first line.
    MissingHeader,
    /// A timestamp that cannot be read.
    BadTimestamp(String),
    /// A cue's end lies before its start.
    EndBeforeStart,
    /// A cue with timing but no text.
    CueWithoutText,
    /// Where a timing line (`start --> end`) was expected, something else.
    ExpectedTiming(String),
    /// Where an SRT cue number was expected, something else.
    ExpectedCueNumber(String),
}

/// What is wrong and on which line (1-based; `None` for the file as a whole).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TranscriptError {
    /// The line.
    pub line: Option<usize>,
    /// What is wrong.
    pub problem: Problem,
}

/// How much of an offending line an error quotes.
const QUOTE_CHARS: usize = 40;

fn quote(text: &str) -> String {
    let text = text.trim();
    if text.chars().count() > QUOTE_CHARS {
        format!("{}…", text.chars().take(QUOTE_CHARS).collect::<String>())
    } else {
        text.to_owned()
    }
}

impl TranscriptError {
    fn at(line: usize, problem: Problem) -> TranscriptError {
        TranscriptError {
            line: Some(line),
            problem,
        }
    }

    /// Why, in both languages, without the place.
    pub fn why(&self) -> Msg {
        match &self.problem {
            Problem::TooLarge(n) => Msg::new(
                format!("filen är {n} byte; högst {MAX_BYTES} byte går att läsa in"),
                format!("the file is {n} bytes; at most {MAX_BYTES} bytes can be read"),
            ),
            Problem::NotUtf8 => Msg::fixed(
                "texten är inte UTF-8; spara filen som UTF-8 och försök igen",
                "the text is not UTF-8; save the file as UTF-8 and try again",
            ),
            Problem::Empty => Msg::fixed("filen innehåller ingen text", "the file holds no text"),
            Problem::MissingHeader => Msg::fixed(
                "en WebVTT-fil måste börja med raden WEBVTT",
                "a WebVTT file must start with the line WEBVTT",
            ),
            Problem::BadTimestamp(t) => Msg::new(
                format!(
                    "tidsangivelsen ”{}” går inte att läsa (väntade till exempel 00:01:02.500)",
                    quote(t)
                ),
                format!(
                    "the timestamp \"{}\" cannot be read (expected for example 00:01:02.500)",
                    quote(t)
                ),
            ),
            Problem::EndBeforeStart => Msg::fixed(
                "textblockets sluttid ligger före dess starttid",
                "the cue ends before it starts",
            ),
            Problem::CueWithoutText => Msg::fixed(
                "textblocket har tider men ingen text",
                "the cue has timing but no text",
            ),
            Problem::ExpectedTiming(found) => Msg::new(
                format!(
                    "väntade en tidsrad som ”00:00:01.000 --> 00:00:04.000”, fann ”{}”",
                    quote(found)
                ),
                format!(
                    "expected a timing line such as \"00:00:01.000 --> 00:00:04.000\", found \"{}\"",
                    quote(found)
                ),
            ),
            Problem::ExpectedCueNumber(found) => Msg::new(
                format!(
                    "väntade numret på ett textblock (1, 2, 3 …), fann ”{}”",
                    quote(found)
                ),
                format!(
                    "expected a cue number (1, 2, 3 …), found \"{}\"",
                    quote(found)
                ),
            ),
        }
    }

    /// The problem as one sentence naming the file and line.
    pub fn message(&self, file: &str) -> Msg {
        let why = self.why();
        match self.line {
            Some(line) => Msg::new(
                format!("{file}, rad {line}: {}", why.sv),
                format!("{file}, line {line}: {}", why.en),
            ),
            None => Msg::new(format!("{file}: {}", why.sv), format!("{file}: {}", why.en)),
        }
    }
}

impl fmt::Display for TranscriptError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "line {line}: {}", self.why().en),
            None => f.write_str(&self.why().en),
        }
    }
}

impl std::error::Error for TranscriptError {}

/// Read a file's bytes in the given format.
pub fn parse(bytes: &[u8], format: Format) -> Result<Vec<Segment>, TranscriptError> {
    let text = decode(bytes)?;
    parse_text(&text, format)
}

/// Read a file, detecting its format from its name and content.
pub fn parse_file(
    file_name: Option<&str>,
    bytes: &[u8],
) -> Result<(Format, Vec<Segment>), TranscriptError> {
    let text = decode(bytes)?;
    let format = Format::detect(file_name, &text);
    Ok((format, parse_text(&text, format)?))
}

/// Read text (pasted, so already a string) in the given format.
pub fn parse_text(text: &str, format: Format) -> Result<Vec<Segment>, TranscriptError> {
    if text.len() > MAX_BYTES {
        return Err(TranscriptError {
            line: None,
            problem: Problem::TooLarge(text.len()),
        });
    }
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let lines = split_lines(text);
    let segments = match format {
        Format::Plain => plain::parse(&lines)?,
        Format::WebVtt => vtt::parse(&lines)?,
        Format::Srt => srt::parse(&lines)?,
    };
    if segments.is_empty() {
        return Err(TranscriptError {
            line: None,
            problem: Problem::Empty,
        });
    }
    Ok(segments)
}

/// Bytes → text: strict UTF-8 (a BOM is dropped later); the error names the line of the first
/// byte that is not UTF-8.
pub fn decode(bytes: &[u8]) -> Result<String, TranscriptError> {
    if bytes.len() > MAX_BYTES {
        return Err(TranscriptError {
            line: None,
            problem: Problem::TooLarge(bytes.len()),
        });
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => Ok(text.to_owned()),
        Err(e) => {
            let before = &bytes[..e.valid_up_to()];
            let text = std::str::from_utf8(before).unwrap_or("");
            Err(TranscriptError::at(
                split_lines(text).len().max(1),
                Problem::NotUtf8,
            ))
        }
    }
}

/// Lines split at CRLF, LF or CR, in any mix. The line after a final line break is kept (it is
/// empty), so the count is the number an editor shows.
pub(crate) fn split_lines(text: &str) -> Vec<&str> {
    let mut lines = Vec::with_capacity(text.len() / 40 + 1);
    let bytes = text.as_bytes();
    let mut start = 0;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\n' => {
                lines.push(&text[start..i]);
                i += 1;
                start = i;
            }
            b'\r' => {
                lines.push(&text[start..i]);
                i += if bytes.get(i + 1) == Some(&b'\n') {
                    2
                } else {
                    1
                };
                start = i;
            }
            _ => i += 1,
        }
    }
    lines.push(&text[start..]);
    lines
}

/// "P3: text", "Moderator (Anna): text", "**P3:** text", "**P3**: text" → (label, rest).
/// A label is one to four words of at most 40 characters starting with a letter, so times
/// ("10:30"), addresses ("https://…") and sentences with a colon in them are not speakers.
pub(crate) fn split_speaker(line: &str) -> Option<(&str, &str)> {
    let line = line.trim_start();
    let (label, rest) = if let Some(bold) = line.strip_prefix("**").or(line.strip_prefix("__")) {
        let close = &line[..2];
        // "**P3:** text" or "**P3**: text"
        if let Some((label, rest)) = bold.split_once(&format!(":{close}")) {
            (label, rest)
        } else {
            let (label, rest) = bold.split_once(close)?;
            (label, rest.strip_prefix(':')?)
        }
    } else {
        line.split_once(':')?
    };
    if !(rest.is_empty() || rest.starts_with([' ', '\t'])) {
        return None;
    }
    let label = label.trim();
    let ok = !label.is_empty()
        && label.chars().count() <= 40
        && label.chars().next().is_some_and(char::is_alphabetic)
        && label.split_whitespace().count() <= 4
        && label.chars().all(|c| {
            c.is_alphanumeric() || matches!(c, ' ' | '(' | ')' | '.' | '-' | '\'' | '_' | '&')
        });
    ok.then(|| (label, rest.trim()))
}

/// How a format writes the milliseconds of a time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Fraction {
    /// `.ttt`, required (WebVTT).
    Dot,
    /// `,ttt` or `.ttt`, required (SRT, where players accept either).
    CommaOrDot,
    /// `,ttt` or `.ttt`, or none (times written in plain transcripts).
    Optional,
}

/// `hh:mm:ss.ttt` or `mm:ss.ttt` (WebVTT), `hh:mm:ss,ttt` (SRT), `h:mm:ss` or `mm:ss` (plain
/// transcripts) → milliseconds. Minutes and seconds have two digits and are below 60.
pub(crate) fn parse_time(text: &str, fraction: Fraction) -> Option<u64> {
    let separators: &[char] = match fraction {
        Fraction::Dot => &['.'],
        Fraction::CommaOrDot | Fraction::Optional => &[',', '.'],
    };
    let fraction_required = fraction != Fraction::Optional;
    let (clock, millis) = match text.split_once(separators) {
        Some((clock, frac)) => {
            if frac.len() != 3 || !frac.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            (clock, frac.parse::<u64>().ok()?)
        }
        None if fraction_required => return None,
        None => (text, 0),
    };
    let parts: Vec<&str> = clock.split(':').collect();
    let number = |s: &str, two: bool| -> Option<u64> {
        let ok = !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) && (!two || s.len() == 2);
        if ok {
            s.parse().ok()
        } else {
            None
        }
    };
    let (h, m, s) = match parts.as_slice() {
        [h, m, s] => (number(h, false)?, number(m, true)?, number(s, true)?),
        [m, s] => (0, number(m, true)?, number(s, true)?),
        _ => return None,
    };
    if m > 59 || s > 59 || h > 1_000_000 {
        return None;
    }
    Some(((h * 60 + m) * 60 + s) * 1000 + millis)
}

/// A cue's "start --> end [settings]" line → (start, end), checking both times and their order.
pub(crate) fn parse_timing(
    line: &str,
    line_no: usize,
    fraction: Fraction,
) -> Result<(u64, u64), TranscriptError> {
    let Some((start, rest)) = line.split_once("-->") else {
        return Err(TranscriptError::at(
            line_no,
            Problem::ExpectedTiming(line.to_owned()),
        ));
    };
    let start_text = start.trim();
    let end_text = rest.split_whitespace().next().unwrap_or("");
    let time = |t: &str| {
        parse_time(t, fraction)
            .ok_or_else(|| TranscriptError::at(line_no, Problem::BadTimestamp(t.to_owned())))
    };
    let (start, end) = (time(start_text)?, time(end_text)?);
    if end < start {
        return Err(TranscriptError::at(line_no, Problem::EndBeforeStart));
    }
    Ok((start, end))
}

/// Cue text without markup: `<v Name>` gives the speaker, other tags (`<b>`, `<i>`, `<c.x>`,
/// `<00:00:01.000>`, `{\an8}`) are dropped, and the five entities WebVTT names are decoded.
pub(crate) fn strip_cue_markup(text: &str) -> (Option<String>, String) {
    let mut speaker = None;
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find(['<', '{']) {
        out.push_str(&rest[..i]);
        let open = rest.as_bytes()[i];
        let close = if open == b'<' { '>' } else { '}' };
        let after = &rest[i + 1..];
        let Some(j) = after.find(close) else {
            // An unclosed '<' is text.
            out.push_str(&rest[i..]);
            rest = "";
            break;
        };
        let tag = &after[..j];
        if open == b'{' && !tag.starts_with('\\') {
            out.push_str(&rest[i..i + j + 2]);
        } else if open == b'<' && speaker.is_none() {
            // "<v Anna>", "<v.loud Anna Berg>"
            if let Some(v) = tag.strip_prefix('v') {
                if v.starts_with(['.', ' ', '\t']) {
                    let name = v.trim_start_matches(|c: char| !c.is_whitespace()).trim();
                    if !name.is_empty() {
                        speaker = Some(name.to_owned());
                    }
                }
            }
        }
        rest = &after[j + 1..];
    }
    out.push_str(rest);
    let out = out
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&nbsp;", "\u{a0}")
        .replace("&lrm;", "\u{200e}")
        .replace("&rlm;", "\u{200f}")
        .replace("&amp;", "&");
    (speaker, out)
}

/// One timed cue (VTT or SRT) as a segment: the timing line read with `fraction`, then the speaker
/// and text of the `payload` lines after it; a cue with no text is an error at its timing line.
pub(crate) fn cue_segment(
    index: usize,
    timing: (&str, usize),
    fraction: Fraction,
    payload: &[&str],
    lines: RangeInclusive<usize>,
) -> Result<Segment, TranscriptError> {
    let (text_of_timing, timing_line) = timing;
    let (start_ms, end_ms) = parse_timing(text_of_timing, timing_line, fraction)?;
    let (speaker, text) = cue_text(payload);
    if text.is_empty() {
        return Err(TranscriptError::at(timing_line, Problem::CueWithoutText));
    }
    Ok(Segment {
        index,
        speaker,
        start_ms: Some(start_ms),
        end_ms: Some(end_ms),
        text,
        lines,
    })
}

/// The speaker and text of a cue's payload lines: a voice tag names the speaker, else a
/// "Name: text" first line does.
pub(crate) fn cue_text(payload: &[&str]) -> (Option<String>, String) {
    let (voice, text) = strip_cue_markup(&payload.join("\n"));
    let text = text.trim().to_owned();
    if voice.is_some() {
        return (voice, text);
    }
    if let Some((label, rest)) = split_speaker(&text) {
        return (Some(label.to_owned()), rest.trim().to_owned());
    }
    (None, text)
}

#[cfg(test)]
mod tests;
