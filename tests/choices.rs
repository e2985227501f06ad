#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! Choice types, labels and titles at run time (SPEC §8.2): what the screen
//! request carries, screen input outside a choice (R0002, state unchanged),
//! host answers outside one (a host error), scenarios (refused), and the
//! module encoding and verifier.

use flowc::unstable::bytecode::{Module, VerifiedModule};
use flowc::unstable::catalog::Catalog;
use flowc::unstable::diagnostics::Code;
use flowc::unstable::host::{Script, ScriptedHost};
use flowc::unstable::types::{BaseType, ChoiceId, Type};
use flowc::unstable::value::{Status, Value};
use flowc::unstable::vm::{Outcome, ScreenRequest, State, Vm};

const FLOW: &str = r#"
flow kinds {
  plan essential
  inquiry {
    title: string? "Title"
    doc_kind: "passport" | "drivers_license" | "id_card" "Document type"
    backup: ("passport" | "id_card")?
  }
  account { on_file: "passport" | "id_card" }
  screen title {
    title "Which document?"
    collect doc_kind, title, backup
    capture government_id
    -> check
  }
  action check {
    let id = verify government_id {}
    if account.on_file == "passport" { tag "passport-on-file" }
    -> end completed
  }
}
"#;

fn module() -> VerifiedModule {
    let c = flowc::compile_source(FLOW, &Catalog::builtin());
    assert!(
        c.diagnostics.iter().all(|d| !d.is_error()),
        "{:#?}",
        c.diagnostics
    );
    c.module.unwrap()
}

fn suspended(module: &VerifiedModule) -> (State, ScreenRequest) {
    let mut state = Vm::start(module);
    let mut host = ScriptedHost::new(Script::default());
    match Vm::run(module, &mut state, &mut host, 10_000).unwrap() {
        Outcome::Suspended(req) => (state, req),
        other => panic!("expected a screen, got {other:?}"),
    }
}

fn s(text: &str) -> Value {
    Value::Str(text.to_string())
}

fn answer(doc_kind: Value, backup: Value) -> Vec<(String, Value)> {
    vec![
        ("doc_kind".into(), doc_kind),
        ("title".into(), Value::None),
        ("backup".into(), backup),
        ("government_id".into(), Value::Bool(true)),
    ]
}

