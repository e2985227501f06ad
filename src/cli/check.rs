//! `flowc check FILE... [--format human|json|sarif] [--deny warnings]`
//!
//! `--format sarif` prints one SARIF 2.1.0 log for all the files on stdout
//! (see [`crate::diagnostics::sarif`]); the exit code is the same as with the
//! other formats.

use super::{Deny, EXIT_ERRORS, EXIT_USAGE, Format};
use crate::diagnostics::{self, sarif};
use std::path::PathBuf;

/// How `check` prints diagnostics: the formats of every command, and SARIF.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum CheckFormat {
    /// ariadne reports on stderr
    #[default]
    Human,
    /// one JSON object per diagnostic per line, on stdout
    Json,
    /// one SARIF 2.1.0 log for all files, on stdout
    Sarif,
}

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The `.flow` files to check
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// How to print diagnostics
    #[arg(long, value_enum, default_value_t = CheckFormat::Human)]
    pub format: CheckFormat,
    /// Turn warnings into errors
    #[arg(long, value_enum)]
    pub deny: Vec<Deny>,
}

pub fn run(args: &Args, catalog: &crate::catalog::Catalog) -> u8 {
    let mut errors = false;
    let mut checked: Vec<(&PathBuf, String, Vec<diagnostics::Diagnostic>)> = Vec::new();
    let mut unreadable = Vec::new();
    for path in &args.files {
        let source = match super::try_read_source(path) {
            Ok(source) => source,
            Err(reason) => {
                errln!("error: {reason}");
                unreadable.push(sarif::Unreadable { path, reason });
                continue;
            }
        };
        let name = path.display().to_string();
        let mut diags = crate::check_source(&source, catalog).diagnostics;
        if args.deny.contains(&Deny::Warnings) {
            diagnostics::deny_warnings(&mut diags);
        }
        errors |= diags.iter().any(diagnostics::Diagnostic::is_error);
        match args.format {
            CheckFormat::Human => super::emit_diagnostics(&diags, &name, &source, Format::Human),
            CheckFormat::Json => super::emit_diagnostics(&diags, &name, &source, Format::Json),
            CheckFormat::Sarif => checked.push((path, source, diags)),
        }
    }
    if args.format == CheckFormat::Sarif {
        let files: Vec<sarif::Checked> = checked
            .iter()
            .map(|(path, source, diags)| sarif::Checked {
                path,
                source,
                diagnostics: diags,
            })
            .collect();
        let cwd = std::env::current_dir().unwrap_or_default();
        let root = sarif::repository_root(&cwd);
        outln!("{}", sarif::render(&files, &unreadable, &root, &cwd));
    }
    if !unreadable.is_empty() {
        EXIT_USAGE
    } else if errors {
        EXIT_ERRORS
    } else {
        0
    }
}
