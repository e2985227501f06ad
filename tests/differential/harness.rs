//! Running one case on both engines, and the properties.
//!
//! ADAPTERS: every place that touches the compiler's, the VM's or the
//! interpreter's API is in [`compile`], [`VmEngine`] and [`RefEngine`]; the
//! rest of the harness sees only the [`Engine`] trait and the normalized
//! trace of [`Ev`]s that [`RecHost`] and [`drive`] record.

use crate::scenario::{Ev, RecHost, Scenario};
use flowc::unstable::bytecode::VerifiedModule;
use flowc::unstable::catalog::Catalog;
use flowc::unstable::reference::{RefOutcome, RefState, Reference};
use flowc::unstable::typed::{StepKind, TypedFlow};
use flowc::unstable::types::Type;
use flowc::unstable::value::{EndStatus, Value};
use flowc::unstable::vm::{DEFAULT_FUEL, Outcome, State, Vm};
use std::collections::BTreeMap;

/// Step entries one interpreter `run` may make (generated runs stay far
/// below: every loop passes a screen and inputs are finite).
const MAX_ENTRIES: u64 = 100_000;

/// Checks and compiles a source: the typed flow and the module, or the
/// rendered error diagnostics.
pub fn compile(source: &str, catalog: &Catalog) -> Result<(TypedFlow, VerifiedModule), String> {
    let c = flowc::compile_source(source, catalog);
    match (c.flow, c.module) {
        (Some(f), Some(m)) => Ok((f, m)),
        _ => Err(c
            .diagnostics
            .iter()
            .filter(|d| d.is_error())
            .map(|d| format!("{:?} {} at {:?}", d.code, d.message, d.primary.span))
            .collect::<Vec<_>>()
            .join("\n")),
    }
}

/// Where a `run` stopped without an error.
pub enum Stop {
    /// At a screen: its name, fields with types, captures.
    Suspended(String, Vec<(String, Type)>, Vec<String>),
    Ended(EndStatus),
}

/// What the driver needs of an engine. Errors are runtime codes
/// (`"R0003"`).
pub trait Engine {
    fn run(&mut self, host: &mut RecHost) -> Result<Stop, String>;
    fn resume(&mut self, input: &[(String, Value)]) -> Result<(), String>;
    /// The run's tables: inquiry values, result slots, visit counts.
    fn tables(&self) -> Tables;
}

#[derive(Debug, Clone, PartialEq)]
pub struct Tables {
    pub inquiry: Vec<Value>,
    pub results: Vec<Option<Vec<Value>>>,
    pub visits: Vec<u32>,
}

pub struct VmEngine<'m> {
    pub module: &'m VerifiedModule,
    pub state: State,
}

impl<'m> VmEngine<'m> {
    pub fn new(module: &'m VerifiedModule) -> VmEngine<'m> {
        VmEngine {
            module,
            state: Vm::start(module),
        }
    }
}

impl Engine for VmEngine<'_> {
    fn run(&mut self, host: &mut RecHost) -> Result<Stop, String> {
        let fuel = DEFAULT_FUEL.saturating_sub(self.state.fuel_used());
        match Vm::run(self.module, &mut self.state, host, fuel) {
            Ok(Outcome::Suspended(req)) => Ok(Stop::Suspended(
                req.screen,
                req.fields.into_iter().map(|f| (f.name, f.ty)).collect(),
                req.captures,
            )),
            Ok(Outcome::Ended(s)) => Ok(Stop::Ended(s)),
            Err(e) => Err(e.code.to_string()),
        }
    }

    fn resume(&mut self, input: &[(String, Value)]) -> Result<(), String> {
        let before = self.state.clone();
        let r = Vm::resume(self.module, &mut self.state, input).map_err(|e| e.code.to_string());
        assert!(
            r.is_ok() || self.state == before,
            "a refused resume changed the VM's state"
        );
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

pub struct RefEngine<'f> {
    pub flow: &'f TypedFlow,
    pub interp: Reference<'f>,
    pub state: RefState,
}

impl<'f> RefEngine<'f> {
    pub fn new(flow: &'f TypedFlow) -> RefEngine<'f> {
        let interp = Reference::new(flow);
        let state = interp.start();
        RefEngine {
            flow,
            interp,
            state,
        }
    }
}

impl Engine for RefEngine<'_> {
    fn run(&mut self, host: &mut RecHost) -> Result<Stop, String> {
        match self.interp.run(&mut self.state, host, MAX_ENTRIES) {
            Ok(RefOutcome::Suspended(s)) => {
                let step = &self.flow.steps[s as usize];
                let StepKind::Screen {
                    collects, captures, ..
                } = &step.kind
                else {
                    return Err("suspended at a step that is not a screen".into());
                };
                let fields = collects
                    .iter()
                    .map(|f| {
                        let f = &self.flow.inquiry[*f as usize];
                        (f.name.clone(), f.ty)
                    })
                    .collect();
                Ok(Stop::Suspended(step.name.clone(), fields, captures.clone()))
            }
            Ok(RefOutcome::Ended(s)) => Ok(Stop::Ended(s)),
            Err(e) => Err(e.code.to_string()),
        }
    }

    fn resume(&mut self, input: &[(String, Value)]) -> Result<(), String> {
        let before = self.state.clone();
        let r = self
            .interp
            .resume(&mut self.state, input)
            .map_err(|e| e.code.to_string());
        assert!(
            r.is_ok() || self.state == before,
            "a refused resume changed the interpreter's state"
        );
        r
    }

