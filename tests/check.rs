#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! Snapshot tests of the checker: one snapshot per
//! `tests/cases/check/*.flow` file, holding the source, every diagnostic
//! (code, line:col, message, labels, help, notes) and, when the flow
//! checks, the type of every field and result read after narrowing.

mod common;

use common::render;
use flowc::unstable::catalog::Catalog;
use flowc::unstable::check::check;
use flowc::unstable::diagnostics::{Code, Diagnostic};
use flowc::unstable::typed::{Expr, ExprKind, StepKind, Stmt, TypedFlow};
use std::fmt::Write;

fn reads(flow: &TypedFlow, e: &Expr, out: &mut Vec<String>) {
    match &e.kind {
        ExprKind::Field { record, field } => {
            let f = &flow.fields(*record)[*field as usize];
            out.push(format!(
                "{}.{}: {}",
                if *record == flowc::unstable::ast::Record::Inquiry {
                    "inquiry"
                } else {
                    "account"
                },
                f.name,
                flow.choices.show(e.ty)
            ));
        }
        ExprKind::ResultField { result, field } => {
            let r = &flow.results[*result as usize];
            out.push(format!(
                "{}.{}: {}",
                r.name, r.fields[*field as usize].name, e.ty
            ));
        }
        ExprKind::Builtin { args, .. } => args.iter().for_each(|a| reads(flow, a, out)),
        ExprKind::Not(x) | ExprKind::Neg(x) | ExprKind::Matches { value: x, .. } => {
            reads(flow, x, out)
        }
        ExprKind::Binary { lhs, rhs, .. } => {
            reads(flow, lhs, out);
            reads(flow, rhs, out);
        }
        ExprKind::In { value, list } => {
            reads(flow, value, out);
            list.iter().for_each(|a| reads(flow, a, out));
        }
        ExprKind::Const(_) | ExprKind::Attempts(_) => {}
    }
}

fn stmt_reads(flow: &TypedFlow, s: &Stmt, out: &mut Vec<String>) {
    match s {
        Stmt::Call { args, .. } => args.iter().for_each(|(_, e)| reads(flow, e, out)),
        Stmt::Set { value, .. } => reads(flow, value, out),
        Stmt::If {
            cond,
            then_body,
            else_body,
            ..
        } => {
            reads(flow, cond, out);
            then_body
                .iter()
                .chain(else_body)
                .for_each(|s| stmt_reads(flow, s, out));
        }
        Stmt::Tag { .. } | Stmt::Case { .. } => {}
    }
}

fn summary(flow: &TypedFlow) -> String {
    let mut out = format!(
        "flow `{}` version {} plan `{}`: {} steps, start `{}`, {} results, {} tests\n",
        flow.name,
        flow.version,
        flow.plan,
        flow.steps.len(),
        flow.steps[flow.start as usize].name,
        flow.results.len(),
        flow.tests.len()
    );
    for step in &flow.steps {
        let mut r = Vec::new();
        match &step.kind {
            StepKind::Action { body, .. } => body.iter().for_each(|s| stmt_reads(flow, s, &mut r)),
            StepKind::Branch { routes, .. } => {
                routes.iter().for_each(|rt| reads(flow, &rt.cond, &mut r))
            }
            _ => {}
        }
        if !r.is_empty() {
            writeln!(out, "  {}: {}", step.name, r.join(", ")).unwrap();
        }
    }
    out
}

fn run(src: &str) -> (Vec<Diagnostic>, Option<TypedFlow>) {
    let parsed = flowc::unstable::parser::parse(src);
    assert!(
        parsed.diagnostics.iter().all(|d| !d.is_error()),
        "case does not parse: {:?}",
        parsed.diagnostics
    );
    let file = parsed.file.as_ref().expect("a file");
    let checked = check(file, &Catalog::builtin());
    // The front end's warnings (W0305) beside the checker's diagnostics,
    // then filtered by `#[allow(...)]` as `flowc check` does.
    let mut diags = parsed.diagnostics;
    diags.extend(checked.diagnostics);
    flowc::unstable::lint::apply(file, src, &mut diags);
    flowc::unstable::diagnostics::sort(&mut diags);
    let flow = checked
        .flow
        .filter(|_| !diags.iter().any(Diagnostic::is_error));
    (diags, flow)
}

