#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! The sparse saved form (state format 3): a payload holds only the table
//! entries a run changed, by index, so its size follows the run rather
//! than the module, and a payload that is not in that canonical form is
//! R0004.

use flowc::unstable::bytecode::VerifiedModule;
use flowc::unstable::catalog::Catalog;
use flowc::unstable::diagnostics::Code;
use flowc::unstable::host::{Script, ScriptedHost};
use flowc::unstable::value::Value;
use flowc::unstable::vm::{Outcome, RunStatus, State, Vm};
use serde::Serialize;

/// A flow whose first screen is reached after one visit, with `extra`
/// more inquiry fields that the run never writes.
fn flow(extra: usize) -> VerifiedModule {
    let fields: String = (0..extra).map(|i| format!(", spare{i}: int?")).collect();
    let source = format!(
        r#"
flow sparse {{
  plan growth
  inquiry {{ name: string, n: int?{fields} }}
  screen ask {{ collect name -> work }}
  action work {{
    set inquiry.n = len(inquiry.name)
    -> done
  }}
  branch done {{
    when inquiry.n == 3 -> end approved
    else -> end declined
  }}
}}
"#
    );
    let c = flowc::compile_source(&source, &Catalog::builtin());
    c.module
        .unwrap_or_else(|| panic!("does not compile: {:#?}", c.diagnostics))
}

fn at_screen(m: &VerifiedModule) -> State {
    let mut state = Vm::start(m);
    let mut host = ScriptedHost::new(Script::default());
    let out = Vm::run(m, &mut state, &mut host, 1_000).unwrap();
    assert!(matches!(out, Outcome::Suspended(_)));
    state
}

#[test]
fn the_saved_form_does_not_grow_with_the_module() {
    let (small, big) = (flow(0), flow(2_000));
    let a = at_screen(&small).to_bytes(&small).unwrap();
    let b = at_screen(&big).to_bytes(&big).unwrap();
    assert_eq!(a.len(), b.len());
    assert!(a.len() < 80, "{} bytes", a.len());
    // And after a resume that writes one field, the one entry is all
    // the payload gains.
    let mut s = at_screen(&big);
    let before = s.to_payload().len();
    Vm::resume(&big, &mut s, &[("name".into(), Value::Str("Ada".into()))]).unwrap();
    let after = s.to_payload().len();
    assert_eq!(after, before + 2 + 1 + 3, "index, tag, length, text");
    let back = State::from_bytes(&big, &s.to_bytes(&big).unwrap()).unwrap();
    assert_eq!(back, s);
    assert_eq!(State::from_payload(&big, &s.to_payload()).unwrap(), s);
}

#[test]
fn the_loaded_state_stores_only_what_the_run_wrote() {
    let big = flow(2_000);
    let mut s = at_screen(&big);
    Vm::resume(&big, &mut s, &[("name".into(), Value::Str("Ada".into()))]).unwrap();
    let back = State::from_bytes(&big, &s.to_bytes(&big).unwrap()).unwrap();
    for st in [&s, &back] {
        let inquiry = st.inquiry();
        assert_eq!(inquiry.len(), 2_002, "the table has the module's length");
        assert_eq!(inquiry.stored().len(), 64, "but stores only `name`'s block");
        assert_eq!(inquiry.get(0), Some(&Value::Str("Ada".into())));
        assert_eq!(inquiry.get(2_001), Some(&Value::None), "fresh past it");
        assert_eq!(inquiry.get(2_002), None, "and nothing past the end");
        assert_eq!(st.visits().stored(), [1, 0, 0], "the screen, visited once");
        assert_eq!(st.visits().to_vec().len(), big.module().steps.len());
    }
    // A fresh state stores nothing.
    let fresh = Vm::start(&big);
    assert!(fresh.inquiry().stored().is_empty() && fresh.visits().stored().is_empty());
    assert_eq!(
        fresh
            .inquiry()
            .iter()
            .filter(|v| **v != Value::None)
            .count(),
        0
    );
}

/// The payload's layout, written by hand.
#[derive(Serialize, Clone)]
struct Wire {
    pc: u32,
    status: RunStatus,
    stack: Vec<Value>,
    inquiry: Vec<(u32, Value)>,
    results: Vec<(u32, Vec<Value>)>,
    visits: Vec<(u32, u32)>,
    fuel_used: u64,
}

#[test]
fn non_canonical_or_foreign_entries_are_refused() {
    let m = flow(0);
    let s = at_screen(&m);
    let good = Wire {
        pc: s.pc(),
        status: s.status(),
        stack: vec![],
        inquiry: vec![],
        results: vec![],
        visits: vec![(0, 1)],
        fuel_used: s.fuel_used(),
    };
    let load = |w: &Wire| State::from_payload(&m, &postcard::to_stdvec(w).unwrap());
    assert_eq!(load(&good).unwrap(), s);
    let name = || Value::Str("Ada".into());
    type Edit = Box<dyn Fn(&mut Wire)>;
    let bad: Vec<(&str, Edit)> = vec![
        (
            "field past the table",
            Box::new(|w| w.inquiry = vec![(2, Value::Int(1))]),
        ),
        (
            "field given twice",
            Box::new(move |w| w.inquiry = vec![(0, name()), (0, name())]),
        ),
        (
            "fields out of order",
            Box::new(move |w| w.inquiry = vec![(1, Value::Int(1)), (0, name())]),
        ),
        (
            "a `none` entry",
            Box::new(|w| w.inquiry = vec![(1, Value::None)]),
        ),
        (
            "wrong type",
            Box::new(|w| w.inquiry = vec![(0, Value::Int(1))]),
        ),
        (
            "step past the table",
            Box::new(|w| w.visits = vec![(0, 1), (3, 1)]),
        ),
        ("zero visits", Box::new(|w| w.visits = vec![(0, 1), (1, 0)])),
        (
            "a result the module lacks",
            Box::new(|w| w.results = vec![(0, vec![])]),
        ),
        (
            "a stack at a screen",
            Box::new(|w| w.stack = vec![Value::Int(1)]),
        ),
    ];
    for (what, edit) in &bad {
        let mut w = good.clone();
        edit(&mut w);
        let e = load(&w).unwrap_err();
        assert_eq!(e.code, Code::R0004, "{what}: {e}");
    }
    let mut bytes = postcard::to_stdvec(&good).unwrap();
    bytes.push(0);
    assert_eq!(
        State::from_payload(&m, &bytes).unwrap_err().code,
        Code::R0004
    );
}

#[test]
fn a_flipped_payload_byte_fails_the_checksum() {
    let m = flow(3);
    let mut bytes = at_screen(&m).to_bytes(&m).unwrap();
    // The payload sits between the 32-byte module hash (after magic,
    // version) and the 4-byte checksum.
    let at = bytes.len() - 6;
    bytes[at] ^= 0x01;
    let e = State::from_bytes(&m, &bytes).unwrap_err();
    assert_eq!(e.code, Code::R0004);
    assert!(e.message.contains("checksum"), "{e}");
}
