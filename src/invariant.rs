//! Named invariants: facts about flowc's own data that no input can break,
//! such as "a step id the checker resolved indexes the step table".
//!
//! Code that relies on one still copes when it fails, because nothing in
//! flowc may panic on any input: it takes a fallback that keeps the fault
//! visible (a jump the verifier refuses, an internal-error diagnostic, a
//! `?` in a message), never a plausible made-up value. And it calls
//! [`broken`] first, which panics in debug builds, naming the invariant, so
//! that the tests and fuzzers, which run debug builds, fail loudly there.

use crate::diagnostics::{Code, Diagnostic};
use crate::span::Span;
use std::fmt;

/// Invariant `name` does not hold: a panic naming it in a debug build;
/// nothing in a release build, where the caller goes on with its fallback.
#[track_caller]
pub(crate) fn broken(name: &str, detail: fmt::Arguments<'_>) {
    debug_assert!(false, "internal invariant `{name}` does not hold: {detail}");
}

/// `value`, after reporting invariant `name` as [`broken`] when it is
/// `None`.
#[track_caller]
pub(crate) fn holds<T>(value: Option<T>, name: &str) -> Option<T> {
    if value.is_none() {
        broken(name, format_args!("a lookup found nothing"));
    }
    value
}

/// The diagnostic for a broken invariant found where a diagnostic can be
/// reported: an error, so that nothing is compiled from the input, which
/// says that flowc is at fault. Calls [`broken`].
#[track_caller]
pub(crate) fn diagnostic(name: &str, span: Span, detail: impl fmt::Display) -> Diagnostic {
    broken(name, format_args!("{detail}"));
    Diagnostic::new(
        Code::R0005,
        span,
        format!("internal error: invariant `{name}` does not hold: {detail}"),
    )
    .help("this is a bug in flowc; please report it with the source")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[cfg(debug_assertions)]
    #[should_panic(expected = "internal invariant `demo` does not hold: 3 is odd")]
    fn broken_panics_in_debug_builds_naming_the_invariant() {
        broken("demo", format_args!("3 is odd"));
    }

    #[test]
    fn holds_passes_values_through() {
        assert_eq!(holds(Some(3), "demo"), Some(3));
    }
}
