//! `flowc graph FILE [--format dot|mermaid|svg] [-o OUT] [--highlight STEPS] [--no-docs]`
//!
//! Checks FILE and draws its step graph (see [`crate::graph`]) to stdout or
//! OUT. A file with errors is not drawn: its diagnostics go to stderr and
//! the exit code is 1. Warnings are printed too, and the graph is drawn.

use super::{EXIT_ERRORS, EXIT_USAGE, Format};
use crate::graph::{self, Graph};
use std::path::PathBuf;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum GraphFormat {
    /// Graphviz DOT
    #[default]
    Dot,
    /// a Mermaid flowchart (renders on GitHub)
    Mermaid,
    /// a self-contained SVG picture
    Svg,
}

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The `.flow` file to draw
    pub file: PathBuf,
    /// What to write
    #[arg(long, value_enum, default_value_t = GraphFormat::Dot)]
    pub format: GraphFormat,
    /// Write to this file instead of stdout
    #[arg(short, long)]
    pub output: Option<PathBuf>,
    /// Mark a path: steps in order, comma-separated (e.g. a test's `visits`)
    #[arg(long, value_name = "STEPS", value_delimiter = ',')]
    pub highlight: Vec<String>,
    /// Leave out the steps' `///` doc comments
    #[arg(long)]
    pub no_docs: bool,
}

pub fn run(args: &Args, catalog: &crate::catalog::Catalog) -> u8 {
    let Some(source) = super::read_source(&args.file) else {
        return EXIT_USAGE;
    };
    let name = args.file.display().to_string();
    let checked = crate::check_source(&source, catalog);
    super::emit_diagnostics(&checked.diagnostics, &name, &source, Format::Human);
    let Some(flow) = checked.flow else {
        errln!("error: `{name}` has errors; no graph was drawn");
        return EXIT_ERRORS;
    };
    let options = graph::Options {
        no_docs: args.no_docs,
    };
    let mut g = Graph::of(&flow, &options);
    let path: Vec<String> = args
        .highlight
        .iter()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect();
    if let Err(unknown) = g.highlight(&path) {
        errln!(
            "error: `--highlight` names no step {}; the steps are {}",
            crate::diagnostics::ticked(unknown.iter().map(String::as_str)),
            crate::diagnostics::ticked(flow.steps.iter().map(|s| s.name.as_str()))
        );
        return EXIT_USAGE;
    }
    let text = match args.format {
        GraphFormat::Dot => graph::dot::write(&g),
        GraphFormat::Mermaid => graph::mermaid::write(&g),
        GraphFormat::Svg => match quietly(|| graph::svg::write(&g)) {
            Ok(svg) => svg,
            Err(e) => {
                errln!("error: {e}");
                return EXIT_ERRORS;
            }
        },
    };
    match &args.output {
        None => out!("{text}"),
        Some(path) => {
            if let Err(e) = std::fs::write(path, text) {
                errln!("error: cannot write `{}`: {e}", path.display());
                return EXIT_USAGE;
            }
        }
    }
    0
}

/// Runs `f` with the panic hook silenced: the SVG layout catches the layout
/// crate's panics and retries, and the default hook would print each one.
fn quietly<T>(f: impl FnOnce() -> T) -> T {
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let out = f();
    std::panic::set_hook(hook);
    out
}
