//! The syntax tree of a `.flow` file, as the parser builds it.
//!
//! Every node carries the [`Span`] of the source it came from. The tree is
//! faithful to the text: it keeps what the checker must judge (wrong
//! transition counts, a misplaced `else` route, duplicate header items), so
//! that the parser can accept them and the checker can report them with a
//! code. Names are kept as written; resolving them is the checker's job.

use crate::span::{Span, Spanned};
use crate::types::Type;
use crate::value::{Date, EndStatus};
use serde::Serialize;

/// An identifier (or a keyword standing as a step name) with its span.
pub type Name = Spanned<String>;

/// A whole parsed file: one `flow NAME { ... }`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct File {
    pub flow: Flow,
    /// Every `//` and `///` comment in the file, in source order, so that a
    /// formatter can put them back. Doc comments are also attached to the
    /// step that follows them (`Step::doc`).
    pub comments: Vec<Comment>,
    /// Every `#[allow(...)]` and `#![allow(...)]`, in source order; what
    /// each one covers is found by position (see [`crate::unstable::lint`]).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub attributes: Vec<Attribute>,
}

/// `#[allow(W0301, W0303)]` before a step, statement or route, or
/// `#![allow(...)]` first in the body of a flow (`inner`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Attribute {
    pub inner: bool,
    /// The codes as written, each with its span.
    pub codes: Vec<Name>,
    /// `#` to `]`.
    pub span: Span,
    /// Where the token after the attribute (comments aside) starts and
    /// ends; the end of the file when there is none.
    pub next: Span,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Comment {
    pub span: Span,
    /// The text after `//` or `///`, without the line ending.
    pub text: String,
    pub doc: bool,
    /// Not a comment but an `#[allow(...)]`, with `text` its canonical
    /// form: the formatter places attributes as it places comments.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub attribute: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Flow {
    pub name: Name,
    /// The items of the body in source order.
    pub items: Vec<Item>,
    pub span: Span,
    /// What syntax errors hid from the tree (all false for a file that
    /// parsed cleanly).
    #[serde(skip_serializing_if = "Recovery::is_clean")]
    pub recovery: Recovery,
}

/// What the parser could not read, so that the checker treats the lost
/// parts as unknown rather than absent (SPEC §8.1). A step whose header
/// `KIND NAME {` parsed but whose body did not is in the tree as
/// [`StepKind::Broken`]; a record block that broke keeps the fields before
/// the fault.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Recovery {
    /// A step item broke before its `{`: its name is unknown, so any step
    /// name may exist.
    pub lost_step_name: bool,
    /// The `inquiry` block broke: fields after the fault are unknown.
    pub inquiry_open: bool,
    /// The `account` block broke.
    pub account_open: bool,
    /// The `plan` item broke: which plan is unknown.
    pub lost_plan: bool,
    /// The `start` item broke: which step starts is unknown.
    pub lost_start: bool,
}

