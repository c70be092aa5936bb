//! Tokeniser for the expression subset; every token carries its byte offset for error messages.

use super::{ExprError, ExprErrorKind};

/// A token kind.
#[derive(Clone, Debug, PartialEq)]
pub(super) enum Tok {
    Number(f64),
    Text(String),
    Ref(String),
    Dot,
    /// A name: function names and the word operators `and`, `or`, `div`, `mod`.
    Name(String),
    LParen,
    RParen,
    Comma,
    Plus,
    Minus,
    Star,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl Tok {
    pub(super) fn describe(&self) -> String {
        match self {
            Tok::Number(n) => format!("number {}", super::format_number(*n)),
            Tok::Text(s) => format!("string '{s}'"),
            Tok::Ref(k) => format!("${{{k}}}"),
            Tok::Dot => "'.'".into(),
            Tok::Name(n) => format!("'{n}'"),
            Tok::LParen => "'('".into(),
            Tok::RParen => "')'".into(),
            Tok::Comma => "','".into(),
            Tok::Plus => "'+'".into(),
            Tok::Minus => "'-'".into(),
            Tok::Star => "'*'".into(),
            Tok::Eq => "'='".into(),
            Tok::Ne => "'!='".into(),
            Tok::Lt => "'<'".into(),
            Tok::Le => "'<='".into(),
            Tok::Gt => "'>'".into(),
            Tok::Ge => "'>='".into(),
        }
    }
}

fn err(kind: ExprErrorKind, position: usize) -> ExprError {
    ExprError { kind, position }
}

/// Characters allowed in question keys: XML name characters without `:`, plus `.` for sub-keys.
pub(super) fn is_key_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || c == '-' || c == '.'
}

pub(super) fn tokenize(src: &str) -> Result<Vec<(Tok, usize)>, ExprError> {
    let bytes = src.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        let start = i;
        match c {
            b' ' | b'\t' | b'\n' | b'\r' => {
                i += 1;
                continue;
            }
            b'(' => out.push((Tok::LParen, start)),
            b')' => out.push((Tok::RParen, start)),
            b',' => out.push((Tok::Comma, start)),
            b'+' => out.push((Tok::Plus, start)),
            b'-' => out.push((Tok::Minus, start)),
            b'*' => out.push((Tok::Star, start)),
            b'=' => out.push((Tok::Eq, start)),
            b'!' => {
                if bytes.get(i + 1) == Some(&b'=') {
                    i += 1;
                    out.push((Tok::Ne, start));
                } else {
                    return Err(err(ExprErrorKind::UnexpectedChar('!'), start));
                }
            }
            b'<' | b'>' => {
                let eq = bytes.get(i + 1) == Some(&b'=');
                if eq {
                    i += 1;
                }
                let t = match (c, eq) {
                    (b'<', false) => Tok::Lt,
                    (b'<', true) => Tok::Le,
                    (_, false) => Tok::Gt,
                    (_, true) => Tok::Ge,
                };
                out.push((t, start));
            }
            b'\'' | b'"' => {
                let rest = &src[i + 1..];
                let Some(end) = rest.find(c as char) else {
                    return Err(err(ExprErrorKind::UnterminatedString, start));
                };
                out.push((Tok::Text(rest[..end].to_owned()), start));
                i += end + 1;
            }
            b'$' => {
                if bytes.get(i + 1) != Some(&b'{') {
                    return Err(err(ExprErrorKind::BadReference, start));
                }
                let rest = &src[i + 2..];
                let Some(end) = rest.find('}') else {
                    return Err(err(ExprErrorKind::BadReference, start));
                };
                let key = rest[..end].trim();
                if key.is_empty() || !key.chars().all(is_key_char) {
                    return Err(err(ExprErrorKind::BadReference, start));
                }
                out.push((Tok::Ref(key.to_owned()), start));
                i += end + 2;
            }
            b'0'..=b'9' | b'.' => {
                let mut j = i;
                while j < bytes.len() && (bytes[j].is_ascii_digit() || bytes[j] == b'.') {
                    j += 1;
                }
                let text = &src[i..j];
                if text == "." {
                    out.push((Tok::Dot, start));
                } else if text == ".." {
                    return Err(err(ExprErrorKind::Unsupported("..".into()), start));
                } else {
                    let n: f64 = text
                        .parse()
                        .map_err(|_| err(ExprErrorKind::UnexpectedChar('.'), start))?;
                    out.push((Tok::Number(n), start));
                }
                i = j;
                continue;
            }
            b'/' | b'|' | b'[' | b']' | b'@' => {
                return Err(err(
                    ExprErrorKind::Unsupported((c as char).to_string()),
                    start,
                ));
            }
            _ => {
                let ch = src[i..].chars().next().unwrap_or('?');
                if ch.is_alphabetic() || ch == '_' {
                    let mut j = i;
                    for (off, ch) in src[i..].char_indices() {
                        if ch.is_alphanumeric() || ch == '_' || ch == '-' {
                            j = i + off + ch.len_utf8();
                        } else {
                            break;
                        }
                    }
                    out.push((Tok::Name(src[i..j].to_owned()), start));
                    i = j;
                    continue;
                }
                return Err(err(ExprErrorKind::UnexpectedChar(ch), start));
            }
        }
        i += 1;
    }
    Ok(out)
}
