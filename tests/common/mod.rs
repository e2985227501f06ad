//! Helpers shared by the snapshot tests of diagnostics (`tests/check.rs`,
//! `tests/recovery.rs`): one text form of a diagnostic and one reader of a
//! case's `// expect:` header.
#![allow(dead_code, clippy::unwrap_used)]

use flowc::unstable::diagnostics::{Code, Diagnostic};
use flowc::unstable::span::{Span, line_col};
use std::fmt::Write;

/// A diagnostic as snapshots show it: code, severity, position, message,
/// then its labels, help and notes, one per line.
pub fn render(src: &str, d: &Diagnostic) -> String {
    let pos = |s: Span| {
        let (l, c) = line_col(src, s.start);
        format!("{l}:{c}")
    };
    let mut out = format!(
        "{} {:?} {}: {}\n",
        d.code,
        d.severity,
        pos(d.primary.span),
        d.message
    );
    writeln!(
        out,
        "  label {}: {}",
        pos(d.primary.span),
        d.primary.message
    )
    .unwrap();
    for l in &d.secondary {
        writeln!(out, "  secondary {}: {}", pos(l.span), l.message).unwrap();
    }
    if let Some(h) = &d.help {
        writeln!(out, "  help: {h}").unwrap();
    }
    for n in &d.notes {
        writeln!(out, "  note: {n}").unwrap();
    }
    out
}

/// The codes a case's first line promises, `// expect: CODE...` or
/// `// expect: ok`, sorted, each as often as it is written; words after the
/// codes are commentary. A leading byte-order mark is skipped. `None` when
/// the case has no such header.
pub fn expected_codes(src: &str) -> Option<Vec<String>> {
    let src = src.strip_prefix('\u{feff}').unwrap_or(src);
    let header = src.lines().next()?.strip_prefix("// expect:")?;
    let mut want: Vec<String> = header
        .split_whitespace()
        .take_while(|w| *w == "ok" || Code::parse(w).is_some())
        .filter(|w| *w != "ok")
        .map(str::to_string)
        .collect();
    want.sort();
    Some(want)
}

/// Runs the built `flowc` in the project's folder with `args` and without
/// colour: (exit code, stdout, stderr).
pub fn flowc(args: &[&str]) -> (i32, String, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_flowc"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}
