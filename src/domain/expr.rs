//! XLSForm-compatible expressions: skip logic (`relevant`), validation (`constraint`), conditional `required`,
//! calculations and piping.
//!
//! The supported subset is `${key}`, `.`, numbers and `'strings'`, `+ - * div mod`, `= != < <= > >=`,
//! `and or not()`, `selected()`, `count-selected()`, `if()`, `string-length()`, `regex()`, `coalesce()` and
//! `today()`, `date()` and `decimal-date-time()`. Sources are parsed once into an [`Expr`]; evaluation never fails, because every structural
//! problem (unknown function, wrong number of arguments, bad regex literal) is rejected at parse time and an
//! unanswered question simply evaluates to [`Value::Null`].
//!
//! Semantics follow XPath 1.0 as ODK uses it. Dates are ISO texts (`'2026-01-31'`); wherever a date
//! meets a comparison or arithmetic it counts as its day number (days since 1970-01-01), so
//! `. <= today()` and `. > today() - 365` compare dates, and text that is not a real date is never
//! ordered against one. Two other non-numeric texts compare lexicographically.

pub mod date;
mod eval;
mod lexer;
mod parser;

use std::collections::{BTreeMap, HashMap};
use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

pub use eval::{AnswerSource, EvalContext};

/// A runtime value: an answer, a literal or the result of evaluating an expression.
///
/// Multiple-choice answers are space-separated option values in a [`Value::Text`], exactly as in XLSForm,
/// so that `selected()` and `count-selected()` behave as researchers expect from ODK.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Value {
    /// No answer (unanswered, skipped or cleared).
    Null,
    /// A boolean, e.g. the result of a comparison or a consent answer.
    Bool(bool),
    /// A number; integers are stored as exact `f64`.
    Number(f64),
    /// Text, dates (`YYYY-MM-DD`) and multiple-choice selections.
    Text(String),
}

impl Value {
    /// The truth value as XPath defines it: empty text, zero, NaN and null are false.
    pub fn to_bool(&self) -> bool {
        match self {
            Value::Null => false,
            Value::Bool(b) => *b,
            Value::Number(n) => *n != 0.0 && !n.is_nan(),
            Value::Text(s) => !s.is_empty(),
        }
    }

    /// The numeric value; text that is not a number and null become NaN.
    pub fn to_number(&self) -> f64 {
        match self {
            Value::Null => f64::NAN,
            Value::Bool(b) => f64::from(u8::from(*b)),
            Value::Number(n) => *n,
            Value::Text(s) => s.trim().parse().unwrap_or(f64::NAN),
        }
    }

    /// The text form: null is empty, integers have no decimal point.
    pub fn to_text(&self) -> String {
        match self {
            Value::Null => String::new(),
            Value::Bool(b) => b.to_string(),
            Value::Number(n) => format_number(*n),
            Value::Text(s) => s.clone(),
        }
    }

    /// True for null and for empty text: "not answered".
    pub fn is_empty(&self) -> bool {
        match self {
            Value::Null => true,
            Value::Text(s) => s.is_empty(),
            _ => false,
        }
    }
}

/// Formats a number the way XLSForm users expect: `3` not `3.0`, `NaN` as empty.
pub fn format_number(n: f64) -> String {
    if n.is_nan() {
        String::new()
    } else if n.fract() == 0.0 && n.abs() < 1e15 {
        // The bound keeps the cast exact; larger values fall through to the float formatter.
        format!("{}", n as i64)
    } else {
        format!("{n}")
    }
}

/// A binary operator, in XPath precedence order from loosest to tightest: `or`, `and`, equality, relational,
/// additive, multiplicative.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinOp {
    /// `or`
    Or,
    /// `and`
    And,
    /// `=`
    Eq,
    /// `!=`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// `div`
    Div,
    /// `mod`
    Mod,
}

impl BinOp {
    /// The operator as written in XLSForm.
    pub fn symbol(self) -> &'static str {
        match self {
            BinOp::Or => "or",
            BinOp::And => "and",
            BinOp::Eq => "=",
            BinOp::Ne => "!=",
            BinOp::Lt => "<",
            BinOp::Le => "<=",
            BinOp::Gt => ">",
            BinOp::Ge => ">=",
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::Div => "div",
            BinOp::Mod => "mod",
        }
    }
}

