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
//! 5. `bytecode::verify`: every module is checked before it runs;
//! 6. `vm`: runs a module, suspending at screens and calling the embedder
//!    through `host`.
//!
//! Every stage reports faults as [`diagnostics::Diagnostic`] values; nothing
//! in the library panics on any input.
//!
//! Concepts that several stages share are described once and read from
//! there: the keywords and their roles (`lexer::Keyword`), the operators'
//! types and evaluation ([`ops`]), the built-in functions ([`builtins`]),
//! the calendar ([`value::date`]) and did-you-mean suggestions
//! ([`diagnostics::suggest`]).

pub mod ast;
pub mod builtins;
pub mod bytecode;
pub mod catalog;
pub mod check;
#[cfg(feature = "cli")]
pub mod cli;
pub mod codegen;
pub mod diagnostics;
pub mod files;
pub mod flowgraph;
pub mod format;
pub mod host;
mod invariant;
pub mod json;
pub mod lexer;
pub mod ops;
pub mod parser;
pub mod plans;
pub mod span;
pub mod testing;
pub mod typed;
pub mod types;
pub mod value;
pub mod vm;

use bytecode::RuntimeError;
use diagnostics::Diagnostic;

/// The front end: lexing and parsing, with their diagnostics. Later stages
/// (the checker) extend [`check_source`], not this.
pub fn frontend(source: &str) -> parser::Parsed {
    parser::parse(source)
}

/// Parses and checks one source against `catalog` (the built-in one, or
/// `--plans FILE.toml`): the pipeline of `flowc check`. The checker runs on
/// whatever parsed, even after a syntax error: the parser leaves broken
/// parts in the tree as unknown (`ast::Recovery`, `ast::StepKind::Broken`)
/// and the checker reports nothing those parts could have avoided.
/// Diagnostics are sorted by position; `flow` is `Some` only when there is
/// no error, so the code generator never sees a broken file.
pub fn check_source(source: &str, catalog: &catalog::Catalog) -> check::Checked {
    let parsed = frontend(source);
    let mut diagnostics = parsed.diagnostics;
    let mut flow = None;
    if let Some(file) = parsed.file {
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
/// verified module, or the diagnostics that stopped it.
pub struct Compiled {
    pub flow: Option<typed::TypedFlow>,
    pub module: Option<bytecode::VerifiedModule>,
    pub diagnostics: Vec<Diagnostic>,
}

/// Parses, checks, compiles and verifies one source: the pipeline of
/// `flowc run`, `flowc test` and `flowc build`. `module` is `None` when any
/// error was reported.
pub fn compile_source(source: &str, catalog: &catalog::Catalog) -> Compiled {
    let mut checked = check_source(source, catalog);
    // Every module is verified before anything runs it, compiled ones too:
    // one the code generator or the verifier rejects is a compiler bug,
    // reported rather than run.
    let compiled = checked.flow.as_ref().map(|f| {
        codegen::compile(f, source).and_then(|m| {
            bytecode::VerifiedModule::verify(m).map_err(|e| RuntimeError {
                message: format!(
                    "internal error: the compiled module fails verification: {}",
                    e.message
                ),
                ..e
            })
        })
    });
    let module = match compiled {
        None => None,
        Some(Ok(module)) => Some(module),
        Some(Err(e)) => {
            let span = e.span.unwrap_or(span::Span {
                start: 0,
                end: u32::from(!source.is_empty()),
            });
            checked.diagnostics.push(
                Diagnostic::new(diagnostics::Code::R0005, span, e.detail())
                    .help("this is a bug in flowc; please report it with the source"),
            );
            None
        }
    };
    Compiled {
        flow: checked.flow,
        module,
        diagnostics: checked.diagnostics,
    }
}
