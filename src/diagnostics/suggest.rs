//! "Did you mean `x`?": the one place that picks a close name for a
//! diagnostic's help line.
//!
//! The distance is Levenshtein's, in Unicode scalar values (the `strsim`
//! crate). A name is suggested only when it is within a third of the
//! unknown name's length (at least one edit), and the first candidate in
//! order wins a tie. The cost is bounded for flows with thousands of names:
//! a candidate whose length alone puts it out of reach is skipped without
//! computing a distance, and at most [`MAX_COMPARED`] distances are
//! computed for one unknown name.

use super::Diagnostic;

/// Most candidates whose distance is computed for one unknown name.
pub const MAX_COMPARED: usize = 200;

/// The candidate closest to `name`, if one is close enough.
pub fn closest<'c>(name: &str, candidates: impl IntoIterator<Item = &'c str>) -> Option<&'c str> {
    let len = name.chars().count();
    let limit = (len / 3).max(1);
    let mut best: Option<(usize, &'c str)> = None;
    let mut compared = 0;
    for c in candidates {
        // A string of `b` bytes has between b/4 and b scalar values; the
        // distance is at least the difference of the lengths.
        if c.len() + limit < len || c.len().div_ceil(4) > len + limit {
            continue;
        }
        if c == name || c.chars().count().abs_diff(len) > limit {
            continue;
        }
        if compared == MAX_COMPARED {
            break;
        }
        compared += 1;
        let d = strsim::levenshtein(name, c);
        if d <= limit && best.is_none_or(|(bd, _)| d < bd) {
            best = Some((d, c));
            if d == 1 {
                // Nothing but the name itself is closer.
                break;
            }
        }
    }
    best.map(|(_, c)| c)
}

impl Diagnostic {
    /// Adds `help: did you mean `x`?` when one of `candidates` is close to
    /// `name`; otherwise leaves the diagnostic as it is.
    pub fn did_you_mean<'c>(
        self,
        name: &str,
        candidates: impl IntoIterator<Item = &'c str>,
    ) -> Diagnostic {
        match closest(name, candidates) {
            Some(s) => self.help(format!("did you mean `{s}`?")),
            None => self,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, Instant};

    #[test]
    fn close_names_within_a_third_of_the_length() {
        let names = ["collect", "verify_db", "route", "save"];
        assert_eq!(closest("colect", names), Some("collect"));
        assert_eq!(closest("verfy_db", names), Some("verify_db"));
        assert_eq!(closest("rute", names), Some("route"));
        // one edit is always allowed, even for short names
        assert_eq!(closest("sav", names), Some("save"));
        // too far, and the name itself is never suggested
        assert_eq!(closest("xyz", names), None);
        assert_eq!(closest("save", names), None);
        // first in order on a tie
        assert_eq!(closest("ab", ["aa", "bb"]), Some("aa"));
        // the closer one wins over an earlier one
        assert_eq!(closest("abcdef", ["abxyef", "abcdex"]), Some("abcdex"));
        // lengths count scalar values, not bytes
        assert_eq!(closest("événement", ["evenement"]), Some("evenement"));
    }

    #[test]
    fn thousands_of_candidates_stay_cheap() {
        let names: Vec<String> = (0..20_000).map(|i| format!("step_{i:05}")).collect();
        let start = Instant::now();
        for i in 0..1_000 {
            let _ = closest(&format!("stop_{i:05}x"), names.iter().map(String::as_str));
        }
        // 1,000 lookups against 20,000 names: bounded by MAX_COMPARED each.
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "{:?}",
            start.elapsed()
        );
    }

    #[test]
    fn the_help_line_names_the_suggestion() {
        let d = Diagnostic::new(
            crate::diagnostics::Code::E0101,
            crate::span::Span::new(0, 1),
            "x",
        )
        .did_you_mean("rout", ["route"]);
        assert_eq!(d.help.as_deref(), Some("did you mean `route`?"));
    }
}
