#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! Faults and suspensions at every point of every example.
//!
//! - **Host faults.** Every example is run with each of its scenarios and
//!   each of its test blocks' scripts. Then, for every host call that run
//!   makes, the run is made again with that call failing: a verification,
//!   report or HTTP call must be made `retry N` + 1 times and then take the
//!   action's `on error` transition, or stop with R0003 where the source
//!   has none (and resuming then re-issues the call and ends as the
//!   unbroken run did); a call that fails fewer times than it may retry
//!   changes nothing but its attempts; a failing Account read or write, tag
//!   or case stops at once with R0003, is not retried, and resumes.
//!   Expectations are read from the source (the AST), not from the module.
//! - **Suspension.** At every screen of those runs the state is saved, and
//!   a fresh process (this test binary, running the ignored test
//!   `resume_in_a_fresh_process`) loads the module and the state from
//!   their bytes and finishes the run: its trace, end and final state must
//!   be those of the unbroken run.

use flowc::unstable::ast::{self, Item, StepKind, Stmt};
use flowc::unstable::bytecode::{Instr, VerifiedModule};
use flowc::unstable::catalog::Catalog;
use flowc::unstable::diagnostics::Code;
use flowc::unstable::host::{
    CallOutcome, Host, HostCall, HostError, Script, ScriptedHost, TraceEvent,
};
use flowc::unstable::testing::{RunEnd, drive, drive_from};
use flowc::unstable::value::{Date, Value};
use flowc::unstable::vm::{Outcome, State, Vm};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

const FUEL: u64 = 1_000_000;

struct Example {
    name: String,
    ast: ast::File,
    module: VerifiedModule,
    /// Each run: a label and its script (the scenarios, then the tests).
    runs: Vec<(String, Script)>,
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn examples() -> Vec<Example> {
    let mut out = Vec::new();
    let mut paths: Vec<PathBuf> = std::fs::read_dir(root().join("examples"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "flow"))
        .collect();
    paths.sort();
    for path in paths {
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        let source = std::fs::read_to_string(&path).unwrap();
        let c = flowc::compile_source(&source, &Catalog::builtin());
        let (flow, module) = (c.flow.unwrap(), c.module.unwrap());
        let ast = flowc::unstable::parser::parse(&source).file.unwrap();
        let mut runs = Vec::new();
        let mut scenarios: Vec<PathBuf> = std::fs::read_dir(root().join("examples/scenarios"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| {
                p.file_stem()
                    .and_then(|s| s.to_str())
                    .and_then(|s| s.strip_prefix(name.as_str()))
                    .is_some_and(|rest| rest.starts_with('_'))
            })
            .collect();
        scenarios.sort();
        for s in scenarios {
            let text = std::fs::read_to_string(&s).unwrap();
            let script = Script::from_scenario(module.module(), &text).unwrap();
            runs.push((
                s.file_name().unwrap().to_string_lossy().into_owned(),
                script,
            ));
        }
        for test in &flow.tests {
            runs.push((
                format!("test {:?}", test.name),
                Script::from_test(module.module(), test),
            ));
        }
        out.push(Example {
            name,
            ast,
            module,
            runs,
        });
    }
    assert!(out.len() >= 5, "examples missing");
    out
}

// ----- what the source says ------------------------------------------------

/// One `let` of the source: its `retry` and its action's `on error`.
#[derive(Debug, Clone)]
struct Site {
    retry: u32,
    on_error: Option<ast::Target>,
}

fn sites(file: &ast::File) -> BTreeMap<String, Site> {
    fn lets<'a>(body: &'a [Stmt], out: &mut Vec<&'a ast::Let>) {
        for stmt in body {
            match stmt {
                Stmt::Let(l) => out.push(l),
                Stmt::If(i) => {
                    lets(&i.then_body, out);
                    lets(i.else_body.as_deref().unwrap_or(&[]), out);
                }
                _ => {}
            }
        }
    }
    let mut out = BTreeMap::new();
    for item in &file.flow.items {
        // A flow that uses a solution runs the solution's steps.
        if let Item::UseSolution(using) = item {
            let catalog = Catalog::builtin();
            let solution = catalog.solution(&using.name.node).unwrap();
            out.extend(sites(
                &flowc::unstable::parser::parse(&solution.source)
                    .file
                    .unwrap(),
            ));
        }
        let Item::Step(step) = item else { continue };
        let StepKind::Action(action) = &step.kind else {
            continue;
        };
        let mut found = Vec::new();
        lets(&action.body, &mut found);
        for l in found {
            let site = Site {
                retry: l
                    .retry
                    .as_ref()
                    .map_or(0, |r| u32::try_from(r.node).unwrap()),
                on_error: action.on_error.first().map(|t| t.target.clone()),
            };
            out.insert(l.name.node.clone(), site);
        }
    }
    out
}

// ----- a host that fails where it is told ----------------------------------

/// Which host call fails.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Fault {
    None,
    /// Visit `visit` (0-based; a visit is the attempts of one execution of
    /// the `let`) of result `result`: its first `attempts` attempts fail.
    Call {
        result: usize,
        visit: usize,
        attempts: u32,
    },
    /// The `nth` (0-based) call of one of the other host methods.
    Other {
        kind: Kind,
        nth: usize,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    ReadAccount,
    WriteAccount,
    Tag,
    Case,
}

const INJECTED: &str = "injected failure";

/// The scripted host with one fault: a failing call is answered without
/// using up a stub, and recorded in the trace as the scripted host records
/// a stubbed error.
struct Faulty<'m> {
    inner: ScriptedHost,
    fault: Fault,
    results: &'m [flowc::unstable::bytecode::ResultInfo],
    visits: BTreeMap<String, usize>,
    others: BTreeMap<&'static str, usize>,
}

