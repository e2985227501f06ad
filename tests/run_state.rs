#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! `flowc run --state`: a run saved in a file between processes, driven
//! from the shell one leg at a time (each leg is a new process).

mod common;

use common::flowc;

use std::path::{Path, PathBuf};

const KYC: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/database_kyc.flow");
const PHONE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/phone_email.flow");
const ADA: &str = r#"{"name_first": "Ada", "name_last": "Lovelace", "birthdate": "1815-12-10"}"#;
const PASSED: &str = r#"{"stubs": {"db": [{"status": "passed", "name_first": "Ada",
    "name_last": "Lovelace", "birthdate": "1815-12-10"}]}, "clock": "2026-11-25"}"#;

/// A fresh folder of its own for one test.
fn dir(name: &str) -> PathBuf {
    let d = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("run_state-{name}"));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p.display().to_string()
}

/// One leg of `flowc run --state`: answer the screen the run waits at with
/// `input`, host calls answered by `scenario`.
fn answer(flow: &str, state: &str, input: &str, scenario: &str) -> (i32, String, String) {
    flowc(&[
        "run",
        flow,
        "--state",
        state,
        "--input",
        input,
        "--scenario",
        scenario,
    ])
}

#[test]
fn a_run_suspends_in_one_process_and_resumes_in_the_next() {
    let d = dir("legs");
    let state = d.join("s.flowstate").display().to_string();
    let input = write(&d, "in.json", ADA);
    let failed = write(
        &d,
        "failed.json",
        r#"{"stubs": {"db": [{"status": "failed"}]}}"#,
    );
    let passed = write(&d, "passed.json", PASSED);

    // 1: a new run goes to its first screen and is saved there.
    let (code, out, err) = flowc(&["run", KYC, "--state", &state]);
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with("enter collect\n"), "{out}");
    assert!(
        out.ends_with(
            "waiting at screen collect for input: fields [name_first: string, \
             name_last: string, birthdate: date], captures []\n"
        ),
        "{out}"
    );
    let first = std::fs::read(&state).unwrap();

    // 2: without input, nothing moves; the leg says again where it waits.
    let (code, out, _) = flowc(&["run", KYC, "--state", &state]);
    assert_eq!(code, 0);
    assert!(out.starts_with("waiting at screen collect"), "{out}");
    assert_eq!(std::fs::read(&state).unwrap(), first);

    // 3: answered; the database fails the lookup, so the flow asks again.
    let (code, out, err) = answer(KYC, &state, &input, &failed);
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with("  resume collect with { "), "{out}");
    assert!(out.contains("status: \"failed\""), "{out}");
    assert!(out.ends_with("captures []\n"), "{out}");
    assert_ne!(std::fs::read(&state).unwrap(), first);

    // 4: answered again with a passing lookup: the run ends.
    let (code, out, err) = answer(KYC, &state, &input, &passed);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("enter save\n"), "{out}");
    assert!(out.ends_with("end approved\n"), "{out}");

    // 5: an ended run stays ended; it takes no more input.
    let (code, out, _) = flowc(&["run", KYC, "--state", &state]);
    assert_eq!((code, out.as_str()), (0, "end approved\n"));
    let ended = std::fs::read(&state).unwrap();
    let (code, out, err) = flowc(&["run", KYC, "--state", &state, "--input", &input]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.starts_with("error[R0002]: the run is not suspended"),
        "{out}"
    );
    assert!(err.contains("is left as it was"), "{err}");
    assert_eq!(std::fs::read(&state).unwrap(), ended);
}

#[test]
fn a_failed_leg_leaves_the_state_byte_for_byte() {
    let d = dir("failed");
    let state = d.join("s.flowstate").display().to_string();
    assert_eq!(flowc(&["run", KYC, "--state", &state]).0, 0);
    let before = std::fs::read(&state).unwrap();
    let bad_inputs = [
        (
            "type.json",
            r#"{"name_first": "Ada", "name_last": 5, "birthdate": "1815-12-10"}"#,
        ),
        ("missing.json", r#"{"name_first": "Ada"}"#),
        (
            "extra.json",
            r#"{"name_first": "Ada", "name_last": "L", "birthdate": "1815-12-10", "x": 1}"#,
        ),
        (
            "twice.json",
            r#"{"name_first": "Ada", "name_first": "Bob", "name_last": "L", "birthdate": "1815-12-10"}"#,
        ),
        ("notjson.json", "{name_first"),
    ];
    for (name, text) in bad_inputs {
        let input = write(&d, name, text);
        let (code, out, _) = flowc(&["run", KYC, "--state", &state, "--input", &input]);
        assert_eq!(code, 1, "{name}: {out}");
        assert!(out.contains("error[R0002]"), "{name}: {out}");
        assert_eq!(std::fs::read(&state).unwrap(), before, "{name}");
    }
    // A good answer but no stub for the call it leads to: a runtime error
    // after the resume, and still nothing saved.
    let input = write(&d, "in.json", ADA);
    let (code, _, err) = flowc(&["run", KYC, "--state", &state, "--input", &input]);
    assert_eq!(code, 1);
    assert!(err.contains("with no stub left for it"), "{err}");
    assert_eq!(std::fs::read(&state).unwrap(), before);
    // No temporary file is left beside the state.
    let mut names: Vec<String> = std::fs::read_dir(&d)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| !n.ends_with(".json"))
        .collect();
    names.sort();
    assert_eq!(names, ["s.flowstate"]);
}

