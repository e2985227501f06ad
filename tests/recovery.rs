#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! Keeping going after a fault (SPEC §8.1): each `tests/cases/recovery`
//! file has a lexical or syntax fault in one place and independent faults
//! elsewhere. The whole pipeline of `flowc check` runs on it; the snapshot
//! shows every diagnostic, and the file's first line `// expect: CODE...`
//! lists every code with its count, so that a fault reported twice, a
//! cascade or a missed fault fails.

mod common;

use common::render;
use flowc::unstable::catalog::Catalog;

#[test]
fn recovery_cases() {
    let mut failures = Vec::new();
    insta::glob!("cases/recovery/*.flow", |path| {
        let src = std::fs::read_to_string(path).unwrap();
        let checked = flowc::check_source(&src, &Catalog::builtin());
        assert!(checked.flow.is_none(), "every case has an error");
        let mut got: Vec<String> = checked
            .diagnostics
            .iter()
            .map(|d| d.code.to_string())
            .collect();
        got.sort();
        let want = common::expected_codes(&src).expect("a `// expect: CODE...` first line");
        if got != want {
            failures.push(format!(
                "{}: expected {want:?}, got {got:?}",
                path.display()
            ));
        }
        let mut out = String::new();
        for d in &checked.diagnostics {
            out.push_str(&render(&src, d));
        }
        insta::assert_snapshot!(out);
    });
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn there_are_enough_cases() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cases/recovery");
    let n = std::fs::read_dir(dir).unwrap().count();
    assert!(n >= 15, "only {n} recovery cases");
}
