//! `flowc run FILE|MODULE [--scenario S.json] [--format human|json] [--fuel N]`
//!
//! A `.flowbc` file is loaded and verified; anything else is checked and
//! compiled first. The run uses a [`ScriptedHost`] fed from the scenario
//! and prints its trace: steps entered, host calls with arguments and
//! results, field writes, tags, cases, suspensions and resumptions, then
//! the final status, or the screen it suspended at when inputs ran out.
//! Exit 0 when the run ended or suspended for want of input, 1 on a
//! runtime error or a flow with errors, 2 on usage or I/O errors.
//!
//! With `--state S.flowstate` the run is saved between processes; see
//! [`saved`].

use super::{EXIT_ERRORS, EXIT_USAGE, Format};
use crate::bytecode::VerifiedModule;
use crate::files::{self, Input};
use crate::host::{ScenarioError, Script, ScriptedHost, TraceEvent};
use crate::testing::{RunEnd, drive};
use crate::vm::{DEFAULT_FUEL, State, Vm};
use std::path::PathBuf;

mod saved;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// A `.flow` source or a `.flowbc` module
    pub file: PathBuf,
    /// Screen inputs, call stubs, the Account and the clock, as JSON (see
    /// docs/vm.md)
    #[arg(long, value_name = "S.json")]
    pub scenario: Option<PathBuf>,
    /// How to print the trace (diagnostics of a source stay on stderr)
    #[arg(long, value_enum, default_value_t = TraceFormat::Human)]
    pub format: TraceFormat,
    /// Most instructions the whole run may execute; past them it stops with
    /// R0001
    #[arg(long, value_name = "N", default_value_t = DEFAULT_FUEL)]
    pub fuel: u64,
    /// Keep the run in this file between processes: load it if the file
    /// exists (else start a new run), run to the next screen or the end,
    /// save it back
    #[arg(long, value_name = "S.flowstate")]
    pub state: Option<PathBuf>,
    /// The JSON object that answers the screen the saved run waits at
    #[arg(long, value_name = "INPUT.json", requires = "state")]
    pub input: Option<PathBuf>,
}

/// How `flowc run` prints its trace.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum TraceFormat {
    /// one line per event, a step's events indented under it
    #[default]
    Human,
    /// one JSON object per event per line (JSON Lines)
    Json,
}

pub fn run(args: &Args, catalog: &crate::catalog::Catalog) -> u8 {
    let name = args.file.display().to_string();
    // A module by its extension or its magic bytes, whatever its name: read
    // under the larger (module) limit, then hold a source to its own.
    let by_name = args.file.extension().is_some_and(|e| e == "flowbc");
    let too_large = |kind| files::ReadError {
        path: args.file.clone(),
        kind,
        fault: files::Fault::TooLarge,
    };
    let bytes = match files::read(&args.file, Input::Module) {
        Ok(b) => b,
        Err(e) if matches!(e.fault, files::Fault::TooLarge) && !by_name => {
            errln!("error: {}", too_large(Input::Source));
            return EXIT_USAGE;
        }
        Err(e) => {
            errln!("error: {e}");
            return EXIT_USAGE;
        }
    };
    let is_module = by_name || bytes.starts_with(&crate::bytecode::MAGIC);
    if !is_module && bytes.len() as u64 > Input::Source.limit() {
        errln!("error: {}", too_large(Input::Source));
        return EXIT_USAGE;
    }
    let (module, source) = if is_module {
        match VerifiedModule::from_bytes(&bytes) {
            Ok(m) => (m, None),
            Err(e) => {
                errln!("{e}");
                return EXIT_ERRORS;
            }
        }
    } else {
        let Ok(source) = String::from_utf8(bytes) else {
            errln!("error: `{name}` is not valid UTF-8");
            return EXIT_USAGE;
        };
        let compiled = crate::compile_source(&source, catalog);
        super::emit_diagnostics(&compiled.diagnostics, &name, &source, Format::Human);
        match compiled.module {
            Some(m) => (m, Some(source)),
            None => return EXIT_ERRORS,
        }
    };
    let script = match &args.scenario {
        None => Script::default(),
        Some(path) => {
            let text = match files::read_text(path, Input::Scenario) {
                Ok(t) => t,
                Err(e) => {
                    errln!("error: {e}");
                    return EXIT_USAGE;
                }
            };
            if args.state.is_some() && saved::has_inputs(&text) {
                errln!(
                    "error: scenario `{}` has `inputs`, which `--state` does not take: \
                     answer a screen with `--input INPUT.json`",
                    path.display()
                );
                return EXIT_USAGE;
            }
            match Script::from_scenario(module.module(), &text) {
                Ok(s) => s,
                Err(ScenarioError::NotJson(e)) => {
                    errln!("error: `{}` is not JSON: {e}", path.display());
                    return EXIT_USAGE;
                }
                Err(e) => {
                    errln!("error: in scenario `{}`: {e}", path.display());
                    return EXIT_USAGE;
                }
            }
        }
    };
    let mut host = ScriptedHost::new(script);
    if args.state.is_some() {
        return saved::run(args, &module, source.as_deref(), &name, &mut host);
    }
    let (state, end) = drive(&module, &mut host, args.fuel);
    report(
        args,
        &module,
        source.as_deref(),
        &name,
        &mut host,
        &state,
        &end,
    )
}

/// Prints the trace a run left in `host`, and what it did not use or
/// missed; returns the exit code for how it ended.
fn report(
    args: &Args,
    module: &VerifiedModule,
    source: Option<&str>,
    name: &str,
    host: &mut ScriptedHost,
    state: &State,
    end: &RunEnd,
) -> u8 {
    // An error is located at its instruction's span (else where the run
    // stopped), in the source when there is one.
    if let (Some(source), Some(TraceEvent::Error { at, .. })) = (source, host.trace.last_mut()) {
        let span = match end {
            RunEnd::Error(e) => e.span,
            _ => None,
        };
        let location = match span {
            Some(span) => Some(crate::span::line_col(source, span.start)),
            None => Vm::location(module, state, source),
        };
        *at = location.map(|(l, c)| format!("{name}:{l}:{c}"));
    }
    for event in &host.trace {
        match args.format {
            TraceFormat::Json => outln!("{}", super::trace::json(event)),
            TraceFormat::Human => outln!("{}", super::trace::human(event)),
        }
    }
    if matches!(end, RunEnd::Ended(_)) {
        for unused in host.unused() {
            errln!("note: the scenario has {unused}");
        }
    }
    let mut missing = host.missing_stubs.clone();
    missing.dedup();
    for r in &missing {
        errln!("error: the run called `{r}` with no stub left for it");
    }
    match end {
        RunEnd::Error(_) => EXIT_ERRORS,
        _ => 0,
    }
}
