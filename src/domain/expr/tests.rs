//! Unit and property tests of the expression lexer, parser and evaluator.

use std::collections::HashMap;

use proptest::prelude::*;

use super::*;

fn answers(pairs: &[(&str, Value)]) -> HashMap<String, Value> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), v.clone()))
        .collect()
}

fn eval_with(src: &str, a: &HashMap<String, Value>) -> Value {
    let e = Expr::parse(src).expect("test expression parses");
    e.eval(&EvalContext::new(a, "2026-11-29"))
}

fn eval(src: &str) -> Value {
    eval_with(src, &HashMap::new())
}

fn text(s: &str) -> Value {
    Value::Text(s.to_owned())
}

#[test]
fn multiplication_binds_tighter_than_addition() {
    assert_eq!(eval("1 + 2 * 3"), Value::Number(7.0));
    assert_eq!(eval("(1 + 2) * 3"), Value::Number(9.0));
}

#[test]
fn subtraction_and_division_are_left_associative() {
    assert_eq!(eval("10 - 4 - 3"), Value::Number(3.0));
    assert_eq!(eval("24 div 4 div 3"), Value::Number(2.0));
}

#[test]
fn div_is_real_division_and_mod_keeps_the_dividend_sign() {
    assert_eq!(eval("7 div 2"), Value::Number(3.5));
    assert_eq!(eval("7 mod 3"), Value::Number(1.0));
    assert_eq!(eval("-7 mod 3"), Value::Number(-1.0));
    assert_eq!(eval("1 div 0"), Value::Number(f64::INFINITY));
    assert!(eval("1 mod 0").to_number().is_nan());
}

#[test]
fn and_binds_tighter_than_or() {
    assert_eq!(eval("1 = 1 or 1 = 2 and 1 = 2"), Value::Bool(true));
    assert_eq!(eval("(1 = 1 or 1 = 2) and 1 = 2"), Value::Bool(false));
}

#[test]
fn comparison_binds_tighter_than_and() {
    assert_eq!(eval("1 < 2 and 3 >= 3"), Value::Bool(true));
    assert_eq!(eval("1 + 1 = 2"), Value::Bool(true));
}

#[test]
fn numeric_text_answers_compare_as_numbers() {
    let a = answers(&[("age", text("18"))]);
    assert_eq!(eval_with("${age} >= 18", &a), Value::Bool(true));
    assert_eq!(eval_with("${age} = 18.0", &a), Value::Bool(true));
    assert_eq!(eval_with("${age} < 9", &a), Value::Bool(false));
}

#[test]
fn text_compared_with_a_number_is_never_ordered() {
    assert_eq!(eval("'abc' < 5"), Value::Bool(false));
    assert_eq!(eval("'abc' > 5"), Value::Bool(false));
    assert_eq!(eval("'abc' = 5"), Value::Bool(false));
    assert_eq!(eval("'abc' != 5"), Value::Bool(true));
}

#[test]
fn two_texts_compare_lexicographically_so_iso_dates_work() {
    assert_eq!(eval("'2026-01-31' < '2026-02-01'"), Value::Bool(true));
    assert_eq!(eval("'2026-11-29' <= today()"), Value::Bool(true));
    assert_eq!(eval("'b' > 'a'"), Value::Bool(true));
}

#[test]
fn an_unanswered_question_equals_the_empty_string_and_is_false() {
    let a = HashMap::new();
    assert_eq!(eval_with("${x} = ''", &a), Value::Bool(true));
    assert_eq!(eval_with("not(${x})", &a), Value::Bool(true));
    assert_eq!(eval_with("${x} > 0", &a), Value::Bool(false));
}

#[test]
fn selected_finds_one_option_among_a_multiple_choice_answer() {
    let a = answers(&[("devices", text("phone tablet"))]);
    assert_eq!(
        eval_with("selected(${devices}, 'tablet')", &a),
        Value::Bool(true)
    );
    assert_eq!(
        eval_with("selected(${devices}, 'tab')", &a),
        Value::Bool(false)
    );
    assert_eq!(
        eval_with("count-selected(${devices})", &a),
        Value::Number(2.0)
    );
    assert_eq!(eval_with("count-selected(${none})", &a), Value::Number(0.0));
}

