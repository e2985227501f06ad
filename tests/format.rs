#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! The module and saved-state formats, pinned by committed fixtures, and
//! the opcode table of `docs/bytecode.md`, generated from the opcode
//! descriptions.
//!
//! `tests/fixtures/database_kyc.flowbc` is `tests/fixtures/database_kyc.flow`
//! (a copy of the example, so that editing the example does not move it)
//! compiled at the format version in its header;
//! `tests/fixtures/database_kyc.flowstate` is a run of it suspended at its
//! first screen. The fixtures must always load. While `FORMAT_VERSION`
//! (`STATE_VERSION`) equals the fixture's version, compiling the source
//! (saving that state) must give exactly the fixture's bytes, so any change
//! to an encoding fails here until its version is bumped and the fixtures
//! regenerated with
//!
//! ```text
//! FLOWC_REGENERATE=1 cargo test --test format
//! ```
//!
//! which also rewrites the opcode table in `docs/bytecode.md`.

use flowc::unstable::bytecode::opcode::markdown_table;
use flowc::unstable::bytecode::{FORMAT_VERSION, VerifiedModule, disasm};
use flowc::unstable::catalog::Catalog;
use flowc::unstable::host::{Script, ScriptedHost};
use flowc::unstable::testing::{RunEnd, drive_from};
use flowc::unstable::value::EndStatus;
use flowc::unstable::vm::state::{STATE_VERSION, State};
use flowc::unstable::vm::{Outcome, RunStatus, Vm};
use std::path::PathBuf;

fn path(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(rel)
}

fn regenerate() -> bool {
    std::env::var_os("FLOWC_REGENERATE").is_some()
}

const SOURCE: &str = "tests/fixtures/database_kyc.flow";
const MODULE: &str = "tests/fixtures/database_kyc.flowbc";
const STATE: &str = "tests/fixtures/database_kyc.flowstate";
const SCENARIO: &str = "examples/scenarios/database_kyc_pass.json";

fn compiled() -> VerifiedModule {
    let source = std::fs::read_to_string(path(SOURCE)).unwrap();
    let c = flowc::compile_source(&source, &Catalog::builtin());
    c.module
        .unwrap_or_else(|| panic!("{SOURCE} does not compile: {:#?}", c.diagnostics))
}

/// A fresh run of `module` suspended at its first screen.
fn at_first_screen(module: &VerifiedModule) -> State {
    let mut state = Vm::start(module);
    let mut host = ScriptedHost::new(Script::default());
    let out = Vm::run(module, &mut state, &mut host, 1_000).unwrap();
    assert!(matches!(out, Outcome::Suspended(ref r) if r.screen == "collect"));
    state
}

/// The version a fixture was written at: the `u16` after its magic.
fn version_of(bytes: &[u8]) -> u16 {
    let ((_, version), _): (([u8; 4], u16), _) = postcard::take_from_bytes(bytes).unwrap();
    version
}

const REGENERATE: &str = "FLOWC_REGENERATE=1 cargo test --test format";

#[test]
fn the_module_fixture_pins_the_encoding() {
    let module = compiled();
    if regenerate() {
        std::fs::write(path(MODULE), module.to_bytes()).unwrap();
    }
    let fixture = std::fs::read(path(MODULE)).unwrap();
    let fixture_version = version_of(&fixture);
    assert_eq!(
        fixture_version, FORMAT_VERSION,
        "FORMAT_VERSION is {FORMAT_VERSION} but {MODULE} was written at {fixture_version}: \
         regenerate it with `{REGENERATE}`"
    );
    let loaded = VerifiedModule::from_bytes(&fixture).unwrap();
    assert_eq!(
        disasm(loaded.module()),
        disasm(module.module()),
        "{MODULE} loads but holds another module: if the compiler's output \
         changed on purpose, regenerate it with `{REGENERATE}`"
    );
    assert!(
        module.to_bytes() == fixture,
        "the module encoding changed while FORMAT_VERSION stayed {FORMAT_VERSION}: \
         bump it in src/bytecode.rs, then regenerate the fixtures with `{REGENERATE}`"
    );
}

#[test]
fn the_state_fixture_loads_resumes_and_pins_the_state_encoding() {
    // The module fixture's own test checks that it equals this one.
    let module = compiled();
    let saved = at_first_screen(&module).to_bytes(&module).unwrap();
    if regenerate() {
        std::fs::write(path(STATE), &saved).unwrap();
    }
    let fixture = std::fs::read(path(STATE)).unwrap();
    assert_eq!(
        version_of(&fixture),
        STATE_VERSION,
        "regenerate {STATE} with `{REGENERATE}`"
    );
    assert!(
        saved == fixture,
        "the saved-state encoding changed while STATE_VERSION stayed {STATE_VERSION}: \
         bump it in src/vm/state.rs, then regenerate the fixtures with `{REGENERATE}`"
    );

    let mut state = State::from_bytes(&module, &fixture).unwrap();
    assert_eq!(state.status(), RunStatus::Suspended);
    let json = std::fs::read_to_string(path(SCENARIO)).unwrap();
    let mut host = ScriptedHost::new(Script::from_scenario(module.module(), &json).unwrap());
    let end = drive_from(&module, &mut state, &mut host, 10_000);
    assert_eq!(end, RunEnd::Ended(EndStatus::Approved));
}

const BEGIN: &str = "<!-- BEGIN opcode table";
const END: &str = "<!-- END opcode table -->";

#[test]
fn the_doc_opcode_table_is_generated_from_the_opcode_descriptions() {
    let doc_path = path("docs/bytecode.md");
    let doc = std::fs::read_to_string(&doc_path).unwrap();
    let start = doc
        .find(BEGIN)
        .expect("docs/bytecode.md has no opcode table marker");
    let body_start = start + doc[start..].find('\n').unwrap() + 1;
    let end = doc.find(END).expect("docs/bytecode.md has no end marker");
    let table = markdown_table();
    if regenerate() {
        let new = format!("{}{table}{}", &doc[..body_start], &doc[end..]);
        std::fs::write(&doc_path, new).unwrap();
        return;
    }
    assert!(
        doc[body_start..end] == table,
        "the opcode table in docs/bytecode.md is out of date; run `{REGENERATE}`. \
         It should read:\n{table}"
    );
}
