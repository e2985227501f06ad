//! `flowc test FILE...`
//!
//! Checks and compiles each file, runs its `test` blocks with a scripted
//! host and prints one line per test (`ok` or `FAILED`, with the reasons
//! indented below), then exactly `N passed, N failed`. Exit 1 when a test
//! failed or a file has errors, 2 on I/O errors.

use super::{EXIT_ERRORS, EXIT_USAGE, Format};
use crate::testing::run_tests;
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The `.flow` files whose tests to run
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
}

pub fn run(args: &Args, catalog: &crate::catalog::Catalog) -> u8 {
    let (mut passed, mut failed) = (0usize, 0usize);
    let mut io_error = false;
    let mut errors = false;
    // With several files, each file's tests are grouped under its name.
    let indent = if args.files.len() > 1 { "  " } else { "" };
    for path in &args.files {
        let name = path.display().to_string();
        if args.files.len() > 1 {
            outln!("{name}:");
        }
        let Some(source) = super::read_source(path) else {
            io_error = true;
            continue;
        };
        let compiled = crate::compile_source(&source, catalog);
        super::emit_diagnostics(&compiled.diagnostics, &name, &source, Format::Human);
        let (Some(flow), Some(module)) = (compiled.flow, compiled.module) else {
            outln!("{indent}error: `{name}` has errors; its tests did not run");
            errors = true;
            continue;
        };
        for outcome in run_tests(&module, &flow, &source, &name) {
            let at = format!("{name}:{}:{}", outcome.line, outcome.column);
            if outcome.passed() {
                passed += 1;
                outln!("{indent}test {} ... ok", outcome.name);
            } else {
                failed += 1;
                outln!("{indent}test {} ... FAILED ({at})", outcome.name);
                for f in &outcome.failures {
                    outln!("{indent}    {f}");
                }
            }
        }
    }
    outln!("{passed} passed, {failed} failed");
    if io_error {
        EXIT_USAGE
    } else if failed > 0 || errors {
        EXIT_ERRORS
    } else {
        0
    }
}
