#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! Strict host answers (reference §8.3, §8.4) and account narrowing
//! (§8.2) at run time: an answer that breaks what narrowing promised is a
//! host error (retried, then `on error`, else R0003), never a `none` where
//! the checker proved a value.

mod common;

use common::flowc;
use flowc::unstable::bytecode::{Instr, VerifiedModule};
use flowc::unstable::catalog::Catalog;
use flowc::unstable::diagnostics::Code;
use flowc::unstable::host::{
    CallOutcome, Host, HostCall, HostError, Script, ScriptedHost, TraceEvent,
};
use flowc::unstable::testing::{RunEnd, drive};
use flowc::unstable::value::{Date, EndStatus, Status, Value};
use flowc::unstable::vm::{Outcome, Vm};

fn compile(source: &str) -> VerifiedModule {
    let c = flowc::compile_source(source, &Catalog::builtin());
    let errors: Vec<_> = c.diagnostics.iter().filter(|d| d.is_error()).collect();
    assert!(errors.is_empty(), "{errors:#?}");
    c.module.unwrap()
}

fn s(text: &str) -> Value {
    Value::Str(text.to_string())
}

/// The error message of every failed call in the trace, in order.
fn call_errors(host: &ScriptedHost) -> Vec<String> {
    host.trace
        .iter()
        .filter_map(|e| match e {
            TraceEvent::Call {
                outcome: CallOutcome::Error(m),
                ..
            } => Some(m.clone()),
            _ => None,
        })
        .collect()
}

const DB: &str = r#"
flow f {
  plan essential
  inquiry { a: string }
  account { name_first: string? }
  screen ask { collect a -> v }
  action v {
    let db = verify database { name_first: inquiry.a, name_last: inquiry.a, birthdate: @2000-01-01 } retry 1
    -> route
    on error -> end needs_review
  }
  branch route {
    when db.status == passed -> keep
    else -> end declined
  }
  action keep {
    set account.name_first = db.name_first
    -> end approved
  }
}
"#;

fn db_answer(first: Value, last: Value, birthdate: Value) -> Option<Vec<Value>> {
    Some(vec![Value::Status(Status::Passed), first, last, birthdate])
}

fn db_script(answers: Vec<Option<Vec<Value>>>) -> Script {
    let mut script = Script::default();
    script
        .inputs
        .insert("ask".into(), [vec![("a".to_string(), s("Ada"))]].into());
    script.stubs.insert("db".into(), answers.into());
    script
}

#[test]
fn a_passed_answer_without_a_field_is_a_host_error_that_is_retried() {
    let module = compile(DB);
    let day = Value::Date(Date::parse("2000-01-01").unwrap());
    let mut host = ScriptedHost::new(db_script(vec![
        db_answer(s("Ada"), Value::None, day.clone()),
        db_answer(s("Ada"), s("Lovelace"), day),
    ]));
    let (_, end) = drive(&module, &mut host, 10_000);
    assert_eq!(end, RunEnd::Ended(EndStatus::Approved), "{:?}", host.trace);
    assert_eq!(
        call_errors(&host),
        ["host answered `status: passed` for `db` without `name_last`"]
    );
    assert_eq!(host.script.account.get("name_first"), Some(&s("Ada")));
}

#[test]
fn a_passed_answer_that_stays_broken_takes_on_error() {
    let module = compile(DB);
    let broken = db_answer(Value::None, Value::None, Value::None);
    let mut host = ScriptedHost::new(db_script(vec![broken.clone(), broken]));
    let (_, end) = drive(&module, &mut host, 10_000);
    assert_eq!(end, RunEnd::Ended(EndStatus::NeedsReview));
    assert_eq!(call_errors(&host).len(), 2);
    assert!(call_errors(&host)[0].contains("without `name_first`, `name_last`, `birthdate`"));
    // A `failed` answer may leave every field out.
    let failed = Some(vec![
        Value::Status(Status::Failed),
        Value::None,
        Value::None,
        Value::None,
    ]);
    let mut host = ScriptedHost::new(db_script(vec![failed]));
    let (_, end) = drive(&module, &mut host, 10_000);
    assert_eq!(end, RunEnd::Ended(EndStatus::Declined));
}