impl<'m> Faulty<'m> {
    fn new(module: &'m VerifiedModule, script: Script, fault: Fault) -> Faulty<'m> {
        Faulty {
            inner: ScriptedHost::new(script),
            fault,
            results: &module.module().results,
            visits: BTreeMap::new(),
            others: BTreeMap::new(),
        }
    }

    /// Whether the `nth` call of `kind` fails; counts it.
    fn other(&mut self, kind: Kind) -> bool {
        let key = match kind {
            Kind::ReadAccount => "read",
            Kind::WriteAccount => "write",
            Kind::Tag => "tag",
            Kind::Case => "case",
        };
        let count = self.others.entry(key).or_default();
        let nth = *count;
        *count += 1;
        self.fault == Fault::Other { kind, nth }
    }
}

impl Host for Faulty<'_> {
    fn call(&mut self, call: &HostCall<'_>) -> Result<Vec<Value>, HostError> {
        let visits = self.visits.entry(call.result.to_string()).or_default();
        if call.attempt == 0 {
            *visits += 1;
        }
        let visit = *visits - 1;
        if let Fault::Call {
            result,
            visit: v,
            attempts,
        } = self.fault
            && self.results[result].name == call.result
            && v == visit
            && call.attempt < attempts
        {
            self.inner.trace.push(TraceEvent::Call {
                result: call.result.to_string(),
                call: call.target.clone(),
                attempt: call.attempt,
                timeout_secs: call.timeout_secs,
                args: call.args.to_vec(),
                outcome: CallOutcome::Error(INJECTED.into()),
            });
            return Err(HostError::new(INJECTED));
        }
        self.inner.call(call)
    }

    fn read_account(&mut self, field: &str) -> Result<Value, HostError> {
        if self.other(Kind::ReadAccount) {
            return Err(HostError::new(INJECTED));
        }
        self.inner.read_account(field)
    }

    fn write_account(&mut self, field: &str, value: &Value) -> Result<(), HostError> {
        if self.other(Kind::WriteAccount) {
            return Err(HostError::new(INJECTED));
        }
        self.inner.write_account(field, value)
    }

    fn tag(&mut self, text: &str) -> Result<(), HostError> {
        if self.other(Kind::Tag) {
            return Err(HostError::new(INJECTED));
        }
        self.inner.tag(text)
    }

    fn case(&mut self, queue: &str) -> Result<(), HostError> {
        if self.other(Kind::Case) {
            return Err(HostError::new(INJECTED));
        }
        self.inner.case(queue)
    }

    fn today(&mut self) -> Date {
        self.inner.today()
    }

    fn step_entered(&mut self, step: &str) {
        self.inner.step_entered(step);
    }

    fn inquiry_written(&mut self, field: &str, value: &Value) {
        self.inner.inquiry_written(field, value);
    }
}

