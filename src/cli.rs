//! The command line: clap definitions and dispatch. One file per
//! subcommand under `cli/`; each returns the process exit code.
//!
//! Exit codes: 0 success (warnings allowed), 1 the input has errors,
//! 2 usage or I/O error.
//!
//! Like rustc, human diagnostics go to stderr; `--format json` puts one
//! JSON object per diagnostic on stdout, so that it can be piped.

/// `print!` to stdout through [`output`]: a closed pipe is quiet, another
/// failure makes the exit code 2.
macro_rules! out {
    ($($t:tt)*) => {
        $crate::cli::output::write($crate::cli::output::Stream::Stdout, format_args!($($t)*))
    };
}

/// `println!` to stdout through [`output`].
macro_rules! outln {
    ($($t:tt)*) => {
        $crate::cli::output::write(
            $crate::cli::output::Stream::Stdout,
            format_args!("{}\n", format_args!($($t)*)),
        )
    };
}

/// `eprintln!` through [`output`]: never panics.
macro_rules! errln {
    ($($t:tt)*) => {
        $crate::cli::output::write(
            $crate::cli::output::Stream::Stderr,
            format_args!("{}\n", format_args!($($t)*)),
        )
    };
}

pub mod build;
pub mod check;
pub mod explain;
pub mod fmt;
pub mod graph;
pub(crate) mod output;
pub mod run;
pub mod test;
mod trace;

use crate::catalog::Catalog;
use crate::diagnostics::{Diagnostic, render};
use clap::{Parser, Subcommand, ValueEnum};

/// Exit code: the input has errors.
pub const EXIT_ERRORS: u8 = 1;
/// Exit code: usage or I/O error.
pub const EXIT_USAGE: u8 = 2;

#[derive(Debug, Parser)]
#[command(
    name = "flowc",
    version,
    about = "Compiler and virtual machine for Flow inquiry flows"
)]
struct Cli {
    /// Use this catalogue of plans, kinds and solutions instead of the
    /// built-in one, in every command that reads flows (see docs/catalogue.md)
    #[arg(long, global = true, value_name = "FILE.toml")]
    plans: Option<std::path::PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Report diagnostics; exit 0 with no errors, 1 with errors, 2 on usage or I/O error
    Check(check::Args),
    /// Check and compile a flow to a module, or print one stage with `--emit`
    Build(build::Args),
    /// Run a flow or module with a scripted host and print the trace
    Run(run::Args),
    /// Run the test blocks of flow files
    Test(test::Args),
    /// Rewrite files in the canonical layout, comments kept (`--check` to only list them)
    Fmt(fmt::Args),
    /// Draw a flow's step graph as DOT, Mermaid or SVG
    Graph(graph::Args),
    /// Explain a diagnostic or runtime code, with an example
    Explain(explain::Args),
}

/// How diagnostics are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
pub enum Format {
    /// reports with source excerpts, on stderr
    #[default]
    Human,
    /// one JSON object per diagnostic per line, on stdout
    Json,
}

/// What `--deny` can turn into errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Deny {
    /// every warning counts as an error
    Warnings,
}

/// Parses the command line, runs the subcommand and returns the exit code
/// (2 also when writing its output failed, see [`output`]).
pub fn run() -> u8 {
    let code = dispatch();
    output::finish(code)
}

fn dispatch() -> u8 {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let stream = if e.use_stderr() {
                output::Stream::Stderr
            } else {
                output::Stream::Stdout
            };
            output::record(stream, e.print());
            return if e.use_stderr() { EXIT_USAGE } else { 0 };
        }
    };
    if let Command::Explain(args) = &cli.command {
        return explain::run(args);
    }
    let catalog = match &cli.plans {
        None => Catalog::builtin(),
        Some(path) => match Catalog::load(path) {
            Ok(catalog) => catalog,
            Err(errors) => {
                for e in errors {
                    errln!("error: {e}");
                }
                return EXIT_USAGE;
            }
        },
    };
    match cli.command {
        Command::Check(args) => check::run(&args, &catalog),
        Command::Build(args) => build::run(&args, &catalog),
        Command::Run(args) => run::run(&args, &catalog),
        Command::Test(args) => test::run(&args, &catalog),
        Command::Graph(args) => graph::run(&args, &catalog),
        Command::Explain(args) => explain::run(&args),
        Command::Fmt(args) => fmt::run(&args),
    }
}

/// Prints diagnostics for one file in the chosen format.
pub(crate) fn emit_diagnostics(
    diags: &[Diagnostic],
    file_name: &str,
    source: &str,
    format: Format,
) {
    if diags.is_empty() {
        return;
    }
    match format {
        Format::Human => output::write(
            output::Stream::Stderr,
            format_args!(
                "{}",
                render::render_human(diags, file_name, source, render::use_color())
            ),
        ),
        Format::Json => out!("{}", render::render_json(diags, file_name, source)),
    }
}

/// Reads a source file under its size limit, or prints why not.
pub(crate) fn read_source(path: &std::path::Path) -> Option<String> {
    match try_read_source(path) {
        Ok(text) => Some(text),
        Err(e) => {
            errln!("error: {e}");
            None
        }
    }
}

/// Reads a source file within its size limit, or says why not.
pub(crate) fn try_read_source(path: &std::path::Path) -> Result<String, String> {
    crate::files::read_text(path, crate::files::Input::Source).map_err(|e| e.to_string())
}
