//! Any bytes as a catalogue (`--plans FILE.toml`). A catalogue that loads
//! must be usable: every example is checked and compiled against it, and
//! what compiles runs a little. Errors, never panics.
#![no_main]

mod common;

use flowc::unstable::catalog::Catalog;
use libfuzzer_sys::fuzz_target;

/// The solution files the built-in catalogue names.
const SOLUTIONS: &[(&str, &str)] = &[
    (
        "solutions/gov_id_selfie.flow",
        include_str!("../../catalog/solutions/gov_id_selfie.flow"),
    ),
    (
        "solutions/database_kyc.flow",
        include_str!("../../catalog/solutions/database_kyc.flow"),
    ),
    (
        "solutions/phone_email.flow",
        include_str!("../../catalog/solutions/phone_email.flow"),
    ),
];

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let read = |path: &str| {
        SOLUTIONS
            .iter()
            .find(|(p, _)| *p == path)
            .map(|(_, source)| (*source).to_string())
            .ok_or_else(|| format!("no solution file `{path}`"))
    };
    let Ok(catalog) = Catalog::parse(text, read) else {
        return;
    };
    for source in common::EXAMPLES {
        let compiled = flowc::compile_source(source, &catalog);
        if let Some(module) = compiled.module {
            let mut state = flowc::unstable::vm::Vm::start(&module);
            common::run_on(&module, &mut state, &mut common::Answers::new(data), 4);
        }
    }
});
