#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! Linear time and memory: each stage is run on generated inputs of size n
//! and 4n, and the cost at 4n must stay within [`MAX_RATIO`] times the cost
//! at n (a linear stage gives about 4, a quadratic one 16).
//!
//! Nothing here is a timed assertion. Two costs are compared, each measured
//! in the same run:
//!
//! - **bytes allocated**, counted by an instrumented global allocator: the
//!   same for every repetition, so its ratio is exact. All the bytes a
//!   stage allocates bound the memory it holds at once;
//! - **CPU time of the measuring thread**, the least of several
//!   repetitions, so that other work on the machine hardly counts.
//!
//! Measurements hold a lock, so the tests of this file never share the
//! allocator's counters. docs/reliability.md ("Growth") gives the figures.

use flowc::unstable::bytecode::{VerifiedModule, disasm_with_source};
use flowc::unstable::catalog::Catalog;
use flowc::unstable::host::{Script, ScriptedHost};
use flowc::unstable::testing::{RunEnd, drive, run_tests};
use flowc::unstable::vm::{State, Vm};
use stats_alloc::{INSTRUMENTED_SYSTEM, Region, StatsAlloc};
use std::alloc::System;
use std::fmt::Write as _;
use std::sync::Mutex;
use std::time::Duration;

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

static MEASURING: Mutex<()> = Mutex::new(());

/// The most cost(4n) / cost(n) may be.
const MAX_RATIO: f64 = 6.0;
/// Repetitions of each measurement; the least CPU time counts.
const REPS: usize = 3;
/// A pair of measurements is taken again this many times before a CPU
/// ratio over the bound fails (a busy machine can slow one repetition of
/// every kind; a quadratic stage is over the bound every time).
const TRIES: usize = 3;

#[derive(Debug, Clone, Copy)]
struct Cost {
    cpu: Duration,
    bytes: usize,
    allocations: usize,
}

fn cpu_now() -> Duration {
    cpu_time::ThreadTime::now().as_duration()
}

/// The cost of `f(input)`: the least CPU time over [`REPS`] runs, and the
/// bytes and allocations of one run.
fn cost<I>(input: &I, f: &impl Fn(&I)) -> Cost {
    let mut best = Duration::MAX;
    let mut bytes = 0;
    let mut allocations = 0;
    for rep in 0..REPS {
        let region = Region::new(GLOBAL);
        let start = cpu_now();
        f(input);
        let spent = cpu_now().saturating_sub(start);
        let stats = region.change();
        if rep == 0 {
            bytes = stats.bytes_allocated + stats.bytes_reallocated.max(0) as usize;
            allocations = stats.allocations + stats.reallocations;
        }
        best = best.min(spent);
    }
    Cost {
        cpu: best,
        bytes,
        allocations,
    }
}

fn ratio(a: f64, b: f64) -> f64 {
    if a <= 0.0 { b.max(1.0) } else { b / a }
}

/// Measures `f` on `make(n)` and `make(4 n)` and checks both ratios.
fn linear<I>(name: &str, n: usize, make: impl Fn(usize) -> I, f: impl Fn(&I)) {
    let _lock = MEASURING.lock().unwrap_or_else(|e| e.into_inner());
    let small = make(n);
    let large = make(4 * n);
    let mut last = String::new();
    for _ in 0..TRIES {
        let a = cost(&small, &f);
        let b = cost(&large, &f);
        let bytes = ratio(a.bytes as f64, b.bytes as f64);
        let allocations = ratio(a.allocations as f64, b.allocations as f64);
        let cpu = ratio(a.cpu.as_secs_f64(), b.cpu.as_secs_f64());
        last = format!(
            "{name}: n={n}: {:.1} ms, {} bytes, {} allocations; 4n: {:.1} ms, {} bytes, {} allocations; ratios cpu {cpu:.2}, bytes {bytes:.2}, allocations {allocations:.2}",
            a.cpu.as_secs_f64() * 1e3,
            a.bytes,
            a.allocations,
            b.cpu.as_secs_f64() * 1e3,
            b.bytes,
            b.allocations,
        );
        eprintln!("{last}");
        assert!(
            bytes <= MAX_RATIO,
            "memory grows faster than linearly: {last}"
        );
        assert!(
            allocations <= MAX_RATIO,
            "allocations grow faster than linearly: {last}"
        );
        if cpu <= MAX_RATIO {
            return;
        }
    }
    panic!("time grows faster than linearly: {last}");
}

