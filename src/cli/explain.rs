//! `flowc explain CODE`: the long explanation of a diagnostic or runtime
//! code. An unknown code is a usage error (exit 2).

use super::EXIT_USAGE;
use crate::diagnostics::Code;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// A code such as E0303, W0302 or R0003 (case does not matter)
    pub code: String,
}

pub fn run(args: &Args) -> u8 {
    match Code::parse(&args.code) {
        Some(code) => {
            out!("{}", code.explanation());
            0
        }
        None => {
            errln!(
                "error: `{}` is not a flowc code; codes look like E0303, W0301 or R0003 (see docs/diagnostics.md)",
                args.code
            );
            EXIT_USAGE
        }
    }
}
