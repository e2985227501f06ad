#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! The version 1 coverage table (docs/version1.md) stays true: every file
//! and test function it names exists, every row names at least one, and
//! every `flowc test` case it names is run by some test. Also the few
//! version 1 rules whose cases are run from here.

mod common;

use common::flowc;

use std::path::Path;

const TABLE: &str = "docs/version1.md";

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The backquoted references of one table row: `tests/...`, `src/...`.
fn references(row: &str) -> Vec<&str> {
    row.split('`')
        .skip(1)
        .step_by(2)
        .filter(|r| r.starts_with("tests/") || r.starts_with("src/"))
        .collect()
}

/// True for a line that is a rule row of a table (not its header or rule).
fn is_rule_row(line: &str) -> bool {
    line.starts_with('|') && !line.starts_with("| rule |") && !line.starts_with("|---")
}

/// The Rust sources under `tests/` (the test files and their helpers),
/// read once.
fn test_sources() -> String {
    let mut all = String::new();
    for entry in std::fs::read_dir(root().join("tests")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "rs") {
            all.push_str(&std::fs::read_to_string(&path).unwrap());
        }
    }
    all
}

/// Every fault in `table`: a row without a reference, a file that does
/// not exist, a `FILE.rs::NAME` whose file has no `fn NAME(`, a
/// `tests/cases/test_cmd` file that no test in `runners` names.
fn faults(table: &str, runners: &str) -> Vec<String> {
    let mut out = Vec::new();
    for (n, row) in table.lines().enumerate().filter(|(_, l)| is_rule_row(l)) {
        let refs = references(row);
        if refs.is_empty() {
            out.push(format!("line {}: a rule with no test", n + 1));
        }
        for r in refs {
            let (file, function) = match r.split_once("::") {
                Some((file, function)) => (file, Some(function)),
                None => (r, None),
            };
            let Ok(text) = std::fs::read_to_string(root().join(file)) else {
                out.push(format!("line {}: `{file}` does not exist", n + 1));
                continue;
            };
            if let Some(function) = function
                && !text.contains(&format!("fn {function}("))
            {
                out.push(format!("line {}: no `fn {function}` in `{file}`", n + 1));
            }
            if file.starts_with("tests/cases/test_cmd/") && !runners.contains(file) {
                out.push(format!("line {}: no test runs `{file}`", n + 1));
            }
        }
    }
    out
}

#[test]
fn the_coverage_table_names_only_real_tests() {
    let table = std::fs::read_to_string(root().join(TABLE)).unwrap();
    let rows = table.lines().filter(|l| is_rule_row(l)).count();
    assert!(rows >= 50, "{TABLE} has only {rows} rule rows");
    let faults = faults(&table, &test_sources());
    assert!(faults.is_empty(), "{TABLE}:\n{}", faults.join("\n"));
}

/// The check above finds each kind of fault it looks for.
#[test]
fn the_coverage_check_finds_rot() {
    // The case path is built, so that this file does not itself count as
    // a test that runs it.
    let unrun = format!("tests/cases/test_cmd/{}.flow", "arithmetic");
    let table = format!(
        "\
| rule | covered by |
|------|------------|
| no test at all | nothing |
| a missing case | `tests/cases/check/no_such_case.flow` |
| a missing function | `tests/run_state.rs::no_such_test` |
| a case nothing runs | `{unrun}` |
| fine | `tests/run_state.rs::usage_faults`, `tests/cases/check/E0205_pattern.flow` |
"
    );
    let found = faults(&table, "");
    assert_eq!(
        found,
        [
            "line 3: a rule with no test",
            "line 4: `tests/cases/check/no_such_case.flow` does not exist",
            "line 5: no `fn no_such_test` in `tests/run_state.rs`",
            format!("line 6: no test runs `{unrun}`").as_str(),
        ]
    );
    assert_eq!(faults(&table, &unrun).len(), 3);
}

/// Runs `flowc test FILE` and expects every one of its `want` tests to
/// pass.
fn all_pass(file: &str, want: usize) {
    let (code, out, err) = flowc(&["test", file]);
    let last = format!("{want} passed, 0 failed");
    assert_eq!(
        (code, out.lines().last()),
        (0, Some(last.as_str())),
        "{file}: {out}{err}"
    );
}

/// §8 contextual words name fields, results and steps, through every
/// stage (checked, compiled and run by the test block).
#[test]
fn contextual_words_stay_names() {
    all_pass("tests/cases/test_cmd/contextual_words.flow", 1);
}

