//! The REFI-QDA codebook exchange format (`.qdc`, namespace `urn:QDA-XML:codebook:1.0`), what
//! QualCoder, Taguette, NVivo, ATLAS.ti and MAXQDA read and write: `CodeBook` → `Codes` →
//! nested `Code` elements (`guid`, `name`, `isCodable`, `color`, an optional `Description`),
//! then optional `Sets` of member codes. The schema is `tests/data/refi-qda-codebook.xsd`.
//!
//! The standard has one `Description` per code; our definition, inclusion and exclusion
//! examples travel in it as paragraphs, the examples labelled "Include:" and "Exclude:" (read
//! back in English or Swedish), so a codebook round-trips and other tools still show all of it.

use std::collections::HashMap;

use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};
use quick_xml::{Reader, Writer, XmlVersion};
use uuid::Uuid;

use crate::domain::lang::Msg;
use crate::domain::qualitative::{Code, CodeSet, Codebook, CodebookError, Colour};

/// The standard's namespace.
pub const NAMESPACE: &str = "urn:QDA-XML:codebook:1.0";
/// Largest file read, in bytes.
pub const MAX_BYTES: usize = 5 * 1024 * 1024;

const INCLUDE: &str = "Include: ";
const EXCLUDE: &str = "Exclude: ";
const INCLUDE_LABELS: [&str; 2] = ["Include:", "Inkludera:"];
const EXCLUDE_LABELS: [&str; 2] = ["Exclude:", "Exkludera:"];

/// Why a codebook file could not be read or written.
#[derive(Debug, Clone, PartialEq)]
pub enum Problem {
    /// Larger than [`MAX_BYTES`].
    TooLarge(usize),
    /// Not UTF-8.
    NotUtf8,
    /// Not well-formed XML (the parser's words).
    Xml(String),
    /// A document type declaration: not part of the standard, and entity tricks live there.
    DocType,
    /// The root element is not `CodeBook`.
    NotACodebook(String),
    /// An element where the standard does not allow it.
    Unexpected(String),
    /// An attribute the standard requires is missing.
    MissingAttribute {
        /// Element.
        element: &'static str,
        /// Attribute.
        attribute: &'static str,
    },
    /// A `guid` that is not a GUID.
    BadGuid(String),
    /// A `color` that is not `#rgb` or `#rrggbb`.
    BadColour(String),
    /// An `isCodable` that is not a boolean.
    BadBoolean(String),
    /// An entity other than XML's five and character references.
    UnknownEntity(String),
    /// The codes read do not form a codebook.
    Codebook(CodebookError),
    /// The standard requires at least one code.
    NoCodes,
    /// The file ends inside an element.
    Truncated,
}

/// A problem and the line it was found on (1-based), when it has one.
#[derive(Debug, Clone, PartialEq)]
pub struct QdcError {
    /// The line.
    pub line: Option<usize>,
    /// What is wrong.
    pub problem: Problem,
}

impl QdcError {
    fn file(problem: Problem) -> QdcError {
        QdcError {
            line: None,
            problem,
        }
    }

