//! Recursive-descent parser with XPath precedence: `or` < `and` < `= !=` < `< <= > >=` < `+ -` < `* div mod`
//! < unary minus.

use super::lexer::{tokenize, Tok};
use super::{BinOp, CompiledRegex, Expr, ExprError, ExprErrorKind, Func};

/// Deep nesting would overflow the stack in the recursive parser and evaluator; real forms never come close.
const MAX_DEPTH: usize = 64;
/// Left-leaning operator chains are not nested in the source but are deep in the AST; bounding the token
/// count bounds the evaluator's recursion as well.
const MAX_TOKENS: usize = 2000;

struct Parser {
    toks: Vec<(Tok, usize)>,
    pos: usize,
    end: usize,
    depth: usize,
}

pub(super) fn parse(src: &str) -> Result<Expr, ExprError> {
    let toks = tokenize(src)?;
    if toks.len() > MAX_TOKENS {
        return Err(ExprError {
            kind: ExprErrorKind::TooDeep,
            position: 0,
        });
    }
    if toks.is_empty() {
        return Err(ExprError {
            kind: ExprErrorKind::Empty,
            position: 0,
        });
    }
    let mut p = Parser {
        toks,
        pos: 0,
        end: src.len(),
        depth: 0,
    };
    let e = p.or()?;
    if let Some((t, at)) = p.toks.get(p.pos) {
        return Err(ExprError {
            kind: ExprErrorKind::Unexpected {
                expected: "an operator or the end".into(),
                found: t.describe(),
            },
            position: *at,
        });
    }
    Ok(e)
}

