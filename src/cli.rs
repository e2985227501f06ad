//! The command line: clap definitions and dispatch. One file per
//! subcommand under `cli/`; each returns the process exit code.
//!
//! Exit codes: 0 success (warnings allowed), 1 the input has errors,
//! 2 usage or I/O error.
//!
//! Like rustc, human diagnostics go to stderr; `--format json` puts one
//! JSON object per diagnostic on stdout, so that it can be piped.

/// `print!` to stdout that ignores a closed pipe (`flowc run ... | head`)
/// instead of panicking as `print!` does.
macro_rules! out {
    ($($t:tt)*) => {{
        use std::io::Write as _;
        let _ = write!(std::io::stdout(), $($t)*);
    }};
}

/// `println!` to stdout that ignores a closed pipe.
macro_rules! outln {
    ($($t:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout(), $($t)*);
    }};
}

pub mod build;
pub mod check;
pub mod explain;
pub mod graph;
pub mod run;
pub mod test;

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
    /// built-in one (see docs/catalogue.md)
    #[arg(long, global = true, value_name = "FILE.toml")]
    plans: Option<std::path::PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Report diagnostics; exit 0 with no errors, 1 with errors, 2 on usage or I/O error
    Check(check::Args),
    /// Compile a flow (`--emit tokens|ast` for the front end's output)
    Build(build::Args),
    /// Run a flow or module with a scripted host and print the trace
    Run(run::Args),
    /// Run the test blocks of flow files
    Test(test::Args),
    /// Draw a flow's step graph as DOT, Mermaid or SVG
    Graph(graph::Args),
    /// Explain a diagnostic or runtime code, with an example
    Explain(explain::Args),
}

/// How diagnostics are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
pub enum Format {
    /// ariadne reports on stderr
    #[default]
    Human,
    /// one JSON object per diagnostic per line, on stdout
    Json,
}

/// What `--deny` can turn into errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Deny {
    Warnings,
}

/// Parses the command line, runs the subcommand and returns the exit code.
pub fn run() -> u8 {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
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
            Err(e) => {
                eprintln!("error: {e}");
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
        Format::Human => eprint!(
            "{}",
            render::render_human(diags, file_name, source, render::use_color())
        ),
        Format::Json => out!("{}", render::render_json(diags, file_name, source)),
    }
}

/// Reads a source file, or prints why not.
pub(crate) fn read_source(path: &std::path::Path) -> Option<String> {
    match try_read_source(path) {
        Ok(text) => Some(text),
        Err(e) => {
            eprintln!("error: {e}");
            None
        }
    }
}

/// Reads a source file, or says why not.
pub(crate) fn try_read_source(path: &std::path::Path) -> Result<String, String> {
    match std::fs::read(path) {
        Ok(bytes) => {
            String::from_utf8(bytes).map_err(|_| format!("`{}` is not valid UTF-8", path.display()))
        }
        Err(e) => Err(format!("cannot read `{}`: {e}", path.display())),
    }
}