    fn tables(&self) -> Tables {
        Tables {
            inquiry: self.state.inquiry.clone(),
            results: self.state.results.clone(),
            visits: self.state.visits.clone(),
        }
    }
}

/// How a driven run ended.
#[derive(Debug, Clone, PartialEq)]
pub enum End {
    Ended(EndStatus),
    /// Suspended at a screen with no input left.
    Waiting(String),
    /// Stopped by a runtime error with this code.
    Error(String),
}

/// Everything observable about one run.
#[derive(Debug, Clone, PartialEq)]
pub struct Run {
    pub trace: Vec<Ev>,
    pub end: End,
    pub tables: Tables,
    pub account: BTreeMap<String, Value>,
    /// Host interactions the run made (call attempts, Account reads and
    /// writes, tags, cases).
    pub interactions: u32,
}

/// Runs an engine through a scenario: each suspension is answered with the
/// screen's next input; a refused input is recorded and the next one tried.
pub fn drive(engine: &mut dyn Engine, scenario: &Scenario) -> Run {
    drive_failing(engine, scenario, None)
}

/// [`drive`], with the `fail_at`-th host interaction failing
/// ([`RecHost::fail_at`]).
pub fn drive_failing(engine: &mut dyn Engine, scenario: &Scenario, fail_at: Option<u32>) -> Run {
    let mut host = RecHost::new(scenario);
    host.fail_at = fail_at;
    let mut inputs = scenario.inputs.clone();
    let end = loop {
        match engine.run(&mut host) {
            Ok(Stop::Ended(s)) => {
                host.trace.push(Ev::End(s));
                break End::Ended(s);
            }
            Ok(Stop::Suspended(screen, fields, captures)) => {
                host.trace
                    .push(Ev::Suspend(screen.clone(), fields, captures));
                let Some(input) = inputs.get_mut(&screen).and_then(|q| q.pop_front()) else {
                    host.trace.push(Ev::Waiting(screen.clone()));
                    break End::Waiting(screen);
                };
                let refused = engine.resume(&input).err();
                host.trace.push(Ev::Resume(screen, refused));
            }
            Err(code) => {
                host.trace.push(Ev::Stop(code.clone()));
                break End::Error(code);
            }
        }
    };
    Run {
        trace: host.trace,
        end,
        tables: engine.tables(),
        account: host.account,
        interactions: host.interactions,
    }
}

/// The VM's run and the interpreter's run of one case.
pub fn run_both(flow: &TypedFlow, module: &VerifiedModule, scenario: &Scenario) -> (Run, Run) {
    let vm = drive(&mut VmEngine::new(module), scenario);
    let reference = drive(&mut RefEngine::new(flow), scenario);
    (vm, reference)
}

/// The properties of one case; `Err` says which one failed.
///
/// 1. Both engines leave the same normalized trace, the same end, the same
///    inquiry values, result slots and visit counts, and the same Account.
/// 2. Neither stops with R0005 (a type fault: the VM's ill-typed operands,
///    or the interpreter's check of each value against the checker's type)
///    nor with R0001 (generated runs are short).
/// 3. At the end, however the run ended, every inquiry field holds `none`
///    or a value of its declared type, and a non-optional field that the
///    run wrote (a `set` in the trace, or an accepted input of a screen
///    that collects it) is not `none`.
pub fn check_case(flow: &TypedFlow, vm: &Run, reference: &Run) -> Result<(), String> {
    if vm.trace != reference.trace {
        let at = vm
            .trace
            .iter()
            .zip(&reference.trace)
            .position(|(a, b)| a != b)
            .unwrap_or(vm.trace.len().min(reference.trace.len()));
        return Err(format!(
            "traces differ at event {at}:\n  vm:        {:?}\n  reference: {:?}",
            vm.trace.get(at),
            reference.trace.get(at)
        ));
    }
    if vm.end != reference.end {
        return Err(format!(
            "ends differ: vm {:?}, reference {:?}",
            vm.end, reference.end
        ));
    }
    if vm.tables != reference.tables {
        return Err(format!(
            "tables differ:\n  vm:        {:?}\n  reference: {:?}",
            vm.tables, reference.tables
        ));
    }
    if vm.account != reference.account {
        return Err("accounts differ".into());
    }
    for run in [vm, reference] {
        if let End::Error(code) = &run.end
            && (code == "R0005" || code == "R0001")
        {
            return Err(format!("a checked flow stopped with {code}"));
        }
        fields_hold_their_types(flow, run)?;
    }
    Ok(())
}

fn fields_hold_their_types(flow: &TypedFlow, run: &Run) -> Result<(), String> {
    let mut written = vec![false; flow.inquiry.len()];
    let mut mark = |name: &str| {
        if let Some(i) = flow.inquiry.iter().position(|f| f.name == name) {
            written[i] = true;
        }
    };
    let mut shown: &[(String, Type)] = &[];
    for ev in &run.trace {
        match ev {
            Ev::SetInquiry(name, _) => mark(name),
            Ev::Suspend(_, fields, _) => shown = fields,
            Ev::Resume(_, None) => shown.iter().for_each(|(n, _)| mark(n)),
            _ => {}
        }
    }
    for ((f, v), w) in flow.inquiry.iter().zip(&run.tables.inquiry).zip(&written) {
        match v.base_type() {
            None if *w && !f.ty.optional => {
                return Err(format!(
                    "inquiry.{} of type `{}` was written and holds none",
                    f.name, f.ty
                ));
            }
            Some(b) if b != f.ty.base => {
                return Err(format!("inquiry.{} of type `{}` holds {v}", f.name, f.ty));
            }
            _ => {}
        }
    }
    Ok(())
}
