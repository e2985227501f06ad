//! Any bytes as a `.flow` source: parse, check and (when it checks) compile
//! and verify. Nothing may panic, and compiling must be deterministic.
#![no_main]

use flowc::unstable::catalog::Catalog;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(source) = std::str::from_utf8(data) else {
        return;
    };
    let catalog = Catalog::builtin();
    let compiled = flowc::compile_source(source, &catalog);
    if let Some(module) = compiled.module {
        let bytes = module.to_bytes();
        let again = flowc::compile_source(source, &catalog).module.map(|m| m.to_bytes());
        assert_eq!(Some(bytes.clone()), again, "compilation is not deterministic");
        assert!(flowc::unstable::bytecode::VerifiedModule::from_bytes(&bytes).is_ok(), "compiled module fails verification");
    }
});
