//! The keywords of Flow (§2 of the language reference), one row each: the
//! text, the name the lexer and grammar use, and the roles the parser gives
//! it. The lexer reads a word as a keyword through [`Keyword::from_text`];
//! the parser facade splits items and bounds expressions by the roles, and
//! its diagnostics list keywords from here. The grammar names each keyword
//! it uses as a terminal; a test built from this table checks that every
//! keyword not [`Role::Reserved`] is a step name wherever the reference
//! says one may stand.

/// What a keyword may begin, or may not be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Begins an item of the flow (a header item, a step or a test) at
    /// brace depth 0.
    Item,
    /// Begins a step; such a keyword is an [`Role::Item`] too.
    Step,
    /// Begins a statement in an action body.
    Stmt,
    /// Begins a branch route, a test entry or an action's `on error`: like
    /// an item or a statement, it ends any expression before it.
    Clause,
    /// Never a step name, not even where only a step name can stand: it
    /// reads as a literal, an operator or the end of a run.
    Reserved,
}

macro_rules! keywords {
    ($($text:literal => $variant:ident [$($role:ident),*],)*) => {
        /// A keyword of Flow.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Keyword {
            $($variant,)*
        }

        impl Keyword {
            /// Every keyword, in the order of the language reference.
            pub const ALL: &'static [Keyword] = &[$(Keyword::$variant,)*];

            /// The keyword as it is written.
            pub fn text(self) -> &'static str {
                match self {
                    $(Keyword::$variant => $text,)*
                }
            }

            /// The roles the parser gives it.
            pub fn roles(self) -> &'static [Role] {
                match self {
                    $(Keyword::$variant => &[$(Role::$role),*],)*
                }
            }

            /// The keyword written `text`, if it is one.
            pub fn from_text(text: &str) -> Option<Keyword> {
                match text {
                    $($text => Some(Keyword::$variant),)*
                    _ => None,
                }
            }
        }
    };
}

keywords! {
    "flow"      => Flow      [],
    "plan"      => Plan      [Item],
    "version"   => Version   [Item],
    "start"     => Start     [Item],
    "inquiry"   => Inquiry   [Item],
    "account"   => Account   [Item],
    "screen"    => Screen    [Item, Step],
    "action"    => Action    [Item, Step],
    "branch"    => Branch    [Item, Step],
    "connector" => Connector [Item, Step],
    "collect"   => Collect   [],
    "capture"   => Capture   [],
    "let"       => Let       [Stmt],
    "verify"    => Verify    [],
    "report"    => Report    [],
    "http"      => Http      [],
    "post"      => Post      [],
    "get"       => Get       [],
    "set"       => Set       [Stmt],
    "tag"       => Tag       [Stmt],
    "case"      => Case      [Stmt],
    "when"      => When      [Clause],
    "else"      => Else      [Clause],
    "end"       => End       [Reserved],
    "if"        => If        [Stmt],
    "and"       => And       [],
    "or"        => Or        [],
    "not"       => Not       [Reserved],
    "true"      => True      [Reserved],
    "false"     => False     [Reserved],
    "none"      => None      [Reserved],
    "test"      => Test      [Item],
    "input"     => Input     [Clause],
    "stub"      => Stub      [Clause],
    "expect"    => Expect    [Clause],
    "visits"    => Visits    [],
    "clock"     => Clock     [Clause],
    "on"        => On        [Clause],
    "error"     => Error     [],
    "retry"     => Retry     [],
    "timeout"   => Timeout   [],
    "use"       => Use       [Item],
    "solution"  => Solution  [],
    "in"        => In        [],
}

impl Keyword {
    /// Whether the keyword has `role`.
    pub fn is(self, role: Role) -> bool {
        self.roles().contains(&role)
    }

    /// Whether the keyword begins an item, a statement or a clause: what
    /// ends an expression that was still open before it.
    pub fn begins_clause(self) -> bool {
        self.roles()
            .iter()
            .any(|r| matches!(r, Role::Item | Role::Stmt | Role::Clause))
    }

    /// Whether the keyword is accepted where only a step name can stand.
    pub fn is_step_name(self) -> bool {
        !self.is(Role::Reserved)
    }

    /// The keywords with `role`, in table order.
    pub fn with_role(role: Role) -> impl Iterator<Item = Keyword> {
        Keyword::ALL.iter().copied().filter(move |k| k.is(role))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_is_consistent() {
        for k in Keyword::ALL {
            assert_eq!(Keyword::from_text(k.text()), Some(*k));
            assert!(k.text().bytes().all(|b| b.is_ascii_lowercase()), "{k:?}");
            if k.is(Role::Step) {
                assert!(k.is(Role::Item), "{k:?}: a step is an item");
            }
        }
        assert_eq!(Keyword::from_text("Flow"), None);
        assert_eq!(Keyword::from_text("flows"), None);
        let reserved: Vec<&str> = Keyword::with_role(Role::Reserved)
            .map(Keyword::text)
            .collect();
        assert_eq!(reserved, ["end", "not", "true", "false", "none"]);
    }
}
