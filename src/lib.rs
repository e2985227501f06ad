//! # flowc: a compiler and virtual machine for Flow
//!
//! A `.flow` file describes an identity-verification inquiry flow: screens
//! that collect input, actions that run verifications and write fields,
//! branches that route on results, connectors that join paths.
//!
//! Source moves one way through these stages:
//!
//! 1. [`lexer`]: bytes to spanned tokens (comments kept for the formatter);
//! 2. [`parser`]: tokens to the spanned [`ast`], recovering at step
//!    boundaries so that independent syntax errors are all reported;
//! 3. `check`: names, types, the step graph and its data flow, plan limits,
//!    giving a typed flow;
//! 4. `codegen`: typed flow to a `bytecode` module;
//! 5. `verify`: every module is checked before it runs;
//! 6. `vm`: runs a module, suspending at screens and calling the embedder
//!    through `host`.
//!
//! Every stage reports faults as [`diagnostics::Diagnostic`] values; nothing
//! in the library panics on any input.

pub mod ast;
pub mod bytecode;
pub mod catalog;
pub mod check;
#[cfg(feature = "cli")]
pub mod cli;
pub mod codegen;
pub mod diagnostics;
pub mod flowgraph;
pub mod host;
pub mod lexer;
pub mod parser;
pub mod plans;
pub mod span;
pub mod testing;
pub mod typed;
pub mod types;
pub mod value;
pub mod verify;
pub mod vm;

use diagnostics::Diagnostic;

/// The front end: lexing and parsing, with their diagnostics. Later stages
/// (the checker) extend [`check_source`], not this.
pub fn frontend(source: &str) -> parser::Parsed {
    parser::parse(source)
}

/// Parses and checks one source against `catalog` (the built-in one, or
/// `--plans FILE.toml`): the pipeline of `flowc check`. The checker runs only
/// on a file that parsed without errors, so that a syntax error never
/// cascades into checker diagnostics. Diagnostics are sorted by position;
/// `flow` is `Some` only when there is no error.
pub fn check_source(source: &str, catalog: &catalog::Catalog) -> check::Checked {
    check_source_with_limit(source, catalog, parser::MAX_SOURCE_BYTES)
}

/// [`check_source`] with another bound on the source size than the 2 MiB
/// of the command line (see [`parser::parse_with_limit`]).
pub fn check_source_with_limit(
    source: &str,
    catalog: &catalog::Catalog,
    max_source_bytes: usize,
) -> check::Checked {
    let parsed = parser::parse_with_limit(source, max_source_bytes);
    let mut diagnostics = parsed.diagnostics;
    let mut flow = None;
    if let Some(file) = parsed
        .file
        .filter(|_| !diagnostics.iter().any(Diagnostic::is_error))
    {
        let checked = check::check(&file, catalog);
        diagnostics.extend(checked.diagnostics);
        flow = checked.flow;
    }
    diagnostics::sort(&mut diagnostics);
    if diagnostics.iter().any(Diagnostic::is_error) {
        flow = None;
    }
    check::Checked { flow, diagnostics }
}

/// A source checked and compiled: the typed flow (for its tests) and the
/// module, or the diagnostics that stopped it.
pub struct Compiled {
    pub flow: Option<typed::TypedFlow>,
    pub module: Option<bytecode::Module>,
    pub diagnostics: Vec<Diagnostic>,
}

/// Parses, checks and compiles one source: the pipeline of `flowc run`,
/// `flowc test` and `flowc build`. `module` is `None` when any error was
/// reported.
pub fn compile_source(source: &str, catalog: &catalog::Catalog) -> Compiled {
    compile_source_with_limit(source, catalog, parser::MAX_SOURCE_BYTES)
}

/// [`compile_source`] with another bound on the source size than the 2 MiB
/// of the command line: the benchmarks compile generated flows of 100,000
/// steps this way. The CLI keeps its bound.
pub fn compile_source_with_limit(
    source: &str,
    catalog: &catalog::Catalog,
    max_source_bytes: usize,
) -> Compiled {
    let mut checked = check_source_with_limit(source, catalog, max_source_bytes);
    let mut module = checked.flow.as_ref().map(|f| codegen::compile(f, source));
    // Every module is verified before anything runs it, compiled ones too:
    // one the verifier rejects is a compiler bug, reported rather than run.
    if let Some(Err(e)) = module.as_ref().map(verify::verify) {
        let end = u32::try_from(source.len()).unwrap_or(u32::MAX);
        checked.diagnostics.push(
            Diagnostic::new(
                diagnostics::Code::R0005,
                span::Span {
                    start: 0,
                    end: end.min(1),
                },
                format!(
                    "internal error: the compiled module fails verification: {}",
                    e.message
                ),
            )
            .help("this is a bug in flowc; please report it with the source"),
        );
        module = None;
    }
    Compiled {
        flow: checked.flow,
        module,
        diagnostics: checked.diagnostics,
    }
}
