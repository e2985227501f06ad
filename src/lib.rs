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
pub mod diagnostics;
pub mod span;
pub mod types;
pub mod value;
pub mod catalog;
pub mod typed;
pub mod bytecode;
pub mod codegen;
pub mod host;
pub mod testing;
pub mod verify;
pub mod vm;
