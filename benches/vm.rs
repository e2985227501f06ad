#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! The VM against its comparators, in the same criterion group:
//!
//! - `reference_flow/*`: the 20-step reference flow from start to end on
//!   the VM, as hand-written Rust and as a Rhai script, all against the
//!   same host with the same inputs;
//! - `compute/*`: a compute-heavy flow (2,000 statements of arithmetic,
//!   logic and strings) on the VM and as the equivalent Rhai script; the
//!   tree-walking interpreter joins once it exists (see the slot in
//!   `common/api.rs`).
//!
//! `cargo bench --bench vm`; the judged ratios: `cargo bench --bench ratios`.

mod common;

use common::api::{self, BenchHost};
use common::flows::{self, SEED};
use common::reference::{self, Native};
use common::rhai_flow::{RhaiCompute, RhaiFlow};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;
use std::time::Duration;

fn reference_flow(c: &mut Criterion) {
    let cat = api::catalog();
    let m = api::compile_clean(reference::SOURCE, &cat);
    let inputs = reference::inputs();
    let native = Native::new(&m);
    let rhai = RhaiFlow::reference(&m, reference::inputs());
    let mut h = BenchHost::default();
    let (end, _) = api::run_to_end(&m, &mut h, |s| reference::input_for(&inputs, s));
    assert_eq!(end, reference::END);
    assert_eq!(
        reference::run_native(&native, &mut BenchHost::default(), &inputs),
        end
    );
    assert_eq!(rhai.run(), end);

    let mut g = c.benchmark_group("reference_flow");
    g.warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    g.bench_function("vm", |b| {
        b.iter(|| {
            let mut h = BenchHost::default();
            api::run_to_end(&m, &mut h, |s| reference::input_for(&inputs, s))
        })
    });
    g.bench_function("native", |b| {
        b.iter(|| reference::run_native(&native, &mut BenchHost::default(), &inputs))
    });
    g.bench_function("rhai", |b| b.iter(|| rhai.run()));
    g.finish();
}

fn compute(c: &mut Criterion) {
    let cat = api::catalog();
    let flow = flows::compute(2_000, SEED);
    let src = flow.flow.to_source();
    let m = api::compile_clean(&src, &cat);
    let input = flows::compute_input();
    let rhai = RhaiCompute::new(&flow.rhai);
    let (_, fuel) = api::run_to_end(&m, &mut BenchHost::default(), |_| &input);
    let tree = api::treewalk_prepare(&src, &cat);

    let mut g = c.benchmark_group("compute");
    g.warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        // elements = VM instructions executed per run
        .throughput(Throughput::Elements(fuel));
    g.bench_function("vm", |b| {
        b.iter(|| api::run_to_end(&m, &mut BenchHost::default(), |_| &input))
    });
    g.bench_function("rhai", |b| {
        b.iter(|| rhai.run(black_box(flows::COMPUTE_INPUT)))
    });
    if let Some(tree) = &tree {
        g.bench_function("tree_walker", |b| {
            b.iter(|| api::treewalk_run(tree, &mut BenchHost::default(), |_| &input))
        });
    }
    g.finish();
}

criterion_group!(benches, reference_flow, compute);
criterion_main!(benches);