#[test]
fn selected_on_a_numeric_single_choice_compares_its_text() {
    let a = answers(&[("q", Value::Number(3.0))]);
    assert_eq!(eval_with("selected(${q}, '3')", &a), Value::Bool(true));
}

#[test]
fn if_evaluates_only_the_chosen_branch() {
    assert_eq!(eval("if(1 = 1, 'yes', 'no')"), text("yes"));
    assert_eq!(eval("if(1 = 2, 'yes', 'no')"), text("no"));
}

#[test]
fn string_functions_count_characters_and_match_patterns() {
    assert_eq!(eval("string-length('åäö')"), Value::Number(3.0));
    assert_eq!(
        eval("regex('123-45', '^[0-9]{3}-[0-9]{2}$')"),
        Value::Bool(true)
    );
    assert_eq!(
        eval("regex('12345', '^[0-9]{3}-[0-9]{2}$')"),
        Value::Bool(false)
    );
    assert_eq!(eval("coalesce('', 'fallback')"), text("fallback"));
    assert_eq!(eval("coalesce('first', 'fallback')"), text("first"));
    assert_eq!(eval("today()"), text("2026-11-29"));
}

#[test]
fn dot_is_the_value_under_validation() {
    let e = Expr::parse(". >= 0 and . <= 120").expect("parses");
    let a = HashMap::new();
    let ctx = EvalContext::new(&a, "2026-11-29").with_current(Value::Number(44.0));
    assert_eq!(e.eval(&ctx), Value::Bool(true));
    let ctx = EvalContext::new(&a, "2026-11-29").with_current(Value::Number(130.0));
    assert_eq!(e.eval(&ctx), Value::Bool(false));
}

#[test]
fn an_unknown_function_is_reported_with_its_position() {
    let err = Expr::parse("1 + foo(2)").expect_err("unknown function");
    assert_eq!(err.kind, ExprErrorKind::UnknownFunction("foo".into()));
    assert_eq!(err.position, 4);
    assert_eq!(err.to_string(), "unknown function 'foo' at position 5");
}

#[test]
fn a_wrong_argument_count_is_reported() {
    let err = Expr::parse("selected(${a})").expect_err("arity");
    assert!(matches!(
        err.kind,
        ExprErrorKind::WrongArity {
            expected: 2,
            got: 1,
            ..
        }
    ));
}

#[test]
fn an_unknown_key_is_reported_with_its_position() {
    let e = Expr::parse("${a} = 1 and ${zz} = 2").expect("parses");
    let err = e.check_references(|k| k == "a").expect_err("zz is unknown");
    assert_eq!(err.kind, ExprErrorKind::UnknownKey("zz".into()));
    assert_eq!(err.position, 13);
}

#[test]
fn sub_keys_are_checked_against_their_question() {
    let e = Expr::parse("${matrix.row1} > 2").expect("parses");
    assert!(e.check_references(|k| k == "matrix").is_ok());
}

#[test]
fn syntax_errors_point_at_the_offending_token() {
    assert_eq!(Expr::parse("1 +").expect_err("eof").position, 3);
    assert_eq!(
        Expr::parse("'open").expect_err("string").kind,
        ExprErrorKind::UnterminatedString
    );
    assert_eq!(
        Expr::parse("${a").expect_err("ref").kind,
        ExprErrorKind::BadReference
    );
    assert_eq!(Expr::parse("1 2").expect_err("junk").position, 2);
    assert_eq!(
        Expr::parse("").expect_err("empty").kind,
        ExprErrorKind::Empty
    );
    assert!(matches!(
        Expr::parse("/data/x").expect_err("path").kind,
        ExprErrorKind::Unsupported(_)
    ));
    assert!(matches!(
        Expr::parse("regex(., '[')").expect_err("regex").kind,
        ExprErrorKind::InvalidRegex(_)
    ));
}

#[test]
fn deep_nesting_is_refused_instead_of_overflowing_the_stack() {
    let src = format!("{}1{}", "(".repeat(500), ")".repeat(500));
    assert_eq!(
        Expr::parse(&src).expect_err("deep").kind,
        ExprErrorKind::TooDeep
    );
    let long = vec!["1"; 5000].join(" + ");
    assert_eq!(
        Expr::parse(&long).expect_err("long").kind,
        ExprErrorKind::TooDeep
    );
}