// ----- generated inputs ----------------------------------------------------

/// `n` action steps in a chain, each with a `set`, a `tag` and an `if`.
fn chain(n: usize) -> String {
    let mut s = String::from("flow chain {\n  plan growth\n  inquiry { x: int }\n  start s0\n");
    for i in 0..n {
        let next = if i + 1 < n {
            format!("s{}", i + 1)
        } else {
            "end approved".to_string()
        };
        let _ = writeln!(
            s,
            "  action s{i} {{ set inquiry.x = {i} if inquiry.x > 1 {{ tag \"t{i}\" }} -> {next} }}"
        );
    }
    s.push_str("}\n");
    s
}

/// One branch with `n` distinct `when` routes.
fn routes(n: usize) -> String {
    let mut s = String::from(
        "flow routes {\n  plan growth\n  inquiry { x: int }\n  screen ask { collect x -> b }\n  branch b {\n",
    );
    for i in 0..n {
        let _ = writeln!(s, "    when inquiry.x == {i} -> d");
    }
    s.push_str("    else -> d\n  }\n  action d { -> end approved }\n}\n");
    s
}

/// One screen collecting `n` fields.
fn fields(n: usize) -> String {
    let mut s = String::from("flow fields {\n  plan growth\n  inquiry {\n");
    for i in 0..n {
        let _ = writeln!(s, "    f{i}: int?");
    }
    s.push_str("  }\n  screen ask {\n    collect ");
    let names: Vec<String> = (0..n).map(|i| format!("f{i}")).collect();
    s.push_str(&names.join(", "));
    s.push_str("\n    -> done\n  }\n  action done { -> end approved }\n}\n");
    s
}

/// The answer to [`fields`]'s screen, as a scenario.
fn fields_scenario(n: usize) -> String {
    let answer: serde_json::Map<String, serde_json::Value> =
        (0..n).map(|i| (format!("f{i}"), i.into())).collect();
    serde_json::json!({"inputs": {"ask": [answer]}}).to_string()
}

/// A screen visited `n` times in a loop, with a test that answers each
/// visit and a scenario doing the same.
fn visits(n: usize) -> (String, String) {
    let mut s = String::from(
        "flow looping {\n  plan growth\n  inquiry { x: int }\n  screen ask { collect x -> b }\n  branch b {\n    when inquiry.x == 0 -> end approved\n    else -> ask\n  }\n  test \"loops\" {\n",
    );
    let mut inputs = Vec::new();
    for i in 0..n {
        let x = n - 1 - i;
        let _ = writeln!(s, "    input ask {{ x: {x} }}");
        inputs.push(serde_json::json!({ "x": x }));
    }
    s.push_str("    expect end approved\n    expect inquiry.x == 0\n  }\n}\n");
    (
        s,
        serde_json::json!({"inputs": {"ask": inputs}}).to_string(),
    )
}

/// One action with `n` calls, and a scenario with an answer for each and
/// `n` Account fields.
fn calls(n: usize) -> (String, String) {
    let mut s = String::from("flow calls {\n  plan growth\n  inquiry { x: int }\n  account {\n");
    for i in 0..n {
        let _ = writeln!(s, "    a{i}: string");
    }
    s.push_str("  }\n  action act {\n");
    let mut stubs = serde_json::Map::new();
    let mut account = serde_json::Map::new();
    for i in 0..n {
        let _ = writeln!(
            s,
            "    let r{i} = verify email_address {{ email_address: \"e{i}\" }}"
        );
        stubs.insert(
            format!("r{i}"),
            serde_json::json!([{"status": "passed", "email_address": format!("e{i}")}]),
        );
        account.insert(format!("a{i}"), format!("v{i}").into());
    }
    s.push_str("    -> end approved\n  }\n}\n");
    let scenario = serde_json::json!({"stubs": stubs, "account": account});
    (s, scenario.to_string())
}