    /// Why, in both languages.
    pub fn why(&self) -> Msg {
        match &self.problem {
            Problem::TooLarge(n) => Msg::new(
                format!("filen är {n} byte; högst {MAX_BYTES} byte går att läsa in"),
                format!("the file is {n} bytes; at most {MAX_BYTES} bytes can be read"),
            ),
            Problem::NotUtf8 => Msg::fixed("filen är inte UTF-8", "the file is not UTF-8"),
            Problem::Xml(e) => Msg::new(
                format!("ingen korrekt XML: {e}"),
                format!("not well-formed XML: {e}"),
            ),
            Problem::DocType => Msg::fixed(
                "en DOCTYPE-deklaration hör inte till REFI-QDA-formatet",
                "a DOCTYPE declaration is not part of the REFI-QDA format",
            ),
            Problem::NotACodebook(root) => Msg::new(
                format!("rotelementet är <{root}>, inte <CodeBook>: ingen REFI-QDA-kodbok (.qdc)"),
                format!(
                    "the root element is <{root}>, not <CodeBook>: not a REFI-QDA codebook (.qdc)"
                ),
            ),
            Problem::Unexpected(name) => Msg::new(
                format!("elementet <{name}> får inte stå här"),
                format!("the element <{name}> is not allowed here"),
            ),
            Problem::MissingAttribute { element, attribute } => Msg::new(
                format!("<{element}> saknar attributet {attribute}"),
                format!("<{element}> lacks the attribute {attribute}"),
            ),
            Problem::BadGuid(g) => Msg::new(
                format!("”{g}” är ingen GUID"),
                format!("\"{g}\" is not a GUID"),
            ),
            Problem::BadColour(c) => Msg::new(
                format!("”{c}” är ingen färg som #rrggbb"),
                format!("\"{c}\" is not a colour such as #rrggbb"),
            ),
            Problem::BadBoolean(b) => Msg::new(
                format!("isCodable är ”{b}”, inte true eller false"),
                format!("isCodable is \"{b}\", not true or false"),
            ),
            Problem::UnknownEntity(e) => Msg::new(
                format!("okänd entitet &{e};"),
                format!("unknown entity &{e};"),
            ),
            Problem::Codebook(e) => e.message(),
            Problem::Truncated => Msg::fixed(
                "filen tar slut innan </CodeBook>: den är avhuggen",
                "the file ends before </CodeBook>: it is cut short",
            ),
            Problem::NoCodes => Msg::fixed(
                "kodboken har inga koder; formatet kräver minst en",
                "the codebook has no codes; the format requires at least one",
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

impl std::fmt::Display for QdcError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.line {
            Some(line) => write!(f, "line {line}: {}", self.why().en),
            None => f.write_str(&self.why().en),
        }
    }
}

impl std::error::Error for QdcError {}

/// The codebook as a `.qdc` document (UTF-8, indented), `origin` naming the writing program.
pub fn write_codebook(book: &Codebook, origin: &str) -> Result<String, QdcError> {
    if book.codes().is_empty() {
        return Err(QdcError::file(Problem::NoCodes));
    }
    let mut children: HashMap<Option<Uuid>, Vec<&Code>> = HashMap::new();
    for code in book.codes() {
        children.entry(code.parent).or_default().push(code);
    }
    let mut w = Writer::new_with_indent(Vec::new(), b' ', 2);
    // Writing into a Vec cannot fail; the io::Result is the writer's general signature.
    let io = |e: std::io::Error| QdcError::file(Problem::Xml(e.to_string()));
    w.write_event(Event::Decl(BytesDecl::new("1.0", Some("utf-8"), None)))
        .map_err(io)?;
    w.write_event(Event::Start(
        BytesStart::new("CodeBook").with_attributes([("xmlns", NAMESPACE), ("origin", origin)]),
    ))
    .map_err(io)?;
    w.write_event(Event::Start(BytesStart::new("Codes")))
        .map_err(io)?;
    for code in children.get(&None).into_iter().flatten() {
        write_code(&mut w, code, &children).map_err(io)?;
    }
    w.write_event(Event::End(BytesEnd::new("Codes")))
        .map_err(io)?;
    if !book.sets().is_empty() {
        w.write_event(Event::Start(BytesStart::new("Sets")))
            .map_err(io)?;
        for set in book.sets() {
            let guid = guid_text(set.id);
            w.write_event(Event::Start(BytesStart::new("Set").with_attributes([
                ("guid", guid.as_str()),
                ("name", set.name.as_str()),
            ])))
            .map_err(io)?;
            if !set.description.is_empty() {
                text_element(&mut w, "Description", &set.description).map_err(io)?;
            }
            for member in &set.members {
                let guid = guid_text(*member);
                w.write_event(Event::Empty(
                    BytesStart::new("MemberCode").with_attributes([("guid", guid.as_str())]),
                ))
                .map_err(io)?;
            }
            w.write_event(Event::End(BytesEnd::new("Set")))
                .map_err(io)?;
        }
        w.write_event(Event::End(BytesEnd::new("Sets")))
            .map_err(io)?;
    }
    w.write_event(Event::End(BytesEnd::new("CodeBook")))
        .map_err(io)?;
    let mut xml = String::from_utf8(w.into_inner())
        .map_err(|e| QdcError::file(Problem::Xml(e.to_string())))?;
    xml.push('\n');
    Ok(xml)
}

fn guid_text(id: Uuid) -> String {
    id.hyphenated().to_string().to_ascii_uppercase()
}

fn text_element(w: &mut Writer<Vec<u8>>, name: &str, text: &str) -> std::io::Result<()> {
    w.write_event(Event::Start(BytesStart::new(name)))?;
    w.write_event(Event::Text(BytesText::new(text)))?;
    w.write_event(Event::End(BytesEnd::new(name)))
}

fn write_code(
    w: &mut Writer<Vec<u8>>,
    code: &Code,
    children: &HashMap<Option<Uuid>, Vec<&Code>>,
) -> std::io::Result<()> {
    let guid = guid_text(code.id);
    let mut start = BytesStart::new("Code").with_attributes([
        ("guid", guid.as_str()),
        ("name", code.name.as_str()),
        ("isCodable", if code.codable { "true" } else { "false" }),
    ]);
    if let Some(colour) = &code.colour {
        start.push_attribute(("color", colour.as_str()));
    }
    let description = description(code);
    let kids = children.get(&Some(code.id));
    if description.is_empty() && kids.is_none() {
        return w.write_event(Event::Empty(start));
    }
    w.write_event(Event::Start(start))?;
    if !description.is_empty() {
        text_element(w, "Description", &description)?;
    }
    // Depth is bounded by the codebook's own check (MAX_DEPTH).
    for kid in kids.into_iter().flatten() {
        write_code(w, kid, children)?;
    }
    w.write_event(Event::End(BytesEnd::new("Code")))
}

/// Definition, then the labelled examples, as paragraphs.
fn description(code: &Code) -> String {
    let mut parts = Vec::new();
    if !code.definition.trim().is_empty() {
        parts.push(code.definition.trim().to_owned());
    }
    if !code.inclusion.trim().is_empty() {
        parts.push(format!("{INCLUDE}{}", code.inclusion.trim()));
    }
    if !code.exclusion.trim().is_empty() {
        parts.push(format!("{EXCLUDE}{}", code.exclusion.trim()));
    }
    parts.join("\n\n")
}

/// A description → (definition, inclusion, exclusion): paragraphs up to the first labelled one
/// are the definition; a labelled paragraph and the unlabelled ones after it are its example.
fn split_description(text: &str) -> (String, String, String) {
    let text = text.replace("\r\n", "\n");
    let mut parts: [Vec<&str>; 3] = [vec![], vec![], vec![]];
    let mut at = 0;
    for paragraph in text.split("\n\n") {
        let trimmed = paragraph.trim();
        let labelled = |labels: &[&str; 2]| {
            labels.iter().find_map(|l| {
                trimmed
                    .get(..l.len())
                    .filter(|head| head.eq_ignore_ascii_case(l))
                    .map(|_| trimmed[l.len()..].trim_start())
            })
        };
        if let Some(rest) = labelled(&INCLUDE_LABELS) {
            at = 1;
            parts[1].push(rest);
        } else if let Some(rest) = labelled(&EXCLUDE_LABELS) {
            at = 2;
            parts[2].push(rest);
        } else if !trimmed.is_empty() {
            parts[at].push(trimmed);
        }
    }
    let [d, i, e] = parts.map(|p| p.join("\n\n"));
    (d, i, e)
}

/// What is being read, innermost last.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Open {
    CodeBook,
    Codes,
    Code(usize),
    Sets,
    Set(usize),
    Description,
    MemberCode,
}

/// Read a `.qdc` codebook: every code with its parent, and the sets. Elements the schema does
/// not allow are refused by name and line, so a file that reads is one other tools read too.
pub fn read_codebook(bytes: &[u8]) -> Result<Codebook, QdcError> {
    if bytes.len() > MAX_BYTES {
        return Err(QdcError::file(Problem::TooLarge(bytes.len())));
    }
    let text = std::str::from_utf8(bytes).map_err(|_| QdcError::file(Problem::NotUtf8))?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut reader = Reader::from_str(text);
    reader.config_mut().trim_text(false);
    let mut state = ReadState::default();
    loop {
        let line_at = |pos: u64| {
            let pos = usize::try_from(pos).unwrap_or(usize::MAX).min(text.len());
            Some(
                text.as_bytes()[..pos]
                    .iter()
                    .filter(|&&b| b == b'\n')
                    .count()
                    + 1,
            )
        };
        let event = reader.read_event().map_err(|e| QdcError {
            line: line_at(reader.error_position()),
            problem: Problem::Xml(e.to_string()),
        })?;
        let at = |problem: Problem| QdcError {
            line: line_at(reader.buffer_position()),
            problem,
        };
        match event {
            Event::Start(e) => state.open(&e).map_err(at)?,
            Event::Empty(e) => {
                state.open(&e).map_err(at)?;
                state.close();
            }
            Event::End(_) => state.close(),
            Event::Text(t) => state.text(&t.xml10_content()),
            Event::CData(t) => state.text(&t.xml10_content()),
            Event::GeneralRef(r) => {
                let resolved = match r.resolve_char_ref() {
                    Ok(Some(c)) => c.to_string(),
                    Ok(None) => quick_xml::escape::resolve_predefined_entity(&r)
                        .ok_or_else(|| at(Problem::UnknownEntity(r.to_string())))?
                        .to_owned(),
                    Err(e) => return Err(at(Problem::Xml(e.to_string()))),
                };
                state.text(&resolved);
            }
            Event::DocType(_) => return Err(at(Problem::DocType)),
            Event::Eof if !state.stack.is_empty() => return Err(at(Problem::Truncated)),
            Event::Eof => break,
            Event::Decl(_) | Event::PI(_) | Event::Comment(_) => {}
        }
    }
    if !state.seen_root {
        return Err(QdcError::file(Problem::NotACodebook(String::new())));
    }
    if state.codes.is_empty() {
        return Err(QdcError::file(Problem::NoCodes));
    }
    Codebook::new(state.codes, state.sets).map_err(|e| QdcError::file(Problem::Codebook(e)))
}

#[derive(Default)]
struct ReadState {
    codes: Vec<Code>,
    sets: Vec<CodeSet>,
    stack: Vec<Open>,
    description: String,
    seen_root: bool,
}

impl ReadState {
    fn open(&mut self, e: &BytesStart<'_>) -> Result<(), Problem> {
        let local = e.local_name();
        let name: &str = local.as_ref();
        let unexpected = || Problem::Unexpected(name.to_owned());
        let next = match (self.stack.last().copied(), name) {
            (None, "CodeBook") if !self.seen_root => {
                self.seen_root = true;
                Open::CodeBook
            }
            (None, _) => return Err(Problem::NotACodebook(name.to_owned())),
            (Some(Open::CodeBook), "Codes") => Open::Codes,
            (Some(Open::CodeBook), "Sets") => Open::Sets,
            (Some(Open::Codes), "Code") => self.code(e, None)?,
            (Some(Open::Code(i)), "Code") => {
                let parent = self.codes[i].id;
                self.code(e, Some(parent))?
            }
            (Some(Open::Code(_) | Open::Set(_)), "Description") => {
                self.description.clear();
                Open::Description
            }
            (Some(Open::Sets), "Set") => {
                let attrs = attributes(e)?;
                self.sets.push(CodeSet {
                    id: guid(&attrs, "Set")?,
                    name: required(&attrs, "Set", "name")?.to_owned(),
                    description: String::new(),
                    members: vec![],
                });
                Open::Set(self.sets.len() - 1)
            }
            (Some(Open::Set(i)), "MemberCode") => {
                let attrs = attributes(e)?;
                let member = guid(&attrs, "MemberCode")?;
                self.sets[i].members.push(member);
                Open::MemberCode
            }
            _ => return Err(unexpected()),
        };
        self.stack.push(next);
        Ok(())
    }

