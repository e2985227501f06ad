//! Any bytes as a `.flowbc` module: load (which checks the checksum and
//! verifies), then run what loads with a scripted host and a small fuel
//! budget. A random checksum almost never matches, so the bytes are also
//! decoded as a module body directly and verified, which is what loading
//! does once the checksum has passed. Errors, never panics.
#![no_main]

use flowc::unstable::bytecode::{Module, VerifiedModule};
use flowc::unstable::host::{Script, ScriptedHost};
use libfuzzer_sys::fuzz_target;

fn smoke(module: &VerifiedModule) {
    let Ok(script) = Script::from_scenario(module.module(), "{}") else {
        return;
    };
    let mut host = ScriptedHost::new(script);
    let _ = flowc::unstable::testing::drive(module, &mut host, 10_000);
}

fuzz_target!(|data: &[u8]| {
    if let Ok(module) = VerifiedModule::from_bytes(data) {
        smoke(&module);
    }
    let Ok(module) = postcard::from_bytes::<Module>(data) else {
        return;
    };
    if let Ok(module) = VerifiedModule::verify(module) {
        smoke(&module);
    }
});
