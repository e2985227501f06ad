#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! Dates at the extremes. A date is valid only in 0001-01-01..=9999-12-31,
//! and every way a date enters a run from outside the compiler is checked:
//! a module's constants (R0005), a saved state (R0004), a host's answer,
//! account read or clock (a host error: retried, then `on error`, else
//! R0003), resume input (R0002) and a scenario (a scenario error). The
//! dates just inside the range pass everywhere.

use flowc::unstable::bytecode::VerifiedModule;
use flowc::unstable::catalog::Catalog;
use flowc::unstable::diagnostics::Code;
use flowc::unstable::host::{Script, ScriptedHost};
use flowc::unstable::value::{Date, Status, Value};
use flowc::unstable::vm::{Outcome, State, Vm};

const FLOW: &str = r#"
flow dates {
  plan essential
  inquiry { name_first: string, name_last: string, birthdate: date, n: int? }
  account { seen: date? }
  screen ask { collect name_first, name_last, birthdate -> check }
  action check {
    let db = verify database { name_first: inquiry.name_first, name_last: inquiry.name_last, birthdate: inquiry.birthdate } retry 1
    if account.seen != none { tag "seen" }
    set inquiry.n = age(inquiry.birthdate)
    -> route
  }
  branch route {
    when inquiry.birthdate > @0001-01-01 and inquiry.birthdate < @9999-12-31 -> end approved
    else -> end declined
  }
}
"#;

/// Just past either end of the range, and far past.
const OUT: [Date; 4] = [
    Date(-719_163),
    Date(2_932_897),
    Date(i32::MIN),
    Date(i32::MAX),
];

fn module() -> VerifiedModule {
    let c = flowc::compile_source(FLOW, &Catalog::builtin());
    assert!(c.diagnostics.is_empty(), "{:#?}", c.diagnostics);
    c.module.unwrap()
}

fn input(birthdate: Date) -> Vec<(String, Value)> {
    vec![
        ("name_first".into(), Value::Str("Ada".into())),
        ("name_last".into(), Value::Str("Lovelace".into())),
        ("birthdate".into(), Value::Date(birthdate)),
    ]
}

fn db(birthdate: Value) -> Vec<Value> {
    vec![
        Value::Status(Status::Passed),
        Value::Str("Ada".into()),
        Value::Str("Lovelace".into()),
        birthdate,
    ]
}

/// A run of `module` resumed past its screen with `birthdate`.
fn at_the_action(module: &VerifiedModule, birthdate: Date) -> State {
    let mut state = Vm::start(module);
    let mut host = ScriptedHost::new(Script::default());
    let out = Vm::run(module, &mut state, &mut host, 1_000).unwrap();
    assert!(matches!(out, Outcome::Suspended(_)));
    Vm::resume(module, &mut state, &input(birthdate)).unwrap();
    state
}

fn script(stub: Vec<Value>, clock: Date) -> Script {
    let mut s = Script {
        clock: Some(clock),
        ..Script::default()
    };
    s.stubs
        .insert("db".into(), [Some(stub.clone()), Some(stub)].into());
    s
}

fn today() -> Date {
    Date::parse("2026-11-25").unwrap()
}

#[test]
fn the_ends_of_the_range_run_everywhere() {
    let module = module();
    for d in [Date::MIN, Date::MAX] {
        let mut state = at_the_action(&module, d);
        let mut s = script(db(Value::Date(d)), d);
        s.account.insert("seen".into(), Value::Date(d));
        let mut host = ScriptedHost::new(s);
        let out = Vm::run(&module, &mut state, &mut host, 1_000).unwrap();
        assert_eq!(
            out,
            Outcome::Ended(flowc::unstable::value::EndStatus::Declined)
        );
        assert_eq!(state.inquiry().to_vec()[3], Value::Int(0));
        // and the state with those dates saves and loads
        let bytes = state.to_bytes(&module).unwrap();
        assert_eq!(State::from_bytes(&module, &bytes).unwrap(), state);
    }
}

#[test]
fn a_module_constant_out_of_range_is_r0005() {
    let good = module().into_module();
    let i = good
        .consts
        .iter()
        .position(|c| *c == Value::Date(Date::MIN))
        .unwrap();
    for d in OUT {
        let mut m = good.clone();
        m.consts[i] = Value::Date(d);
        for err in [
            VerifiedModule::from_bytes(&m.to_bytes()).unwrap_err(),
            VerifiedModule::from_json(&m.to_json()).unwrap_err(),
        ] {
            assert_eq!(err.code, Code::R0005);
            assert!(
                err.message.contains(&format!("constant {i} is a date")),
                "{err}"
            );
        }
    }
}