    fn code(&mut self, e: &BytesStart<'_>, parent: Option<Uuid>) -> Result<Open, Problem> {
        let attrs = attributes(e)?;
        let codable = match required(&attrs, "Code", "isCodable")? {
            "true" | "1" => true,
            "false" | "0" => false,
            other => return Err(Problem::BadBoolean(other.to_owned())),
        };
        let colour = match attrs.iter().find(|(k, _)| k == "color") {
            Some((_, c)) => Some(Colour::parse(c).ok_or_else(|| Problem::BadColour(c.clone()))?),
            None => None,
        };
        self.codes.push(Code {
            id: guid(&attrs, "Code")?,
            parent,
            name: required(&attrs, "Code", "name")?.to_owned(),
            definition: String::new(),
            inclusion: String::new(),
            exclusion: String::new(),
            colour,
            codable,
        });
        Ok(Open::Code(self.codes.len() - 1))
    }

    fn text(&mut self, text: &str) {
        if self.stack.last() == Some(&Open::Description) {
            self.description.push_str(text);
        }
    }

    fn close(&mut self) {
        if self.stack.pop() != Some(Open::Description) {
            return;
        }
        let text = std::mem::take(&mut self.description);
        match self.stack.last() {
            Some(Open::Code(i)) => {
                let (d, inc, exc) = split_description(&text);
                let code = &mut self.codes[*i];
                (code.definition, code.inclusion, code.exclusion) = (d, inc, exc);
            }
            Some(Open::Set(i)) => self.sets[*i].description = text.trim().to_owned(),
            _ => {}
        }
    }
}

fn attributes(e: &BytesStart<'_>) -> Result<Vec<(String, String)>, Problem> {
    e.attributes()
        .map(|a| {
            let a = a.map_err(|e| Problem::Xml(e.to_string()))?;
            let value = a
                .normalized_value(XmlVersion::Implicit1_0)
                .map_err(|e| Problem::Xml(e.to_string()))?;
            let local = a.key.local_name();
            let key: &str = local.as_ref();
            Ok((key.to_owned(), value.into_owned()))
        })
        .collect()
}

fn required<'a>(
    attrs: &'a [(String, String)],
    element: &'static str,
    attribute: &'static str,
) -> Result<&'a str, Problem> {
    attrs
        .iter()
        .find(|(k, _)| k == attribute)
        .map(|(_, v)| v.as_str())
        .ok_or(Problem::MissingAttribute { element, attribute })
}

fn guid(attrs: &[(String, String)], element: &'static str) -> Result<Uuid, Problem> {
    let text = required(attrs, element, "guid")?.trim();
    // The schema allows the plain and the braced form only.
    let inner = text
        .strip_prefix('{')
        .and_then(|t| t.strip_suffix('}'))
        .unwrap_or(text);
    if inner.len() != 36 {
        return Err(Problem::BadGuid(text.to_owned()));
    }
    Uuid::parse_str(inner).map_err(|_| Problem::BadGuid(text.to_owned()))
}

#[cfg(test)]
mod tests;