/// `testing::drive_from` for a [`Faulty`] host: the same trace events.
fn drive_faulty(module: &VerifiedModule, state: &mut State, host: &mut Faulty<'_>) -> RunEnd {
    loop {
        let budget = FUEL.saturating_sub(state.fuel_used());
        match Vm::run(module, state, host, budget) {
            Ok(Outcome::Ended(status)) => {
                host.inner.trace.push(TraceEvent::End { status });
                return RunEnd::Ended(status);
            }
            Ok(Outcome::Suspended(req)) => {
                host.inner.trace.push(TraceEvent::Suspend {
                    screen: req.screen.clone(),
                });
                let Some(input) = host.inner.next_input(&req.screen) else {
                    host.inner.trace.push(TraceEvent::Waiting {
                        screen: req.screen.clone(),
                        title: req.title.clone(),
                        fields: req.fields.clone(),
                        captures: req.captures.clone(),
                    });
                    return RunEnd::NoInput(req.screen);
                };
                if let Err(e) = Vm::resume(module, state, &input) {
                    return RunEnd::Error(e);
                }
                host.inner.trace.push(TraceEvent::Resume {
                    screen: req.screen,
                    input,
                });
            }
            Err(e) => {
                host.inner.trace.push(TraceEvent::Error {
                    code: e.code,
                    message: e.detail(),
                    at: None,
                });
                return RunEnd::Error(e);
            }
        }
    }
}

fn attempt_of(e: &TraceEvent) -> Option<u32> {
    match e {
        TraceEvent::Call { attempt, .. } => Some(*attempt),
        _ => None,
    }
}

fn is_injected(e: &TraceEvent) -> bool {
    matches!(e, TraceEvent::Call { outcome: CallOutcome::Error(m), .. } if m == INJECTED)
}

// ----- host faults -----------------------------------------------------------

/// The faulty run, then (when it stopped with R0003 at the fault) the
/// same state run on with the fault gone.
struct Broken {
    trace: Vec<TraceEvent>,
    end: RunEnd,
    /// After resuming: the whole trace and the end.
    resumed: Option<(Vec<TraceEvent>, RunEnd)>,
}

fn broken(module: &VerifiedModule, script: &Script, fault: Fault) -> Broken {
    let mut host = Faulty::new(module, script.clone(), fault);
    let mut state = Vm::start(module);
    let end = drive_faulty(module, &mut state, &mut host);
    let trace = host.inner.trace.clone();
    let resumed = match &end {
        RunEnd::Error(e) if e.code == Code::R0003 => {
            host.fault = Fault::None;
            let end = drive_faulty(module, &mut state, &mut host);
            Some((host.inner.trace, end))
        }
        _ => None,
    };
    Broken {
        trace,
        end,
        resumed,
    }
}

/// Checks that the resumed run is the unbroken one, once the injected
/// attempts and the error event are taken out.
fn resumes_as_unbroken(label: &str, b: &Broken, trace: &[TraceEvent], end: &RunEnd) {
    let (after, resumed_end) = b
        .resumed
        .as_ref()
        .unwrap_or_else(|| panic!("{label}: not resumed"));
    let cleaned: Vec<&TraceEvent> = after
        .iter()
        .filter(|e| !is_injected(e) && !matches!(e, TraceEvent::Error { .. }))
        .collect();
    let want: Vec<&TraceEvent> = trace.iter().collect();
    assert_eq!(
        cleaned, want,
        "{label}: resuming after R0003 differs from the unbroken run"
    );
    assert_eq!(resumed_end, end, "{label}");
}

#[derive(Default, Debug)]
struct Counts {
    retried_then_on_error: usize,
    retried_then_r0003: usize,
    partial: usize,
    others: usize,
}