/// A host other than the scripted one gets the same check from the VM.
struct Answers {
    answers: Vec<Vec<Value>>,
    calls: usize,
}

impl Host for Answers {
    fn call(&mut self, call: &HostCall<'_>) -> Result<Vec<Value>, HostError> {
        assert!(call.promise.is_some(), "verifications carry their promise");
        let answer = self.answers.get(self.calls).cloned();
        self.calls += 1;
        answer.ok_or_else(|| HostError::stop("no answer"))
    }
    fn read_account(&mut self, _: &str) -> Result<Value, HostError> {
        Ok(Value::None)
    }
    fn write_account(&mut self, _: &str, _: &Value) -> Result<(), HostError> {
        Ok(())
    }
    fn tag(&mut self, _: &str) -> Result<(), HostError> {
        Ok(())
    }
    fn case(&mut self, _: &str) -> Result<(), HostError> {
        Ok(())
    }
    fn today(&mut self) -> Date {
        Date::parse("2026-11-25").unwrap()
    }
}

#[test]
fn without_on_error_a_broken_passed_answer_is_r0003_from_any_host() {
    let module = compile(&DB.replace("    on error -> end needs_review\n", ""));
    let broken = vec![Value::Status(Status::Passed), s("A"), s("B"), Value::None];
    let mut host = Answers {
        answers: vec![broken.clone(), broken],
        calls: 0,
    };
    let mut state = Vm::start(&module);
    assert!(matches!(
        Vm::run(&module, &mut state, &mut host, 10_000),
        Ok(Outcome::Suspended(_))
    ));
    Vm::resume(&module, &mut state, &[("a".to_string(), s("Ada"))]).unwrap();
    let err = Vm::run(&module, &mut state, &mut host, 10_000).unwrap_err();
    assert_eq!(err.code, Code::R0003, "{err}");
    assert!(
        err.message.contains(
            "after 2 call(s): host answered `status: passed` for `db` without `birthdate`"
        ),
        "{err}"
    );
    assert_eq!(host.calls, 2);
}

const RISK: &str = r#"
flow risk {
  plan growth
  inquiry { email: string }
  screen ask { collect email -> score }
  action score {
    let risk = http post "https://risk.example/score" { email: inquiry.email }
      returns { score: int, reason: string? }
    -> route
    on error -> end needs_review
  }
  branch route {
    when risk.ok and risk.score < 30 -> end approved
    else -> end declined
  }
}
"#;

fn risk_script(answer: Vec<Value>) -> Script {
    let mut script = Script::default();
    script.inputs.insert(
        "ask".into(),
        [vec![("email".to_string(), s("ada@example.com"))]].into(),
    );
    script.stubs.insert("risk".into(), [Some(answer)].into());
    script
}

#[test]
fn an_ok_http_answer_needs_every_non_optional_declared_field() {
    let module = compile(RISK);
    let t = Value::Bool(true);
    let code = Value::Int(200);
    // Every declared field but the optional one: fine.
    let mut host = ScriptedHost::new(risk_script(vec![
        code.clone(),
        t.clone(),
        Value::Int(12),
        Value::None,
    ]));
    assert_eq!(
        drive(&module, &mut host, 10_000).1,
        RunEnd::Ended(EndStatus::Approved)
    );
    // `ok: true` without `score`: a host error, so `on error`.
    let mut host = ScriptedHost::new(risk_script(vec![code.clone(), t, Value::None, s("x")]));
    assert_eq!(
        drive(&module, &mut host, 10_000).1,
        RunEnd::Ended(EndStatus::NeedsReview)
    );
    assert_eq!(
        call_errors(&host),
        ["host answered `ok: true` for `risk` without `score`"]
    );
    // `ok: false` needs none of them.
    let mut host = ScriptedHost::new(risk_script(vec![
        Value::Int(503),
        Value::Bool(false),
        Value::None,
        Value::None,
    ]));
    assert_eq!(
        drive(&module, &mut host, 10_000).1,
        RunEnd::Ended(EndStatus::Declined)
    );
}