/// §8.2: `matches` takes the whole string even through an alternation,
/// and `""` is a part, prefix and suffix of every string.
#[test]
fn string_function_edges() {
    all_pass("tests/cases/test_cmd/string_edges.flow", 2);
}

/// §8.3: an `ok: true` stub without a declared field is a host error;
/// a complete one, or `ok: false` without fields, is a good answer.
#[test]
fn http_returns_stubs_in_tests() {
    all_pass("tests/cases/test_cmd/http_returns_stubs.flow", 3);
}

/// §8.3: in a scenario, a `returns` field stubbed with a value of the
/// wrong type is a scenario error (exit 2) naming its JSON path, before
/// anything runs.
#[test]
fn a_scenario_http_stub_of_the_wrong_type_is_refused() {
    let dir = std::env::temp_dir().join(format!("flowc-v1-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let scenario = dir.join("s.json");
    let stub = |score: &str| {
        format!(
            r#"{{"inputs": {{"ask": [{{"email": "a@example.com"}}]}},
  "stubs": {{"risk": [{{"status_code": 200, "ok": true, "score": {score}, "decision": "x"}}]}}}}"#
        )
    };
    let flow = "tests/cases/test_cmd/http_returns_stubs.flow";
    std::fs::write(&scenario, stub("\"3\"")).unwrap();
    let (code, out, err) = flowc(&["run", flow, "--scenario", scenario.to_str().unwrap()]);
    assert_eq!(code, 2, "{out}{err}");
    assert!(out.is_empty(), "nothing runs: {out}");
    assert!(err.contains("`stubs.risk[0].score`"), "{err}");
    assert!(err.contains("expected a value of type int"), "{err}");
    // The same scenario with an `int` runs to its end.
    std::fs::write(&scenario, stub("3")).unwrap();
    let (code, out, err) = flowc(&["run", flow, "--scenario", scenario.to_str().unwrap()]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("approved"), "{out}");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// §8.9: with no state file, one leg both starts the run and answers its
/// first screen with `--input`; a first leg that fails leaves no file
/// (the state stays as it was: absent).
#[test]
fn a_first_leg_can_answer_its_screen_and_a_failed_one_writes_nothing() {
    let dir = std::env::temp_dir().join(format!("flowc-v1-state-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = |name: &str, text: &str| {
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        path.to_str().unwrap().to_string()
    };
    let ada = r#"{"name_first": "Ada", "name_last": "Lovelace", "birthdate": "1815-12-10"}"#;
    let input = file("in.json", ada);
    let bad = file("bad.json", r#"{"name_first": 5}"#);
    let passed = file(
        "passed.json",
        r#"{"stubs": {"db": [{"status": "passed", "name_first": "Ada",
            "name_last": "Lovelace", "birthdate": "1815-12-10"}]}, "clock": "2026-11-25"}"#,
    );
    let state = dir.join("s.flowstate");
    let state_arg = state.to_str().unwrap();
    let kyc = "examples/database_kyc.flow";

    // A bad answer, or a call with no stub, on the first leg: no file.
    for (input, scenario) in [(&bad, &passed), (&input, &file("none.json", "{}"))] {
        let args = [
            "run",
            kyc,
            "--state",
            state_arg,
            "--input",
            input,
            "--scenario",
            scenario,
        ];
        let (code, out, err) = flowc(&args);
        assert_ne!(code, 0, "{out}{err}");
        assert!(!state.exists(), "a failed first leg wrote {state_arg}");
    }

    // One leg: start, answer the first screen, run to the end, save.
    let args = [
        "run",
        kyc,
        "--state",
        state_arg,
        "--input",
        &input,
        "--scenario",
        &passed,
    ];
    let (code, out, err) = flowc(&args);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("resume collect with"), "{out}");
    assert!(out.contains("end approved"), "{out}");
    assert!(state.exists());
    std::fs::remove_dir_all(&dir).unwrap();
}