/// A flow with `n` test blocks, each with a call stub.
fn many_tests(n: usize) -> String {
    let mut s = String::from(
        "flow tests {\n  plan growth\n  inquiry { a: string }\n  screen ask { collect a -> v }\n  action v {\n    let db = verify database { name_first: inquiry.a, name_last: inquiry.a, birthdate: @2000-01-01 }\n    if db.status == passed { tag \"ok\" }\n    -> end approved\n  }\n",
    );
    for i in 0..n {
        let _ = writeln!(
            s,
            "  test \"t{i}\" {{\n    input ask {{ a: \"a{i}\" }}\n    stub db {{ status: passed, name_first: \"a{i}\", name_last: \"a{i}\", birthdate: @2000-01-01 }}\n    expect end approved\n    expect tag \"ok\"\n    expect visits [ask, v]\n  }}"
        );
    }
    s.push_str("}\n");
    s
}

/// `n` routes to an unknown step, each also a constant condition: `n`
/// errors and `n` warnings.
fn errors(n: usize) -> String {
    let mut s = String::from(
        "flow errors {\n  plan growth\n  inquiry { x: int }\n  screen ask { collect x -> b }\n  branch b {\n",
    );
    for _ in 0..n {
        s.push_str("    when 1 > 2 -> u\n");
    }
    s.push_str("    else -> end approved\n  }\n}\n");
    s
}

/// A catalogue with `n` plans, `n` verification kinds (each in two plans)
/// and `n` report kinds.
fn catalogue(n: usize) -> String {
    let mut s = String::from("capture_kinds = [\"selfie\"]\n");
    for i in 0..n {
        let _ = writeln!(
            s,
            "[[plan]]\nname = \"p{i}\"\nmax_steps = 20\nstatements = [\"verify\", \"set\"]\n"
        );
    }
    for i in 0..n {
        let _ = writeln!(
            s,
            "[[verification]]\nname = \"k{i}\"\nplans = [\"p{i}\", \"p{}\"]\nargs = [{{ name = \"a\", type = \"string\" }}]\nresults = [{{ name = \"status\", type = \"verification_status\" }}, {{ name = \"v\", type = \"string\", optional = true }}]\n",
            (i + 1) % n
        );
        let _ = writeln!(
            s,
            "[[report]]\nname = \"r{i}\"\nplans = [\"p{i}\"]\nargs = []\nresults = [{{ name = \"hits\", type = \"int\" }}]\n"
        );
    }
    s.push_str("[http]\nresults = [{ name = \"status_code\", type = \"int\" }]\n");
    s
}

/// `n` connectors, each leading to an unknown step one letter away from a
/// declared one: `n` E0101 errors, each with a "did you mean" search over
/// `n` step names (issue 9: this once took half a minute at 8,000).
fn near_misses(n: usize) -> String {
    let mut s = String::from("flow big {\n  plan growth\n");
    for i in 0..n {
        let _ = writeln!(s, "  connector step_{i:05} {{ -> stap_{i:05}x }}");
    }
    s.push_str("}\n");
    s
}

fn compiled(source: &str) -> (flowc::unstable::typed::TypedFlow, VerifiedModule) {
    let c = flowc::compile_source(source, &Catalog::builtin());
    let errors: Vec<_> = c.diagnostics.iter().filter(|d| d.is_error()).collect();
    assert!(errors.is_empty(), "{:#?}", errors.first());
    (c.flow.unwrap(), c.module.unwrap())
}