/// A supported function.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Func {
    /// `not(x)`
    Not,
    /// `selected(answer, 'value')`: is the option among the selected ones?
    Selected,
    /// `count-selected(answer)`: how many options are selected.
    CountSelected,
    /// `if(condition, then, else)`, evaluated lazily.
    If,
    /// `string-length(text)` in characters.
    StringLength,
    /// `regex(text, 'pattern')`: does the pattern match anywhere in the text (anchor it with `^…$`).
    Regex,
    /// `coalesce(a, b)`: the first non-empty value.
    Coalesce,
    /// `today()`: the evaluation date as `YYYY-MM-DD`.
    Today,
    /// `date(x)`: a date from ISO text or a day number, as `YYYY-MM-DD` (empty when not a date).
    Date,
    /// `decimal-date-time(x)`: the day number of a date (days since 1970-01-01).
    DecimalDateTime,
}

impl Func {
    /// Looks a function up by its XLSForm name.
    pub fn from_name(name: &str) -> Option<Func> {
        Some(match name {
            "not" => Func::Not,
            "selected" => Func::Selected,
            "count-selected" => Func::CountSelected,
            "if" => Func::If,
            "string-length" => Func::StringLength,
            "regex" => Func::Regex,
            "coalesce" => Func::Coalesce,
            "today" => Func::Today,
            "date" => Func::Date,
            "decimal-date-time" => Func::DecimalDateTime,
            _ => return None,
        })
    }

    /// The XLSForm name.
    pub fn name(self) -> &'static str {
        match self {
            Func::Not => "not",
            Func::Selected => "selected",
            Func::CountSelected => "count-selected",
            Func::If => "if",
            Func::StringLength => "string-length",
            Func::Regex => "regex",
            Func::Coalesce => "coalesce",
            Func::Today => "today",
            Func::Date => "date",
            Func::DecimalDateTime => "decimal-date-time",
        }
    }

    /// The number of arguments the function takes.
    pub fn arity(self) -> usize {
        match self {
            Func::Today => 0,
            Func::Not
            | Func::CountSelected
            | Func::StringLength
            | Func::Date
            | Func::DecimalDateTime => 1,
            Func::Selected | Func::Regex | Func::Coalesce => 2,
            Func::If => 3,
        }
    }
}

/// A compiled regular expression literal; equality compares the pattern text.
#[derive(Clone, Debug)]
pub struct CompiledRegex(pub regex::Regex);

impl PartialEq for CompiledRegex {
    fn eq(&self, other: &Self) -> bool {
        self.0.as_str() == other.0.as_str()
    }
}

/// The abstract syntax tree of an expression. Positions are byte offsets into the source.
#[derive(Clone, Debug, PartialEq)]
pub enum Expr {
    /// A number literal.
    Number(f64),
    /// A string literal.
    Text(String),
    /// `${key}`, where `key` may carry a sub-key after a dot (`${matrix.row}`).
    Ref {
        /// The referenced answer key.
        key: String,
        /// Byte offset of the `$` in the source.
        position: usize,
    },
    /// `.`: the value being validated (in `constraint`).
    Current,
    /// Unary minus.
    Neg(Box<Expr>),
    /// A binary operation.
    Binary(BinOp, Box<Expr>, Box<Expr>),
    /// A function call. `regex` carries its compiled pattern when the pattern is a literal.
    Call {
        /// The function.
        func: Func,
        /// The arguments, already checked against the arity.
        args: Vec<Expr>,
        /// A literal `regex()` pattern compiled once at parse time.
        regex: Option<CompiledRegex>,
    },
}

