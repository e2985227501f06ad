//! `flowc build FILE [-o OUT] [--emit tokens|ast] [--format human|json]`
//!
//! Checks and compiles FILE and writes the module to OUT (default: FILE with
//! the extension `.flowbc`). `--emit tokens` prints one token per line
//! (`start..end Token`), `--emit ast` the syntax tree as pretty JSON,
//! `--emit disasm` the module's disassembly, `--emit json` the module as
//! JSON; all go to stdout, and with `--emit` nothing is written unless `-o`
//! is given. Diagnostics as for `check`. The module is written atomically
//! and never over one of the build's inputs.

use super::{EXIT_ERRORS, EXIT_USAGE, Format};
use crate::files;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Emit {
    /// the lexer's tokens, one per line
    Tokens,
    /// the syntax tree as JSON
    Ast,
    /// the module's disassembly
    Disasm,
    /// the module as JSON
    Json,
}

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The `.flow` file to build
    pub file: PathBuf,
    /// Where to write the module (default: FILE.flowbc; with `--emit`,
    /// written only when this is given)
    #[arg(short, long, value_name = "OUT.flowbc")]
    pub output: Option<PathBuf>,
    /// What to print instead of writing bytecode
    #[arg(long, value_enum)]
    pub emit: Option<Emit>,
    /// How to print diagnostics
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
}

pub fn run(args: &Args, catalog: &crate::catalog::Catalog) -> u8 {
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
            out!("{out}");
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
                    outln!("{json}");
                    0
                }
                _ => EXIT_ERRORS,
            }
        }
        Some(Emit::Disasm | Emit::Json) | None => {
            let compiled = crate::compile_source(&source, catalog);
            super::emit_diagnostics(&compiled.diagnostics, &name, &source, args.format);
            let Some(module) = compiled.module else {
                return EXIT_ERRORS;
            };
            match args.emit {
                Some(Emit::Disasm) => {
                    out!(
                        "{}",
                        crate::bytecode::disasm_with_source(module.module(), &source)
                    )
                }
                Some(_) => outln!("{}", module.to_json()),
                None => {}
            }
            let out = match (&args.output, args.emit) {
                (Some(o), _) => o.clone(),
                (None, None) => args.file.with_extension("flowbc"),
                (None, Some(_)) => return 0,
            };
            write_module(&out, &module.to_bytes(), &args.file, catalog)
        }
    }
}

/// Writes the module to `out` atomically, refusing to replace an input of
/// the build (the source, the `--plans` catalogue or one of its solutions,
/// under any path spelling or link) or to write a module that `flowc run`
/// would refuse as too large.
fn write_module(out: &Path, bytes: &[u8], source: &Path, catalog: &crate::catalog::Catalog) -> u8 {
    let mut inputs = std::iter::once(source).chain(catalog.files.iter().map(PathBuf::as_path));
    if let Some(input) = inputs.find(|i| files::same_file(out, i)) {
        errln!(
            "error: `{}` is an input of this build (`{}`); refusing to write the module over it",
            out.display(),
            input.display()
        );
        return EXIT_USAGE;
    }
    let limit = files::Input::Module.limit();
    if bytes.len() as u64 > limit {
        errln!(
            "error: the module is larger than {}, the limit for a module; it was not written",
            files::size(limit)
        );
        return EXIT_USAGE;
    }
    match files::write_atomic(out, bytes) {
        Ok(()) => 0,
        Err(e) => {
            errln!("error: cannot write `{}`: {e}", out.display());
            EXIT_USAGE
        }
    }
}