// ----- the checker ---------------------------------------------------------

fn check(source: &str) {
    let c = flowc::check_source(source, &Catalog::builtin());
    assert!(c.flow.is_some() || c.diagnostics.iter().any(|d| d.is_error()));
}

#[test]
fn checking_a_chain_of_steps_is_linear() {
    linear("check chain", 1_000, chain, |s: &String| check(s));
}

#[test]
fn checking_a_branch_with_many_routes_is_linear() {
    linear("check routes", 1_000, routes, |s: &String| check(s));
}

#[test]
fn checking_a_screen_with_many_fields_is_linear() {
    linear("check fields", 2_000, fields, |s: &String| check(s));
}

#[test]
fn checking_many_test_blocks_is_linear() {
    linear("check tests", 500, many_tests, |s: &String| check(s));
}

#[test]
fn checking_and_reporting_many_errors_is_linear() {
    linear("check errors", 500, errors, |source: &String| {
        let c = flowc::check_source(source, &Catalog::builtin());
        let json =
            flowc::unstable::diagnostics::render::render_json(&c.diagnostics, "f.flow", source);
        assert!(json.lines().count() >= 1_000);
    });
    linear("render human", 250, errors, |source: &String| {
        let c = flowc::check_source(source, &Catalog::builtin());
        let text = flowc::unstable::diagnostics::render::render_human(
            &c.diagnostics,
            "f.flow",
            source,
            false,
        );
        assert!(!text.is_empty());
    });
}

#[test]
fn checking_many_unknown_names_with_suggestions_is_linear() {
    linear(
        "check near misses",
        2_000,
        near_misses,
        |source: &String| {
            let c = flowc::check_source(source, &Catalog::builtin());
            let unknown = c
                .diagnostics
                .iter()
                .filter(|d| d.code == flowc::Code::E0101)
                .count();
            assert!(unknown >= 2_000, "{unknown} E0101");
            let json = flowc::unstable::diagnostics::render::render_json(
                &c.diagnostics,
                "big.flow",
                source,
            );
            assert_eq!(json.lines().count(), c.diagnostics.len());
        },
    );
}

// ----- the code generator, verifier and disassembler ------------------------

#[test]
fn code_generation_and_verification_are_linear() {
    for (name, n, make) in [
        ("codegen chain", 1_000, chain as fn(usize) -> String),
        ("codegen routes", 1_000, routes),
        ("codegen fields", 2_000, fields),
    ] {
        let typed = |n: usize| {
            let source = make(n);
            let (flow, _) = compiled(&source);
            (flow, source)
        };
        linear(name, n, typed, |(flow, source)| {
            let module = flowc::unstable::codegen::compile(flow, source).unwrap();
            let bytes = module.to_bytes();
            VerifiedModule::from_bytes(&bytes).unwrap();
        });
    }
}

#[test]
fn disassembly_is_linear() {
    for (name, n, make) in [
        ("disasm chain", 400, chain as fn(usize) -> String),
        ("disasm routes", 500, routes),
    ] {
        let module = |n: usize| {
            let source = make(n);
            let (_, module) = compiled(&source);
            (module, source)
        };
        linear(name, n, module, |(module, source)| {
            assert!(!disasm_with_source(module.module(), source).is_empty());
        });
    }
}

// ----- running ---------------------------------------------------------------

#[test]
fn the_test_runner_is_linear() {
    let prepared = |source: String| {
        let (flow, module) = compiled(&source);
        (flow, module, source)
    };
    linear(
        "test blocks",
        200,
        |n| prepared(many_tests(n)),
        |(flow, module, source)| {
            let outcomes = run_tests(module, flow, source, "f.flow");
            assert!(outcomes.iter().all(|o| o.passed()), "{outcomes:?}");
        },
    );
    linear(
        "test inputs",
        1_000,
        |n| prepared(visits(n).0),
        |(flow, module, source)| {
            let outcomes = run_tests(module, flow, source, "f.flow");
            assert!(outcomes.iter().all(|o| o.passed()), "{outcomes:?}");
        },
    );
}

