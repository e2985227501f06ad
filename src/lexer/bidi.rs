//! W0305: bidirectional-control characters in string literals and comments.
//!
//! These characters are invisible, yet they make an editor show the text
//! around them in another order: a comment can seem to close before code
//! that it in fact swallows, a string can seem to hold other words than it
//! does. Elsewhere in a source they start no token and are already E0002.

use super::{Token, Triple, span};
use crate::diagnostics::{Code, Diagnostic};

/// The embedding, override and isolate controls, with their names.
const CONTROLS: &[(char, &str)] = &[
    ('\u{202A}', "left-to-right embedding"),
    ('\u{202B}', "right-to-left embedding"),
    ('\u{202C}', "pop directional formatting"),
    ('\u{202D}', "left-to-right override"),
    ('\u{202E}', "right-to-left override"),
    ('\u{2066}', "left-to-right isolate"),
    ('\u{2067}', "right-to-left isolate"),
    ('\u{2068}', "first strong isolate"),
    ('\u{2069}', "pop directional isolate"),
];

fn name(c: char) -> Option<&'static str> {
    CONTROLS.iter().find(|(k, _)| *k == c).map(|(_, n)| *n)
}

/// One W0305 per string literal or comment that holds a control, labelled
/// at the first one.
pub(super) fn check(source: &str, tokens: &[Triple<'_>], out: &mut Vec<Diagnostic>) {
    // Every control is encoded in UTF-8 as three bytes starting 0xE2: a
    // source without that byte (a vectorised byte search, not a walk of
    // the tokens) has none.
    if memchr::memchr(0xE2, source.as_bytes()).is_none() {
        return;
    }
    for (start, token, end) in tokens {
        let what = match token {
            Token::Str(_) => "string literal",
            Token::Comment(_) | Token::DocComment(_) => "comment",
            _ => continue,
        };
        let text = source.get(*start as usize..*end as usize).unwrap_or("");
        let mut found = text
            .char_indices()
            .filter_map(|(i, c)| Some((i, c, name(c)?)));
        let Some((i, c, char_name)) = found.next() else {
            continue;
        };
        let more = found.count();
        let at = *start as usize + i;
        let code = format!("U+{:04X}", u32::from(c));
        let mut d = Diagnostic::new(
            Code::W0305,
            span(at, at + c.len_utf8()),
            format!("bidirectional control character in a {what}"),
        )
        .label(format!("invisible `{code}` ({char_name}) here"));
        d = if what == "comment" {
            d.help("remove it: it can make the code around it display in another order than flowc reads it")
        } else {
            d.help(format!(
                "if the string needs it, write it as the visible escape `\\u{{{:X}}}`; otherwise remove it",
                u32::from(c)
            ))
        };
        if more > 0 {
            let s = if more == 1 { "" } else { "s" };
            d = d.note(format!("this {what} holds {more} more such character{s}"));
        }
        out.push(d);
    }
}

#[cfg(test)]
mod tests {
    use crate::diagnostics::Code;

    fn w0305(src: &str) -> Vec<(u32, u32, usize)> {
        super::super::tokenize(src)
            .diagnostics
            .iter()
            .filter(|d| d.code == Code::W0305)
            .map(|d| (d.primary.span.start, d.primary.span.end, d.notes.len()))
            .collect()
    }

    #[test]
    fn one_warning_per_literal_or_comment_at_the_first_control() {
        assert_eq!(
            w0305("\"a\u{202E}b\u{2069}\" // \u{202A}"),
            [(2, 5, 1), (14, 17, 0)]
        );
        for c in ['\u{202A}', '\u{202E}', '\u{2066}', '\u{2069}'] {
            assert_eq!(w0305(&format!("/// {c}")).len(), 1, "{c:?}");
        }
        // neighbours of the ranges, escapes and names are not warned about
        assert!(w0305("\"\u{2029}\u{206A}\u{200F}\" \"\\u{202E}\" x").is_empty());
    }
}
