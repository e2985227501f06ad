//! `flowc check FILE... [--format human|json] [--deny warnings]`

use super::{Deny, EXIT_ERRORS, EXIT_USAGE, Format};
use crate::diagnostics;
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The `.flow` files to check
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// How to print diagnostics
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// Turn warnings into errors
    #[arg(long, value_enum)]
    pub deny: Vec<Deny>,
}

pub fn run(args: &Args, catalog: &crate::catalog::Catalog) -> u8 {
    let mut io_error = false;
    let mut errors = false;
    for path in &args.files {
        let Some(source) = super::read_source(path) else {
            io_error = true;
            continue;
        };
        let name = path.display().to_string();
        let mut diags = crate::check_source(&source, catalog).diagnostics;
        if args.deny.contains(&Deny::Warnings) {
            diagnostics::deny_warnings(&mut diags);
        }
        errors |= diags.iter().any(diagnostics::Diagnostic::is_error);
        super::emit_diagnostics(&diags, &name, &source, args.format);
    }
    if io_error {
        EXIT_USAGE
    } else if errors {
        EXIT_ERRORS
    } else {
        0
    }
}
