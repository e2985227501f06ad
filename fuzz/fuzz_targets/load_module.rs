//! Any bytes as a `.flowbc` module: load (which checks the checksum and
//! verifies), then run what loads. A random checksum almost never matches,
//! so the bytes are also decoded as a module body directly and verified,
//! which is what loading does once the checksum has passed.
//!
//! A module that verifies runs twice: with the scripted host of `flowc run`
//! and an empty scenario, and with answers generated from the same bytes,
//! which take it past its screens (several of them, with answers that are
//! now and then refused) and through host failures; the state each run
//! stops in must save and load. Errors, never panics.
#![no_main]

mod common;

use flowc::unstable::bytecode::{Module, VerifiedModule};
use flowc::unstable::host::{Script, ScriptedHost};
use libfuzzer_sys::fuzz_target;

fn smoke(module: &VerifiedModule, data: &[u8]) {
    if let Ok(script) = Script::from_scenario(module.module(), "{}") {
        let mut host = ScriptedHost::new(script);
        let (state, _) = flowc::unstable::testing::drive(module, &mut host, 10_000);
        common::saves_and_loads(module, &state);
    }
    let mut state = flowc::unstable::vm::Vm::start(module);
    common::run_on(module, &mut state, &mut common::Answers::new(data), 8);
}

fuzz_target!(|data: &[u8]| {
    if let Ok(module) = VerifiedModule::from_bytes(data) {
        smoke(&module, data);
    }
    let Ok(module) = postcard::from_bytes::<Module>(data) else {
        return;
    };
    if let Ok(module) = VerifiedModule::verify(module) {
        smoke(&module, data);
    }
});