fn check_call_faults(ex: &Example, label: &str, script: &Script, counts: &mut Counts) {
    let module = &ex.module;
    let sites = sites(&ex.ast);
    let mut host = Faulty::new(module, script.clone(), Fault::None);
    let mut state = Vm::start(module);
    let end = drive_faulty(module, &mut state, &mut host);
    let trace = host.inner.trace.clone();

    // The unbroken run is the scripted one of `flowc run` and `flowc test`.
    let mut plain = ScriptedHost::new(script.clone());
    let (_, plain_end) = drive(module, &mut plain, FUEL);
    assert_eq!(plain.trace, trace, "{label}");
    assert_eq!(plain_end, end, "{label}");

    // Every visit of every call the run makes.
    let mut visits: BTreeMap<&str, usize> = BTreeMap::new();
    for (at, event) in trace.iter().enumerate() {
        let TraceEvent::Call {
            result, attempt: 0, ..
        } = event
        else {
            continue;
        };
        let visit = *visits
            .entry(result.as_str())
            .and_modify(|v| *v += 1)
            .or_insert(0);
        let site = sites
            .get(result)
            .unwrap_or_else(|| panic!("no `let {result}` in the source"));
        let index = module
            .module()
            .results
            .iter()
            .position(|r| &r.name == result)
            .unwrap();
        let label = format!("{}: {label}: `{result}` visit {visit}", ex.name);
        let prefix = &trace[..at];

        // Every attempt fails: retry + 1 calls, then `on error` or R0003.
        let fault = Fault::Call {
            result: index,
            visit,
            attempts: u32::MAX,
        };
        let b = broken(module, script, fault);
        assert_eq!(
            &b.trace[..at],
            prefix,
            "{label}: the run differs before the fault"
        );
        let injected: Vec<u32> = b.trace[at..]
            .iter()
            .take_while(|e| is_injected(e))
            .filter_map(attempt_of)
            .collect();
        let want: Vec<u32> = (0..=site.retry).collect();
        assert_eq!(
            injected,
            want,
            "{label}: `retry {}` makes {} calls",
            site.retry,
            site.retry + 1
        );
        let next = b.trace.get(at + injected.len());
        match &site.on_error {
            Some(ast::Target::Step(step)) => {
                assert_eq!(
                    next,
                    Some(&TraceEvent::Enter {
                        step: step.node.clone()
                    }),
                    "{label}: `on error -> {}` is not taken",
                    step.node
                );
                counts.retried_then_on_error += 1;
            }
            Some(ast::Target::End(status)) => {
                assert_eq!(
                    next,
                    Some(&TraceEvent::End {
                        status: status.node
                    }),
                    "{label}"
                );
                assert_eq!(b.end, RunEnd::Ended(status.node), "{label}");
                counts.retried_then_on_error += 1;
            }
            None => {
                let RunEnd::Error(e) = &b.end else {
                    panic!("{label}: no `on error`, yet the run went on: {:?}", b.end)
                };
                assert_eq!(e.code, Code::R0003, "{label}: {e}");
                assert!(matches!(
                    next,
                    Some(TraceEvent::Error {
                        code: Code::R0003,
                        ..
                    })
                ));
                let pc = e.pc.unwrap();
                let Instr::Call { result: r, .. } = module.module().code[pc as usize] else {
                    panic!("{label}: R0003 at pc {pc}, not at a call");
                };
                assert_eq!(r as usize, index, "{label}");
                resumes_as_unbroken(&label, &b, &trace, &end);
                counts.retried_then_r0003 += 1;
            }
        }

        // Fewer failures than the retries allow: only the attempts change.
        let first_try_ok = matches!(
            event,
            TraceEvent::Call {
                outcome: CallOutcome::Ok(_),
                ..
            }
        );
        for k in 1..=site.retry {
            if !first_try_ok {
                break;
            }
            let fault = Fault::Call {
                result: index,
                visit,
                attempts: k,
            };
            let b = broken(module, script, fault);
            let failed = &b.trace[at..at + k as usize];
            let attempts: Vec<u32> = failed.iter().filter_map(attempt_of).collect();
            assert_eq!(
                attempts,
                (0..k).collect::<Vec<_>>(),
                "{label}: {k} failures"
            );
            let mut want = prefix.to_vec();
            want.extend(failed.iter().cloned());
            let mut answered = event.clone();
            if let TraceEvent::Call { attempt, .. } = &mut answered {
                *attempt = k;
            }
            want.push(answered);
            want.extend(trace[at + 1..].iter().cloned());
            assert_eq!(b.trace, want, "{label}: {k} failed attempt(s) then success");
            assert_eq!(b.end, end, "{label}");
            counts.partial += 1;
        }
    }

    // Every Account read and write, tag and case: R0003 at once, no retry,
    // and resuming goes on as if nothing had failed.
    let mut nth: BTreeMap<&str, usize> = BTreeMap::new();
    for (at, event) in trace.iter().enumerate() {
        let (kind, key, instr_ok): (Kind, &str, fn(&Instr) -> bool) = match event {
            TraceEvent::ReadAccount { .. } => (Kind::ReadAccount, "read", |i| {
                matches!(i, Instr::LoadAccount(_) | Instr::LoadAccountPresent(_))
            }),
            TraceEvent::SetAccount { .. } => (Kind::WriteAccount, "write", |i| {
                matches!(i, Instr::SetAccount(_))
            }),
            TraceEvent::Tag { .. } => (Kind::Tag, "tag", |i| matches!(i, Instr::Tag)),
            TraceEvent::Case { .. } => (Kind::Case, "case", |i| matches!(i, Instr::Case)),
            _ => continue,
        };
        let n = *nth.entry(key).and_modify(|v| *v += 1).or_insert(0);
        let label = format!("{}: {label}: {key} #{n}", ex.name);
        let b = broken(module, script, Fault::Other { kind, nth: n });
        assert_eq!(&b.trace[..at], &trace[..at], "{label}");
        let RunEnd::Error(e) = &b.end else {
            panic!("{label}: the run went on: {:?}", b.end)
        };
        assert_eq!(e.code, Code::R0003, "{label}: {e}");
        assert_eq!(
            b.trace.len(),
            at + 1,
            "{label}: something ran after the fault"
        );
        assert!(
            instr_ok(&module.module().code[e.pc.unwrap() as usize]),
            "{label}"
        );
        resumes_as_unbroken(&label, &b, &trace, &end);
        counts.others += 1;
    }
}

