#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! Reference §8.4: no well-typed flow can reach a type fault. A module that
//! passed the checker and the verifier never stops with R0005, and a
//! non-optional inquiry field never holds `none` once written.
//!
//! The flows are the differential tests' generated well-typed flows
//! (tests/differential/flows.rs); each is run against hostile hosts:
//!
//! - answers of random values of the right types (`none` where a field is
//!   optional, any status), random Account values of the right type or
//!   `none`, valid screen inputs, now and then a host error;
//! - then once more for every host interaction of that run in turn (call
//!   attempt, Account read or write, tag, case; up to [`MAX_FAULTS`]),
//!   with that interaction failing;
//! - verifications also answer `passed` without their result fields now
//!   and then, which §8.4 makes a host error.
//!
//! The VM runs one instruction at a time (a fuel of 1, continued after
//! each R0001), and after every instruction, at every suspension and at
//! the end the state's inquiry is checked: every value has its field's
//! type, and a non-optional field that held a value never holds `none`
//! again. No `set` may write `none` into a non-optional field (the host
//! sees every write). The reference interpreter runs the same host script
//! and checks every value an expression gives against its checked type,
//! so a read of `none` where the checker promised a value is its R0005;
//! both runs must agree (the differential property) and neither may stop
//! with R0005.

#[allow(dead_code)]
#[path = "differential/choices.rs"]
mod choices;
#[allow(dead_code)]
#[path = "differential/flows.rs"]
mod flows;
#[allow(dead_code)]
#[path = "differential/harness.rs"]
mod harness;
#[allow(dead_code)]
#[path = "differential/scenario.rs"]
mod scenario;

use choices::Choices;
use flowc::unstable::bytecode::VerifiedModule;
use flowc::unstable::catalog::Catalog;
use flowc::unstable::diagnostics::Code;
use flowc::unstable::typed::TypedFlow;
use flowc::unstable::value::Value;
use flowc::unstable::vm::{DEFAULT_FUEL, Outcome, State, Vm};
use harness::{Engine, RefEngine, Stop, Tables};
use proptest::prelude::*;
use proptest::test_runner::{Config, FileFailurePersistence, TestCaseError, TestRunner};
use scenario::{Ev, Mix, RecHost};
use std::sync::atomic::{AtomicU64, Ordering};

const DEFAULT_CASES: u32 = 800;

/// The most interactions of one run that are each made to fail in turn.
const MAX_FAULTS: u32 = 40;

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(DEFAULT_CASES)
}

/// The VM, one instruction per `Vm::run`, checking the inquiry after each.
struct SteppedVm<'m> {
    module: &'m VerifiedModule,
    flow: &'m TypedFlow,
    state: State,
    /// Per inquiry field: whether it has held a value.
    held: Vec<bool>,
    /// The first broken promise seen, with the instruction count.
    violation: Option<String>,
    instructions: u64,
}

impl<'m> SteppedVm<'m> {
    fn new(module: &'m VerifiedModule, flow: &'m TypedFlow) -> SteppedVm<'m> {
        SteppedVm {
            module,
            flow,
            state: Vm::start(module),
            held: vec![false; flow.inquiry.len()],
            violation: None,
            instructions: 0,
        }
    }

    /// Checks the state's inquiry: each value of its field's type, and no
    /// non-optional field back to `none` after holding a value.
    fn check(&mut self, when: &str) {
        if self.violation.is_some() {
            return;
        }
        for (i, (field, v)) in self
            .flow
            .inquiry
            .iter()
            .zip(self.state.inquiry())
            .enumerate()
        {
            let fault = match v.base_type() {
                Some(b) if b != field.ty.base => Some(format!("holds {v}")),
                None if !field.ty.optional && self.held[i] => {
                    Some("holds none after holding a value".to_string())
                }
                _ => None,
            };
            if let Some(fault) = fault {
                self.violation = Some(format!(
                    "inquiry.{} of type `{}` {fault} {when} (after {} instructions)",
                    field.name, field.ty, self.instructions
                ));
                return;
            }
            self.held[i] |= *v != Value::None;
        }
    }
}

impl Engine for SteppedVm<'_> {
    fn run(&mut self, host: &mut RecHost) -> Result<Stop, String> {
        loop {
            let r = Vm::run(self.module, &mut self.state, host, 1);
            match r {
                Err(e) if e.code == Code::R0001 => {
                    self.instructions += 1;
                    self.check("after an instruction");
                    if self.instructions > DEFAULT_FUEL {
                        return Err(Code::R0001.to_string());
                    }
                }
                Ok(Outcome::Suspended(req)) => {
                    self.check("at a suspension");
                    return Ok(Stop::Suspended(
                        req.screen,
                        req.fields.into_iter().map(|f| (f.name, f.ty)).collect(),
                        req.captures,
                    ));
                }
                Ok(Outcome::Ended(s)) => {
                    self.check("at the end");
                    return Ok(Stop::Ended(s));
                }
                Err(e) => {
                    self.check("at a runtime error");
                    return Err(e.code.to_string());
                }
            }
        }
    }

    fn resume(&mut self, input: &[(String, Value)]) -> Result<(), String> {
        let r = Vm::resume(self.module, &mut self.state, input).map_err(|e| e.code.to_string());
        self.check("after a resume");
        r
    }

    fn tables(&self) -> Tables {
        Tables {
            inquiry: self.state.inquiry().to_vec(),
            results: self.state.results().to_vec(),
            visits: self.state.visits().to_vec(),
        }
    }
}