#[test]
fn references_are_listed_in_source_order() {
    let e = Expr::parse("${b} + ${a} * ${b}").expect("parses");
    let keys: Vec<&str> = e.references().into_iter().map(|(k, _)| k).collect();
    assert_eq!(keys, ["b", "a", "b"]);
}

#[test]
fn an_expression_keeps_its_source_and_reports_its_parse_error() {
    let x = Expression::new("${a} = ");
    assert_eq!(x.source(), "${a} = ");
    assert!(x.ast().is_err());
    assert_eq!(
        x.eval(&EvalContext::new(&HashMap::new(), "2026-01-01")),
        Value::Null
    );
}

fn arb_expr() -> impl Strategy<Value = Expr> {
    let leaf = prop_oneof![
        (0u32..1000).prop_map(|n| Expr::Number(f64::from(n))),
        "[a-z ]{0,6}".prop_map(Expr::Text),
        "[a-z][a-z0-9_]{0,5}".prop_map(|key| Expr::Ref { key, position: 0 }),
        Just(Expr::Current),
    ];
    leaf.prop_recursive(5, 64, 3, |inner| {
        let ops = prop_oneof![
            Just(BinOp::Or),
            Just(BinOp::And),
            Just(BinOp::Eq),
            Just(BinOp::Ne),
            Just(BinOp::Lt),
            Just(BinOp::Le),
            Just(BinOp::Gt),
            Just(BinOp::Ge),
            Just(BinOp::Add),
            Just(BinOp::Sub),
            Just(BinOp::Mul),
            Just(BinOp::Div),
            Just(BinOp::Mod),
        ];
        prop_oneof![
            (ops, inner.clone(), inner.clone()).prop_map(|(op, a, b)| Expr::Binary(
                op,
                Box::new(a),
                Box::new(b)
            )),
            inner.clone().prop_map(|a| Expr::Neg(Box::new(a))),
            (inner.clone(), inner.clone(), inner.clone()).prop_map(|(a, b, c)| Expr::Call {
                func: Func::If,
                args: vec![a, b, c],
                regex: None,
            }),
            (inner.clone(), inner).prop_map(|(a, b)| Expr::Call {
                func: Func::Selected,
                args: vec![a, b],
                regex: None,
            }),
        ]
    })
}

/// Positions differ between a generated AST and its re-parse; compare without them.
fn strip_positions(e: &Expr) -> Expr {
    match e {
        Expr::Ref { key, .. } => Expr::Ref {
            key: key.clone(),
            position: 0,
        },
        Expr::Neg(a) => Expr::Neg(Box::new(strip_positions(a))),
        Expr::Binary(op, a, b) => Expr::Binary(
            *op,
            Box::new(strip_positions(a)),
            Box::new(strip_positions(b)),
        ),
        Expr::Call { func, args, regex } => Expr::Call {
            func: *func,
            args: args.iter().map(strip_positions).collect(),
            regex: regex.clone(),
        },
        other => other.clone(),
    }
}

