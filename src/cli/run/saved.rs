//! `flowc run FILE|MODULE --state S.flowstate [--input INPUT.json]`: one
//! leg of a run that lives in a file between processes.
//!
//! The state is loaded from S when the file exists, else a new run starts
//! and goes to its first wait. If the run waits at a screen and `--input`
//! is given, that JSON object answers it, and the run goes on to the next
//! screen or its end. Only then is S replaced, atomically; a leg that fails
//! (a refused state or input, a runtime error, a state over its limit)
//! leaves S byte-for-byte as it was and exits 1. The scenario's stubs,
//! Account and clock serve this process only; its screens are answered by
//! `--input`, so a scenario with `inputs` is refused before this runs.

use super::{Args, report};
use crate::bytecode::{RuntimeError, VerifiedModule};
use crate::cli::{EXIT_ERRORS, EXIT_USAGE};
use crate::files::{self, Fault, Input};
use crate::host::{ScriptedHost, TraceEvent};
use crate::testing::{RunEnd, drive_from};
use crate::vm::{RunStatus, State, Vm};
use std::path::Path;

/// Whether a scenario's text has an `inputs` key (even an empty one).
/// Text that is not a JSON object has none; reading the scenario reports it.
pub(super) fn has_inputs(text: &str) -> bool {
    crate::json::parse(text).is_ok_and(|v| v.get("inputs").is_some())
}

/// Runs one leg; `host` holds this process's stubs.
pub(super) fn run(
    args: &Args,
    module: &VerifiedModule,
    source: Option<&str>,
    name: &str,
    host: &mut ScriptedHost,
) -> u8 {
    let Some(path) = args.state.as_deref() else {
        return EXIT_USAGE;
    };
    let inputs = [
        Some(args.file.as_path()),
        args.input.as_deref(),
        args.scenario.as_deref(),
    ];
    if let Some(other) = inputs
        .into_iter()
        .flatten()
        .find(|o| files::same_file(path, o))
    {
        errln!(
            "error: `--state {}` names `{}`, an input of this run",
            path.display(),
            other.display()
        );
        return EXIT_USAGE;
    }
    let answer = match &args.input {
        None => None,
        Some(p) => match files::read_text(p, Input::ResumeInput) {
            Ok(text) => Some(text),
            Err(e) => {
                errln!("error: {e}");
                return EXIT_USAGE;
            }
        },
    };
    let saved = match files::read(path, Input::State) {
        Ok(bytes) => Some(bytes),
        Err(e) if matches!(&e.fault, Fault::Io(io) if io.kind() == std::io::ErrorKind::NotFound) => {
            None
        }
        Err(e) => {
            errln!("error: {e}");
            return EXIT_USAGE;
        }
    };
    let (mut state, mut end) = match saved {
        Some(bytes) => match State::from_bytes(module, &bytes) {
            Ok(state) => match where_it_is(module, &state) {
                Ok(end) => (state, end),
                Err(e) => {
                    errln!("{e}\n  in `{}`", path.display());
                    return EXIT_ERRORS;
                }
            },
            Err(e) => {
                errln!("{e}\n  in `{}`", path.display());
                return EXIT_ERRORS;
            }
        },
        None => {
            let mut state = Vm::start(module);
            let end = drive_from(module, &mut state, host, args.fuel);
            (state, end)
        }
    };
    if let Some(text) = &answer {
        end = answer_and_go_on(args, module, &mut state, host, text, &end);
    } else if let Some(req) = Vm::screen_request(module, &state) {
        // A loaded run still waiting: say again what it needs.
        if !matches!(host.trace.last(), Some(TraceEvent::Waiting { .. })) {
            host.trace.push(TraceEvent::Waiting {
                screen: req.screen,
                title: req.title,
                fields: req.fields,
                captures: req.captures,
            });
        }
    } else if let RunEnd::Ended(status) = end {
        host.trace.push(TraceEvent::End { status });
    }
    let code = report(args, module, source, name, host, &state, &end);
    if matches!(end, RunEnd::Error(_)) {
        errln!("note: `{}` is left as it was", path.display());
        return code;
    }
    save(path, module, &state).unwrap_or(code)
}

/// How a loaded state stands, before anything runs.
fn where_it_is(module: &VerifiedModule, state: &State) -> Result<RunEnd, RuntimeError> {
    match state.status() {
        RunStatus::Ended(status) => Ok(RunEnd::Ended(status)),
        _ => match Vm::screen_request(module, state) {
            Some(req) => Ok(RunEnd::NoInput(req.screen)),
            // This process never saves a run in the middle of a step.
            None => Err(RuntimeError::new(
                crate::diagnostics::Code::R0004,
                "the saved run is neither waiting at a screen nor ended",
            )),
        },
    }
}

/// Answers the screen the run waits at with the JSON `text`, then runs on.
fn answer_and_go_on(
    args: &Args,
    module: &VerifiedModule,
    state: &mut State,
    host: &mut ScriptedHost,
    text: &str,
    end: &RunEnd,
) -> RunEnd {
    if let RunEnd::Error(e) = end {
        return RunEnd::Error(e.clone());
    }
    // The wait this answer ends is not worth printing.
    if matches!(host.trace.last(), Some(TraceEvent::Waiting { .. })) {
        host.trace.pop();
    }
    let request = Vm::screen_request(module, state);
    let answered = Vm::input_from_json_text(module, state, text)
        .and_then(|values| Vm::resume(module, state, &values).map(|()| values));
    match (answered, request) {
        (Ok(mut input), Some(req)) => {
            // Traced in the screen's order, as a scenario's answers are.
            let rank = |name: &str| {
                let fields = req.fields.iter().map(|f| &f.name);
                fields.chain(&req.captures).position(|n| n == name)
            };
            input.sort_by_key(|(name, _)| rank(name));
            let screen = req.screen;
            host.trace.push(TraceEvent::Resume { screen, input });
            drive_from(module, state, host, args.fuel)
        }
        // Resuming checks that the run waits at a screen.
        (Ok(_), None) => RunEnd::Error(RuntimeError::invariant("resumed_at_a_screen")),
        (Err(e), _) => {
            host.trace.push(TraceEvent::Error {
                code: e.code,
                message: e.detail(),
                at: None,
            });
            RunEnd::Error(e)
        }
    }
}

/// Writes the state to `path` atomically; `Some(exit code)` when it could
/// not be.
fn save(path: &Path, module: &VerifiedModule, state: &State) -> Option<u8> {
    let bytes = match state.to_bytes(module) {
        Ok(bytes) => bytes,
        Err(e) => {
            errln!(
                "error[{}]: {}; `{}` is left as it was",
                e.code,
                e.detail(),
                path.display()
            );
            return Some(EXIT_ERRORS);
        }
    };
    if let Err(e) = files::write_atomic(path, &bytes) {
        errln!("error: cannot write `{}`: {e}", path.display());
        return Some(EXIT_USAGE);
    }
    None
}
