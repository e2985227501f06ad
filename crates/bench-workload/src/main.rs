#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! Deterministic workloads for instruction counting (valgrind) and peak
//! memory (`/usr/bin/time -v`), built from the benches' generators:
//!
//! ```text
//! flowc-bench-workload compile N      compile the realistic N-step flow once
//! flowc-bench-workload lex N          lex the realistic N-step flow once with flowc's lexer
//!                                     (`measured_lex`) and with the raw logos loop
//!                                     (`measured_logos`), for an instruction-count ratio
//! flowc-bench-workload vm RUNS        run the 2,000-statement compute flow RUNS times
//! flowc-bench-workload reference RUNS run the 20-step reference flow RUNS times
//! flowc-bench-workload native RUNS    the same as hand-written Rust (for an instruction-count ratio)
//! flowc-bench-workload state RUNS     save + load + resume at the reference flow's first screen RUNS times
//! flowc-bench-workload state-big RUNS the same at the first screen of the realistic 10,000-step flow
//! flowc-bench-workload source N       print the realistic N-step flow (to read it, or `flowc check` it)
//! flowc-bench-workload json N         print the same flow as the JSON the serde_json comparator reads
//! flowc-bench-workload compute N      print the compute flow of N statements
//! ```
//!
//! Build: `cargo build --release -p flowc-bench-workload` (a crate of its
//! own so that it builds without the benches' dev-dependencies).
//!
//! The measured work is inside functions named `measured_*`, so that
//! `valgrind --tool=callgrind --collect-atstart=no --toggle-collect='*measured_*'`
//! counts it alone, without the generation of the inputs. `.ci/instr-guard`
//! runs every workload this way and compares with `benches/baseline.json`.

// The benches' files, as top-level modules (their `super::` is this crate).
#[allow(dead_code)]
#[path = "../../../benches/common/api.rs"]
mod api;
#[allow(dead_code)]
#[path = "../../../benches/common/flows.rs"]
mod flows;
#[allow(dead_code)]
#[path = "../../../benches/common/model.rs"]
mod model;
#[allow(dead_code)]
#[path = "../../../benches/common/reference.rs"]
mod reference;

use api::{BenchHost, Module};
use std::hint::black_box;

#[inline(never)]
fn measured_compile(source: &str, catalog: &flowc::unstable::catalog::Catalog) -> Module {
    api::compile(black_box(source), catalog).unwrap()
}

#[inline(never)]
fn measured_lex(source: &str) -> usize {
    api::tokenize(black_box(source))
}

#[inline(never)]
fn measured_logos(source: &str) -> usize {
    api::raw_logos(black_box(source))
}

#[inline(never)]
fn measured_vm(m: &Module, input: &api::Input, runs: usize) -> u64 {
    let mut fuel = 0;
    for _ in 0..runs {
        let mut h = BenchHost::default();
        fuel += api::run_to_end(m, &mut h, |_| input).1;
    }
    fuel
}

#[inline(never)]
fn measured_reference(m: &Module, inputs: &[(&'static str, api::Input)], runs: usize) -> u64 {
    let mut fuel = 0;
    for _ in 0..runs {
        let mut h = BenchHost::default();
        fuel += api::run_to_end(m, &mut h, |s| reference::input_for(inputs, s)).1;
    }
    fuel
}

#[inline(never)]
fn measured_native(n: &reference::Native, inputs: &[(&'static str, api::Input)], runs: usize) {
    for _ in 0..runs {
        let mut h = BenchHost::default();
        black_box(reference::run_native(n, &mut h, inputs));
    }
}

#[inline(never)]
fn measured_state(m: &Module, s: &api::State, input: &[(String, api::Value)], runs: usize) {
    for _ in 0..runs {
        let bytes = api::save(m, s);
        let mut st = api::load(m, &bytes);
        api::resume(m, &mut st, input);
        black_box(st);
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let what = args.get(1).map_or("", String::as_str);
    let n: usize = args.get(2).and_then(|a| a.parse().ok()).unwrap_or(1);
    let cat = api::catalog();
    match what {
        "compile" => {
            let src = flows::realistic(n, flows::SEED).to_source();
            let m = measured_compile(&src, &cat);
            println!(
                "compiled {n} steps: {} bytes of source, {} instructions",
                src.len(),
                api::code_len(&m)
            );
        }
        "lex" => {
            let src = flows::realistic(n, flows::SEED).to_source();
            // One unmeasured run first, as the timed benches' repeated runs
            // have: otherwise the first large allocation pays for merging
            // the free chunks the generator left (malloc_consolidate).
            api::tokenize(&src);
            let tokens = measured_lex(&src);
            let raw = measured_logos(&src);
            println!(
                "lexed {n} steps: {} bytes of source, {tokens} tokens ({raw} from the raw loop)",
                src.len()
            );
        }
        "vm" => {
            let src = flows::compute(2_000, flows::SEED).flow.to_source();
            let m = api::compile_clean(&src, &cat);
            let input = flows::compute_input();
            let fuel = measured_vm(&m, &input, n);
            println!("{n} run(s) of the compute flow: {fuel} instructions executed");
        }
        "reference" => {
            let m = api::compile_clean(reference::SOURCE, &cat);
            let inputs = reference::inputs();
            let fuel = measured_reference(&m, &inputs, n);
            println!("{n} run(s) of the reference flow: {fuel} instructions executed");
        }
        "native" => {
            let m = api::compile_clean(reference::SOURCE, &cat);
            let inputs = reference::inputs();
            measured_native(&reference::Native::new(&m), &inputs, n);
            println!("{n} run(s) of the reference flow as hand-written Rust");
        }
        "state" => {
            let m = api::compile_clean(reference::SOURCE, &cat);
            let inputs = reference::inputs();
            let (s, _) = api::run_to_first_screen(&m, &mut BenchHost::default());
            measured_state(&m, &s, reference::input_for(&inputs, "contact"), n);
            println!("{n} save + load + resume cycle(s)");
        }
        "state-big" => {
            let src = flows::realistic(10_000, flows::SEED).to_source();
            let m = api::compile_clean(&src, &cat);
            let (s, _) = api::run_to_first_screen(&m, &mut BenchHost::default());
            let input: Vec<(String, api::Value)> = [
                ("name_first", api::Value::Str("Ada".into())),
                ("name_last", api::Value::Str("Lovelace".into())),
                ("birthdate", api::Value::Date(api::date("1990-05-17"))),
                ("country", api::Value::Str("GB".into())),
                ("phone_number", api::Value::Str("+14155550100".into())),
                ("email_address", api::Value::Str("ada@example.com".into())),
                ("middle_name", api::Value::None),
            ]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect();
            measured_state(&m, &s, &input, n);
            println!("{n} save + load + resume cycle(s) on the 10,000-step flow");
        }
        "source" => print!("{}", flows::realistic(n, flows::SEED).to_source()),
        "json" => println!(
            "{}",
            serde_json::to_string_pretty(&flows::realistic(n, flows::SEED)).unwrap()
        ),
        "compute" => print!("{}", flows::compute(n, flows::SEED).flow.to_source()),
        _ => {
            eprintln!(
                "usage: flowc-bench-workload compile N | lex N | vm RUNS | reference RUNS | native RUNS | state RUNS | state-big RUNS | source N | json N | compute N"
            );
            std::process::exit(2);
        }
    }
}
