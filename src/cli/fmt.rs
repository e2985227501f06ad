//! `flowc fmt FILE... [--check]`
//!
//! Rewrites each file in the canonical layout (docs/formatting.md), through
//! a temporary file in the same directory renamed over it, so that a file is
//! never left half written. `-` reads standard input and writes the result
//! to standard output. With `--check` nothing is written: the files whose
//! layout would change are named on standard output. A file with lexical or
//! syntax errors is left as it is and its diagnostics are printed.
//!
//! Exit 0 when every file is (or now is) formatted, 1 when a file has
//! errors or `--check` found one to change, 2 on I/O errors.

use super::{EXIT_ERRORS, EXIT_USAGE, Format};
use std::io::{Read as _, Write as _};
use std::path::{Path, PathBuf};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The `.flow` files to format; `-` reads standard input and writes
    /// standard output
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Write nothing: name the files whose layout would change, and exit 1
    /// if there are any
    #[arg(long)]
    pub check: bool,
}

/// What happened to one file.
enum Outcome {
    Unchanged,
    Changed,
    Errors,
    Io,
}

pub fn run(args: &Args) -> u8 {
    let mut io_error = false;
    let mut errors = false;
    for path in &args.files {
        let outcome = if path.as_os_str() == "-" {
            stdin(args.check)
        } else {
            file(path, args.check)
        };
        match outcome {
            Outcome::Unchanged => {}
            Outcome::Changed => errors |= args.check,
            Outcome::Errors => errors = true,
            Outcome::Io => io_error = true,
        }
    }
    if io_error {
        EXIT_USAGE
    } else if errors {
        EXIT_ERRORS
    } else {
        0
    }
}

/// Formats `source`, printing its diagnostics under `name` when it does not
/// parse.
fn format(source: &str, name: &str) -> Option<String> {
    match crate::format::format_source(source) {
        Ok(text) => Some(text),
        Err(diags) => {
            super::emit_diagnostics(&diags, name, source, Format::Human);
            None
        }
    }
}

fn file(path: &Path, check: bool) -> Outcome {
    let Some(source) = super::read_source(path) else {
        return Outcome::Io;
    };
    let name = path.display().to_string();
    let Some(text) = format(&source, &name) else {
        return Outcome::Errors;
    };
    if text == source {
        return Outcome::Unchanged;
    }
    if check {
        outln!("{name}");
        return Outcome::Changed;
    }
    match write_atomically(path, &text) {
        Ok(()) => Outcome::Changed,
        Err(e) => {
            errln!("error: cannot write `{name}`: {e}");
            Outcome::Io
        }
    }
}

fn stdin(check: bool) -> Outcome {
    // Standard input has the same limit as a source file, applied while
    // reading (it may be endless).
    let limit = crate::files::Input::Source.limit();
    let mut bytes = Vec::new();
    if let Err(e) = std::io::stdin().take(limit + 1).read_to_end(&mut bytes) {
        errln!("error: cannot read standard input: {e}");
        return Outcome::Io;
    }
    if bytes.len() as u64 > limit {
        errln!(
            "error: standard input is larger than the {} limit for a source",
            crate::files::size(limit)
        );
        return Outcome::Io;
    }
    let Ok(source) = String::from_utf8(bytes) else {
        errln!("error: standard input is not valid UTF-8");
        return Outcome::Io;
    };
    let Some(text) = format(&source, "<stdin>") else {
        return Outcome::Errors;
    };
    if check {
        if text == source {
            return Outcome::Unchanged;
        }
        outln!("<stdin>");
        return Outcome::Changed;
    }
    let _ = std::io::stdout().write_all(text.as_bytes());
    if text == source {
        Outcome::Unchanged
    } else {
        Outcome::Changed
    }
}

/// Replaces the file at `path` (following symbolic links) with `text`: a
/// temporary file in the same directory, with the old file's permissions,
/// renamed over it.
fn write_atomically(path: &Path, text: &str) -> std::io::Result<()> {
    let target = std::fs::canonicalize(path)?;
    let dir = target.parent().unwrap_or(Path::new("."));
    let permissions = std::fs::metadata(&target)?.permissions();
    let mut tmp = tempfile::Builder::new()
        .prefix(".flowc-fmt-")
        .tempfile_in(dir)?;
    tmp.write_all(text.as_bytes())?;
    tmp.as_file().set_permissions(permissions)?;
    tmp.as_file().sync_all()?;
    tmp.persist(&target).map_err(|e| e.error)?;
    Ok(())
}
