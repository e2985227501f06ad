//! Any bytes as the JSON answer to a screen, given to every state at which
//! an example's scenario run suspends. A refused answer is R0002 or R0008
//! and leaves the state exactly as it was; an accepted one runs on with
//! generated answers, and the state it stops in must save and load.
#![no_main]

mod common;

use flowc::unstable::bytecode::VerifiedModule;
use flowc::unstable::diagnostics::Code;
use flowc::unstable::host::{Script, ScriptedHost};
use flowc::unstable::vm::{Outcome, State, Vm};
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

/// Every (example, state) where a scenario run suspends at a screen.
fn suspended() -> &'static [(&'static VerifiedModule, State)] {
    static STATES: OnceLock<Vec<(&'static VerifiedModule, State)>> = OnceLock::new();
    STATES.get_or_init(|| {
        let mut out = Vec::new();
        for (i, text) in common::SCENARIOS {
            let Some(Some(module)) = common::modules().get(*i) else {
                continue;
            };
            let Ok(script) = Script::from_scenario(module.module(), text) else {
                continue;
            };
            let mut host = ScriptedHost::new(script);
            let mut state = Vm::start(module);
            while let Ok(Outcome::Suspended(req)) = Vm::run(module, &mut state, &mut host, 10_000) {
                out.push((module, state.clone()));
                let Some(input) = host.next_input(&req.screen) else {
                    break;
                };
                if Vm::resume(module, &mut state, &input).is_err() {
                    break;
                }
            }
        }
        out
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    for (module, at_screen) in suspended() {
        let mut state = at_screen.clone();
        match Vm::resume_json(module, &mut state, text) {
            Err(e) => {
                assert!(matches!(e.code, Code::R0002 | Code::R0008), "{e}");
                assert_eq!(&state, at_screen, "a refused answer changed the state");
            }
            Ok(()) => common::run_on(module, &mut state, &mut common::Answers::new(data), 4),
        }
    }
});
