#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! Heap allocations made by the VM, counted by an instrumented global
//! allocator (`stats_alloc`): per string load (goal: none), per instruction
//! on the compute-heavy flow, per run of the 20-step reference flow; and
//! per step when compiling.
//!
//! `cargo bench --bench allocs`

mod common;

use common::api::{self, BenchHost, Value};
use common::flows::{self, SEED};
use common::reference;
use stats_alloc::{INSTRUMENTED_SYSTEM, Region, StatsAlloc};
use std::alloc::System;

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

/// Statements in the string-load flow; each loads two strings.
const STRING_STATEMENTS: usize = 3_000;

fn main() {
    let cat = api::catalog();

    // String loads: run the action alone (resume done before counting).
    let m = api::compile_clean(&flows::string_loads(STRING_STATEMENTS).to_source(), &cat);
    let mut h = BenchHost::default();
    let (mut s, _) = api::run_to_first_screen(&m, &mut h);
    let input = vec![
        ("s".to_string(), Value::Str("alphabet".into())),
        ("t".to_string(), Value::Str("alpha".into())),
    ];
    api::resume(&m, &mut s, &input);
    let fuel0 = api::fuel_used(&s);
    let region = Region::new(GLOBAL);
    let stop = api::run(&m, &mut s, &mut h);
    let allocs = region.change().allocations;
    assert_eq!(stop, api::Stop::End(api::EndStatus::Completed));
    let instrs = api::fuel_used(&s) - fuel0;
    let loads = 2 * STRING_STATEMENTS;
    println!("| workload | allocations | per unit |\n|---|---|---|");
    println!(
        "| string loads: {STRING_STATEMENTS} statements, {instrs} instructions, {loads} string loads | {allocs} | {:.2} per string load, {:.2} per instruction |",
        allocs as f64 / loads as f64,
        allocs as f64 / instrs as f64
    );

    // The compute-heavy flow, start to end.
    let c = flows::compute(2_000, SEED);
    let m = api::compile_clean(&c.flow.to_source(), &cat);
    let input = flows::compute_input();
    let region = Region::new(GLOBAL);
    let (_, fuel) = api::run_to_end(&m, &mut BenchHost::default(), |_| &input);
    let allocs = region.change().allocations;
    println!(
        "| compute flow, start to end: {fuel} instructions | {allocs} | {:.2} per instruction |",
        allocs as f64 / fuel as f64
    );

    // The 20-step reference flow, start to end.
    let m = api::compile_clean(reference::SOURCE, &cat);
    let inputs = reference::inputs();
    let region = Region::new(GLOBAL);
    let (_, fuel) = api::run_to_end(&m, &mut BenchHost::default(), |s| {
        reference::input_for(&inputs, s)
    });
    let allocs = region.change().allocations;
    println!(
        "| 20-step reference flow, start to end: {fuel} instructions, 8 host calls | {allocs} | {:.2} per instruction |",
        allocs as f64 / fuel as f64
    );

    // Compiling.
    for n in [1_000usize, 10_000] {
        let src = flows::realistic(n, SEED).to_source();
        let region = Region::new(GLOBAL);
        let m = api::compile(&src, &cat).unwrap();
        let st = region.change();
        drop(m);
        println!(
            "| compile {n} steps | {} | {:.0} per step, {:.1} KB allocated per step |",
            st.allocations,
            st.allocations as f64 / n as f64,
            st.bytes_allocated as f64 / n as f64 / 1000.0
        );
    }
}
