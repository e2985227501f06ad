//! `flowc build FILE [-o OUT] [--emit tokens|ast] [--format human|json]`
//!
//! For now only the front end's outputs exist: `--emit tokens` prints one
//! token per line (`start..end Token`), `--emit ast` prints the syntax tree
//! as pretty JSON. Both go to stdout; diagnostics as for `check`.

use super::{EXIT_ERRORS, EXIT_USAGE, Format};
use std::path::PathBuf;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Emit {
    /// the lexer's tokens, one per line
    Tokens,
    /// the syntax tree as JSON
    Ast,
}

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The `.flow` file to build
    pub file: PathBuf,
    /// Output path (bytecode; not available yet)
    #[arg(short, long)]
    pub output: Option<PathBuf>,
    /// What to print instead of writing bytecode
    #[arg(long, value_enum)]
    pub emit: Option<Emit>,
    /// How to print diagnostics
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
}

pub fn run(args: &Args) -> u8 {
    let Some(source) = super::read_source(&args.file) else {
        return EXIT_USAGE;
    };
    let name = args.file.display().to_string();
    match args.emit {
        Some(Emit::Tokens) => {
            let lexed = crate::lexer::tokenize(&source);
            let mut out = String::new();
            for (l, t, r) in &lexed.tokens {
                out.push_str(&format!("{l}..{r} {t}\n"));
            }
            print!("{out}");
            super::emit_diagnostics(&lexed.diagnostics, &name, &source, args.format);
            if lexed
                .diagnostics
                .iter()
                .any(crate::diagnostics::Diagnostic::is_error)
            {
                EXIT_ERRORS
            } else {
                0
            }
        }
        Some(Emit::Ast) => {
            let parsed = crate::frontend(&source);
            super::emit_diagnostics(&parsed.diagnostics, &name, &source, args.format);
            if parsed.has_errors() {
                return EXIT_ERRORS;
            }
            match parsed.file.map(|f| serde_json::to_string_pretty(&f)) {
                Some(Ok(json)) => {
                    println!("{json}");
                    0
                }
                _ => EXIT_ERRORS,
            }
        }
        None => {
            eprintln!(
                "error: bytecode output is not available yet; use `--emit tokens` or `--emit ast`"
            );
            EXIT_USAGE
        }
    }
}
