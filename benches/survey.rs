//! Questionnaire benchmarks (issue 3): parse + validate a 500-question survey, relevance of a 100-question
//! page, and raw expression evaluation throughput. Figures are recorded in BENCHMARKS.md.

use std::collections::HashMap;
use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use insikt::domain::expr::{EvalContext, Expr, Value};
use insikt::domain::survey::{check, flow, Choice, Page, Question, QuestionKind, Survey, Text};
use insikt::formats::survey_file;

fn text(s: &str) -> Text {
    Text::new([("sv", s), ("en", s)])
}

/// A survey with `pages` pages of `per_page` questions mixing kinds; every third question has skip logic
/// on an earlier one and every fifth a constraint.
fn synthetic(pages: usize, per_page: usize) -> Survey {
    let choices: Vec<Choice> = ["a", "b", "c", "d"]
        .iter()
        .map(|v| Choice {
            value: (*v).to_owned(),
            label: text("Alternativ"),
            exclusive: false,
        })
        .collect();
    let mut n = 0;
    let pages = (0..pages)
        .map(|p| Page {
            key: format!("p{p}"),
            title: text("Sida"),
            relevant: None,
            randomise: false,
            questions: (0..per_page)
                .map(|_| {
                    n += 1;
                    let kind = match n % 3 {
                        0 => QuestionKind::Integer {
                            min: Some(0),
                            max: Some(120),
                        },
                        1 => QuestionKind::MultipleChoice {
                            list: "abcd".into(),
                            other: false,
                        },
                        _ => QuestionKind::ShortText,
                    };
                    let mut q =
                        Question::new(format!("q{n}"), kind, text("Hur ofta gör du detta?"));
                    if n % 3 == 0 && n > 3 {
                        q.relevant = Some(
                            format!("selected(${{q{}}}, 'b') or ${{q{}}} > 10", n - 2, n - 3)
                                .as_str()
                                .into(),
                        );
                    }
                    if n % 5 == 0 {
                        q.constraint = Some("string-length(.) <= 200".into());
                    }
                    q
                })
                .collect(),
        })
        .collect();
    Survey {
        key: "bench".into(),
        version: 1,
        status: Default::default(),
        default_language: "sv".into(),
        languages: vec!["sv".into(), "en".into()],
        title: text("Test"),
        intro: Text::default(),
        thanks: Text::default(),
        settings: Default::default(),
        choice_lists: [("abcd".to_owned(), choices)].into_iter().collect(),
        pages,
    }
}

fn parse_and_validate(c: &mut Criterion) {
    let toml = survey_file::to_toml_string(&synthetic(25, 20)).expect("serialises");
    c.bench_function("parse_and_validate_500_questions", |b| {
        b.iter(|| {
            let s = survey_file::from_toml_str(black_box(&toml)).expect("parses");
            black_box(check(&s))
        })
    });
}

fn page_relevance(c: &mut Criterion) {
    let s = synthetic(1, 100);
    let answers: HashMap<String, Value> = (1..=100)
        .map(|i| {
            (
                format!("q{i}"),
                Value::Text(if i % 2 == 0 {
                    "a b".into()
                } else {
                    "12".into()
                }),
            )
        })
        .collect();
    c.bench_function("relevance_of_a_100_question_page", |b| {
        b.iter(|| {
            black_box(flow::page_relevance(
                &s,
                0,
                black_box(&answers),
                "2026-11-29",
            ))
        })
    });
}

fn expression_throughput(c: &mut Criterion) {
    let e = Expr::parse("${age} >= 18 and selected(${devices}, 'phone') or ${visits} + 1 > 3")
        .expect("parses");
    let answers: HashMap<String, Value> = [
        ("age", Value::Number(44.0)),
        ("devices", Value::Text("computer phone".into())),
        ("visits", Value::Text("2".into())),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    let ctx = EvalContext::new(&answers, "2026-11-29");
    let mut g = c.benchmark_group("expression");
    g.throughput(Throughput::Elements(1));
    g.bench_function("evaluate", |b| {
        b.iter(|| black_box(e.eval(black_box(&ctx))))
    });
    g.finish();
}

criterion_group!(
    benches,
    parse_and_validate,
    page_relevance,
    expression_throughput
);
criterion_main!(benches);
