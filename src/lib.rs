#![deny(missing_docs)]
//! # flowc: a compiler and virtual machine for Flow
//!
//! A `.flow` file describes an identity-verification inquiry flow: screens
//! that collect input, actions that run verifications and write fields,
//! branches that route on results, connectors that join paths. This crate
//! checks such a file, compiles it to a verified bytecode module and runs
//! it, suspending at every screen and calling your application through the
//! [`Host`] trait for verifications, reports, HTTP calls and Account writes.
//!
//! The items at the crate root are the embedding API, and follow semantic
//! versioning. [`unstable`] opens every stage of the compiler for flowc's
//! own tools; it changes whenever the compiler does. Depend on the crate
//! with `default-features = false` to leave out the command line and clap.
//!
//! ## Compile a source
//!
//! [`compile_source`] parses, checks, compiles and verifies one source
//! against a [`Catalog`] of plans and kinds. Every fault is a
//! [`Diagnostic`]; the module exists only when there is no error.
//!
//! ```
//! use flowc::{Catalog, Severity, compile_source};
//!
//! let source = r#"
//!   flow hello {
//!     plan essential
//!     inquiry { email: string }
//!     screen ask { collect email -> end approved }
//!   }
//! "#;
//! let compiled = compile_source(source, &Catalog::builtin());
//! assert!(compiled.diagnostics.iter().all(|d| d.severity != Severity::Error));
//! let module = compiled.module.expect("no errors, so a module");
//! assert_eq!(module.name(), "hello");
//! ```
//!
//! ## Render diagnostics
//!
//! [`render_human`] draws rustc-like reports (with colour when asked),
//! [`render_plain`] the same without colour (for logs and snapshot tests),
//! and [`render_json`] one JSON object per line.
//!
//! ```
//! use flowc::{Catalog, Code, check_source, render_json, render_plain};
//!
//! let source = "flow f { plan essential screen s { -> nowhere } }";
//! let checked = check_source(source, &Catalog::builtin());
//! assert_eq!(checked.diagnostics[0].code, Code::E0101);
//! let text = render_plain(&checked.diagnostics, "f.flow", source);
//! assert!(text.contains("error[E0101]"));
//! let json = render_json(&checked.diagnostics, "f.flow", source);
//! assert!(json.contains(r#""code":"E0101""#));
//! ```
//!
//! ## Save and load modules
//!
//! A module saves as compact bytes (`.flowbc`) or JSON. Loading runs the
//! verifier: only a [`VerifiedModule`] can be run.
//!
//! ```
//! use flowc::{Catalog, VerifiedModule, compile_source};
//!
//! let source = "flow f { plan essential screen s { -> end approved } }";
//! let module = compile_source(source, &Catalog::builtin()).module.unwrap();
//! let bytes = module.to_bytes();
//! let loaded = VerifiedModule::from_bytes(&bytes).unwrap();
//! assert_eq!(loaded.hash(), module.hash());
//! // A damaged file does not load.
//! let mut damaged = bytes.clone();
//! damaged[10] ^= 1;
//! assert!(VerifiedModule::from_bytes(&damaged).is_err());
//! ```
//!
//! ## Run, suspend, save the state, resume
//!
//! [`Vm::run`] runs until a screen or the end. At a screen it returns a
//! [`ScreenRequest`]; the [`State`] can be saved, loaded in another process
//! and resumed with what the person entered.
//!
//! ```
//! use flowc::{
//!     Catalog, Date, DEFAULT_FUEL, EndStatus, Host, HostCall, HostError, Outcome, State,
//!     Status, Value, Vm, compile_source,
//! };
//!
//! /// A host whose database check always passes.
//! struct Always;
//! impl Host for Always {
//!     fn call(&mut self, call: &HostCall<'_>) -> Result<Vec<Value>, HostError> {
//!         // One value per result field, in order: status first.
//!         let mut out = vec![Value::Status(Status::Passed)];
//!         out.extend(call.args.iter().map(|(_, v)| v.clone()));
//!         Ok(out)
//!     }
//!     fn read_account(&mut self, _: &str) -> Result<Value, HostError> { Ok(Value::None) }
//!     fn write_account(&mut self, _: &str, _: &Value) -> Result<(), HostError> { Ok(()) }
//!     fn tag(&mut self, _: &str) -> Result<(), HostError> { Ok(()) }
//!     fn case(&mut self, _: &str) -> Result<(), HostError> { Ok(()) }
//!     fn today(&mut self) -> Date { Date::parse("2026-11-26").unwrap() }
//! }
//!
//! let source = r#"
//!   flow kyc {
//!     plan essential
//!     inquiry { name_first: string  name_last: string  birthdate: date }
//!     screen ask { collect name_first, name_last, birthdate -> check }
//!     action check {
//!       let db = verify database {
//!         name_first: inquiry.name_first, name_last: inquiry.name_last,
//!         birthdate: inquiry.birthdate,
//!       }
//!       -> route
//!     }
//!     branch route { when db.status == passed -> end approved  else -> end declined }
//!   }
//! "#;
//! let module = compile_source(source, &Catalog::builtin()).module.unwrap();
//! let mut state = Vm::start(&module);
//! let Outcome::Suspended(screen) = Vm::run(&module, &mut state, &mut Always, DEFAULT_FUEL)?
//! else { panic!("the flow starts at a screen") };
//! assert_eq!(screen.screen, "ask");
//!
//! // Save the suspended run; later, perhaps in another process, load it.
//! let saved = state.to_bytes(&module)?;
//! let mut state = State::from_bytes(&module, &saved)?;
//! Vm::resume(&module, &mut state, &[
//!     ("name_first".into(), Value::Str("Ada".into())),
//!     ("name_last".into(), Value::Str("Lovelace".into())),
//!     ("birthdate".into(), Value::Date(Date::parse("1815-12-10").unwrap())),
//! ])?;
//! let outcome = Vm::run(&module, &mut state, &mut Always, DEFAULT_FUEL)?;
//! assert_eq!(outcome, Outcome::Ended(EndStatus::Approved));
//! # Ok::<(), flowc::RuntimeError>(())
//! ```
//!
//! ## Values and types
//!
//! Field values cross the boundary as [`Value`]s; a field's declared
//! [`Type`] says which (an optional type also admits [`Value::None`]).
//!
//! ```
//! use flowc::{BaseType, Date, Type, Value};
//!
//! let birthdate = Value::Date(Date::parse("1815-12-10").unwrap());
//! assert!(Type::opt(BaseType::Date).admits(&birthdate));
//! assert!(Type::opt(BaseType::Date).admits(&Value::None));
//! assert!(!Type::new(BaseType::Int).admits(&Value::None));
//! ```
//!
//! ## The pipeline
//!
//! Source moves one way through these stages, each a module of
//! [`unstable`]: `lexer` (bytes to spanned tokens, comments kept for the
//! formatter), `parser` (tokens to the spanned `ast`, recovering at item
//! boundaries), `check` (names, types, the step graph and its data flow,
//! plan limits: a `typed` flow), `codegen` (typed flow to a `bytecode`
//! module), the verifier in `bytecode` (every module is checked before it
//! runs), and `vm` (runs a module, calling the embedder through `host`).
//! Nothing in the library panics on any input.
//!
//! Concepts that several stages share are described once and read from
//! there: the keywords and their roles (`lexer::Keyword`), the operators'
//! types and evaluation (`ops`), the built-in functions (`builtins`), each
//! opcode's operands and stack effect (`bytecode::opcode`), the calendar
//! (`value::date`) and did-you-mean suggestions (`diagnostics::suggest`).
//!
//! Beside the pipeline, `reference` walks the checked flow directly, with
//! its own control flow and state but the same operators and built-ins:
//! the differential tests run it against the VM (docs/differential.md).