impl Recovery {
    pub fn is_clean(&self) -> bool {
        *self == Recovery::default()
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum Item {
    /// `plan NAME` (the name is checked against the catalogue: E0405)
    Plan(Name),
    /// `version N`
    Version(Spanned<i64>),
    /// `start STEP`
    Start(Name),
    /// `inquiry { F: T ... }`
    Inquiry(FieldBlock),
    /// `account { F: T ... }`
    Account(FieldBlock),
    /// `use solution NAME`
    UseSolution(UseSolution),
    Step(Step),
    Test(Test),
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FieldBlock {
    pub fields: Vec<FieldDecl>,
    /// The whole item, keyword to closing brace.
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FieldDecl {
    pub name: Name,
    /// The type as written; for a choice, `string` (or `string?`) with no
    /// [`Type::choice`] yet: the checker interns [`FieldDecl::choice`].
    pub ty: Spanned<Type>,
    /// A choice type's literals, in source order, repeats kept (the
    /// checker reports them: E0104).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub choice: Option<Vec<Spanned<String>>>,
    /// `name_first: string "First name"`: the label a host shows beside
    /// the field (not part of the type).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label: Option<Spanned<String>>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UseSolution {
    pub name: Name,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Step {
    pub name: Name,
    pub kind: StepKind,
    /// The `///` lines directly above the step, joined with newlines.
    pub doc: Option<String>,
    /// The whole step, keyword to closing brace.
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum StepKind {
    Screen(Screen),
    Action(Action),
    Branch(Branch),
    Connector(Connector),
    /// A step whose header `KIND NAME {` parsed but whose body did not
    /// (a syntax error was reported): declared, contents unknown. Never
    /// reaches the code generator (the file has an error).
    Broken {
        keyword: &'static str,
    },
}

impl StepKind {
    /// The keyword that introduces this kind of step.
    pub fn keyword(&self) -> &'static str {
        match self {
            StepKind::Screen(_) => "screen",
            StepKind::Action(_) => "action",
            StepKind::Branch(_) => "branch",
            StepKind::Connector(_) => "connector",
            StepKind::Broken { keyword } => keyword,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Screen {
    /// `title "..."`, first in the body: the heading a host shows.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<Spanned<String>>,
    /// Each `collect a, b` line: the inquiry fields the user fills in.
    pub collects: Vec<Name>,
    /// Each `capture government_id, selfie` line: capture kinds.
    pub captures: Vec<Name>,
    /// All transitions written in the screen (exactly one is valid: E0305).
    pub transitions: Vec<Transition>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Action {
    pub body: Vec<Stmt>,
    /// All plain transitions written in the action (exactly one is valid).
    pub transitions: Vec<Transition>,
    /// `on error -> T` clauses (at most one is valid).
    pub on_error: Vec<Transition>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Branch {
    /// Routes in source order, `else` routes included wherever they stand
    /// (exactly one `else`, last, is valid: E0305).
    pub routes: Vec<Route>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Route {
    /// `None` for `else -> T`.
    pub when: Option<Expr>,
    pub target: Transition,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Connector {
    pub transitions: Vec<Transition>,
}

/// `-> STEP` or `-> end STATUS`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Transition {
    pub target: Target,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum Target {
    Step(Name),
    End(Spanned<EndStatus>),
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum Stmt {
    /// `let R = verify KIND { ... }`, `report KIND { ... }`, `http post "URL" { ... }`
    Let(Let),
    /// `set inquiry.F = E` / `set account.F = E`
    Set(Set),
    /// `tag E`: E a non-optional `string`
    Tag(Expr),
    /// `case E`: E a non-optional `string`, the queue
    Case(Expr),
    /// `if E { ... } else { ... }`
    If(If),
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Let {
    pub name: Name,
    pub call: Call,
    pub args: Vec<Arg>,
    /// `returns { F: T, ... }` (`http` calls only)
    pub returns: Option<Returns>,
    /// `retry N`
    pub retry: Option<Spanned<i64>>,
    /// `timeout 30s`, in seconds
    pub timeout: Option<Spanned<u64>>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum Call {
    Verify(Name),
    Report(Name),
    Http {
        method: Spanned<HttpMethod>,
        url: Spanned<String>,
    },
}

/// `returns { F: T, ... }` after an `http` call's arguments: the fields of
/// the response besides `status_code` and `ok`, with their declared types.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Returns {
    pub fields: Vec<FieldDecl>,
    /// The word `returns` to the closing brace.
    pub span: Span,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum HttpMethod {
    Get,
    Post,
}

/// `NAME: EXPR` inside the braces of a call, an `input` or a `stub`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Arg {
    pub name: Name,
    pub value: Expr,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Set {
    pub target: FieldRef,
    pub value: Expr,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct If {
    pub cond: Expr,
    pub then_body: Vec<Stmt>,
    pub else_body: Option<Vec<Stmt>>,
    pub span: Span,
}

/// `inquiry.F` or `account.F`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FieldRef {
    pub record: Record,
    pub field: Name,
    pub span: Span,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Record {
    Inquiry,
    Account,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum ExprKind {
    Str(String),
    Int(i64),
    Date(Date),
    Bool(bool),
    None,
    /// A bare identifier: a built-in constant (`passed`) or an unknown name.
    Name(String),
    /// `inquiry.F` / `account.F`
    Field(FieldRef),
    /// `R.F`
    ResultField {
        result: Name,
        field: Name,
    },
    /// `f(args)`, a call of a built-in function. A step argument
    /// (`attempts(collect)`) is a bare name here, a keyword included
    /// (`attempts(screen)`); the checker resolves it as a step.
    Call {
        func: Name,
        args: Vec<Expr>,
    },
    Unary {
        op: UnaryOp,
        operand: Box<Expr>,
    },
    Binary {
        op: BinaryOp,
        lhs: Box<Expr>,
        rhs: Box<Expr>,
    },
    /// `E in [a, b, ...]`
    In {
        value: Box<Expr>,
        list: Vec<Expr>,
    },
}

/// The operators are described in [`crate::unstable::ops`].
pub use crate::ops::{BinaryOp, UnaryOp};

// ----- tests ---------------------------------------------------------------

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Test {
    pub name: Spanned<String>,
    pub items: Vec<TestItem>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum TestItem {
    /// `clock @YYYY-MM-DD`
    Clock(Spanned<Date>),
    /// `input SCREEN { F: V, ... }`
    Input {
        screen: Name,
        values: Vec<Arg>,
        span: Span,
    },
    /// `stub R { F: V, ... }`
    Stub {
        result: Name,
        values: Vec<Arg>,
        span: Span,
    },
    /// `stub R error`
    StubError { result: Name, span: Span },
    /// `expect end STATUS`
    ExpectEnd(Spanned<EndStatus>),
    /// `expect EXPR`, where EXPR compares a path (`inquiry.F`, `account.F`,
    /// `R.F`) with an expression over literals and paths.
    Expect(Expr),
    /// `expect visits [STEP, ...]`
    ExpectVisits { steps: Vec<Name>, span: Span },
    /// `account { F: V, ... }`: the Account before the run.
    Account { values: Vec<Arg>, span: Span },
    /// `expect tag "TEXT"`, `expect not tag "TEXT"`, `expect case "QUEUE"`,
    /// `expect not case "QUEUE"`.
    ExpectMark {
        mark: Mark,
        negated: bool,
        text: Spanned<String>,
        span: Span,
    },
    /// `expect calls R OP INT`: how many host calls were made for `R`.
    ExpectCalls {
        result: Name,
        op: BinaryOp,
        count: Spanned<i64>,
        span: Span,
    },
}

/// What a test can expect the run to have left on the inquiry: a tag, or a
/// case opened in a queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Mark {
    Tag,
    Case,
}

impl Mark {
    /// The keyword after `expect` (and `not`).
    pub fn keyword(self) -> &'static str {
        match self {
            Mark::Tag => "tag",
            Mark::Case => "case",
        }
    }
}
