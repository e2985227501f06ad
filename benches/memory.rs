#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! Peak heap while compiling the realistic flows of 1,000 to 100,000 steps
//! (goal: at most 150 MB at 100,000 steps), measured by a counting global
//! allocator (`cap`): the most bytes live at once during `compile`, above
//! what was live before it (the source text itself is not counted).
//!
//! `cargo bench --bench memory`. The whole process's peak RSS for the same
//! work: `/usr/bin/time -v target/release/flowc-bench-workload compile 100000`.

mod common;

use cap::Cap;
use common::api;
use common::flows::{self, SEED};
use std::alloc::System;

#[global_allocator]
static ALLOCATOR: Cap<System> = Cap::new(System, usize::MAX);

const MB: f64 = 1_000_000.0;

fn main() {
    let cat = api::catalog();
    println!("| steps | source | peak heap during compile | per step |\n|---|---|---|---|");
    for n in [1_000usize, 10_000, 100_000] {
        let src = flows::realistic(n, SEED).to_source();
        let before_max = ALLOCATOR.max_allocated();
        let base = ALLOCATOR.allocated();
        let m = api::compile(&src, &cat).unwrap();
        let peak = ALLOCATOR.max_allocated();
        drop(m);
        // `max_allocated` never goes down: a figure is exact only when this
        // compile set a new maximum (larger flows come later, so they do).
        let exact = if peak > before_max { "" } else { " (at most)" };
        let extra = peak.saturating_sub(base) as f64;
        println!(
            "| {n} | {:.1} MB | {:.1} MB{exact} | {:.2} KB |",
            src.len() as f64 / MB,
            extra / MB,
            extra / n as f64 / 1000.0
        );
        if n == 100_000 {
            let ok = extra <= 150.0 * MB;
            println!(
                "\npeak heap at 100,000 steps: {:.0} MB (goal ≤ 150 MB: {})",
                extra / MB,
                if ok { "met" } else { "not met" }
            );
        }
    }
}