#[test]
fn a_saved_state_with_a_date_out_of_range_is_r0004() {
    let module = module();
    let state = at_the_action(&module, today());
    for d in OUT {
        let s = edited(&state, |j| j["inquiry"][2] = json(&Value::Date(d)));
        let err = State::from_bytes(&module, &s.to_bytes(&module).unwrap()).unwrap_err();
        assert_eq!(err.code, Code::R0004, "{err}");
        assert!(err.message.contains("date outside"), "{err}");
        // in a bound result too
        let s = edited(&state, |j| {
            j["results"][0] = json(&Some(db(Value::Date(d))))
        });
        let err = State::from_bytes(&module, &s.to_bytes(&module).unwrap()).unwrap_err();
        assert_eq!(err.code, Code::R0004, "{err}");
    }
}

#[test]
fn resume_input_out_of_range_is_r0002_and_leaves_the_state_alone() {
    let module = module();
    let mut state = Vm::start(&module);
    let mut host = ScriptedHost::new(Script::default());
    Vm::run(&module, &mut state, &mut host, 1_000).unwrap();
    for d in OUT {
        let mut s = state.clone();
        let err = Vm::resume(&module, &mut s, &input(d)).unwrap_err();
        assert_eq!(err.code, Code::R0002);
        assert_eq!(s, state);
    }
    let json = r#"{"name_first": "A", "name_last": "B", "birthdate": "0000-12-31"}"#;
    let mut s = state.clone();
    assert_eq!(
        Vm::resume_json(&module, &mut s, json).unwrap_err().code,
        Code::R0002
    );
    assert_eq!(s, state);
}

#[test]
fn a_host_answer_out_of_range_is_a_host_error() {
    let module = module();
    for d in OUT {
        // the call's answer: retried (two calls), then R0003 at the call
        let mut state = at_the_action(&module, today());
        let mut host = ScriptedHost::new(script(db(Value::Date(d)), today()));
        let err = Vm::run(&module, &mut state, &mut host, 1_000).unwrap_err();
        assert_eq!(err.code, Code::R0003, "{err}");
        assert!(err.message.contains("after 2 call(s)"), "{err}");
        assert!(err.message.contains("date outside"), "{err}");
        assert_eq!(state.results().to_vec()[0], None);

        // an account read
        let mut state = at_the_action(&module, today());
        let mut s = script(db(Value::Date(today())), today());
        s.account.insert("seen".into(), Value::Date(d));
        let mut host = ScriptedHost::new(s);
        let err = Vm::run(&module, &mut state, &mut host, 1_000).unwrap_err();
        assert_eq!(err.code, Code::R0003, "{err}");
        assert!(err.message.contains("account.seen"), "{err}");

        // the clock, read by `age`
        let mut state = at_the_action(&module, today());
        let mut host = ScriptedHost::new(script(db(Value::Date(today())), d));
        let err = Vm::run(&module, &mut state, &mut host, 1_000).unwrap_err();
        assert_eq!(err.code, Code::R0003, "{err}");
        assert!(err.message.contains("host clock"), "{err}");
    }
}

#[test]
fn a_scenario_date_out_of_range_is_a_scenario_error() {
    let module = module();
    let good = serde_json::json!({
        "inputs": {"ask": [{"name_first": "A", "name_last": "B", "birthdate": "0001-01-01"}]},
        "stubs": {"db": [{"status": "passed", "name_first": "A", "name_last": "B", "birthdate": "9999-12-31"}]},
        "account": {"seen": "9999-12-31"},
        "clock": "0001-01-01"
    });
    Script::from_scenario(module.module(), &good.to_string()).unwrap();
    for pointer in [
        "/inputs/ask/0/birthdate",
        "/stubs/db/0/birthdate",
        "/account/seen",
        "/clock",
    ] {
        let mut bad = good.clone();
        *bad.pointer_mut(pointer).unwrap() = serde_json::json!("0000-06-30");
        let err = Script::from_scenario(module.module(), &bad.to_string()).unwrap_err();
        assert!(!err.to_string().is_empty(), "{pointer}");
    }
}

/// The serde JSON of anything (a field of a `State`).
fn json<T: serde::Serialize>(value: &T) -> serde_json::Value {
    serde_json::to_value(value).unwrap()
}

/// `state` with some fields changed through its serde form (its fields are
/// private: a hostile saved state is made the way a decoder would make it).
fn edited(state: &State, edit: impl FnOnce(&mut serde_json::Value)) -> State {
    let mut j = json(state);
    edit(&mut j);
    serde_json::from_value(j).unwrap()
}