#[test]
fn the_screen_request_carries_title_labels_and_choice_values() {
    let module = module();
    let (_, req) = suspended(&module);
    assert_eq!(req.screen, "title");
    assert_eq!(req.title.as_deref(), Some("Which document?"));
    let names: Vec<&str> = req.fields.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(names, ["doc_kind", "title", "backup"]);
    let doc = &req.fields[0];
    assert_eq!(doc.choices, ["passport", "drivers_license", "id_card"]);
    assert_eq!(doc.label.as_deref(), Some("Document type"));
    assert_eq!(doc.ty.base, BaseType::String);
    assert!(!doc.ty.optional);
    assert_eq!(
        doc.type_text(),
        r#""passport" | "drivers_license" | "id_card""#
    );
    // A field named `title` is an ordinary string field.
    assert!(req.fields[1].choices.is_empty());
    assert_eq!(req.fields[1].label.as_deref(), Some("Title"));
    assert_eq!(req.fields[1].type_text(), "string?");
    assert_eq!(req.fields[2].type_text(), r#"("passport" | "id_card")?"#);
    assert_eq!(req.fields[2].label, None);
    assert_eq!(req.captures, ["government_id"]);
}

#[test]
fn input_outside_a_choice_is_r0002_and_leaves_the_state_unchanged() {
    let module = module();
    let (mut state, _) = suspended(&module);
    let before = state.clone();
    for (doc, backup) in [
        (s("visa"), Value::None),
        (s("Passport"), Value::None),
        (s("passport"), s("drivers_license")),
    ] {
        let e = Vm::resume(&module, &mut state, &answer(doc, backup)).unwrap_err();
        assert_eq!(e.code, Code::R0002, "{e}");
        assert!(e.message.contains("must be one of"), "{e}");
        assert_eq!(state, before);
    }
    let json = r#"{"doc_kind": "visa", "title": null, "backup": null, "government_id": true}"#;
    let e = Vm::resume_json(&module, &mut state, json).unwrap_err();
    assert_eq!(e.code, Code::R0002);
    assert_eq!(state, before);
    // Inside the sets, `none` for the optional choice: accepted.
    Vm::resume(&module, &mut state, &answer(s("id_card"), Value::None)).unwrap();
    let (mut state, _) = suspended(&module);
    Vm::resume(&module, &mut state, &answer(s("passport"), s("id_card"))).unwrap();
}

fn run_with(module: &VerifiedModule, script: Script) -> Result<Outcome, Code> {
    let (mut state, _) = suspended(module);
    Vm::resume(module, &mut state, &answer(s("passport"), Value::None)).unwrap();
    let mut host = ScriptedHost::new(script);
    Vm::run(module, &mut state, &mut host, 10_000).map_err(|e| e.code)
}

/// A `passed` government ID answer with every field (strict answers,
/// reference §8.4): status, names, birthdate, number, expiry, country.
fn passed_id() -> Vec<Value> {
    let date = |d: &str| Value::Date(flowc::unstable::value::Date::parse(d).unwrap());
    vec![
        Value::Status(Status::Passed),
        s("Ada"),
        s("Lovelace"),
        date("1815-12-10"),
        s("X1234567"),
        date("2030-01-31"),
        s("GB"),
    ]
}

#[test]
fn an_account_value_outside_a_choice_is_a_host_error() {
    let module = module();
    let mut script = Script::default();
    script.stubs.insert("id".into(), [Some(passed_id())].into());
    script.account.insert("on_file".into(), s("passport"));
    assert!(run_with(&module, script.clone()).is_ok());
    script.account.insert("on_file".into(), s("library_card"));
    assert_eq!(run_with(&module, script), Err(Code::R0003));
}

/// The catalogue's result fields are never choices; a module whose result
/// field is one (as a hand-built or future module may have) still has its
/// host answers checked against the set.
#[test]
fn a_result_value_outside_a_choice_is_a_host_error() {
    let mut raw: Module = module().into_module();
    let id = raw.choices.push(vec!["US".into(), "GB".into()]);
    let country = raw.results[0]
        .fields
        .iter_mut()
        .find(|f| f.name == "country")
        .unwrap();
    country.ty = Type::choice(id).with_optional(true);
    let module = VerifiedModule::verify(raw).unwrap();
    let mut answer = passed_id();
    answer[6] = s("GB");
    let mut script = Script::default();
    script
        .stubs
        .insert("id".into(), [Some(answer.clone())].into());
    assert!(run_with(&module, script.clone()).is_ok());
    answer[6] = s("FR");
    script.stubs.insert("id".into(), [Some(answer)].into());
    assert_eq!(run_with(&module, script), Err(Code::R0003));
}

#[test]
fn scenario_inputs_and_account_outside_a_choice_are_refused() {
    let module = module();
    let ok = r#"{"inputs": {"title": [{"doc_kind": "passport", "title": null, "backup": "id_card", "government_id": true}]},
                 "account": {"on_file": "id_card"}}"#;
    Script::from_scenario(module.module(), ok).unwrap();
    let input = ok.replace(r#""backup": "id_card""#, r#""backup": "visa""#);
    let e = Script::from_scenario(module.module(), &input).unwrap_err();
    assert!(e.to_string().contains("inputs.title[0].backup"), "{e}");
    let account = ok.replace(r#""on_file": "id_card""#, r#""on_file": "visa""#);
    let e = Script::from_scenario(module.module(), &account).unwrap_err();
    assert!(e.to_string().contains("account.on_file"), "{e}");
}

#[test]
fn labels_titles_and_choices_survive_the_encoding() {
    let module = module();
    let bytes = module.to_bytes();
    let back = VerifiedModule::from_bytes(&bytes).unwrap();
    assert_eq!(back.module(), module.module());
    let json = VerifiedModule::from_json(&module.to_json()).unwrap();
    assert_eq!(json.module(), module.module());
    let m = back.module();
    assert_eq!(m.steps[0].title.as_deref(), Some("Which document?"));
    assert_eq!(m.inquiry[1].label.as_deref(), Some("Document type"));
    assert_eq!(
        m.choices.values(m.inquiry[1].ty.choice.unwrap()),
        ["passport", "drivers_license", "id_card"]
    );
}

#[test]
fn the_verifier_refuses_bad_choice_tables() {
    let good = module().into_module();
    let mut out_of_range = good.clone();
    out_of_range.inquiry[1].ty.choice = Some(ChoiceId(99));
    let mut not_a_string = good.clone();
    not_a_string.inquiry[1].ty.base = BaseType::Int;
    let mut title_on_action = good.clone();
    title_on_action.steps[1].title = Some("no".into());
    let mut repeated = good.clone();
    repeated.choices.push(vec!["a".into(), "a".into()]);
    let mut empty = good;
    empty.choices.push(Vec::new());
    for m in [out_of_range, not_a_string, title_on_action, repeated, empty] {
        let e = VerifiedModule::verify(m).unwrap_err();
        assert_eq!(e.code, Code::R0005, "{e}");
    }
}

#[test]
fn cli_scenario_outside_a_choice_exits_2() {
    let dir = std::env::temp_dir().join(format!("flowc-choices-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let flow = dir.join("kinds.flow");
    std::fs::write(&flow, FLOW).unwrap();
    let scenario = dir.join("s.json");
    std::fs::write(
        &scenario,
        r#"{"inputs": {"title": [{"doc_kind": "visa", "title": null, "backup": null, "government_id": true}]}}"#,
    )
    .unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_flowc"))
        .args(["run", flow.to_str().unwrap(), "--scenario"])
        .arg(&scenario)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("inputs.title[0].doc_kind"), "{err}");
}

#[test]
fn flowc_run_prints_the_screen_request() {
    let dir = std::env::temp_dir().join(format!("flowc-choices-run-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let flow = dir.join("kinds.flow");
    std::fs::write(&flow, FLOW).unwrap();
    let run = |json: bool| {
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_flowc"));
        cmd.args(["run", flow.to_str().unwrap()])
            .env("NO_COLOR", "1");
        if json {
            cmd.args(["--format", "json"]);
        }
        String::from_utf8(cmd.output().unwrap().stdout).unwrap()
    };
    let (human, json) = (run(false), run(true));
    std::fs::remove_dir_all(&dir).unwrap();
    assert!(
        human.contains(r#"waiting at screen title titled "Which document?" for input: fields [doc_kind: "passport" | "drivers_license" | "id_card" "Document type", title: string? "Title", backup: ("passport" | "id_card")?], captures [government_id]"#),
        "{human}"
    );
    let waiting: serde_json::Value = json
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .find(|v| v["event"] == "waiting")
        .unwrap();
    assert_eq!(waiting["title"], "Which document?");
    assert_eq!(
        waiting["choices"]["doc_kind"],
        serde_json::json!(["passport", "drivers_license", "id_card"])
    );
    assert_eq!(waiting["labels"]["doc_kind"], "Document type");
    assert_eq!(waiting["labels"]["title"], "Title");
    assert_eq!(waiting["fields"]["title"], "string?");
    assert!(waiting["labels"].get("backup").is_none());
}