/// §8.3, §8.4: a field of the wrong type in a `passed` verification answer
/// or an `ok` HTTP answer is a host error like a missing one: the retry
/// gets a good answer, and with none left the flow takes `on error`.
#[test]
fn a_mistyped_answer_field_is_a_host_error() {
    use flowc::unstable::catalog::Catalog;
    use flowc::unstable::host::{CallOutcome, Script, ScriptedHost, TraceEvent};
    use flowc::unstable::testing::{RunEnd, drive};
    use flowc::unstable::value::{Date, EndStatus, Status, Value};

    const FLOW: &str = r#"
flow f {
  plan growth
  inquiry { a: string }
  screen ask { collect a -> v }
  action v {
    let db = verify database { name_first: inquiry.a, name_last: inquiry.a, birthdate: @2000-01-01 } retry 1
    let risk = http post "https://risk.example/score" { a: inquiry.a } returns { score: int } retry 1
    -> route
    on error -> end needs_review
  }
  branch route {
    when db.status == passed and risk.ok and db.name_last == "x" and risk.score < 5 -> end approved
    else -> end declined
  }
}
"#;
    let compiled = flowc::compile_source(FLOW, &Catalog::builtin());
    let module = compiled.module.expect("the flow compiles");
    let s = |t: &str| Value::Str(t.to_string());
    let day = Value::Date(Date::parse("2000-01-01").unwrap());
    let db = |last: Value| {
        Some(vec![
            Value::Status(Status::Passed),
            s("A"),
            last,
            day.clone(),
        ])
    };
    let risk = |score: Value| Some(vec![Value::Int(200), Value::Bool(true), score]);
    let run = |dbs: Vec<Option<Vec<Value>>>, risks: Vec<Option<Vec<Value>>>| {
        let mut script = Script::default();
        script
            .inputs
            .insert("ask".into(), [vec![("a".to_string(), s("x"))]].into());
        script.stubs.insert("db".into(), dbs.into());
        script.stubs.insert("risk".into(), risks.into());
        let mut host = ScriptedHost::new(script);
        let (_, end) = drive(&module, &mut host, 10_000);
        let errors: Vec<String> = host
            .trace
            .iter()
            .filter_map(|e| match e {
                TraceEvent::Call {
                    outcome: CallOutcome::Error(m),
                    ..
                } => Some(m.clone()),
                _ => None,
            })
            .collect();
        (end, errors)
    };
    // Each broken once, then answered well: retried, and the run approves.
    let (end, errors) = run(
        vec![db(Value::Int(7)), db(s("x"))],
        vec![risk(s("3")), risk(Value::Int(3))],
    );
    assert_eq!(end, RunEnd::Ended(EndStatus::Approved), "{errors:?}");
    assert_eq!(errors.len(), 2, "{errors:?}");
    // Broken on every attempt: `on error`.
    let (end, errors) = run(vec![db(Value::Int(7)), db(Value::Bool(true))], vec![]);
    assert_eq!(end, RunEnd::Ended(EndStatus::NeedsReview), "{errors:?}");
    assert_eq!(errors.len(), 2, "{errors:?}");
    let (end, errors) = run(
        vec![db(s("x"))],
        vec![risk(s("3")), risk(Value::Bool(false))],
    );
    assert_eq!(end, RunEnd::Ended(EndStatus::NeedsReview), "{errors:?}");
    assert_eq!(errors.len(), 2, "{errors:?}");
}

/// §8.9: `--state` works with a built module as with a source file: one
/// process suspends at the first screen, the next answers it and ends.
#[test]
fn a_built_module_runs_across_processes() {
    let dir = std::env::temp_dir().join(format!("flowc-v1-module-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = |name: &str| dir.join(name).to_str().unwrap().to_string();
    let (module, state) = (path("kyc.flowc"), path("s.flowstate"));
    let (code, _, err) = flowc(&["build", "examples/database_kyc.flow", "-o", &module]);
    assert_eq!(code, 0, "{err}");
    std::fs::write(
        path("in.json"),
        r#"{"name_first": "Ada", "name_last": "Lovelace", "birthdate": "1815-12-10"}"#,
    )
    .unwrap();
    std::fs::write(
        path("passed.json"),
        r#"{"stubs": {"db": [{"status": "passed", "name_first": "Ada",
            "name_last": "Lovelace", "birthdate": "1815-12-10"}]}, "clock": "2026-11-25"}"#,
    )
    .unwrap();
    let (code, out, err) = flowc(&["run", &module, "--state", &state]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("suspend at screen collect"), "{out}");
    let (input, scenario) = (path("in.json"), path("passed.json"));
    let args = [
        "run",
        &module,
        "--state",
        &state,
        "--input",
        &input,
        "--scenario",
        &scenario,
    ];
    let (code, out, err) = flowc(&args);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("end approved"), "{out}");
    std::fs::remove_dir_all(&dir).unwrap();
}
