//! Cost of argon2id password hashing at the production (OWASP) parameters.

use criterion::{criterion_group, criterion_main, Criterion};
use insikt::auth::password;
use insikt::config::Argon2Params;
use insikt::domain::user::NewPassword;

fn argon2(c: &mut Criterion) {
    let params = Argon2Params::default();
    let pw = NewPassword::parse("en-lång-och-ovanlig-lösenfras").expect("valid password");
    let stored = password::hash(params, &pw).expect("hash");
    let mut group = c.benchmark_group("argon2id m=19456 t=2 p=1");
    group.sample_size(20);
    group.bench_function("hash", |b| b.iter(|| password::hash(params, &pw)));
    group.bench_function("verify", |b| {
        b.iter(|| password::verify(&stored, "en-lång-och-ovanlig-lösenfras"))
    });
    group.finish();
}

criterion_group!(benches, argon2);
criterion_main!(benches);