proptest! {
    #[test]
    fn printing_and_reparsing_gives_the_same_tree(e in arb_expr()) {
        let printed = e.to_string();
        let back = Expr::parse(&printed).expect("printed expression parses");
        prop_assert_eq!(strip_positions(&back), e);
    }

    #[test]
    fn evaluation_never_panics_on_any_answers(
        e in arb_expr(),
        vals in proptest::collection::hash_map("[a-z][a-z0-9_]{0,5}", "[a-z0-9 ]{0,6}", 0..6),
        cur in "[0-9a-z]{0,4}",
    ) {
        let a: HashMap<String, Value> = vals.into_iter().map(|(k, v)| (k, Value::Text(v))).collect();
        let ctx = EvalContext::new(&a, "2026-11-29").with_current(Value::Text(cur));
        let _ = e.eval(&ctx);
    }

    #[test]
    fn the_parser_never_panics_on_arbitrary_input(src in "\\PC{0,60}") {
        let _ = Expr::parse(&src);
    }

    #[test]
    fn integer_arithmetic_matches_rust(a in -1000i64..1000, b in 1i64..1000) {
        let src = format!("({a}) * {b} + ({a}) mod {b} - {b}");
        let expected = (a * b + a % b - b) as f64;
        prop_assert_eq!(eval(&src), Value::Number(expected));
    }

    #[test]
    fn numeric_comparison_matches_rust(a in -1000i64..1000, b in -1000i64..1000) {
        prop_assert_eq!(eval(&format!("({a}) < ({b})")), Value::Bool(a < b));
        prop_assert_eq!(eval(&format!("({a}) >= ({b})")), Value::Bool(a >= b));
        prop_assert_eq!(eval(&format!("({a}) != ({b})")), Value::Bool(a != b));
    }

    #[test]
    fn selected_agrees_with_membership(opts in proptest::collection::vec("[a-c]{1,2}", 0..5), probe in "[a-c]{1,2}") {
        let a = answers(&[("m", Value::Text(opts.join(" ")))]);
        let src = format!("selected(${{m}}, '{probe}')");
        prop_assert_eq!(eval_with(&src, &a), Value::Bool(opts.contains(&probe)));
    }

    #[test]
    fn an_unknown_function_error_points_at_its_name(
        prefix in "[0-9]{1,3}( \\+ [0-9]{1,3}){0,3}",
        name in "[a-z]{2,8}",
    ) {
        prop_assume!(Func::from_name(&name).is_none() && !["and", "or", "div", "mod"].contains(&name.as_str()));
        let src = format!("{prefix} + {name}(1)");
        let err = Expr::parse(&src).expect_err("unknown function");
        prop_assert_eq!(err.kind, ExprErrorKind::UnknownFunction(name));
        prop_assert_eq!(err.position, prefix.len() + 3);
    }

    #[test]
    fn an_unknown_key_error_points_at_its_reference(
        known in proptest::collection::vec("k[a-z]{1,4}", 1..4),
        unknown in "u[a-z]{1,4}",
        at in 0usize..4,
    ) {
        let mut keys: Vec<String> = known.clone();
        let at = at.min(keys.len());
        keys.insert(at, unknown.clone());
        let src = keys.iter().map(|k| format!("${{{k}}} > 1")).collect::<Vec<_>>().join(" and ");
        let expected = src.find(&format!("${{{unknown}}}")).expect("present");
        let e = Expr::parse(&src).expect("parses");
        let err = e.check_references(|k| known.iter().any(|x| x == k)).expect_err("unknown key");
        prop_assert_eq!(err.kind, ExprErrorKind::UnknownKey(unknown));
        prop_assert_eq!(err.position, expected);
    }
}

#[test]
fn dates_compare_as_dates_and_text_that_is_no_date_is_never_before_today() {
    assert_eq!(eval("'2026-11-29' <= today()"), Value::Bool(true));
    assert_eq!(eval("'2026-11-30' <= today()"), Value::Bool(false));
    assert_eq!(eval("'test' <= today()"), Value::Bool(false));
    assert_eq!(eval("'test' > today()"), Value::Bool(false));
    assert_eq!(eval("'20200101' <= today()"), Value::Bool(false));
    assert_eq!(eval("'2020-02-30' < today()"), Value::Bool(false));
}

#[test]
fn date_arithmetic_counts_days_as_odk_does() {
    assert_eq!(eval("'2026-01-01' > today() - 365"), Value::Bool(true));
    assert_eq!(eval("'2025-11-28' > today() - 365"), Value::Bool(false));
    assert_eq!(eval("today() - '2026-11-19'"), Value::Number(10.0));
    assert_eq!(eval("decimal-date-time('1970-01-11')"), Value::Number(10.0));
}

#[test]
fn date_makes_a_date_from_text_or_a_day_number() {
    assert_eq!(eval("date('2020-01-01')"), text("2020-01-01"));
    assert_eq!(eval("date(0)"), text("1970-01-01"));
    assert_eq!(eval("date('1/5/2020')"), Value::Null);
    assert_eq!(
        eval("date('2020-01-01') < date('2020-01-02')"),
        Value::Bool(true)
    );
}