#[test]
fn the_verifier_refuses_a_promise_that_names_no_optional_field() {
    let module = compile(RISK).into_module();
    let promise = module.results[0].promise.clone().unwrap();
    assert_eq!((promise.when, promise.present.clone()), (1, vec![2]));
    for bad in [vec![9], vec![0]] {
        let mut m = module.clone();
        m.results[0].promise.as_mut().unwrap().present = bad.clone();
        let err = VerifiedModule::verify(m).unwrap_err();
        assert_eq!(err.code, Code::R0005, "{bad:?}: {err}");
    }
    let mut m = module.clone();
    m.results[0].promise.as_mut().unwrap().is = Value::Int(1);
    assert_eq!(VerifiedModule::verify(m).unwrap_err().code, Code::R0005);
}

const ACCOUNT: &str = r#"
flow again {
  plan essential
  account { name_first: string? }
  screen start_here { -> known }
  branch known {
    when account.name_first != none -> welcome_back
    else -> end declined
  }
  action welcome_back {
    tag "returning-" + account.name_first
    -> end approved
  }
}
"#;

/// A host whose Account answers `name_first` from a list, one read each.
struct Changing {
    reads: Vec<Value>,
    tags: Vec<String>,
}

impl Host for Changing {
    fn call(&mut self, _: &HostCall<'_>) -> Result<Vec<Value>, HostError> {
        Err(HostError::stop("no calls here"))
    }
    fn read_account(&mut self, _: &str) -> Result<Value, HostError> {
        Ok(if self.reads.is_empty() {
            Value::None
        } else {
            self.reads.remove(0)
        })
    }
    fn write_account(&mut self, _: &str, _: &Value) -> Result<(), HostError> {
        Ok(())
    }
    fn tag(&mut self, text: &str) -> Result<(), HostError> {
        self.tags.push(text.to_string());
        Ok(())
    }
    fn case(&mut self, _: &str) -> Result<(), HostError> {
        Ok(())
    }
    fn today(&mut self) -> Date {
        Date::parse("2026-11-25").unwrap()
    }
}

fn run_account(
    reads: Vec<Value>,
) -> (
    Result<Outcome, flowc::unstable::bytecode::RuntimeError>,
    Changing,
) {
    let module = compile(ACCOUNT);
    let mut host = Changing {
        reads,
        tags: Vec::new(),
    };
    let mut state = Vm::start(&module);
    assert!(matches!(
        Vm::run(&module, &mut state, &mut host, 10_000),
        Ok(Outcome::Suspended(_))
    ));
    Vm::resume(&module, &mut state, &[]).unwrap();
    (Vm::run(&module, &mut state, &mut host, 10_000), host)
}

#[test]
fn a_narrowed_account_read_compiles_to_load_account_present() {
    let module = compile(ACCOUNT);
    let code = &module.module().code;
    assert_eq!(
        code.iter()
            .filter(|i| matches!(i, Instr::LoadAccount(_)))
            .count(),
        1,
        "the `!= none` test itself may read none"
    );
    assert_eq!(
        code.iter()
            .filter(|i| matches!(i, Instr::LoadAccountPresent(_)))
            .count(),
        1
    );
    let (end, host) = run_account(vec![s("Ada"), s("Ada")]);
    assert!(matches!(end, Ok(Outcome::Ended(EndStatus::Approved))));
    assert_eq!(host.tags, ["returning-Ada"]);
}

#[test]
fn an_account_value_gone_where_the_flow_knows_it_is_set_is_r0003() {
    let (end, host) = run_account(vec![s("Ada"), Value::None]);
    let err = end.unwrap_err();
    assert_eq!(err.code, Code::R0003, "{err}");
    assert!(
        err.message
            .contains("host returned no value for `account.name_first`"),
        "{err}"
    );
    assert!(host.tags.is_empty(), "nothing ran past the read");
}

