#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! Saved states: `save`, `load`, `resume` and the three together at the
//! first screen, on the 20-step reference module and on a 10,000-step
//! generated one (the goal is a cost independent of the module's size).
//!
//! `cargo bench --bench state`; the judged figures: `cargo bench --bench ratios`.

mod common;

use common::api::{self, BenchHost, Value};
use common::flows::{self, SEED};
use common::reference;
use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use std::hint::black_box;
use std::time::Duration;

fn state(c: &mut Criterion) {
    let cat = api::catalog();
    let inputs = reference::inputs();
    let big_input = vec![
        ("name_first".to_string(), Value::Str("Ada".into())),
        ("name_last".to_string(), Value::Str("Lovelace".into())),
        (
            "birthdate".to_string(),
            Value::Date(api::date("1990-05-17")),
        ),
        ("country".to_string(), Value::Str("GB".into())),
        (
            "phone_number".to_string(),
            Value::Str("+14155550100".into()),
        ),
        (
            "email_address".to_string(),
            Value::Str("ada@example.com".into()),
        ),
        ("middle_name".to_string(), Value::None),
    ];
    let modules = [
        (
            20usize,
            api::compile_clean(reference::SOURCE, &cat),
            reference::input_for(&inputs, "contact").to_vec(),
        ),
        (
            10_000,
            api::compile_clean(&flows::realistic(10_000, SEED).to_source(), &cat),
            big_input,
        ),
    ];
    let mut g = c.benchmark_group("state");
    g.warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .sample_size(10);
    for (n, m, input) in &modules {
        let (s, _) = api::run_to_first_screen(m, &mut BenchHost::default());
        let bytes = api::save(m, &s);
        g.bench_with_input(BenchmarkId::new("save", n), &s, |b, s| {
            b.iter(|| api::save(m, black_box(s)))
        });
        g.bench_with_input(BenchmarkId::new("load", n), &bytes, |b, bytes| {
            b.iter(|| api::load(m, black_box(bytes)))
        });
        g.bench_with_input(BenchmarkId::new("resume", n), &s, |b, s| {
            b.iter_batched(
                || s.clone(),
                |mut s| api::resume(m, &mut s, input),
                criterion::BatchSize::SmallInput,
            )
        });
        g.bench_with_input(BenchmarkId::new("save_load_resume", n), &s, |b, s| {
            b.iter(|| {
                let bytes = api::save(m, black_box(s));
                let mut st = api::load(m, &bytes);
                api::resume(m, &mut st, input);
                st
            })
        });
    }
    g.finish();
}

criterion_group!(benches, state);
criterion_main!(benches);