/// What the soundness runs of one flow did, for the tally.
#[derive(Default)]
struct Counts {
    runs: AtomicU64,
    instructions: AtomicU64,
    faulted: AtomicU64,
    on_error: AtomicU64,
}

/// Runs one generated flow against the valid host and then with each of
/// its interactions failing in turn; `Err` names the broken promise.
fn soundness_case(data: Vec<u32>, catalog: &Catalog, counts: &Counts) -> Result<(), String> {
    let mut c = Choices::new(data);
    let source = flows::flow(&mut c, catalog);
    let (flow, module) = harness::compile(&source, catalog)
        .map_err(|e| format!("the generated flow does not check:\n{e}\n--- source\n{source}"))?;
    let scenario = scenario::scenario_of(&mut c, &flow, Mix::Valid);
    let mut faults: Vec<Option<u32>> = vec![None];
    let mut fault = 0;
    while let Some(&at) = faults.get(fault) {
        fault += 1;
        let mut vm = SteppedVm::new(&module, &flow);
        let vm_run = harness::drive_failing(&mut vm, &scenario, at);
        let reference = harness::drive_failing(&mut RefEngine::new(&flow), &scenario, at);
        counts.runs.fetch_add(1, Ordering::Relaxed);
        counts
            .instructions
            .fetch_add(vm.instructions, Ordering::Relaxed);
        if at.is_some() {
            counts.faulted.fetch_add(1, Ordering::Relaxed);
        }
        if at.is_none() {
            faults.extend((0..vm_run.interactions.min(MAX_FAULTS)).map(Some));
        }
        let verdict = vm
            .violation
            .clone()
            .map_or(Ok(()), Err)
            .and_then(|()| none_written(&flow, &vm_run.trace))
            .and_then(|()| harness::check_case(&flow, &vm_run, &reference));
        if let Err(e) = verdict {
            return Err(format!(
                "{e}\n--- failing interaction: {at:?}\n--- source\n{source}\n--- scenario\n{scenario:#?}\n--- vm trace\n{:#?}",
                vm_run.trace
            ));
        }
        let errors = vm_run
            .trace
            .iter()
            .filter(|e| {
                matches!(
                    e,
                    Ev::Call {
                        answer: scenario::Answer::Error,
                        ..
                    }
                )
            })
            .count();
        if errors > 0 && matches!(vm_run.end, harness::End::Ended(_)) {
            counts.on_error.fetch_add(1, Ordering::Relaxed);
        }
    }
    Ok(())
}

/// No `set inquiry.F = none` reached a non-optional field.
fn none_written(flow: &TypedFlow, trace: &[Ev]) -> Result<(), String> {
    for ev in trace {
        if let Ev::SetInquiry(name, Value::None) = ev
            && flow
                .inquiry
                .iter()
                .any(|f| &f.name == name && !f.ty.optional)
        {
            return Err(format!("`none` was written to the non-optional `{name}`"));
        }
    }
    Ok(())
}

#[test]
fn well_typed_flows_never_reach_a_type_fault() {
    let catalog = Catalog::builtin();
    let n = cases();
    let config = Config {
        cases: n,
        source_file: Some(file!()),
        failure_persistence: Some(Box::new(FileFailurePersistence::WithSource(
            "proptest-regressions",
        ))),
        max_shrink_iters: 2048,
        ..Config::default()
    };
    let counts = Counts::default();
    let started = std::time::Instant::now();
    let mut runner = TestRunner::new(config);
    let result = runner.run(
        &proptest::collection::vec(any::<u32>(), 256..2048),
        |data| soundness_case(data, &catalog, &counts).map_err(TestCaseError::fail),
    );
    eprintln!(
        "soundness: {n} flows, {} runs ({} with a failing interaction, {} ended after a host error), {} VM instructions checked one by one, in {:.1} s",
        counts.runs.load(Ordering::Relaxed),
        counts.faulted.load(Ordering::Relaxed),
        counts.on_error.load(Ordering::Relaxed),
        counts.instructions.load(Ordering::Relaxed),
        started.elapsed().as_secs_f64(),
    );
    if let Err(e) = result {
        panic!("{e}");
    }
}