#[test]
fn a_scenario_passed_stub_without_its_fields_is_refused_with_its_path() {
    let dir = tempfile::tempdir().unwrap();
    let flow = dir.path().join("db.flow");
    std::fs::write(&flow, DB).unwrap();
    let flow = flow.to_str().unwrap();
    let scenario = |stubs: &str| {
        let path = dir.path().join("s.json");
        std::fs::write(
            &path,
            format!(r#"{{"inputs": {{"ask": [{{"a": "Ada"}}]}}, "stubs": {{"db": {stubs}}}}}"#),
        )
        .unwrap();
        path.to_str().unwrap().to_string()
    };
    let s1 = scenario(r#"["error", {"status": "passed", "name_first": "Ada", "name_last": null}]"#);
    let (code, _, err) = flowc(&["run", flow, "--scenario", &s1]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("`stubs.db[1]`: a `passed` answer carries every result field; missing or null: `name_last`, `birthdate`"),
        "{err}"
    );
    // A wrong type is a scenario error too; a `failed` stub needs nothing.
    let s2 = scenario(
        r#"[{"status": "passed", "name_first": 1, "name_last": "L", "birthdate": "2000-01-01"}]"#,
    );
    let (code, _, err) = flowc(&["run", flow, "--scenario", &s2]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("`stubs.db[0].name_first`"), "{err}");
    let s3 = scenario(r#"[{"status": "failed"}]"#);
    let (code, out, err) = flowc(&["run", flow, "--scenario", &s3]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("end declined"), "{out}");
}

/// A host that answers everything at random from a seed: call answers
/// whose fields are present, `none` or of the wrong type, `ok` and
/// `status` of any value, host errors, and an Account whose every read may
/// differ from the last.
struct Hostile {
    seed: u64,
    /// The type of each Account field, so that reads are of the right
    /// type (a wrong one is already R0003 at the read).
    account: std::collections::HashMap<String, flowc::unstable::types::Type>,
    /// The type of each inquiry field, to catch `none` written into a
    /// non-optional one (the VM's `set_inquiry` itself admits `none`).
    inquiry: std::collections::HashMap<String, flowc::unstable::types::Type>,
    /// Non-optional inquiry fields written with `none`.
    nones: Vec<String>,
}

impl Hostile {
    fn next(&mut self) -> u64 {
        // xorshift64*: a fixed, well-spread sequence for each seed.
        self.seed ^= self.seed >> 12;
        self.seed ^= self.seed << 25;
        self.seed ^= self.seed >> 27;
        self.seed.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn value(&mut self, base: flowc::unstable::types::BaseType) -> Value {
        use flowc::unstable::types::BaseType as B;
        match base {
            B::String => Value::Str(["", "approve", "Review", "x"][self.below(4) as usize].into()),
            B::Int => Value::Int([0, 12, 29, 30, 95, -1][self.below(6) as usize]),
            B::Bool => Value::Bool(self.below(2) == 0),
            B::Date => Value::Date(Date(738_000 + self.below(800) as i32)),
            B::Status => Value::Status(
                [Status::Passed, Status::Failed, Status::RequiresRetry][self.below(3) as usize],
            ),
        }
    }

    /// A value for a field of `ty`: mostly right, sometimes `none`, now
    /// and then of another type.
    fn answer(&mut self, ty: flowc::unstable::types::Type) -> Value {
        use flowc::unstable::types::BaseType as B;
        match self.below(10) {
            0..=5 => self.value(ty.base),
            6..=8 => Value::None,
            _ => {
                let other = if ty.base == B::Int { B::String } else { B::Int };
                self.value(other)
            }
        }
    }
}

impl Host for Hostile {
    fn call(&mut self, call: &HostCall<'_>) -> Result<Vec<Value>, HostError> {
        if self.below(6) == 0 {
            return Err(HostError::new("hostile: down"));
        }
        Ok(call.fields.iter().map(|f| self.answer(f.ty)).collect())
    }
    fn read_account(&mut self, field: &str) -> Result<Value, HostError> {
        // Right type or `none`, but a new draw on every read.
        let ty = self.account.get(field).copied();
        Ok(match (ty, self.below(3)) {
            (Some(ty), 1..) => self.value(ty.base),
            _ => Value::None,
        })
    }
    fn write_account(&mut self, _: &str, _: &Value) -> Result<(), HostError> {
        Ok(())
    }
    fn tag(&mut self, _: &str) -> Result<(), HostError> {
        Ok(())
    }
    fn case(&mut self, _: &str) -> Result<(), HostError> {
        Ok(())
    }
    fn today(&mut self) -> Date {
        Date::parse("2026-11-25").unwrap()
    }
    fn inquiry_written(&mut self, field: &str, value: &Value) {
        if *value == Value::None && self.inquiry.get(field).is_some_and(|t| !t.optional) {
            self.nones.push(field.to_string());
        }
    }
}

/// The flows the property runs: the examples that use typed HTTP answers,
/// verifications and Account narrowing, and the check cases of each.
fn subjects() -> Vec<(String, VerifiedModule)> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    [
        "examples/http_risk_score.flow",
        "examples/reverification.flow",
        "examples/gov_id_selfie.flow",
        "examples/growth_watchlist_case.flow",
        "tests/cases/check/ok_http_returns.flow",
        "tests/cases/check/ok_account_narrowed.flow",
    ]
    .iter()
    .map(|p| {
        let source = std::fs::read_to_string(root.join(p)).unwrap();
        (p.to_string(), compile(&source))
    })
    .collect()
}

/// Runs `module` against a hostile host from `seed`, answering every
/// screen with well-typed input, until it ends, fails or has taken 20
/// screens. Returns the error it stopped with, if any, and the
/// non-optional inquiry fields it wrote `none` into.
fn hostile_run(
    module: &VerifiedModule,
    seed: u64,
) -> (Option<flowc::unstable::bytecode::RuntimeError>, Vec<String>) {
    let account = (module.module().account.iter())
        .map(|f| (f.name.clone(), f.ty))
        .collect();
    let inquiry = (module.module().inquiry.iter())
        .map(|f| (f.name.clone(), f.ty))
        .collect();
    let mut host = Hostile {
        seed: seed | 1,
        account,
        inquiry,
        nones: Vec::new(),
    };
    let mut state = Vm::start(module);
    for _ in 0..20 {
        match Vm::run(module, &mut state, &mut host, 100_000) {
            Ok(Outcome::Ended(_)) => return (None, host.nones),
            Ok(Outcome::Suspended(req)) => {
                let mut input: Vec<(String, Value)> = Vec::new();
                for f in &req.fields {
                    let v = if f.ty.optional && host.below(3) == 0 {
                        Value::None
                    } else {
                        host.value(f.ty.base)
                    };
                    input.push((f.name.clone(), v));
                }
                for c in &req.captures {
                    input.push((c.clone(), Value::Bool(true)));
                }
                Vm::resume(module, &mut state, &input).unwrap();
            }
            Err(e) => return (Some(e), host.nones),
        }
    }
    (None, host.nones)
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(200))]

    /// Reference §8.4: a checked and verified module never stops with
    /// R0005 (the VM's type faults), whatever the host answers: every
    /// answer that would put `none` where narrowing proved a value is a
    /// host error (R0003, or the `on error` route) instead, and no
    /// non-optional inquiry field is ever written `none`.
    #[test]
    fn hostile_answers_never_reach_a_type_fault(seed in proptest::prelude::any::<u64>()) {
        for (name, module) in subjects() {
            let (error, nones) = hostile_run(&module, seed);
            if let Some(e) = error {
                proptest::prop_assert!(
                    e.code != Code::R0005,
                    "{name}, seed {seed}: {e}"
                );
            }
            proptest::prop_assert!(nones.is_empty(), "{name}, seed {seed}: none into {nones:?}");
        }
    }
}
