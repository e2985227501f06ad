//! Any bytes as a saved state for a real module (the database example):
//! loading must reject corrupt or foreign states with R0004, and a state
//! that loads must run without panicking.
#![no_main]

use flowc::catalog::Catalog;
use flowc::host::{Script, ScriptedHost};
use flowc::vm::state::State;
use flowc::bytecode::Module;
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

const FLOW: &str = include_str!("../../examples/database_kyc.flow");

fn module() -> Option<&'static Module> {
    static MODULE: OnceLock<Option<Module>> = OnceLock::new();
    MODULE
        .get_or_init(|| flowc::compile_source(FLOW, &Catalog::builtin()).module)
        .as_ref()
}

fuzz_target!(|data: &[u8]| {
    let Some(module) = module() else {
        return;
    };
    let Ok(mut state) = State::from_bytes(module, data) else {
        return;
    };
    let Ok(script) = Script::from_scenario(module, &serde_json::json!({})) else {
        return;
    };
    let mut host = ScriptedHost::new(script);
    let _ = flowc::testing::drive_from(module, &mut state, &mut host, 10_000);
});