#[test]
fn every_host_call_fails_as_the_source_says() {
    let mut counts = Counts::default();
    let mut runs = 0;
    for ex in examples() {
        for (label, script) in &ex.runs {
            check_call_faults(&ex, label, script, &mut counts);
            runs += 1;
        }
    }
    eprintln!("{runs} runs: {counts:?}");
    // The examples have `on error` to a step and to an end, calls without
    // it, retries, Account reads and writes, tags and cases.
    assert!(counts.retried_then_on_error >= 10, "{counts:?}");
    assert!(counts.retried_then_r0003 >= 1, "{counts:?}");
    assert!(counts.partial >= 10, "{counts:?}");
    assert!(counts.others >= 20, "{counts:?}");
}

// ----- suspension in a fresh process ---------------------------------------

/// The environment variable that makes `resume_in_a_fresh_process` work,
/// naming the folder with its input files.
const CHILD: &str = "FLOWC_FAULTS_CHILD";

/// A script as a scenario file, so that the child reads it as `flowc run
/// --scenario` would.
fn scenario_json(module: &VerifiedModule, script: &Script) -> String {
    let m = module.module();
    let object = |values: &[(String, Value)]| -> serde_json::Value {
        values
            .iter()
            .map(|(k, v)| (k.clone(), v.to_json()))
            .collect::<serde_json::Map<_, _>>()
            .into()
    };
    let inputs: serde_json::Map<String, serde_json::Value> = script
        .inputs
        .iter()
        .map(|(screen, q)| (screen.clone(), q.iter().map(|v| object(v)).collect()))
        .collect();
    let stubs: serde_json::Map<String, serde_json::Value> = script
        .stubs
        .iter()
        .map(|(name, q)| {
            let fields = &m.results.iter().find(|r| &r.name == name).unwrap().fields;
            let answers: Vec<serde_json::Value> = q
                .iter()
                .map(|a| match a {
                    None => "error".into(),
                    Some(values) => fields
                        .iter()
                        .zip(values)
                        .map(|(f, v)| (f.name.clone(), v.to_json()))
                        .collect::<serde_json::Map<_, _>>()
                        .into(),
                })
                .collect();
            (name.clone(), answers.into())
        })
        .collect();
    let account: serde_json::Map<String, serde_json::Value> = script
        .account
        .iter()
        .map(|(k, v)| (k.clone(), v.to_json()))
        .collect();
    let mut json = serde_json::json!({"inputs": inputs, "stubs": stubs, "account": account});
    if let Some(clock) = script.clock {
        json["clock"] = Value::Date(clock).to_json();
    }
    json.to_string()
}

/// Lines of a trace, for comparing across processes.
fn lines(trace: &[TraceEvent]) -> String {
    trace.iter().map(|e| format!("{e:?}\n")).collect()
}

#[test]
#[ignore = "the child process of suspending_at_every_screen_then_resuming_in_a_fresh_process_changes_nothing"]
fn resume_in_a_fresh_process() {
    let Some(dir) = std::env::var_os(CHILD).map(PathBuf::from) else {
        panic!("run only by its parent test, with {CHILD} set");
    };
    let module =
        VerifiedModule::from_bytes(&std::fs::read(dir.join("module.flowbc")).unwrap()).unwrap();
    let mut state = State::from_bytes(&module, &std::fs::read(dir.join("state")).unwrap()).unwrap();
    let text = std::fs::read_to_string(dir.join("scenario.json")).unwrap();
    let script = Script::from_scenario(module.module(), &text).unwrap();
    let mut host = ScriptedHost::new(script);
    let end = drive_from(&module, &mut state, &mut host, FUEL);
    std::fs::write(dir.join("trace"), lines(&host.trace)).unwrap();
    std::fs::write(dir.join("end"), format!("{end:?}")).unwrap();
    std::fs::write(dir.join("final"), state.to_bytes(&module).unwrap()).unwrap();
}

