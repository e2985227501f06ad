//! Any bytes as the payload of a saved state for a real module (the
//! database example). The payload is read as `State::from_bytes` reads it
//! after the checksum has passed (`State::from_payload`), so the fuzzer
//! reaches the semantic checks and the VM instead of stopping at the
//! checksum; a state that passes them must then run, resume and end
//! without panicking.
#![no_main]

use flowc::unstable::bytecode::VerifiedModule;
use flowc::unstable::catalog::Catalog;
use flowc::unstable::host::{Script, ScriptedHost};
use flowc::unstable::vm::state::State;
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

const FLOW: &str = include_str!("../../examples/database_kyc.flow");
const SCENARIO: &str = include_str!("../../examples/scenarios/database_kyc_retry.json");

fn module() -> Option<&'static VerifiedModule> {
    static MODULE: OnceLock<Option<VerifiedModule>> = OnceLock::new();
    MODULE
        .get_or_init(|| flowc::compile_source(FLOW, &Catalog::builtin()).module)
        .as_ref()
}

fuzz_target!(|data: &[u8]| {
    let Some(module) = module() else {
        return;
    };
    // The whole envelope path: must reject, never panic.
    let _ = State::from_bytes(module, data);
    // The payload path, past the checksum.
    let Ok(mut state) = State::from_payload(module, data) else {
        return;
    };
    let Ok(script) = Script::from_scenario(module.module(), SCENARIO) else {
        return;
    };
    let mut host = ScriptedHost::new(script);
    let _ = flowc::unstable::testing::drive_from(module, &mut state, &mut host, 10_000);
    // A state that ran must still save (or be refused as too large, R0008)
    // and load.
    match state.to_bytes(module) {
        Ok(bytes) => assert!(
            State::from_bytes(module, &bytes).is_ok(),
            "a state the VM produced does not load"
        ),
        Err(e) => assert_eq!(
            e.code,
            flowc::unstable::diagnostics::Code::R0008,
            "saving failed: {e}"
        ),
    }
});