/// What went wrong while parsing an expression.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ExprErrorKind {
    /// A character that starts no token.
    #[error("unexpected character '{0}'")]
    UnexpectedChar(char),
    /// A string literal without its closing quote.
    #[error("unterminated string")]
    UnterminatedString,
    /// `${` without `}` or with an invalid key.
    #[error("malformed reference; write ${{key}}")]
    BadReference,
    /// A token where something else was expected.
    #[error("expected {expected}, found {found}")]
    Unexpected {
        /// What the parser wanted.
        expected: String,
        /// What it got.
        found: String,
    },
    /// A call to a function we do not support.
    #[error("unknown function '{0}'")]
    UnknownFunction(String),
    /// A call with the wrong number of arguments.
    #[error("{function}() takes {expected} argument(s), got {got}")]
    WrongArity {
        /// The function name.
        function: String,
        /// Its arity.
        expected: usize,
        /// The number of arguments given.
        got: usize,
    },
    /// An invalid `regex()` pattern literal.
    #[error("invalid regular expression: {0}")]
    InvalidRegex(String),
    /// An XPath feature outside our subset (paths, unions, variables).
    #[error("'{0}' is not supported in Insikt expressions")]
    Unsupported(String),
    /// The expression refers to a question key that does not exist.
    #[error("unknown question '{0}'")]
    UnknownKey(String),
    /// The expression is empty.
    #[error("empty expression")]
    Empty,
    /// The expression is nested too deeply to evaluate safely.
    #[error("expression too long or nested too deeply")]
    TooDeep,
}

impl ExprErrorKind {
    /// What went wrong, in Swedish and English, so a page shows an expression error in one
    /// language (the `Display` text is English, for logs and the command line).
    pub fn message(&self) -> crate::domain::lang::Msg {
        use crate::domain::lang::Msg;
        match self {
            ExprErrorKind::UnexpectedChar(c) => Msg::new(
                format!("oväntat tecken '{c}'"),
                format!("unexpected character '{c}'"),
            ),
            ExprErrorKind::UnterminatedString => Msg::fixed(
                "texten saknar avslutande citattecken",
                "unterminated string",
            ),
            ExprErrorKind::BadReference => Msg::fixed(
                "felaktig hänvisning; skriv ${nyckel}",
                "malformed reference; write ${key}",
            ),
            ExprErrorKind::Unexpected { expected, found } => Msg::new(
                format!("väntade {expected}, hittade {found}"),
                format!("expected {expected}, found {found}"),
            ),
            ExprErrorKind::UnknownFunction(f) => Msg::new(
                format!("okänd funktion '{f}'"),
                format!("unknown function '{f}'"),
            ),
            ExprErrorKind::WrongArity {
                function,
                expected,
                got,
            } => Msg::new(
                format!("{function}() tar {expected} argument, fick {got}"),
                format!("{function}() takes {expected} argument(s), got {got}"),
            ),
            ExprErrorKind::InvalidRegex(e) => Msg::new(
                format!("ogiltigt reguljärt uttryck: {e}"),
                format!("invalid regular expression: {e}"),
            ),
            ExprErrorKind::Unsupported(what) => Msg::new(
                format!("'{what}' stöds inte i Insikts uttryck"),
                format!("'{what}' is not supported in Insikt expressions"),
            ),
            ExprErrorKind::UnknownKey(k) => Msg::new(
                format!("okänd fråga '{k}'"),
                format!("unknown question '{k}'"),
            ),
            ExprErrorKind::Empty => Msg::fixed("tomt uttryck", "empty expression"),
            ExprErrorKind::TooDeep => Msg::fixed(
                "uttrycket är för långt eller för djupt nästlat",
                "expression too long or nested too deeply",
            ),
        }
    }
}

/// A parse or reference error with the byte offset where it was found.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{kind} at position {}", .position + 1)]
pub struct ExprError {
    /// What went wrong.
    pub kind: ExprErrorKind,
    /// Byte offset into the source (shown 1-based in messages).
    pub position: usize,
}

impl Expr {
    /// Parses an expression source into an AST.
    pub fn parse(source: &str) -> Result<Expr, ExprError> {
        parser::parse(source)
    }

    /// Evaluates against answers; never fails (see the module documentation).
    pub fn eval(&self, ctx: &EvalContext<'_>) -> Value {
        eval::eval(self, ctx)
    }

