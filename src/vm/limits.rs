//! The run-time size limits (R0008): fuel bounds how many instructions a
//! run executes; these bound the memory its values and its saved state
//! take.
//!
//! A string longer than [`MAX_STRING_BYTES`] stops the run where it would
//! be made (`+`) or where it enters the run (a host answer, an Account
//! read, a screen's input). A saved state longer than [`MAX_STATE_BYTES`]
//! is refused both when it is saved and when it is loaded. Both limits
//! are the language reference's (§8.10).

use crate::bytecode::RuntimeError;
use crate::diagnostics::Code;
use crate::value::Value;

/// The longest string value a run may hold, in bytes.
pub const MAX_STRING_BYTES: usize = 65_536;

/// The largest saved state, in bytes (the whole saved form).
pub const MAX_STATE_BYTES: usize = 1024 * 1024;

/// The byte length of the first string among `values` that is longer than
/// [`MAX_STRING_BYTES`].
pub(crate) fn oversized<'a>(values: impl IntoIterator<Item = &'a Value>) -> Option<usize> {
    values.into_iter().find_map(|v| match v {
        Value::Str(s) if s.len() > MAX_STRING_BYTES => Some(s.len()),
        _ => None,
    })
}

/// The R0008 error for a string of `len` bytes at instruction `pc` (if
/// any); `what` says where it came from (`made by \`+\``).
pub(crate) fn string_error(pc: Option<u32>, len: usize, what: &str) -> RuntimeError {
    RuntimeError {
        pc,
        ..RuntimeError::new(
            Code::R0008,
            format!("a string of {len} bytes {what} is over the limit of {MAX_STRING_BYTES} bytes"),
        )
    }
}

/// The R0008 error for a saved state of `len` bytes.
pub(crate) fn state_error(len: usize) -> RuntimeError {
    RuntimeError::new(
        Code::R0008,
        format!(
            "a saved state of {len} bytes is over the limit of {MAX_STATE_BYTES} bytes (1 MiB)"
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_strings_past_the_limit_are_oversized() {
        let at = Value::Str("a".repeat(MAX_STRING_BYTES));
        let past = Value::Str("é".repeat(MAX_STRING_BYTES / 2 + 1));
        assert_eq!(oversized([&at, &Value::Int(1)]), None);
        assert_eq!(oversized([&at, &past]), Some(MAX_STRING_BYTES + 2));
        assert_eq!(string_error(None, 9, "made by `+`").code, Code::R0008);
        assert_eq!(state_error(9).code, Code::R0008);
    }
}
