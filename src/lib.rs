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
pub mod catalog;
pub mod check;
pub mod cli;
pub mod diagnostics;
pub mod flowgraph;
pub mod lexer;
pub mod parser;
pub mod plans;
pub mod span;
pub mod typed;
pub mod types;
pub mod value;

use diagnostics::Diagnostic;

/// The front end: lexing and parsing, with their diagnostics. Later stages
/// (the checker) extend [`check_source`], not this.
pub fn frontend(source: &str) -> parser::Parsed {
    parser::parse(source)
}

/// Every diagnostic `flowc check` reports for one source, sorted by
/// position. This is the one place the stages are chained for checking.
pub fn check_source(source: &str) -> Vec<Diagnostic> {
    check_source_with(source, &catalog::Catalog::builtin())
}

/// [`check_source`] against a given catalogue (`--plans FILE.toml`). The
/// checker runs only on a file that parsed without errors, so that a syntax
/// error never cascades into checker diagnostics.
pub fn check_source_with(source: &str, catalog: &catalog::Catalog) -> Vec<Diagnostic> {
    let parsed = frontend(source);
    let mut diags = parsed.diagnostics;
    if let Some(file) = parsed
        .file
        .filter(|_| !diags.iter().any(Diagnostic::is_error))
    {
        diags.extend(check::check(&file, catalog).diagnostics);
    }
    diagnostics::sort(&mut diags);
    diags
}