    /// Every `${key}` reference with its byte position, in source order.
    pub fn references(&self) -> Vec<(&str, usize)> {
        let mut out = Vec::new();
        self.collect_refs(&mut out);
        out
    }

    fn collect_refs<'a>(&'a self, out: &mut Vec<(&'a str, usize)>) {
        match self {
            Expr::Ref { key, position } => out.push((key.as_str(), *position)),
            Expr::Neg(e) => e.collect_refs(out),
            Expr::Binary(_, a, b) => {
                a.collect_refs(out);
                b.collect_refs(out);
            }
            Expr::Call { args, .. } => args.iter().for_each(|a| a.collect_refs(out)),
            Expr::Number(_) | Expr::Text(_) | Expr::Current => {}
        }
    }

    /// Checks that every reference names a known key (the part before any `.` sub-key); the error carries the
    /// position of the first unknown reference.
    pub fn check_references(&self, known: impl Fn(&str) -> bool) -> Result<(), ExprError> {
        for (key, position) in self.references() {
            let base = key.split('.').next().unwrap_or(key);
            if !known(base) {
                return Err(ExprError {
                    kind: ExprErrorKind::UnknownKey(key.to_owned()),
                    position,
                });
            }
        }
        Ok(())
    }
}

impl fmt::Display for Expr {
    /// Writes the expression back in XLSForm syntax, fully parenthesised where precedence requires.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Expr::Number(n) => write!(f, "{}", format_number(*n)),
            Expr::Text(s) => {
                if s.contains('\'') {
                    write!(f, "\"{s}\"")
                } else {
                    write!(f, "'{s}'")
                }
            }
            Expr::Ref { key, .. } => write!(f, "${{{key}}}"),
            Expr::Current => write!(f, "."),
            Expr::Neg(e) => write!(f, "-({e})"),
            Expr::Binary(op, a, b) => write!(f, "({a} {} {b})", op.symbol()),
            Expr::Call { func, args, .. } => {
                write!(f, "{}(", func.name())?;
                for (i, a) in args.iter().enumerate() {
                    if i > 0 {
                        write!(f, ", ")?;
                    }
                    write!(f, "{a}")?;
                }
                write!(f, ")")
            }
        }
    }
}

/// An expression as stored in a survey: the source text researchers wrote plus its AST, parsed once when the
/// value is created or deserialised. Invalid sources are kept (so drafts with mistakes can still be loaded and
/// edited); the publish check reports their errors.
#[derive(Clone, Debug)]
pub struct Expression {
    source: String,
    parsed: Result<Expr, ExprError>,
}

impl Expression {
    /// Wraps and parses a source text.
    pub fn new(source: impl Into<String>) -> Self {
        let source = source.into();
        let parsed = Expr::parse(&source);
        Expression { source, parsed }
    }

    /// The source text as written.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// The AST, or the parse error.
    pub fn ast(&self) -> Result<&Expr, &ExprError> {
        self.parsed.as_ref()
    }

    /// Evaluates the expression; an expression that failed to parse yields [`Value::Null`] (publish checks
    /// make sure published surveys contain none).
    pub fn eval(&self, ctx: &EvalContext<'_>) -> Value {
        match &self.parsed {
            Ok(e) => e.eval(ctx),
            Err(_) => Value::Null,
        }
    }
}

impl PartialEq for Expression {
    fn eq(&self, other: &Self) -> bool {
        self.source == other.source
    }
}

impl From<&str> for Expression {
    fn from(s: &str) -> Self {
        Expression::new(s)
    }
}

impl Serialize for Expression {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.source)
    }
}

impl<'de> Deserialize<'de> for Expression {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(Expression::new(String::deserialize(d)?))
    }
}

impl AnswerSource for HashMap<String, Value> {
    fn answer(&self, key: &str) -> Option<&Value> {
        self.get(key)
    }
}

impl AnswerSource for BTreeMap<String, Value> {
    fn answer(&self, key: &str) -> Option<&Value> {
        self.get(key)
    }
}

#[cfg(test)]
mod tests;