#[allow(missing_docs)]
mod ast;
#[allow(missing_docs)]
mod builtins;
#[allow(missing_docs)] // VerifiedModule and RuntimeError are documented; the raw module is unstable
mod bytecode;
#[allow(missing_docs)] // Catalog is documented; its specs are unstable
mod catalog;
#[allow(missing_docs)]
mod check;
#[cfg(feature = "cli")]
mod cli;
#[allow(missing_docs)]
mod codegen;
mod diagnostics;
#[allow(missing_docs)]
mod files;
#[allow(missing_docs)]
mod flowgraph;
#[allow(missing_docs)]
mod format;
#[allow(missing_docs)]
mod graph;
mod host;
mod invariant;
#[allow(missing_docs)]
mod json;
#[allow(missing_docs)]
mod lexer;
#[allow(missing_docs)]
mod lint;
#[allow(missing_docs)]
mod ops;
#[allow(missing_docs)]
mod parser;
#[allow(missing_docs)]
mod plans;
#[allow(missing_docs)]
mod reference;
mod span;
#[allow(missing_docs)]
mod testing;
#[allow(missing_docs)]
mod typed;
mod types;
mod value;
mod vm;

/// The `flowc` command line: parses `std::env::args`, runs the subcommand
/// and returns the process exit code (0 success, 1 the input has errors, 2
/// usage or I/O error). This is all the binary does; it exists only with
/// the default `cli` feature.
#[cfg(feature = "cli")]
pub fn run_cli() -> u8 {
    cli::run()
}

