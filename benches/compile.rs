#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! The front end and the whole compiler on the realistic generated flows,
//! each against its comparator in the same criterion group:
//!
//! - `lex/*`: flowc's lexer against the raw logos loop over the same token
//!   enum (the floor), on the 10,000-step flow;
//! - `compile/*`: parse + check + codegen + verify against `serde_json`
//!   reading the same flow, rendered as JSON, into typed structs (what
//!   loading a flow with no compiler costs), at 100, 1,000 and 10,000
//!   steps.
//!
//! `cargo bench --bench compile`. The judged ratios are printed by
//! `cargo bench --bench ratios`, which times the same contenders
//! interleaved and also compiles the 100,000-step flow (a few rounds of
//! several seconds each: criterion's minimum of 10 samples would take
//! minutes); `benches/memory.rs` measures its peak heap.

mod common;

use common::api;
use common::flows::{self, SEED};
use common::model::Flow;
use criterion::{
    BenchmarkId, Criterion, SamplingMode, Throughput, criterion_group, criterion_main,
};
use std::hint::black_box;
use std::time::Duration;

fn flow(n: usize) -> (String, String) {
    let model = flows::realistic(n, SEED);
    let src = model.to_source();
    let json = serde_json::to_string(&model).unwrap();
    assert!(serde_json::from_str::<Flow>(&json).unwrap() == model);
    (src, json)
}

fn lex(c: &mut Criterion) {
    let (src, _) = flow(10_000);
    let mut g = c.benchmark_group("lex");
    g.warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .sample_size(20)
        .throughput(Throughput::Bytes(src.len() as u64));
    g.bench_function("raw_logos/10000", |b| {
        b.iter(|| api::raw_logos(black_box(&src)))
    });
    g.bench_function("flowc/10000", |b| b.iter(|| api::tokenize(black_box(&src))));
    g.finish();
}

fn compile(c: &mut Criterion) {
    let cat = api::catalog();
    let mut g = c.benchmark_group("compile");
    g.warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(4))
        .sample_size(10)
        .sampling_mode(SamplingMode::Flat);
    for n in [100usize, 1_000, 10_000] {
        let (src, json) = flow(n);
        api::compile_clean(&src, &cat);
        g.throughput(Throughput::Elements(n as u64));
        g.bench_with_input(BenchmarkId::new("serde_json", n), &json, |b, json| {
            b.iter(|| serde_json::from_str::<Flow>(black_box(json)).unwrap())
        });
        g.bench_with_input(BenchmarkId::new("flowc", n), &src, |b, src| {
            b.iter(|| api::compile(black_box(src), &cat).unwrap())
        });
    }
    g.finish();
}

criterion_group!(benches, lex, compile);
criterion_main!(benches);