impl Parser {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.pos).map(|(t, _)| t)
    }

    fn here(&self) -> usize {
        self.toks.get(self.pos).map_or(self.end, |(_, p)| *p)
    }

    fn unexpected(&self, expected: &str) -> ExprError {
        let found = self
            .peek()
            .map_or_else(|| "the end".to_owned(), Tok::describe);
        ExprError {
            kind: ExprErrorKind::Unexpected {
                expected: expected.into(),
                found,
            },
            position: self.here(),
        }
    }

    fn name_is(&self, word: &str) -> bool {
        matches!(self.peek(), Some(Tok::Name(n)) if n == word)
    }

    fn or(&mut self) -> Result<Expr, ExprError> {
        let mut lhs = self.and()?;
        while self.name_is("or") {
            self.pos += 1;
            let rhs = self.and()?;
            lhs = Expr::Binary(BinOp::Or, Box::new(lhs), Box::new(rhs));
        }
        Ok(lhs)
    }

    fn and(&mut self) -> Result<Expr, ExprError> {
        let mut lhs = self.equality()?;
        while self.name_is("and") {
            self.pos += 1;
            let rhs = self.equality()?;
            lhs = Expr::Binary(BinOp::And, Box::new(lhs), Box::new(rhs));
        }
        Ok(lhs)
    }

    fn equality(&mut self) -> Result<Expr, ExprError> {
        let mut lhs = self.relational()?;
        loop {
            let op = match self.peek() {
                Some(Tok::Eq) => BinOp::Eq,
                Some(Tok::Ne) => BinOp::Ne,
                _ => return Ok(lhs),
            };
            self.pos += 1;
            let rhs = self.relational()?;
            lhs = Expr::Binary(op, Box::new(lhs), Box::new(rhs));
        }
    }

    fn relational(&mut self) -> Result<Expr, ExprError> {
        let mut lhs = self.additive()?;
        loop {
            let op = match self.peek() {
                Some(Tok::Lt) => BinOp::Lt,
                Some(Tok::Le) => BinOp::Le,
                Some(Tok::Gt) => BinOp::Gt,
                Some(Tok::Ge) => BinOp::Ge,
                _ => return Ok(lhs),
            };
            self.pos += 1;
            let rhs = self.additive()?;
            lhs = Expr::Binary(op, Box::new(lhs), Box::new(rhs));
        }
    }

    fn additive(&mut self) -> Result<Expr, ExprError> {
        let mut lhs = self.multiplicative()?;
        loop {
            let op = match self.peek() {
                Some(Tok::Plus) => BinOp::Add,
                Some(Tok::Minus) => BinOp::Sub,
                _ => return Ok(lhs),
            };
            self.pos += 1;
            let rhs = self.multiplicative()?;
            lhs = Expr::Binary(op, Box::new(lhs), Box::new(rhs));
        }
    }

    fn multiplicative(&mut self) -> Result<Expr, ExprError> {
        let mut lhs = self.unary()?;
        loop {
            let op = match self.peek() {
                Some(Tok::Star) => BinOp::Mul,
                Some(Tok::Name(n)) if n == "div" => BinOp::Div,
                Some(Tok::Name(n)) if n == "mod" => BinOp::Mod,
                _ => return Ok(lhs),
            };
            self.pos += 1;
            let rhs = self.unary()?;
            lhs = Expr::Binary(op, Box::new(lhs), Box::new(rhs));
        }
    }

    fn unary(&mut self) -> Result<Expr, ExprError> {
        if self.peek() == Some(&Tok::Minus) {
            self.pos += 1;
            let inner = self.nested(Self::unary)?;
            return Ok(Expr::Neg(Box::new(inner)));
        }
        self.primary()
    }

    /// Runs a sub-parser one level deeper, refusing pathological nesting.
    fn nested(&mut self, f: fn(&mut Self) -> Result<Expr, ExprError>) -> Result<Expr, ExprError> {
        if self.depth >= MAX_DEPTH {
            return Err(ExprError {
                kind: ExprErrorKind::TooDeep,
                position: self.here(),
            });
        }
        self.depth += 1;
        let r = f(self);
        self.depth -= 1;
        r
    }

    fn expect(&mut self, tok: &Tok, what: &str) -> Result<(), ExprError> {
        if self.peek() == Some(tok) {
            self.pos += 1;
            Ok(())
        } else {
            Err(self.unexpected(what))
        }
    }

    fn primary(&mut self) -> Result<Expr, ExprError> {
        let at = self.here();
        let Some((tok, _)) = self.toks.get(self.pos).cloned() else {
            return Err(self.unexpected("a value"));
        };
        match tok {
            Tok::Number(n) => {
                self.pos += 1;
                Ok(Expr::Number(n))
            }
            Tok::Text(s) => {
                self.pos += 1;
                Ok(Expr::Text(s))
            }
            Tok::Ref(key) => {
                self.pos += 1;
                Ok(Expr::Ref { key, position: at })
            }
            Tok::Dot => {
                self.pos += 1;
                Ok(Expr::Current)
            }
            Tok::LParen => {
                self.pos += 1;
                let e = self.nested(Self::or)?;
                self.expect(&Tok::RParen, "')'")?;
                Ok(e)
            }
            Tok::Name(name) => {
                self.pos += 1;
                if self.peek() != Some(&Tok::LParen) {
                    // A bare name would be an XPath path step, which has no meaning in our model.
                    return Err(ExprError {
                        kind: ExprErrorKind::Unsupported(name),
                        position: at,
                    });
                }
                let func = Func::from_name(&name).ok_or_else(|| ExprError {
                    kind: ExprErrorKind::UnknownFunction(name.clone()),
                    position: at,
                })?;
                self.pos += 1;
                let mut args = Vec::new();
                if self.peek() != Some(&Tok::RParen) {
                    loop {
                        args.push(self.nested(Self::or)?);
                        if self.peek() == Some(&Tok::Comma) {
                            self.pos += 1;
                        } else {
                            break;
                        }
                    }
                }
                self.expect(&Tok::RParen, "',' or ')'")?;
                if args.len() != func.arity() {
                    return Err(ExprError {
                        kind: ExprErrorKind::WrongArity {
                            function: name,
                            expected: func.arity(),
                            got: args.len(),
                        },
                        position: at,
                    });
                }
                let regex = match (func, args.get(1)) {
                    (Func::Regex, Some(Expr::Text(pattern))) => {
                        Some(CompiledRegex(regex::Regex::new(pattern).map_err(|e| {
                            ExprError {
                                kind: ExprErrorKind::InvalidRegex(e.to_string()),
                                position: at,
                            }
                        })?))
                    }
                    _ => None,
                };
                Ok(Expr::Call { func, args, regex })
            }
            other => Err(ExprError {
                kind: ExprErrorKind::Unexpected {
                    expected: "a value".into(),
                    found: other.describe(),
                },
                position: at,
            }),
        }
    }
}
