//! The registry of diagnostic and runtime codes.
//!
//! A code is never reused or renumbered. Each has a one-line title and a
//! longer explanation (what it means, an example that triggers it, how to fix
//! it) in `src/diagnostics/explain/CODE.md`, printed by `flowc explain CODE`.

use crate::diagnostics::Severity;
use serde::{Serialize, Serializer};
use std::fmt;

macro_rules! codes {
    ($($code:ident => $title:literal,)*) => {
        /// A stable diagnostic (E, W) or runtime (R) code.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Code { $(#[doc = $title] $code,)* }

        impl Code {
            /// Every code, in numeric order.
            pub const ALL: &'static [Code] = &[$(Code::$code,)*];

            /// The code as users write it: `E0303`.
            pub fn as_str(self) -> &'static str {
                match self { $(Code::$code => stringify!($code),)* }
            }

            /// A one-line summary of the rule.
            pub fn title(self) -> &'static str {
                match self { $(Code::$code => $title,)* }
            }

            /// The long explanation printed by `flowc explain`.
            pub fn explanation(self) -> &'static str {
                match self { $(Code::$code => include_str!(concat!("explain/", stringify!($code), ".md")),)* }
            }
        }
    };
}

codes! {
    E0001 => "syntax error",
    E0002 => "invalid token",
    E0003 => "invalid literal or value out of range",
    E0101 => "unknown step",
    E0102 => "duplicate step name",
    E0103 => "unknown inquiry or account field",
    E0104 => "duplicate field declaration or header item",
    E0105 => "unknown verification, report, capture kind or solution",
    E0106 => "unknown name",
    E0107 => "result name bound twice or shadowing a built-in",
    E0108 => "missing, unknown or duplicate argument or field",
    E0109 => "`allow` names an unknown code or an error code",
    E0201 => "type mismatch",
    E0202 => "condition is not `bool`",
    E0203 => "optional value where a non-optional one is needed",
    E0204 => "unknown function or wrong number of arguments",
    E0205 => "`matches` pattern that is invalid or not a string literal",
    E0301 => "flow has no steps, or `start` names no step",
    E0302 => "no `end` can be reached",
    E0303 => "value read before it is written on every path",
    E0304 => "cycle that passes through no screen",
    E0305 => "wrong number of transitions or routes",
    E0401 => "too many steps for the plan",
    E0402 => "verification or report kind not in the plan",
    E0403 => "statement not in the plan",
    E0404 => "solution rules broken",
    E0405 => "missing or unknown plan",
    E0406 => "too many routes in a branch for the plan",
    W0301 => "unreachable step",
    W0302 => "account field written from user input",
    W0303 => "constant condition or route that can never be taken",
    W0304 => "`allow` that silences nothing",
    W0305 => "bidirectional-control character in a string literal or comment",
    R0001 => "fuel exhausted",
    R0002 => "bad resume input",
    R0003 => "host error",
    R0004 => "state does not belong to this module or is corrupt",
    R0005 => "module failed verification",
    R0006 => "integer overflow or date out of range",
    R0007 => "division or remainder by zero",
    R0008 => "string or saved state over its size limit",
}

impl Code {
    /// Looks a code up by its text, case-insensitively (`e0303` works).
    pub fn parse(text: &str) -> Option<Code> {
        Code::ALL
            .iter()
            .copied()
            .find(|c| c.as_str().eq_ignore_ascii_case(text.trim()))
    }

    /// Errors for E and R codes, warnings for W codes.
    pub fn default_severity(self) -> Severity {
        if self.as_str().starts_with('W') {
            Severity::Warning
        } else {
            Severity::Error
        }
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Code {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_has_a_real_explanation() {
        for code in Code::ALL {
            let text = code.explanation();
            assert!(text.len() > 200, "{code}: explanation too short");
            assert!(text.contains("```"), "{code}: explanation has no example");
            assert_eq!(Code::parse(code.as_str()), Some(*code));
        }
        assert_eq!(Code::parse("E9999"), None);
    }
}
