//! Any bytes as a `.flowbc` module: load (which verifies), then run what
//! loads with a scripted host and a small fuel budget. Errors, never panics.
#![no_main]

use flowc::bytecode::Module;
use flowc::host::{Script, ScriptedHost};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(module) = Module::from_bytes(data) else {
        return;
    };
    let mut host = ScriptedHost::new(Script::default());
    let _ = flowc::testing::drive(&module, &mut host, 10_000);
});