#[test]
fn reading_scenarios_is_linear() {
    linear(
        "scenario fields",
        2_000,
        |n| (compiled(&fields(n)).1, fields_scenario(n)),
        |(module, json)| {
            Script::from_scenario(module.module(), json).unwrap();
        },
    );
    linear(
        "scenario stubs and account",
        1_000,
        |n| {
            let (source, json) = calls(n);
            (compiled(&source).1, json)
        },
        |(module, json)| {
            let script = Script::from_scenario(module.module(), json).unwrap();
            let mut host = ScriptedHost::new(script);
            let (_, end) = drive(module, &mut host, 1_000_000);
            assert!(matches!(end, RunEnd::Ended(_)), "{end:?}");
        },
    );
    linear(
        "scenario visits",
        2_000,
        |n| {
            let (source, json) = visits(n);
            (compiled(&source).1, json)
        },
        |(module, json)| {
            Script::from_scenario(module.module(), json).unwrap();
        },
    );
}

#[test]
fn answering_a_screen_with_many_fields_is_linear() {
    linear(
        "run fields",
        2_000,
        |n| {
            let module = compiled(&fields(n)).1;
            let script = Script::from_scenario(module.module(), &fields_scenario(n)).unwrap();
            (module, script)
        },
        |(module, script)| {
            let mut host = ScriptedHost::new(script.clone());
            let (_, end) = drive(module, &mut host, 1_000_000);
            assert!(matches!(end, RunEnd::Ended(_)), "{end:?}");
        },
    );
    linear(
        "resume_json fields",
        2_000,
        |n| {
            let module = compiled(&fields(n)).1;
            let mut state = Vm::start(&module);
            let mut host = ScriptedHost::new(Script::default());
            Vm::run(&module, &mut state, &mut host, 1_000).unwrap();
            let answer: serde_json::Map<String, serde_json::Value> =
                (0..n).map(|i| (format!("f{i}"), i.into())).collect();
            (module, state, serde_json::Value::Object(answer).to_string())
        },
        |(module, state, json)| {
            let mut state = state.clone();
            Vm::resume_json(module, &mut state, json).unwrap();
        },
    );
    linear(
        "save and load a state",
        2_000,
        |n| {
            let module = compiled(&fields(n)).1;
            let script = Script::from_scenario(module.module(), &fields_scenario(n)).unwrap();
            let mut host = ScriptedHost::new(script);
            let (state, _) = drive(&module, &mut host, 1_000_000);
            (module, state)
        },
        |(module, state)| {
            let bytes = state.to_bytes(module).unwrap();
            State::from_bytes(module, &bytes).unwrap();
        },
    );
}

// ----- the catalogue ---------------------------------------------------------

#[test]
fn checking_against_a_large_catalogue_is_linear() {
    // `n` calls of the last of `n` kinds.
    let make = |n: usize| {
        let catalog = Catalog::parse(&catalogue(n), |_| Ok(String::new())).unwrap();
        let mut source =
            String::from("flow big {\n  plan p0\n  inquiry { x: int }\n  action a {\n");
        for i in 0..n {
            let _ = writeln!(source, "    let r{i} = verify k{} {{ a: \"x\" }}", n - 1);
        }
        source.push_str("    -> end approved\n  }\n}\n");
        (catalog, source)
    };
    linear("check with catalogue", 1_000, make, |(catalog, source)| {
        let c = flowc::check_source(source, catalog);
        assert!(c.flow.is_some(), "{:?}", c.diagnostics.first());
    });
}

#[test]
fn loading_a_catalogue_is_linear() {
    linear("catalogue", 200, catalogue, |text: &String| {
        let cat = Catalog::parse(text, |_| Ok(String::new())).unwrap_or_else(|e| panic!("{e:?}"));
        assert!(cat.plan("p0").is_some());
    });
}