#[test]
fn a_scenario_with_inputs_is_refused_even_empty() {
    let d = dir("inputs");
    let state = d.join("s.flowstate");
    for (name, text) in [
        ("empty.json", r#"{"inputs": {}}"#),
        ("full.json", r#"{"inputs": {"collect": []}, "stubs": {}}"#),
    ] {
        let scenario = write(&d, name, text);
        let (code, _, err) = flowc(&[
            "run",
            KYC,
            "--state",
            &state.display().to_string(),
            "--scenario",
            &scenario,
        ]);
        assert_eq!(code, 2, "{name}");
        assert!(err.contains("has `inputs`"), "{err}");
        assert!(!state.exists(), "{name}");
    }
    // The same scenario runs without `--state`.
    let scenario = write(&d, "plain.json", r#"{"inputs": {}}"#);
    assert_eq!(flowc(&["run", KYC, "--scenario", &scenario]).0, 0);
}

#[test]
fn a_foreign_or_corrupt_state_is_refused() {
    let d = dir("foreign");
    let state = d.join("s.flowstate").display().to_string();
    assert_eq!(flowc(&["run", PHONE, "--state", &state]).0, 0);
    let foreign = std::fs::read(&state).unwrap();
    let (code, _, err) = flowc(&["run", KYC, "--state", &state]);
    assert_eq!(code, 1);
    assert!(
        err.contains("error[R0004]: the state belongs to another module"),
        "{err}"
    );
    assert_eq!(std::fs::read(&state).unwrap(), foreign);

    std::fs::remove_file(&state).unwrap();
    assert_eq!(flowc(&["run", KYC, "--state", &state]).0, 0);
    let mut corrupt = std::fs::read(&state).unwrap();
    let last = corrupt.len() - 1;
    corrupt[last] ^= 0x55;
    std::fs::write(&state, &corrupt).unwrap();
    let (code, _, err) = flowc(&["run", KYC, "--state", &state]);
    assert_eq!(code, 1);
    assert!(err.contains("error[R0004]"), "{err}");
    assert_eq!(std::fs::read(&state).unwrap(), corrupt);

    std::fs::write(&state, "not a state").unwrap();
    let (code, _, err) = flowc(&["run", KYC, "--state", &state]);
    assert_eq!(code, 1);
    assert!(err.contains("magic bytes"), "{err}");
}

#[test]
fn states_and_inputs_over_their_limits_are_refused() {
    let d = dir("limits");
    let state = d.join("s.flowstate");
    let big = vec![b' '; 1024 * 1024 + 1];
    std::fs::write(&state, &big).unwrap();
    let s = state.display().to_string();
    let (code, _, err) = flowc(&["run", KYC, "--state", &s]);
    assert_eq!(code, 2);
    assert!(
        err.contains("larger than 1 MiB, the limit for a state file"),
        "{err}"
    );
    assert_eq!(std::fs::read(&state).unwrap(), big);

    std::fs::remove_file(&state).unwrap();
    assert_eq!(flowc(&["run", KYC, "--state", &s]).0, 0);
    let before = std::fs::read(&state).unwrap();
    let input = d.join("in.json");
    std::fs::write(&input, &big).unwrap();
    let (code, _, err) = flowc(&[
        "run",
        KYC,
        "--state",
        &s,
        "--input",
        &input.display().to_string(),
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("the limit for a resume input"), "{err}");
    assert_eq!(std::fs::read(&state).unwrap(), before);
}

#[test]
fn usage_faults() {
    let d = dir("usage");
    let input = write(&d, "in.json", ADA);
    // `--input` needs `--state`.
    let (code, _, err) = flowc(&["run", KYC, "--input", &input]);
    assert_eq!(code, 2);
    assert!(err.contains("--state"), "{err}");
    // The state may not be one of the run's inputs.
    let copy = d.join("kyc.flow");
    std::fs::copy(KYC, &copy).unwrap();
    let before = std::fs::read(&copy).unwrap();
    let c = copy.display().to_string();
    let (code, _, err) = flowc(&["run", &c, "--state", &c]);
    assert_eq!(code, 2);
    assert!(err.contains("an input of this run"), "{err}");
    assert_eq!(std::fs::read(&copy).unwrap(), before);
}