#[test]
fn check_cases() {
    insta::glob!("cases/check/*.flow", |path| {
        let src = std::fs::read_to_string(path).unwrap();
        let (diags, flow) = run(&src);
        let mut out = format!("{src}\n----- diagnostics -----\n");
        if diags.is_empty() {
            out.push_str("(none)\n");
        }
        for d in &diags {
            out.push_str(&render(&src, d));
        }
        out.push_str("----- typed flow -----\n");
        match &flow {
            Some(f) => out.push_str(&summary(f)),
            None => out.push_str("(none: errors)\n"),
        }
        assert_eq!(flow.is_some(), !diags.iter().any(Diagnostic::is_error));
        insta::assert_snapshot!(out);
    });
}

/// Every checker code from E0101 to W0303 has a case file that produces it.
#[test]
fn every_checker_code_has_a_case() {
    let mut seen = std::collections::HashSet::new();
    for entry in
        std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/cases/check")).unwrap()
    {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "flow") {
            let src = std::fs::read_to_string(&path).unwrap();
            seen.extend(run(&src).0.iter().map(|d| d.code));
        }
    }
    let mine = Code::ALL
        .iter()
        .filter(|c| (Code::E0101..=Code::W0303).contains(c));
    let missing: Vec<&str> = mine
        .filter(|c| !seen.contains(c))
        .map(|c| c.as_str())
        .collect();
    assert!(missing.is_empty(), "no case produces {missing:?}");
}

/// The built-in solutions check cleanly under their own plans.
#[test]
fn builtin_solutions_check() {
    let cat = Catalog::builtin();
    for s in &cat.solutions {
        let (diags, flow) = run(&s.source);
        assert!(diags.is_empty(), "{}: {diags:?}", s.name);
        assert!(flow.is_some());
    }
}

/// No AST makes the checker panic: every syntax case that parses checks.
#[test]
fn checker_never_panics_on_syntax_cases() {
    for entry in
        std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/cases/syntax")).unwrap()
    {
        let src = std::fs::read_to_string(entry.unwrap().path()).unwrap();
        if let Some(file) = flowc::unstable::parser::parse(&src).file {
            let _ = check(&file, &Catalog::builtin());
        }
    }
}

/// The distinct codes a case's header promises.
fn expected_codes(src: &str) -> Option<Vec<String>> {
    let mut want = common::expected_codes(src)?;
    want.dedup();
    Some(want)
}

#[test]
fn expect_headers_are_read() {
    assert_eq!(expected_codes("flow f {}"), None);
    assert_eq!(expected_codes("// E0101\nflow f {}"), None);
    assert_eq!(expected_codes("// expect: ok\n"), Some(vec![]));
    assert_eq!(
        expected_codes("// expect: W0301 E0101 E0101 (W0301: step b is unreachable)"),
        Some(vec!["E0101".to_string(), "W0301".to_string()])
    );
}

/// Every case starts with `// expect: CODE...` (or `// expect: ok`) and
/// produces exactly those codes: no more (a cascade or a false positive)
/// and no fewer (a missed rule). A case without the header fails: it would
/// otherwise promise nothing.
#[test]
fn cases_produce_exactly_the_codes_they_expect() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cases/check");
    let mut checked = 0;
    let mut failures = Vec::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().and_then(|e| e.to_str()) != Some("flow") {
            continue;
        }
        let src = std::fs::read_to_string(&path).unwrap();
        let Some(want) = expected_codes(&src) else {
            failures.push(format!(
                "{}: no `// expect: CODE...` (or `// expect: ok`) first line",
                path.display()
            ));
            continue;
        };
        let (diags, _) = run(&src);
        let mut got: Vec<String> = diags.iter().map(|d| d.code.to_string()).collect();
        got.sort();
        got.dedup();
        if got != want {
            failures.push(format!(
                "{}: expected {want:?}, got {got:?}",
                path.display()
            ));
        }
        checked += 1;
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(checked > 300, "only {checked} cases were checked");
}
