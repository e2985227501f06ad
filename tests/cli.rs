#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! `flowc check` and `flowc build` exit codes and output streams.

use std::process::Command;

fn flowc(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_flowc"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
}

#[test]
fn check_exit_codes() {
    assert_eq!(
        flowc(&["check", "examples/database_kyc.flow"])
            .status
            .code(),
        Some(0)
    );
    let bad = flowc(&["check", "tests/cases/syntax/two_errors.flow"]);
    assert_eq!(bad.status.code(), Some(1));
    let stderr = String::from_utf8(bad.stderr).unwrap();
    assert_eq!(stderr.matches("error[E0001]").count(), 2, "{stderr}");
    assert!(!stderr.contains('\x1b'));
    assert_eq!(
        flowc(&["check", "tests/cases/syntax/does_not_exist.flow"])
            .status
            .code(),
        Some(2)
    );
    assert_eq!(flowc(&["check"]).status.code(), Some(2));
    assert_eq!(
        flowc(&["check", "--format", "xml", "x.flow"]).status.code(),
        Some(2)
    );
}

#[test]
fn check_json_is_one_object_per_line_on_stdout() {
    let out = flowc(&[
        "check",
        "--format",
        "json",
        "tests/cases/syntax/stray_chars.flow",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<_> = stdout.lines().collect();
    assert_eq!(lines.len(), 3);
    let v: serde_json::Value = serde_json::from_str(lines[0]).unwrap();
    assert_eq!(v["code"], "E0002");
    assert_eq!(v["severity"], "error");
    assert_eq!(
        (v["line"].as_u64(), v["column"].as_u64()),
        (Some(4), Some(27))
    );
    // byte offsets: `§` is two bytes
    assert_eq!(v["end"].as_u64().unwrap() - v["start"].as_u64().unwrap(), 2);
    for key in ["message", "file", "labels", "help", "notes"] {
        assert!(v.get(key).is_some(), "{key}");
    }
}

#[test]
fn build_emits_tokens_and_ast() {
    let out = flowc(&[
        "build",
        "tests/cases/syntax/use_solution.flow",
        "--emit",
        "tokens",
    ]);
    assert_eq!(out.status.code(), Some(0));
    assert!(
        String::from_utf8(out.stdout)
            .unwrap()
            .contains("56..60 `flow`")
    );
    let out = flowc(&[
        "build",
        "tests/cases/syntax/use_solution.flow",
        "--emit",
        "ast",
    ]);
    assert_eq!(out.status.code(), Some(0));
    let ast: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(ast["flow"]["name"]["node"], "quick");
}
