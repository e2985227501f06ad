#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! `flowc run` traces over `tests/cases/run/*.flow` with the scenario of the
//! same name (one snapshot per case), `flowc run` on a built module, the
//! example scenarios, and `flowc test` output.

mod common;

use common::flowc;

use std::path::Path;

fn rel(path: &Path) -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    path.strip_prefix(root).unwrap().display().to_string()
}

#[test]
fn run_cases() {
    insta::glob!("cases/run/*.flow", |path| {
        let flow = rel(path);
        let scenario = flow.replace(".flow", ".json");
        let (code, human, err) = flowc(&["run", &flow, "--scenario", &scenario]);
        let (jcode, json, _) = flowc(&["run", &flow, "--scenario", &scenario, "--format", "json"]);
        assert_eq!(code, jcode);
        for line in json.lines() {
            let v: serde_json::Value = serde_json::from_str(line).unwrap();
            assert!(v.get("event").is_some(), "{line}");
        }
        assert_eq!(json.lines().count(), human.lines().count());
        let src = std::fs::read_to_string(path).unwrap();
        let scen = std::fs::read_to_string(&scenario).unwrap();
        insta::assert_snapshot!(format!(
            "{src}\n----- scenario -----\n{scen}\n----- flowc run (exit {code}) -----\n{human}----- stderr -----\n{err}----- --format json -----\n{json}"
        ));
    });
}

#[test]
fn test_command_output() {
    let files = [
        "tests/cases/test_cmd/failing.flow",
        "tests/cases/test_cmd/builtins.flow",
        "tests/cases/test_cmd/expressions.flow",
    ];
    let (code, out, _) = flowc(&["test", files[0], files[1], files[2]]);
    assert_eq!(code, 1);
    assert_eq!(out.lines().last(), Some("9 passed, 4 failed"));
    insta::assert_snapshot!(out);
    let (code, one, _) = flowc(&["test", files[2]]);
    assert_eq!((code, one.lines().last()), (0, Some("2 passed, 0 failed")));
    let (code, out, _) = flowc(&["test", "examples/database_kyc.flow"]);
    assert_eq!(code, 0);
    assert_eq!(out.lines().last(), Some("4 passed, 0 failed"));
    assert!(
        !out.contains("examples/database_kyc.flow:"),
        "one file: no heading"
    );
}

/// Version 1 expressions: `* / %`, date arithmetic, the string functions
/// and `tag`/`case` expressions, checked by `flowc test` expectations.
#[test]
fn version_1_expressions_pass_their_tests() {
    for (file, n) in [
        ("tests/cases/test_cmd/arithmetic.flow", 2),
        ("tests/cases/test_cmd/strings.flow", 2),
        ("tests/cases/test_cmd/tag_expr.flow", 1),
    ] {
        let (code, out, err) = flowc(&["test", file]);
        let last = format!("{n} passed, 0 failed");
        assert_eq!(
            (code, out.lines().last()),
            (0, Some(last.as_str())),
            "{file}: {out}{err}"
        );
    }
}

/// Version 1 test items (SPEC §8.6): account seeding, `expect [not] tag`,
/// `expect [not] case`, `expect calls` and expressions on the right of an
/// expectation, each holding in the first test and failing in the others,
/// with messages that say what was expected and what happened.
#[test]
fn version_1_test_items() {
    let file = "tests/cases/test_cmd/v1_expectations.flow";
    let (code, out, err) = flowc(&["test", file]);
    assert_eq!(code, 1, "{err}");
    assert_eq!(out.lines().last(), Some("1 passed, 2 failed"));
    assert!(out.contains("test every kind holds ... ok"), "{out}");
    insta::assert_snapshot!(out);
}

/// Every scenario in `examples/scenarios/` runs its example
/// (`NAME_CASE.json` runs `examples/NAME.flow`) to an end status.
#[test]
fn example_scenarios_end() {
    let mut n = 0;
    for entry in std::fs::read_dir("examples/scenarios").unwrap() {
        let path = entry.unwrap().path();
        let stem = path.file_stem().unwrap().to_str().unwrap();
        let (example, _) = stem.rsplit_once('_').unwrap();
        let flow = format!("examples/{example}.flow");
        let scenario = format!("examples/scenarios/{stem}.json");
        let (code, out, err) = flowc(&["run", &flow, "--scenario", &scenario]);
        assert_eq!(code, 0, "{scenario}: {out}{err}");
        let last = out.lines().last().unwrap_or_default();
        assert!(last.starts_with("end "), "{scenario} did not end: {last}");
        n += 1;
    }
    assert!(n >= 2);
}

