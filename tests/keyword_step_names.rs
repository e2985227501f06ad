#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! Every keyword that the keyword table does not mark `Reserved` is a step
//! name wherever only a step name can stand (§2): after `screen`, `action`,
//! `branch` and `connector`, after `start`, after `->`, inside
//! `attempts( )`, after `input` and inside `visits [ ]`. The flows are
//! built from the table, so a new keyword is covered as soon as it is
//! added there. Each flow must check without any diagnostic and its test
//! block must pass, which also proves the name reached every stage.

use flowc::unstable::catalog::Catalog;
use flowc::unstable::lexer::{Keyword, Role};

/// A flow where `k` names a step of `kind` and stands in every step-name
/// position.
fn flow_with(k: &str, kind: &str) -> String {
    if kind == "screen" {
        return format!(
            r#"flow f {{
  plan essential
  start {k}
  inquiry {{ x: string }}
  screen {k} {{ collect x -> a }}
  action a {{ -> b }}
  branch b {{ when attempts({k}) < 2 -> {k} else -> end approved }}
  test "t" {{
    input {k} {{ x: "1" }}
    input {k} {{ x: "2" }}
    expect visits [{k}, a, b, {k}, a, b]
    expect end approved
  }}
}}
"#
        );
    }
    let body = match kind {
        "action" | "connector" => "-> b".to_string(),
        _ => "when attempts(s) > 0 -> b else -> end failed".to_string(),
    };
    format!(
        r#"flow f {{
  plan essential
  start s
  inquiry {{ x: string }}
  screen s {{ collect x -> {k} }}
  {kind} {k} {{ {body} }}
  branch b {{ when attempts({k}) < 2 -> s else -> end approved }}
  test "t" {{
    input s {{ x: "1" }}
    input s {{ x: "2" }}
    expect visits [s, {k}, b, s, {k}, b]
    expect end approved
  }}
}}
"#
    )
}

#[test]
fn every_unreserved_keyword_is_a_step_name_in_every_position() {
    let catalog = Catalog::builtin();
    let mut checked = 0;
    for k in Keyword::ALL.iter().filter(|k| k.is_step_name()) {
        for kind in Keyword::with_role(Role::Step) {
            let src = flow_with(k.text(), kind.text());
            let compiled = flowc::compile_source(&src, &catalog);
            assert!(
                compiled.diagnostics.is_empty(),
                "`{}` as a {} name:\n{src}\n{:#?}",
                k.text(),
                kind.text(),
                compiled.diagnostics
            );
            let (flow, module) = (compiled.flow.unwrap(), compiled.module.unwrap());
            assert!(flow.steps.iter().any(|s| s.name == k.text()));
            let outcomes = flowc::unstable::testing::run_tests(&module, &flow, &src, "f.flow");
            assert!(
                outcomes.iter().all(|o| o.passed()),
                "`{}` as a {} name:\n{src}\n{outcomes:#?}",
                k.text(),
                kind.text()
            );
            checked += 1;
        }
    }
    assert_eq!(checked, 4 * (Keyword::ALL.len() - 5));
}

#[test]
fn reserved_keywords_are_never_step_names() {
    for k in Keyword::with_role(Role::Reserved) {
        for kind in Keyword::with_role(Role::Step) {
            let src = flow_with(k.text(), kind.text());
            let parsed = flowc::unstable::parser::parse(&src);
            assert!(
                parsed
                    .diagnostics
                    .iter()
                    .any(|d| d.code.as_str() == "E0001"),
                "`{}` as a {} name was accepted:\n{src}",
                k.text(),
                kind.text()
            );
        }
    }
}
