//! Tree-walking evaluator. Total: every input yields a [`Value`], never an error or a panic.

use std::cmp::Ordering;

use super::{date, BinOp, Expr, Func, Value};

/// Where answers come from during evaluation. Implemented for `HashMap<String, Value>` and
/// `BTreeMap<String, Value>`; storage or the web layer can implement it over their own types.
pub trait AnswerSource {
    /// The answer stored under `key` (a question key or `key.sub`), if any.
    fn answer(&self, key: &str) -> Option<&Value>;
}

/// Everything an evaluation needs besides the expression.
pub struct EvalContext<'a> {
    /// The answers given so far.
    pub answers: &'a dyn AnswerSource,
    /// The value of `.` (the answer being validated by a `constraint`).
    pub current: Value,
    /// The date `today()` returns, as `YYYY-MM-DD`; passed in so evaluation is reproducible in tests.
    pub today: String,
}

impl<'a> EvalContext<'a> {
    /// A context with no current value, dated `today` (`YYYY-MM-DD`).
    pub fn new(answers: &'a dyn AnswerSource, today: impl Into<String>) -> Self {
        EvalContext {
            answers,
            current: Value::Null,
            today: today.into(),
        }
    }

    /// The same context with `.` bound to `current`.
    pub fn with_current(mut self, current: Value) -> Self {
        self.current = current;
        self
    }
}

pub(super) fn eval(e: &Expr, ctx: &EvalContext<'_>) -> Value {
    match e {
        Expr::Number(n) => Value::Number(*n),
        Expr::Text(s) => Value::Text(s.clone()),
        Expr::Ref { key, .. } => ctx.answers.answer(key).cloned().unwrap_or(Value::Null),
        Expr::Current => ctx.current.clone(),
        Expr::Neg(inner) => Value::Number(-eval(inner, ctx).to_number()),
        Expr::Binary(op, a, b) => binary(*op, a, b, ctx),
        Expr::Call { func, args, regex } => call(*func, args, regex.as_ref().map(|r| &r.0), ctx),
    }
}

fn binary(op: BinOp, a: &Expr, b: &Expr, ctx: &EvalContext<'_>) -> Value {
    match op {
        // Short-circuit: the right side of `and`/`or` often refers to questions that are not relevant.
        BinOp::And => Value::Bool(eval(a, ctx).to_bool() && eval(b, ctx).to_bool()),
        BinOp::Or => Value::Bool(eval(a, ctx).to_bool() || eval(b, ctx).to_bool()),
        BinOp::Eq => Value::Bool(equals(&eval(a, ctx), &eval(b, ctx))),
        BinOp::Ne => Value::Bool(!equals(&eval(a, ctx), &eval(b, ctx))),
        BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge => {
            let ord = compare(&eval(a, ctx), &eval(b, ctx));
            Value::Bool(match (op, ord) {
                (_, None) => false,
                (BinOp::Lt, Some(o)) => o == Ordering::Less,
                (BinOp::Le, Some(o)) => o != Ordering::Greater,
                (BinOp::Gt, Some(o)) => o == Ordering::Greater,
                (_, Some(o)) => o != Ordering::Less,
            })
        }
        BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Div | BinOp::Mod => {
            let x = number_or_day(&eval(a, ctx));
            let y = number_or_day(&eval(b, ctx));
            Value::Number(match op {
                BinOp::Add => x + y,
                BinOp::Sub => x - y,
                BinOp::Mul => x * y,
                BinOp::Div => x / y,
                // Rust's `%` on f64 is truncated remainder with the dividend's sign, as XPath `mod` requires.
                _ => x % y,
            })
        }
    }
}

/// The day number of a value that is an ISO date text.
fn day_of(v: &Value) -> Option<i64> {
    match v {
        Value::Text(s) => date::parse_iso(s.trim()),
        _ => None,
    }
}

/// A value as arithmetic sees it: a date counts as its day number (`today() - 365`), as in ODK.
fn number_or_day(v: &Value) -> f64 {
    day_of(v).map_or_else(|| v.to_number(), |d| d as f64)
}

/// XPath equality: booleans compare as booleans, then numbers numerically when either side is a number
/// (a date against a number by its day number), otherwise as text (so an unanswered question equals `''`).
pub(super) fn equals(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Bool(_), _) | (_, Value::Bool(_)) => a.to_bool() == b.to_bool(),
        (Value::Number(_), _) | (_, Value::Number(_)) => number_or_day(a) == number_or_day(b),
        _ => a.to_text() == b.to_text(),
    }
}

/// Relational comparison. When either side is a date, both must be dates or numbers (day numbers)
/// and compare by day, so `'test' <= today()` is unordered rather than compared as text. Otherwise
/// numerically when both sides are numbers; two non-numeric texts compare lexicographically;
/// anything else (NaN, text against number, null) is unordered.
pub(super) fn compare(a: &Value, b: &Value) -> Option<Ordering> {
    if day_of(a).is_some() || day_of(b).is_some() {
        let as_day = |v: &Value| match v {
            Value::Number(n) => Some(*n),
            other => day_of(other).map(|d| d as f64),
        };
        return as_day(a)?.partial_cmp(&as_day(b)?);
    }
    let (x, y) = (a.to_number(), b.to_number());
    if !x.is_nan() && !y.is_nan() {
        return x.partial_cmp(&y);
    }
    match (a, b) {
        (Value::Text(s), Value::Text(t)) if x.is_nan() && y.is_nan() => Some(s.cmp(t)),
        _ => None,
    }
}

fn call(func: Func, args: &[Expr], re: Option<&regex::Regex>, ctx: &EvalContext<'_>) -> Value {
    let arg = |i: usize| args.get(i).map_or(Value::Null, |e| eval(e, ctx));
    match func {
        Func::Not => Value::Bool(!arg(0).to_bool()),
        Func::Selected => {
            let list = arg(0);
            let wanted = arg(1).to_text();
            let found = match &list {
                Value::Text(s) => s.split_whitespace().any(|v| v == wanted),
                other => other.to_text() == wanted && !wanted.is_empty(),
            };
            Value::Bool(found)
        }
        Func::CountSelected => {
            let n = match arg(0) {
                Value::Text(s) => s.split_whitespace().count(),
                Value::Null => 0,
                _ => 1,
            };
            Value::Number(n as f64)
        }
        Func::If => {
            if arg(0).to_bool() {
                arg(1)
            } else {
                arg(2)
            }
        }
        Func::StringLength => Value::Number(arg(0).to_text().chars().count() as f64),
        Func::Regex => {
            let text = arg(0).to_text();
            let matched = match re {
                Some(re) => re.is_match(&text),
                // A computed pattern: compile per evaluation; an invalid one simply does not match.
                None => regex::Regex::new(&arg(1).to_text()).is_ok_and(|re| re.is_match(&text)),
            };
            Value::Bool(matched)
        }
        Func::Coalesce => {
            let first = arg(0);
            if first.is_empty() {
                arg(1)
            } else {
                first
            }
        }
        Func::Today => Value::Text(ctx.today.clone()),
        Func::Date => {
            let v = arg(0);
            let day = match &v {
                Value::Number(n) if n.is_finite() => Some(n.floor() as i64),
                other => day_of(other),
            };
            day.map_or(Value::Null, |d| Value::Text(date::format_iso(d)))
        }
        Func::DecimalDateTime => {
            day_of(&arg(0)).map_or(Value::Number(f64::NAN), |d| Value::Number(d as f64))
        }
    }
}
