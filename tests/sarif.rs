#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! `flowc check --format sarif`: the log validates against the SARIF 2.1.0
//! schema, rules come from the codes registry, columns are Unicode scalar
//! values, URIs are relative to the repository root, and fingerprints do
//! not move when lines are added above a diagnostic.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

fn flowc_in(dir: &Path, args: &[&str]) -> (Option<i32>, Value) {
    let out = Command::new(env!("CARGO_BIN_EXE_flowc"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    let log = serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("not JSON ({e}):\n{stdout}"));
    (out.status.code(), log)
}

fn flowc(args: &[&str]) -> (Option<i32>, Value) {
    flowc_in(Path::new(env!("CARGO_MANIFEST_DIR")), args)
}

/// The OASIS SARIF 2.1.0 schema, from the sources of the `serde-sarif`
/// dependency (it ships it as `src/schema.json`): those sources are on disk
/// whenever flowc builds, so no network and no copy in this repository.
fn schema() -> Value {
    let out = Command::new(env!("CARGO"))
        .args(["metadata", "--format-version", "1", "--offline"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let meta: Value = serde_json::from_slice(&out.stdout).unwrap();
    let manifest = meta["packages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "serde-sarif")
        .expect("serde-sarif is a dependency")["manifest_path"]
        .as_str()
        .unwrap()
        .to_string();
    let path = Path::new(&manifest)
        .parent()
        .unwrap()
        .join("src/schema.json");
    let mut schema: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    assert_eq!(
        schema["title"],
        "Static Analysis Results Format (SARIF) Version 2.1.0 JSON Schema"
    );
    // The published schema's pattern for `language` (of a run and of a
    // tool component) has a stray `]`, which is not a valid regular
    // expression: with format checking on, the validator rejects the schema
    // itself. Put in the pattern it means (a language tag such as `en` or
    // `en-US`); flowc writes no `language`.
    const BROKEN: &str = "^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$";
    let mut fixed = 0;
    for def in ["run", "toolComponent"] {
        let pattern = &mut schema["definitions"][def]["properties"]["language"]["pattern"];
        assert_eq!(*pattern, BROKEN);
        *pattern = Value::from("^[a-zA-Z]{2}(-[a-zA-Z]{2})?$");
        fixed += 1;
    }
    assert!(!schema.to_string().contains(BROKEN) && fixed == 2);
    schema
}

fn assert_valid(log: &Value) {
    let validator = jsonschema::options()
        .should_validate_formats(true)
        .build(&schema())
        .unwrap();
    let errors: Vec<String> = validator
        .iter_errors(log)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
}

fn results(log: &Value) -> &Vec<Value> {
    log["runs"][0]["results"].as_array().unwrap()
}

#[test]
fn logs_validate_against_the_schema() {
    let mut args = vec!["check", "--format", "sarif"];
    let examples: Vec<String> = std::fs::read_dir("examples")
        .unwrap()
        .map(|e| e.unwrap().path().display().to_string())
        .filter(|p| p.ends_with(".flow"))
        .collect();
    args.extend(examples.iter().map(String::as_str));
    let (code, log) = flowc(&args);
    assert_eq!(code, Some(0));
    assert_valid(&log);
    assert!(results(&log).is_empty());
    // The validator does reject what the schema does not allow.
    let mut broken = log.clone();
    broken["runs"][0]["columnKind"] = Value::from("bytes");
    let validator = jsonschema::options().build(&schema()).unwrap();
    assert!(!validator.is_valid(&broken));
    // Errors with secondary labels, notes, non-ASCII text, warnings made
    // errors, and a file that cannot be read.
    let (code, log) = flowc(&[
        "check",
        "--format",
        "sarif",
        "--deny",
        "warnings",
        "tests/cases/syntax/stray_chars.flow",
        "tests/cases/check/E0304_cycle_without_screen.flow",
        "tests/cases/check/E0102_duplicate_step.flow",
        "tests/cases/graph/unreachable.flow",
        "tests/cases/does_not_exist.flow",
    ]);
    assert_eq!(code, Some(2));
    assert_valid(&log);
    let run = &log["runs"][0];
    assert_eq!(run["invocations"][0]["executionSuccessful"], false);
    let note = &run["invocations"][0]["toolExecutionNotifications"][0];
    assert_eq!(note["level"], "error");
    assert!(
        note["message"]["text"]
            .as_str()
            .unwrap()
            .contains("does_not_exist.flow")
    );
    assert_eq!(run["artifacts"].as_array().unwrap().len(), 4);
    let rs = results(&log);
    assert!(rs.iter().any(|r| r["relatedLocations"].is_array()));
    // `--deny warnings`: W0301 is reported at level error.
    let w = rs.iter().find(|r| r["ruleId"] == "W0301").unwrap();
    assert_eq!(w["level"], "error");
}

#[test]
fn rules_come_from_the_codes_registry() {
    let (_, log) = flowc(&[
        "check",
        "--format",
        "sarif",
        "tests/cases/check/E0304_cycle_without_screen.flow",
    ]);
    let rules = log["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap();
    assert_eq!(rules.len(), flowc::unstable::diagnostics::Code::ALL.len());
    for (rule, code) in rules.iter().zip(flowc::unstable::diagnostics::Code::ALL) {
        assert_eq!(rule["id"], code.as_str());
        assert_eq!(rule["shortDescription"]["text"], code.title());
        assert_eq!(rule["help"]["markdown"], code.explanation());
        let full = rule["fullDescription"]["text"].as_str().unwrap();
        assert!(full.len() > 40 && !full.starts_with('#'), "{code}: {full}");
        let level = if code.as_str().starts_with('W') {
            "warning"
        } else {
            "error"
        };
        assert_eq!(rule["defaultConfiguration"]["level"], level);
    }
    for r in results(&log) {
        let index = r["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[index]["id"], r["ruleId"]);
    }
}

#[test]
fn columns_count_unicode_scalar_values() {
    let (code, log) = flowc(&[
        "check",
        "--format",
        "sarif",
        "tests/cases/syntax/stray_chars.flow",
    ]);
    assert_eq!(code, Some(1));
    assert_eq!(log["runs"][0]["columnKind"], "unicodeCodePoints");
    // `§` on line 4 follows `tag "café ✓" ` : column 27 counting `é` and
    // `✓` as one each (bytes would give 30), and is two bytes long.
    let r = &results(&log)[0];
    let loc = &r["locations"][0]["physicalLocation"];
    assert_eq!(
        loc["artifactLocation"]["uri"],
        "tests/cases/syntax/stray_chars.flow"
    );
    assert_eq!(loc["artifactLocation"]["uriBaseId"], "%SRCROOT%");
    let region = &loc["region"];
    assert_eq!(
        (region["startLine"].as_u64(), region["startColumn"].as_u64()),
        (Some(4), Some(27))
    );
    assert_eq!(
        (region["endLine"].as_u64(), region["endColumn"].as_u64()),
        (Some(4), Some(28))
    );
    assert_eq!(region["byteLength"], 2);
    // The human and JSON formats agree on the column.
    let json = Command::new(env!("CARGO_BIN_EXE_flowc"))
        .args([
            "check",
            "--format",
            "json",
            "tests/cases/syntax/stray_chars.flow",
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    let first: Value = serde_json::from_str(
        String::from_utf8(json.stdout)
            .unwrap()
            .lines()
            .next()
            .unwrap(),
    )
    .unwrap();
    assert_eq!(first["column"], region["startColumn"]);
}

/// A scratch directory that looks like a repository: `.git` at its root.
fn scratch_repo(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("flowc-sarif-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join(".git")).unwrap();
    std::fs::create_dir_all(dir.join("flows")).unwrap();
    std::fs::create_dir_all(dir.join("sub")).unwrap();
    dir
}

#[test]
fn uris_are_relative_to_the_repository_root() {
    let dir = scratch_repo("uri");
    std::fs::copy(
        "tests/cases/graph/unreachable.flow",
        dir.join("flows/a b.flow"),
    )
    .unwrap();
    let (code, log) = flowc_in(
        &dir.join("sub"),
        &["check", "--format", "sarif", "../flows/a b.flow"],
    );
    assert_eq!(code, Some(0));
    assert_valid(&log);
    let loc = &results(&log)[0]["locations"][0]["physicalLocation"]["artifactLocation"];
    assert_eq!(loc["uri"], "flows/a%20b.flow");
    assert_eq!(loc["index"], 0);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn fingerprints_survive_lines_added_above() {
    let dir = scratch_repo("fp");
    let src = std::fs::read_to_string("tests/cases/check/E0102_duplicate_step.flow").unwrap();
    std::fs::write(dir.join("flows/f.flow"), &src).unwrap();
    let (_, before) = flowc_in(&dir, &["check", "--format", "sarif", "flows/f.flow"]);
    std::fs::write(dir.join("flows/f.flow"), format!("// one\n// two\n\n{src}")).unwrap();
    let (_, after) = flowc_in(&dir, &["check", "--format", "sarif", "flows/f.flow"]);
    let prints = |log: &Value| -> Vec<(Value, Value)> {
        results(log)
            .iter()
            .map(|r| {
                (
                    r["partialFingerprints"]["flowcDiagnostic/v1"].clone(),
                    r["locations"][0]["physicalLocation"]["region"]["startLine"].clone(),
                )
            })
            .collect()
    };
    let (b, a) = (prints(&before), prints(&after));
    assert!(!b.is_empty());
    assert_eq!(b.len(), a.len());
    for ((fb, lb), (fa, la)) in b.iter().zip(&a) {
        assert!(fb.is_string());
        assert_eq!(fb, fa);
        assert_eq!(lb.as_u64().unwrap() + 3, la.as_u64().unwrap());
    }
    // Distinct results have distinct fingerprints.
    let mut all: Vec<_> = b.iter().map(|(f, _)| f.to_string()).collect();
    all.sort();
    all.dedup();
    assert_eq!(all.len(), b.len());
    std::fs::remove_dir_all(&dir).unwrap();
}
