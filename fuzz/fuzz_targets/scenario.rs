//! Any bytes as a scenario file (JSON), read against every example's
//! module; a scenario that reads must then drive its run to the end, and
//! the state it stops in must save and load. Errors, never panics.
#![no_main]

mod common;

use flowc::unstable::host::{Script, ScriptedHost};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    for module in common::modules().iter().flatten() {
        let Ok(script) = Script::from_scenario(module.module(), text) else {
            continue;
        };
        let mut host = ScriptedHost::new(script);
        let (state, _) = flowc::unstable::testing::drive(module, &mut host, 10_000);
        common::saves_and_loads(module, &state);
    }
});
