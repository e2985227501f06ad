//! A small document algebra in the style of Wadler's "prettier printer",
//! with the two additions that comments need (as in Prettier):
//!
//! - [`Doc::LineSuffix`]: text held back until just before the next
//!   newline, so that a trailing `// comment` stays at the end of its line
//!   after any `,` that follows the commented node, and takes no width;
//! - [`Doc::BreakParent`]: breaks every group around it, so that nothing is
//!   printed after a line comment on the same line.
//!
//! A [`Doc::Group`] is printed flat (its [`Doc::Line`]s as spaces) when it
//! fits in the width left on the line, else broken (its lines as newlines).
//! Whether a group holds a hard line or a `BreakParent` is worked out once,
//! when the group is built, so rendering is linear in the document.
//!
//! Rendering uses an explicit stack, not recursion, and never writes
//! trailing whitespace: indentation is written lazily, with the first text
//! of a line.

/// Spaces per nesting level.
pub const INDENT: usize = 2;

#[derive(Debug, Clone)]
pub enum Doc {
    Nil,
    /// Text without newlines.
    Text(String),
    /// A space when flat, a newline when broken.
    Line,
    /// Nothing when flat, a newline when broken.
    SoftLine,
    /// Always a newline; the groups around it break.
    HardLine,
    /// The inner document, with its newlines indented one more level.
    Nest(Box<Doc>),
    /// Printed flat if it fits, else broken. `forced` when it holds a
    /// hard line or a `BreakParent` (outside any inner group that is not
    /// itself forced).
    Group {
        doc: Box<Doc>,
        forced: bool,
    },
    /// Text printed only when the enclosing group is broken (a trailing
    /// comma).
    IfBreak(&'static str),
    /// Text printed just before the next newline.
    LineSuffix(String),
    /// Breaks the groups around it; prints nothing.
    BreakParent,
    /// Items separated by lines, each line broken only when the next item
    /// does not fit on the current line.
    Fill(Vec<Doc>),
    Concat(Vec<Doc>),
}

pub fn text(s: impl Into<String>) -> Doc {
    Doc::Text(s.into())
}

pub fn concat(parts: Vec<Doc>) -> Doc {
    Doc::Concat(parts)
}

pub fn nest(doc: Doc) -> Doc {
    Doc::Nest(Box::new(doc))
}

pub fn group(doc: Doc) -> Doc {
    let forced = forces_break(&doc);
    Doc::Group {
        doc: Box::new(doc),
        forced,
    }
}

/// A trailing line comment: at the end of the line, and nothing after it.
pub fn line_suffix(s: impl Into<String>) -> Doc {
    concat(vec![Doc::LineSuffix(s.into()), Doc::BreakParent])
}

/// Whether `doc` breaks the group it is placed in. Stops at inner groups,
/// whose answer was stored when they were built.
fn forces_break(doc: &Doc) -> bool {
    match doc {
        Doc::HardLine | Doc::BreakParent => true,
        Doc::Group { forced, .. } => *forced,
        Doc::Nest(d) => forces_break(d),
        Doc::Concat(v) | Doc::Fill(v) => v.iter().any(forces_break),
        Doc::Nil
        | Doc::Text(_)
        | Doc::Line
        | Doc::SoftLine
        | Doc::IfBreak(_)
        | Doc::LineSuffix(_) => false,
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Flat,
    Break,
}

/// One unit of work for the renderer.
#[derive(Debug, Clone, Copy)]
enum Work<'a> {
    Doc(&'a Doc),
    /// The items of a fill from the first one not yet printed.
    Fill(&'a [Doc]),
    /// A fill separator, already decided.
    Sep(Mode),
}

#[derive(Debug, Clone, Copy)]
struct Cmd<'a> {
    indent: usize,
    mode: Mode,
    work: Work<'a>,
}

/// Renders `doc` in `width` columns. The result ends without a newline
/// unless the document puts one there.
pub fn render(doc: &Doc, width: usize) -> String {
    let mut r = Renderer {
        out: String::new(),
        width,
        col: 0,
        line_start: true,
        suffix: Vec::new(),
    };
    r.run(doc);
    r.flush_suffix();
    r.out
}

struct Renderer {
    out: String,
    width: usize,
    /// Columns used on the current line (counting pending indentation).
    col: usize,
    /// Nothing written on this line yet: indentation is still pending.
    line_start: bool,
    suffix: Vec<String>,
}

impl Renderer {
    fn run(&mut self, doc: &Doc) {
        let mut stack = vec![Cmd {
            indent: 0,
            mode: Mode::Break,
            work: Work::Doc(doc),
        }];
        while let Some(cmd) = stack.pop() {
            let Cmd { indent, mode, work } = cmd;
            let doc = match work {
                Work::Doc(d) => d,
                Work::Sep(Mode::Flat) => {
                    self.write(" ");
                    continue;
                }
                Work::Sep(Mode::Break) => {
                    self.newline(indent);
                    continue;
                }
                Work::Fill(items) => {
                    self.fill(items, indent, mode, &mut stack);
                    continue;
                }
            };
            match doc {
                Doc::Nil | Doc::BreakParent => {}
                Doc::Text(s) => self.write(s),
                Doc::Line => match mode {
                    Mode::Flat => self.write(" "),
                    Mode::Break => self.newline(indent),
                },
                Doc::SoftLine => {
                    if mode == Mode::Break {
                        self.newline(indent);
                    }
                }
                Doc::HardLine => self.newline(indent),
                Doc::Nest(d) => stack.push(Cmd {
                    indent: indent + INDENT,
                    mode,
                    work: Work::Doc(d),
                }),
                Doc::Group { doc: d, forced } => {
                    let flat = Cmd {
                        indent,
                        mode: Mode::Flat,
                        work: Work::Doc(d),
                    };
                    // A forced group breaks even inside a flat one (a fill
                    // item is printed flat around it).
                    let mode = if *forced {
                        Mode::Break
                    } else if mode == Mode::Flat || self.fits(&[flat], &stack, self.rest()) {
                        Mode::Flat
                    } else {
                        Mode::Break
                    };
                    stack.push(Cmd {
                        indent,
                        mode,
                        work: Work::Doc(d),
                    });
                }
                Doc::IfBreak(s) => {
                    if mode == Mode::Break {
                        self.write(s);
                    }
                }
                Doc::LineSuffix(s) => self.suffix.push(s.clone()),
                Doc::Fill(items) => stack.push(Cmd {
                    indent,
                    mode,
                    work: Work::Fill(items),
                }),
                Doc::Concat(parts) => {
                    for d in parts.iter().rev() {
                        stack.push(Cmd {
                            indent,
                            mode,
                            work: Work::Doc(d),
                        });
                    }
                }
            }
        }
    }

    /// Prints the first item of a fill and decides the separator after it:
    /// a space when the next item fits after it on this line, else a
    /// newline.
    fn fill<'a>(&mut self, items: &'a [Doc], indent: usize, mode: Mode, stack: &mut Vec<Cmd<'a>>) {
        let Some((first, rest)) = items.split_first() else {
            return;
        };
        let flat = |d: &'a Doc| Cmd {
            indent,
            mode: Mode::Flat,
            work: Work::Doc(d),
        };
        let first_mode = if mode == Mode::Flat || self.fits(&[flat(first)], &[], self.rest()) {
            Mode::Flat
        } else {
            Mode::Break
        };
        if let Some(next) = rest.first() {
            let sep = Cmd {
                indent,
                mode: Mode::Flat,
                work: Work::Sep(Mode::Flat),
            };
            // What follows the fill (a trailing comma, a bracket) must fit
            // after its last item too.
            let after: &[Cmd<'a>] = if rest.len() == 1 { stack } else { &[] };
            let together = mode == Mode::Flat
                || (self.suffix.is_empty()
                    && self.fits(&[flat(first), sep, flat(next)], after, self.rest()));
            stack.push(Cmd {
                indent,
                mode,
                work: Work::Fill(rest),
            });
            stack.push(Cmd {
                indent,
                mode,
                work: Work::Sep(if together { Mode::Flat } else { Mode::Break }),
            });
        }
        stack.push(Cmd {
            indent,
            mode: first_mode,
            work: Work::Doc(first),
        });
    }

    fn rest(&self) -> isize {
        isize::try_from(self.width).unwrap_or(isize::MAX)
            - isize::try_from(self.col).unwrap_or(isize::MAX)
    }

    /// Whether `first` (then what follows it on `stack`, up to the next
    /// newline) fits in `width` columns. In flat mode a hard line or a
    /// `BreakParent` does not fit; in break mode a line ends the measure.
    fn fits(&self, first: &[Cmd<'_>], stack: &[Cmd<'_>], mut width: isize) -> bool {
        let mut work: Vec<Cmd<'_>> = first.iter().rev().copied().collect();
        let mut rest = stack.iter().rev();
        loop {
            if width < 0 {
                return false;
            }
            let cmd = match work.pop() {
                Some(c) => c,
                None => match rest.next() {
                    Some(c) => *c,
                    None => return true,
                },
            };
            let Cmd {
                indent,
                mode,
                work: w,
            } = cmd;
            let doc = match w {
                Work::Doc(d) => d,
                Work::Sep(Mode::Flat) => {
                    width -= 1;
                    continue;
                }
                Work::Sep(Mode::Break) => return true,
                Work::Fill(items) => {
                    // Flat: every item on this line. Broken: the first item,
                    // then (possibly) a newline.
                    if mode == Mode::Break {
                        if let Some(first) = items.first() {
                            work.push(Cmd {
                                indent,
                                mode,
                                work: Work::Sep(Mode::Break),
                            });
                            work.push(Cmd {
                                indent,
                                mode: Mode::Flat,
                                work: Work::Doc(first),
                            });
                        }
                    } else {
                        for (i, d) in items.iter().enumerate().rev() {
                            work.push(Cmd {
                                indent,
                                mode,
                                work: Work::Doc(d),
                            });
                            if i > 0 {
                                work.push(Cmd {
                                    indent,
                                    mode,
                                    work: Work::Sep(Mode::Flat),
                                });
                            }
                        }
                    }
                    continue;
                }
            };
            match doc {
                Doc::Nil | Doc::LineSuffix(_) => {}
                Doc::Text(s) => width -= width_of(s),
                Doc::Line => match mode {
                    Mode::Flat => width -= 1,
                    Mode::Break => return true,
                },
                Doc::SoftLine => {
                    if mode == Mode::Break {
                        return true;
                    }
                }
                Doc::HardLine | Doc::BreakParent => {
                    if mode == Mode::Flat {
                        return false;
                    }
                    if matches!(doc, Doc::HardLine) {
                        return true;
                    }
                }
                Doc::IfBreak(s) => {
                    if mode == Mode::Break {
                        width -= width_of(s);
                    }
                }
                Doc::Nest(d) => work.push(Cmd {
                    indent: indent + INDENT,
                    mode,
                    work: Work::Doc(d),
                }),
                Doc::Group { doc: d, forced } => work.push(Cmd {
                    indent,
                    mode: if *forced { Mode::Break } else { mode },
                    work: Work::Doc(d),
                }),
                Doc::Fill(items) => work.push(Cmd {
                    indent,
                    mode,
                    work: Work::Fill(items),
                }),
                Doc::Concat(parts) => {
                    for d in parts.iter().rev() {
                        work.push(Cmd {
                            indent,
                            mode,
                            work: Work::Doc(d),
                        });
                    }
                }
            }
        }
    }

    fn write(&mut self, s: &str) {
        if s.is_empty() {
            return;
        }
        if self.line_start {
            if s.bytes().all(|b| b == b' ') {
                // A flat line at the start of a line separates nothing.
                return;
            }
            self.line_start = false;
            self.out.extend(std::iter::repeat_n(' ', self.col));
        }
        self.out.push_str(s);
        self.col += usize::try_from(width_of(s)).unwrap_or(0);
    }

    fn newline(&mut self, indent: usize) {
        self.flush_suffix();
        while self.out.ends_with(' ') {
            self.out.pop();
        }
        self.out.push('\n');
        self.line_start = true;
        self.col = indent;
    }

    fn flush_suffix(&mut self) {
        for s in std::mem::take(&mut self.suffix) {
            let s = if self.line_start {
                s.trim_start().to_string()
            } else {
                s
            };
            self.write(&s);
        }
    }
}

fn width_of(s: &str) -> isize {
    isize::try_from(s.chars().count()).unwrap_or(isize::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(items: &[&str]) -> Doc {
        let mut parts = vec![text("[")];
        let mut inner = vec![Doc::SoftLine];
        for (i, it) in items.iter().enumerate() {
            if i > 0 {
                inner.push(text(","));
                inner.push(Doc::Line);
            }
            inner.push(text(*it));
        }
        inner.push(Doc::IfBreak(","));
        parts.push(nest(concat(inner)));
        parts.push(Doc::SoftLine);
        parts.push(text("]"));
        group(concat(parts))
    }

    #[test]
    fn groups_break_only_when_they_do_not_fit() {
        let d = list(&["a", "b", "c"]);
        assert_eq!(render(&d, 80), "[a, b, c]");
        assert_eq!(render(&d, 8), "[\n  a,\n  b,\n  c,\n]");
    }

    #[test]
    fn a_line_suffix_waits_for_the_newline_and_breaks_its_group() {
        let d = group(concat(vec![
            text("{"),
            nest(concat(vec![
                Doc::Line,
                text("a"),
                text(","),
                line_suffix(" // x"),
                Doc::Line,
                text("b"),
            ])),
            Doc::Line,
            text("}"),
        ]));
        assert_eq!(render(&d, 80), "{\n  a, // x\n  b\n}");
    }

    #[test]
    fn fill_packs_items_per_line() {
        let items: Vec<Doc> = ["aaa,", "bbb,", "ccc,", "ddd"]
            .iter()
            .map(|s| text(*s))
            .collect();
        let d = concat(vec![text("x "), nest(Doc::Fill(items))]);
        assert_eq!(render(&d, 11), "x aaa, bbb,\n  ccc, ddd");
    }

    #[test]
    fn the_comma_after_a_fill_counts_for_its_last_item() {
        let fill = Doc::Fill(vec![text("aaaa,"), text("bbbb")]);
        let d = group(concat(vec![
            text("xx["),
            nest(concat(vec![Doc::SoftLine, fill, Doc::IfBreak(",")])),
            Doc::SoftLine,
            text("]"),
        ]));
        assert_eq!(render(&d, 14), "xx[aaaa, bbbb]");
        assert_eq!(render(&d, 13), "xx[\n  aaaa, bbbb,\n]");
        assert_eq!(render(&d, 12), "xx[\n  aaaa,\n  bbbb,\n]");
    }

    #[test]
    fn blank_lines_carry_no_indentation() {
        let d = nest(concat(vec![
            text("a"),
            Doc::HardLine,
            Doc::HardLine,
            text("b"),
        ]));
        assert_eq!(render(&d, 80), "a\n\n  b");
    }
}
