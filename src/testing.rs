//! Driving a run with a [`ScriptedHost`], and the `test` block runner.
//!
//! [`drive`] runs a module to its end, answering each suspension with the
//! next input the script has for that screen; `flowc run` prints the trace
//! it leaves, and [`run_tests`] checks each `test` block's expectations on
//! the final state.

mod expectations;

use crate::bytecode::{RuntimeError, VerifiedModule};
use crate::host::{Host, Script, ScriptedHost, TraceEvent};
use crate::span::LineIndex;
use crate::typed::{Test, TypedFlow};
use crate::value::EndStatus;
use crate::vm::{DEFAULT_FUEL, Outcome, State, Vm};
use expectations::EndState;

/// How a driven run stopped.
#[derive(Debug, Clone, PartialEq)]
pub enum RunEnd {
    Ended(EndStatus),
    /// Suspended at this screen with no input left for it.
    NoInput(String),
    Error(RuntimeError),
}

/// Runs `module` from the start with `host`, answering screens from the
/// host's script, until it ends, runs out of input, or fails. The whole run
/// gets `fuel` instructions.
pub fn drive(module: &VerifiedModule, host: &mut ScriptedHost, fuel: u64) -> (State, RunEnd) {
    let mut state = Vm::start(module);
    let end = drive_from(module, &mut state, host, fuel);
    (state, end)
}

/// [`drive`] from an existing state.
pub fn drive_from(
    module: &VerifiedModule,
    state: &mut State,
    host: &mut ScriptedHost,
    fuel: u64,
) -> RunEnd {
    loop {
        let budget = fuel.saturating_sub(state.fuel_used());
        match Vm::run(module, state, host, budget) {
            Ok(Outcome::Ended(status)) => {
                host.trace.push(TraceEvent::End { status });
                return RunEnd::Ended(status);
            }
            Ok(Outcome::Suspended(req)) => {
                host.trace.push(TraceEvent::Suspend {
                    screen: req.screen.clone(),
                });
                let Some(input) = host.next_input(&req.screen) else {
                    host.trace.push(TraceEvent::Waiting {
                        screen: req.screen.clone(),
                        title: req.title.clone(),
                        fields: req.fields.clone(),
                        captures: req.captures.clone(),
                    });
                    return RunEnd::NoInput(req.screen);
                };
                if let Err(e) = Vm::resume(module, state, &input) {
                    host.trace.push(TraceEvent::Error {
                        code: e.code,
                        message: e.detail(),
                        at: None,
                    });
                    return RunEnd::Error(e);
                }
                host.trace.push(TraceEvent::Resume {
                    screen: req.screen,
                    input,
                });
            }
            Err(e) => {
                host.trace.push(TraceEvent::Error {
                    code: e.code,
                    message: e.detail(),
                    at: None,
                });
                return RunEnd::Error(e);
            }
        }
    }
}

/// The result of one `test` block.
#[derive(Debug, Clone, PartialEq)]
pub struct TestOutcome {
    pub name: String,
    pub line: usize,
    pub column: usize,
    /// Why the test failed; empty when it passed.
    pub failures: Vec<String>,
}

impl TestOutcome {
    pub fn passed(&self) -> bool {
        self.failures.is_empty()
    }
}

/// Runs every test of `flow` against `module` (compiled from `source`, read
/// from `file`, the name used in failure locations).
pub fn run_tests(
    module: &VerifiedModule,
    flow: &TypedFlow,
    source: &str,
    file: &str,
) -> Vec<TestOutcome> {
    // One index of line starts for every location of every test: placing
    // each from the start of the source made many tests quadratic.
    let lines = LineIndex::new(source);
    flow.tests
        .iter()
        .map(|t| test_with_lines(module, t, &lines, file))
        .collect()
}

/// Runs one test: a fresh run with the test's Account (else an empty one),
/// its inputs and stubs, and its clock (else the system clock in UTC).
pub fn run_test(module: &VerifiedModule, test: &Test, source: &str, file: &str) -> TestOutcome {
    test_with_lines(module, test, &LineIndex::new(source), file)
}

fn test_with_lines(
    module: &VerifiedModule,
    test: &Test,
    lines: &LineIndex<'_>,
    file: &str,
) -> TestOutcome {
    let (line, column) = lines.line_col(test.span.start);
    let mut host = ScriptedHost::new(Script::from_test(module.module(), test));
    let (state, end) = drive(module, &mut host, DEFAULT_FUEL);
    let here = || {
        (module.module().spans.get(state.pc() as usize))
            .map(|span| lines.line_col(span.start))
            .map_or_else(|| file.to_string(), |(l, c)| format!("{file}:{l}:{c}"))
    };
    let mut failures = Vec::new();
    let status = match &end {
        RunEnd::Ended(s) => Some(*s),
        RunEnd::NoInput(screen) => {
            let needs = Vm::screen_request(module, &state).map_or(String::new(), |req| {
                let mut names: Vec<String> = req.fields.iter().map(|f| f.name.clone()).collect();
                names.extend(req.captures);
                format!("; it needs {}", names.join(", "))
            });
            failures.push(format!(
                "the run suspended at screen `{screen}` ({}) with no input left for it{needs}",
                here()
            ));
            None
        }
        RunEnd::Error(_) if !host.missing_stubs.is_empty() => {
            for r in &host.missing_stubs {
                let call = module
                    .module()
                    .results
                    .iter()
                    .find(|i| &i.name == r)
                    .map_or(String::new(), |i| format!(" ({})", i.call));
                failures.push(format!(
                    "the run called `{r}`{call} at {} with no stub left for it",
                    here()
                ));
            }
            None
        }
        RunEnd::Error(e) => {
            let at = e.span.map_or_else(here, |span| {
                let (l, c) = lines.line_col(span.start);
                format!("{file}:{l}:{c}")
            });
            failures.push(format!("runtime error[{}] at {at}: {}", e.code, e.detail()));
            None
        }
    };
    if status.is_some() {
        for unused in host.unused() {
            failures.push(unused);
        }
        let clock = host.today();
        let end = EndState {
            module: module.module(),
            state: &state,
            host: &host,
            status,
            clock,
        };
        failures.extend(
            test.expects
                .iter()
                .filter_map(|e| end.check(e, lines, file)),
        );
    }
    TestOutcome {
        name: test.name.clone(),
        line,
        column,
        failures,
    }
}