pub use bytecode::{CallTarget, FieldInfo, Promise, RuntimeError, VerifiedModule};
pub use catalog::Catalog;
pub use check::Checked;
pub use diagnostics::render::{render_human, render_json, render_plain};
pub use diagnostics::{Code, Diagnostic, Label, Severity};
pub use host::{
    CallArgs, CallArgsIter, CallOutcome, Host, HostCall, HostError, Script, ScriptedHost,
    TraceEvent,
};
pub use span::Span;
pub use typed::TypedFlow;
pub use types::{BaseType, ChoiceId, ChoiceTable, Type};
pub use value::{Date, EndStatus, Status, Value};
pub use vm::{
    DEFAULT_FUEL, Outcome, RunStatus, Screen, ScreenField, ScreenRequest, State, StateTable,
    Stopped, Vm,
};

/// flowc's internals: every stage of the pipeline, for flowc's own tools,
/// tests, benchmarks and fuzz targets. Nothing here is covered by semantic
/// versioning; it changes whenever the compiler does. Embedders use the
/// items at the crate root.
pub mod unstable {
    /// The syntax tree.
    pub mod ast {
        pub use crate::ast::*;
    }
    /// Built-in functions, one row each.
    pub mod builtins {
        pub use crate::builtins::*;
    }
    /// Modules, opcodes, the verifier and the disassembler.
    pub mod bytecode {
        pub use crate::bytecode::*;
    }
    /// The catalogue of plans, kinds and solutions.
    pub mod catalog {
        pub use crate::catalog::*;
    }
    /// Names, types, narrowing and the checker of test blocks.
    pub mod check {
        pub use crate::check::*;
    }
    /// Typed flow to module.
    pub mod codegen {
        pub use crate::codegen::*;
    }
    /// Diagnostics, codes, rendering and suggestions.
    pub mod diagnostics {
        pub use crate::diagnostics::*;
    }
    /// Reading input files within their limits; atomic writes.
    pub mod files {
        pub use crate::files::*;
    }
    /// The step graph and its data flow.
    pub mod flowgraph {
        pub use crate::flowgraph::*;
    }
    /// The formatter behind `flowc fmt`.
    pub mod format {
        pub use crate::format::*;
    }
    /// The step graph drawn by `flowc graph` (DOT, Mermaid, SVG).
    pub mod graph {
        pub use crate::graph::*;
    }
    /// The host boundary, the scripted host, scenarios and traces.
    pub mod host {
        pub use crate::host::*;
    }
    /// Strict JSON reading (duplicate keys refused).
    pub mod json {
        pub use crate::json::*;
    }
    /// Tokens.
    pub mod lexer {
        pub use crate::lexer::*;
    }
    /// `#[allow]` attributes and the diagnostics they silence.
    pub mod lint {
        pub use crate::lint::*;
    }
    /// Operators, one row each.
    pub mod ops {
        pub use crate::ops::*;
    }
    /// The parser facade.
    pub mod parser {
        pub use crate::parser::*;
    }
    /// The plan-limits pass.
    pub mod plans {
        pub use crate::plans::*;
    }
    /// The reference interpreter: a tree-walker over the checked flow,
    /// the oracle of the differential tests.
    pub mod reference {
        pub use crate::reference::*;
    }
    /// Spans and line/column lookups.
    pub mod span {
        pub use crate::span::*;
    }
    /// Running test blocks and scripted runs.
    pub mod testing {
        pub use crate::testing::*;
    }
    /// The checked flow.
    pub mod typed {
        pub use crate::typed::*;
    }
    /// Types.
    pub mod types {
        pub use crate::types::*;
    }
    /// Values and dates.
    pub mod value {
        pub use crate::value::*;
    }
    /// The VM and its states.
    pub mod vm {
        pub use crate::vm::*;
    }
    pub use crate::frontend;
}