#[test]
fn run_a_built_module() {
    let dir = std::env::temp_dir().join(format!("flowc-run-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let out = dir.join("kyc.flowbc");
    let out = out.to_str().unwrap();
    let (code, _, err) = flowc(&["build", "examples/database_kyc.flow", "-o", out]);
    assert_eq!(code, 0, "{err}");
    let scenario = "examples/scenarios/database_kyc_retry.json";
    let (code, from_module, err) = flowc(&["run", out, "--scenario", scenario]);
    assert_eq!(code, 0, "{err}");
    let (_, from_source, _) = flowc(&["run", "examples/database_kyc.flow", "--scenario", scenario]);
    assert_eq!(from_module, from_source);
    // A corrupt module is an error (exit 1), never a crash.
    let mut bytes = std::fs::read(out).unwrap();
    let mid = bytes.len() / 2;
    bytes[mid] ^= 0xff;
    bytes.truncate(bytes.len() - 3);
    std::fs::write(out, &bytes).unwrap();
    let (code, _, err) = flowc(&["run", out]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("R0005"), "{err}");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A malformed scenario is exit 2 with a message naming the fault, before
/// anything runs.
#[test]
fn scenario_errors() {
    let dir = std::env::temp_dir().join(format!("flowc-scen-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let input = r#"{"name_first": "Ada", "name_last": "Lovelace", "birthdate": "1815-12-10"}"#;
    let cases = [
        ("not json", "{\"inputs\": ".to_string(), "is not JSON"),
        ("top level", "[]".to_string(), "a scenario is a JSON object"),
        ("unknown key", r#"{"input": {}}"#.to_string(), "unknown field `input`, expected one of `inputs`"),
        ("duplicate key", r#"{"clock": "2026-11-25", "clock": "2026-11-26"}"#.to_string(), "duplicate key `clock` at line 1"),
        ("duplicate field", format!(r#"{{"inputs": {{"collect": [{input}, {{"name_first": "A", "name_first": "B"}}]}}}}"#), "duplicate key `name_first` in `inputs.collect[1]`"),
        ("duplicate screen", format!(r#"{{"inputs": {{"collect": [], "collect": [{input}]}}}}"#), "duplicate key `collect` in `inputs`"),
        ("duplicate stub", r#"{"stubs": {"db": ["error"], "db": []}}"#.to_string(), "duplicate key `db` in `stubs`"),
        ("inputs not an object", r#"{"inputs": []}"#.to_string(), "`inputs`: invalid type: sequence, expected a map"),
        ("unknown screen", r#"{"inputs": {"nope": []}}"#.to_string(), "`nope` is not a screen"),
        ("not a screen", r#"{"inputs": {"route": []}}"#.to_string(), "`route` is not a screen"),
        ("unknown field", r#"{"inputs": {"collect": [{"name_first": "A", "name_last": "B", "birthdate": "2000-01-01", "x": 1}]}}"#.to_string(), "takes no `x`"),
        ("missing field", r#"{"inputs": {"collect": [{"name_first": "A"}]}}"#.to_string(), "needs `name_last` (string)"),
        ("null field", r#"{"inputs": {"collect": [{"name_first": null, "name_last": "B", "birthdate": "2000-01-01"}]}}"#.to_string(), "may not be null"),
        ("wrong type", r#"{"inputs": {"collect": [{"name_first": 5, "name_last": "B", "birthdate": "2000-01-01"}]}}"#.to_string(), "expected a value of type string, got 5"),
        ("bad date", r#"{"inputs": {"collect": [{"name_first": "A", "name_last": "B", "birthdate": "2001-02-29"}]}}"#.to_string(), "got \"2001-02-29\""),
        ("unknown result", format!(r#"{{"inputs": {{"collect": [{input}]}}, "stubs": {{"dbx": []}}}}"#), "no result `dbx`"),
        ("bad status", r#"{"stubs": {"db": [{"status": "ok"}]}}"#.to_string(), "`stubs.db[0].status`: expected one of"),
        ("missing status", r#"{"stubs": {"db": [{}]}}"#.to_string(), "needs `status`"),
        ("unknown result field", r#"{"stubs": {"db": [{"status": "passed", "score": 1}]}}"#.to_string(), "has no field `score`"),
        ("bad stub", r#"{"stubs": {"db": ["oops"]}}"#.to_string(), "neither an object nor \"error\""),
        ("huge int", r#"{"stubs": {"db": [{"status": 99999999999999999999999}]}}"#.to_string(), "expected a value of type verification_status"),
        ("unknown account field", r#"{"account": {"email": "a@b.c"}}"#.to_string(), "no account field `email`"),
        ("bad clock", r#"{"clock": "25/11/2026"}"#.to_string(), "`clock`"),
        ("clock type", r#"{"clock": 20261125}"#.to_string(), "`clock`"),
    ];
    for (what, text, needle) in cases {
        let path = dir.join("s.json");
        std::fs::write(&path, text).unwrap();
        let (code, out, err) = flowc(&[
            "run",
            "examples/database_kyc.flow",
            "--scenario",
            path.to_str().unwrap(),
        ]);
        assert_eq!(code, 2, "{what}: {out}{err}");
        assert!(out.is_empty(), "{what}: nothing runs: {out}");
        assert!(err.contains(needle), "{what}: {err}");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}
