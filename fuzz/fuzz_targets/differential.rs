//! The differential property under the fuzzer: its bytes are the choices of
//! the differential tests' generators (tests/differential/, one byte per
//! choice), which make a well-typed flow and a hostile scenario; the VM and
//! the reference interpreter must leave the same trace, end, tables and
//! Account, neither may stop with R0005, and no written non-optional field
//! may hold `none` (docs/differential.md). A generated flow that does not
//! check is a generator bug and fails too.
#![no_main]

#[allow(dead_code)]
#[path = "../../tests/differential/choices.rs"]
mod choices;
#[allow(dead_code)]
#[path = "../../tests/differential/flows.rs"]
mod flows;
#[allow(dead_code)]
#[path = "../../tests/differential/harness.rs"]
mod harness;
#[allow(dead_code)]
#[path = "../../tests/differential/scenario.rs"]
mod scenario;

use flowc::unstable::catalog::Catalog;
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

fn catalog() -> &'static Catalog {
    static CATALOG: OnceLock<Catalog> = OnceLock::new();
    CATALOG.get_or_init(Catalog::builtin)
}

fuzz_target!(|data: &[u8]| {
    let mut c = choices::Choices::new(data.iter().map(|b| u32::from(*b)).collect());
    let source = flows::flow(&mut c, catalog());
    let (flow, module) = match harness::compile(&source, catalog()) {
        Ok(compiled) => compiled,
        Err(e) => panic!("the generated flow does not check:\n{e}\n--- source\n{source}"),
    };
    let scenario = scenario::scenario(&mut c, &flow);
    // Now and then one host interaction fails as well.
    let fail_at = c.chance(30).then(|| c.below(12) as u32);
    let vm = harness::drive_failing(&mut harness::VmEngine::new(&module), &scenario, fail_at);
    let reference =
        harness::drive_failing(&mut harness::RefEngine::new(&flow), &scenario, fail_at);
    if let Err(e) = harness::check_case(&flow, &vm, &reference) {
        panic!(
            "{e}\n--- source\n{source}\n--- scenario\n{scenario:#?}\n--- fail_at {fail_at:?}\n--- vm trace\n{:#?}",
            vm.trace
        );
    }
});