fn child(dir: &Path) {
    let out = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "resume_in_a_fresh_process",
            "--ignored",
            "--test-threads=1",
        ])
        .env(CHILD, dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "the child failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn suspending_at_every_screen_then_resuming_in_a_fresh_process_changes_nothing() {
    let base = std::env::temp_dir().join(format!("flowc-faults-{}", std::process::id()));
    let mut resumed = 0;
    for ex in examples() {
        let module_bytes = ex.module.to_bytes();
        for (label, script) in &ex.runs {
            let mut host = ScriptedHost::new(script.clone());
            let (whole_state, whole_end) = drive(&ex.module, &mut host, FUEL);
            let whole = host.trace;
            let suspensions: Vec<usize> = (whole.iter().enumerate())
                .filter(|(_, e)| matches!(e, TraceEvent::Suspend { .. }))
                .map(|(i, _)| i)
                .collect();
            for (k, &at) in suspensions.iter().enumerate() {
                let label = format!("{}: {label}: screen #{k}", ex.name);
                // The inputs given before this screen, by screen.
                let mut given: BTreeMap<&str, usize> = BTreeMap::new();
                for e in &whole[..at] {
                    if let TraceEvent::Resume { screen, .. } = e {
                        *given.entry(screen).or_default() += 1;
                    }
                }
                // Run to this screen with only those inputs: it waits here.
                let mut before = script.clone();
                for (screen, q) in &mut before.inputs {
                    q.truncate(given.get(screen.as_str()).copied().unwrap_or(0));
                }
                let mut host = ScriptedHost::new(before);
                let (state, end) = drive(&ex.module, &mut host, FUEL);
                assert!(matches!(end, RunEnd::NoInput(_)), "{label}: {end:?}");
                assert_eq!(host.trace[..=at], whole[..=at], "{label}");
                // What is left for the rest of the run: the inputs not yet
                // given, the stubs not yet used, the Account as it is now.
                let mut rest = host.script.clone();
                rest.inputs = script.inputs.clone();
                for (screen, q) in &mut rest.inputs {
                    q.drain(..given.get(screen.as_str()).copied().unwrap_or(0));
                }
                let dir = base.join(format!("{}-{resumed}", ex.name));
                std::fs::create_dir_all(&dir).unwrap();
                std::fs::write(dir.join("module.flowbc"), &module_bytes).unwrap();
                std::fs::write(dir.join("state"), state.to_bytes(&ex.module).unwrap()).unwrap();
                std::fs::write(dir.join("scenario.json"), scenario_json(&ex.module, &rest))
                    .unwrap();
                drop(state);
                child(&dir);
                // The child's run starts by finding the state at the screen.
                let trace = std::fs::read_to_string(dir.join("trace")).unwrap();
                assert_eq!(trace, lines(&whole[at..]), "{label}");
                let end = std::fs::read_to_string(dir.join("end")).unwrap();
                assert_eq!(end, format!("{whole_end:?}"), "{label}");
                let last = std::fs::read(dir.join("final")).unwrap();
                assert_eq!(last, whole_state.to_bytes(&ex.module).unwrap(), "{label}");
                resumed += 1;
            }
        }
    }
    let _ = std::fs::remove_dir_all(&base);
    eprintln!("{resumed} suspensions resumed in a fresh process");
    assert!(resumed >= 20, "{resumed}");
}

#[test]
fn a_run_that_waits_for_input_ends_its_trace_at_the_screen() {
    // The suspension test relies on `drive` stopping at a screen with no
    // input left, with the state suspended there.
    let ex = examples().into_iter().next().unwrap();
    let mut host = ScriptedHost::new(Script::default());
    let (state, end) = drive(&ex.module, &mut host, FUEL);
    assert!(matches!(end, RunEnd::NoInput(_)));
    assert!(Vm::screen_request(&ex.module, &state).is_some());
    assert!(matches!(
        host.trace.last(),
        Some(TraceEvent::Waiting { .. })
    ));
}