/// The front end alone: lexing and parsing, with their diagnostics. Later stages
/// (the checker) extend [`check_source`], not this.
pub fn frontend(source: &str) -> parser::Parsed {
    parser::parse(source)
}

/// Parses and checks one source against `catalog` (the built-in one, or
/// `--plans FILE.toml`): the pipeline of `flowc check`. The checker runs on
/// whatever parsed, even after a syntax error: the parser leaves broken
/// parts in the tree as unknown (`ast::Recovery`, `ast::StepKind::Broken`)
/// and the checker reports nothing those parts could have avoided. Once
/// every diagnostic is in, `#[allow(...)]` attributes filter them.
/// Diagnostics are sorted by position; `flow` is `Some` only when there is
/// no error, so the code generator never sees a broken file.
pub fn check_source(source: &str, catalog: &catalog::Catalog) -> Checked {
    check_source_with_limit(source, catalog, parser::MAX_SOURCE_BYTES)
}

/// [`check_source`] with another bound on the source size than the 2 MiB of
/// the command line, for an embedder that checks larger generated flows.
pub fn check_source_with_limit(
    source: &str,
    catalog: &catalog::Catalog,
    max_source_bytes: usize,
) -> Checked {
    let parsed = parser::parse_with_limit(source, max_source_bytes);
    let mut diagnostics = parsed.diagnostics;
    let mut flow = None;
    if let Some(file) = &parsed.file {
        let checked = check::check(file, catalog);
        diagnostics.extend(checked.diagnostics);
        flow = checked.flow;
        lint::apply(file, source, &mut diagnostics);
    }
    diagnostics::sort(&mut diagnostics);
    if diagnostics.iter().any(Diagnostic::is_error) {
        flow = None;
    }
    Checked { flow, diagnostics }
}

/// A source checked and compiled: the typed flow (for its tests) and the
/// verified module, or the diagnostics that stopped it.
pub struct Compiled {
    /// The checked flow (its test blocks included), when there is no error.
    pub flow: Option<typed::TypedFlow>,
    /// The verified module, when there is no error.
    pub module: Option<bytecode::VerifiedModule>,
    /// Every diagnostic, sorted by position.
    pub diagnostics: Vec<Diagnostic>,
}

/// Parses, checks, compiles and verifies one source: the pipeline of
/// `flowc run`, `flowc test` and `flowc build`. `module` is `None` when any
/// error was reported.
pub fn compile_source(source: &str, catalog: &catalog::Catalog) -> Compiled {
    compile_source_with_limit(source, catalog, parser::MAX_SOURCE_BYTES)
}

/// [`compile_source`] with another bound on the source size than the 2 MiB
/// of the command line: the benchmarks compile generated flows of 100,000
/// steps this way. The command line keeps its bound.
pub fn compile_source_with_limit(
    source: &str,
    catalog: &catalog::Catalog,
    max_source_bytes: usize,
) -> Compiled {
    let mut checked = check_source_with_limit(source, catalog, max_source_bytes);
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
