#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! Superinstructions (`src/vm/fused.rs`): comparing or testing `in` on
//! loaded strings allocates nothing, and grouping is invisible: a run split
//! at every possible fuel budget stops after exactly that many
//! instructions, in a state that saves and loads, and ends exactly like
//! the run made in one go; an operator that fails inside a group stops at
//! its own instruction with its operands on the stack.

use flowc::unstable::bytecode::VerifiedModule;
use flowc::unstable::catalog::Catalog;
use flowc::unstable::diagnostics::Code;
use flowc::unstable::host::{Host, HostCall, HostError};
use flowc::unstable::value::{Date, Value};
use flowc::unstable::vm::{Outcome, State, Vm};
use stats_alloc::{INSTRUMENTED_SYSTEM, Region, StatsAlloc};
use std::alloc::System;

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

const SOURCE: &str = r#"
flow loads {
  plan essential
  inquiry { s: string, t: string, ok: bool?, n: int? }
  screen ask { collect s, t -> work }
  action work {
    set inquiry.ok = inquiry.s == "alpha"
    set inquiry.ok = "beta" != inquiry.t
    set inquiry.ok = inquiry.s == inquiry.t
    set inquiry.ok = inquiry.s in ["a", "b", "alphabet"]
    set inquiry.ok = "alpha" in [inquiry.s, inquiry.t]
    set inquiry.ok = inquiry.s != "b" or inquiry.t == "beta"
    set inquiry.n = len(inquiry.s) + 3 * 4
    -> end completed
  }
}
"#;

/// A host that does nothing and allocates nothing.
struct Quiet;

impl Host for Quiet {
    fn call(&mut self, _call: &HostCall<'_>) -> Result<Vec<Value>, HostError> {
        Err(HostError::new("no calls in this flow"))
    }
    fn read_account(&mut self, _field: &str) -> Result<Value, HostError> {
        Ok(Value::None)
    }
    fn write_account(&mut self, _field: &str, _value: &Value) -> Result<(), HostError> {
        Ok(())
    }
    fn tag(&mut self, _text: &str) -> Result<(), HostError> {
        Ok(())
    }
    fn case(&mut self, _queue: &str) -> Result<(), HostError> {
        Ok(())
    }
    fn today(&mut self) -> Date {
        Date::parse("2026-11-26").unwrap()
    }
}

fn module() -> VerifiedModule {
    let c = flowc::compile_source(SOURCE, &Catalog::builtin());
    assert!(c.diagnostics.is_empty(), "{:#?}", c.diagnostics);
    c.module.unwrap()
}

/// The state at the start of `work`, answered.
fn at_work(m: &VerifiedModule) -> State {
    let mut state = Vm::start(m);
    let out = Vm::run(m, &mut state, &mut Quiet, 1_000).unwrap();
    assert!(matches!(out, Outcome::Suspended(_)));
    let input = vec![
        ("s".to_string(), Value::Str("alphabet".into())),
        ("t".to_string(), Value::Str("alpha".into())),
    ];
    Vm::resume(m, &mut state, &input).unwrap();
    state
}

#[test]
fn string_loads_compared_in_place_allocate_nothing() {
    let m = module();
    // The count is process-wide, and the harness runs other tests (and
    // prints their results) on other threads meanwhile; a run of the VM
    // that allocates does so every time, so the fewest allocations of a
    // few runs is the VM's own.
    let mut fewest = usize::MAX;
    let mut last = None;
    for _ in 0..8 {
        let mut state = at_work(&m);
        let region = Region::new(GLOBAL);
        let out = Vm::run(&m, &mut state, &mut Quiet, 1_000).unwrap();
        fewest = fewest.min(region.change().allocations);
        assert!(matches!(out, Outcome::Ended(_)));
        last = Some(state);
    }
    assert_eq!(fewest, 0, "the run allocated");
    let state = last.unwrap();
    // and computed what the source says
    let inquiry = state.inquiry().to_vec();
    assert_eq!(inquiry[2], Value::Bool(true)); // "alphabet" != "b"
    assert_eq!(inquiry[3], Value::Int(20));
}

#[test]
fn every_fuel_budget_stops_exactly_and_resumes_to_the_same_end() {
    let m = module();
    let start = at_work(&m);
    let mut whole = start.clone();
    Vm::run(&m, &mut whole, &mut Quiet, 1_000).unwrap();
    let total = whole.fuel_used() - start.fuel_used();
    assert!(total > 30, "only {total} instructions");
    for budget in 1..=total {
        let mut state = start.clone();
        loop {
            let before = state.fuel_used();
            match Vm::run(&m, &mut state, &mut Quiet, budget) {
                Ok(Outcome::Ended(_)) => break,
                Ok(other) => panic!("unexpected {other:?}"),
                Err(e) => {
                    assert_eq!(e.code, Code::R0001);
                    assert_eq!(state.fuel_used() - before, budget);
                    // the stopped state fits its pc: it saves and loads
                    let bytes = state.to_bytes(&m).unwrap();
                    assert_eq!(State::from_bytes(&m, &bytes).unwrap(), state);
                }
            }
        }
        assert_eq!(state, whole, "budget {budget}");
    }
}

const OVERFLOW: &str = r#"
flow overflow {
  plan essential
  inquiry { n: int, m: int?, ok: bool? }
  screen ask { collect n -> work }
  action work {
    set inquiry.ok = inquiry.n > 2 and inquiry.n * inquiry.n > 0
    set inquiry.m = inquiry.n * inquiry.n
    -> end completed
  }
}
"#;

/// `n * n` overflows inside a group (`load_inquiry`, `load_inquiry`,
/// `mul`, `const`, `gt`): the run stops with R0006 at the first `mul`, with
/// both operands pushed and one unit of fuel spent per instruction up to
/// and including it, as one instruction at a time would.
#[test]
fn an_operator_failing_inside_a_group_stops_at_its_own_instruction() {
    let c = flowc::compile_source(OVERFLOW, &Catalog::builtin());
    assert!(c.diagnostics.is_empty(), "{:#?}", c.diagnostics);
    let m = c.module.unwrap();
    let mut state = Vm::start(&m);
    Vm::run(&m, &mut state, &mut Quiet, 1_000).unwrap();
    let n = Value::Int(4_000_000_000);
    Vm::resume(&m, &mut state, &[("n".to_string(), n.clone())]).unwrap();
    let before = state.fuel_used();
    let entry = state.pc();
    let e = Vm::run(&m, &mut state, &mut Quiet, 1_000).unwrap_err();
    assert_eq!(e.code, Code::R0006, "{e}");
    let code = &m.module().code;
    let mul = code
        .iter()
        .position(|i| *i == flowc::unstable::bytecode::Instr::Mul)
        .unwrap() as u32;
    assert_eq!(e.pc, Some(mul));
    assert_eq!(state.pc(), mul);
    // `n > 2` was true, so `and` popped it: only `mul`'s two operands.
    assert_eq!(state.stack(), &[n.clone(), n]);
    assert_eq!(state.fuel_used() - before, u64::from(mul - entry) + 1);
}
