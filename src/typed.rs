//! The checked flow: what `check` produces and `codegen` consumes.
//!
//! Every name is resolved to an index, every expression carries its type
//! (after narrowing), and everything the checker rejected is gone, so the
//! code generator never re-derives types or looks names up. Spans are kept
//! for the code generator's pc-to-source side table.
//!
//! Indices: [`StepId`] indexes [`TypedFlow::steps`], [`FieldId`] indexes
//! [`TypedFlow::inquiry`] or [`TypedFlow::account`] (per [`Record`]),
//! [`ResultId`] indexes [`TypedFlow::results`], and a result field index
//! indexes [`ResultSlot::fields`].

use crate::ast::{BinaryOp, HttpMethod, Mark, Record};
use crate::builtins::Builtin;
use crate::span::Span;
use crate::types::{ChoiceTable, Type};
use crate::value::{Date, EndStatus, Value};
use serde::Serialize;

pub type StepId = u32;
pub type FieldId = u32;
pub type ResultId = u32;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TypedFlow {
    /// The template name: the `flow NAME` of the checked file (also when the
    /// steps come from a solution).
    pub name: String,
    /// `version N`, 1 when absent.
    pub version: i64,
    /// The plan the steps were checked under (a solution's own plan).
    pub plan: String,
    /// The sets of the choice types that the fields' types name.
    pub choices: ChoiceTable,
    pub inquiry: Vec<Field>,
    pub account: Vec<Field>,
    pub steps: Vec<Step>,
    pub start: StepId,
    /// One slot per `let` in the flow's text.
    pub results: Vec<ResultSlot>,
    pub tests: Vec<Test>,
}

impl TypedFlow {
    pub fn fields(&self, record: Record) -> &[Field] {
        match record {
            Record::Inquiry => &self.inquiry,
            Record::Account => &self.account,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Field {
    pub name: String,
    /// The declared type.
    pub ty: Type,
    /// The label written after the type, if any.
    pub label: Option<String>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ResultSlot {
    /// The name bound by `let`.
    pub name: String,
    pub call: CallKind,
    /// The result's fields with their declared (un-narrowed) types, in
    /// catalogue order: for a verification, `status` first.
    pub fields: Vec<ResultField>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ResultField {
    pub name: String,
    pub ty: Type,
    /// Every successful answer carries it (a verification that `passed`,
    /// an `http` call with `ok` true): an optional `ty` that narrows to
    /// non-optional where the call is known to have succeeded.
    pub promised: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum CallKind {
    /// A verification kind from the catalogue, e.g. `database`.
    Verify(String),
    /// A report kind from the catalogue, e.g. `watchlist`.
    Report(String),
    Http {
        method: HttpMethod,
        url: String,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Step {
    pub name: String,
    pub doc: Option<String>,
    pub kind: StepKind,
    pub span: Span,
    /// Whether a path from the start step leads here: the checker's data
    /// flow reached it (false exactly where it reported W0301).
    pub reachable: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum StepKind {
    Screen {
        /// `title "..."`, if the screen has one.
        title: Option<String>,
        /// Inquiry fields the user fills in, in source order, no duplicates.
        collects: Vec<FieldId>,
        /// Capture kinds (`government_id`, `selfie`, `document`), in source
        /// order, no duplicates.
        captures: Vec<String>,
        next: Target,
    },
    Action {
        body: Vec<Stmt>,
        next: Target,
        on_error: Option<Target>,
    },
    Branch {
        /// `when` routes in order; the first whose condition holds is taken.
        routes: Vec<Route>,
        otherwise: Target,
    },
    Connector {
        next: Target,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Route {
    pub cond: Expr,
    pub target: Target,
    pub span: Span,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Target {
    Step(StepId),
    End(EndStatus),
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum Stmt {
    /// A verification, report or HTTP call binding `result`.
    Call {
        result: ResultId,
        /// Arguments in source order, by name.
        args: Vec<(String, Expr)>,
        /// Extra attempts after a host error: `retry N`, 0 when absent.
        retry: u8,
        /// `timeout`, in seconds, as told to the host.
        timeout_secs: Option<u32>,
        span: Span,
    },
    Set {
        record: Record,
        field: FieldId,
        value: Expr,
        span: Span,
    },
    /// `tag E`: E a present `string`.
    Tag { text: Expr, span: Span },
    /// `case E`: E a present `string`, the queue.
    Case { queue: Expr, span: Span },
    If {
        cond: Expr,
        then_body: Vec<Stmt>,
        else_body: Vec<Stmt>,
        span: Span,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Expr {
    pub kind: ExprKind,
    /// The type after narrowing: a non-optional type here is a promise that
    /// the value is present at run time.
    pub ty: Type,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum ExprKind {
    /// A literal or built-in constant (`passed`, `none`).
    Const(Value),
    Field {
        record: Record,
        field: FieldId,
    },
    ResultField {
        result: ResultId,
        field: u32,
    },
    /// `attempts(STEP)`: times STEP has been entered in this run.
    Attempts(StepId),
    /// A call of a built-in function other than `attempts` and `matches`.
    Builtin {
        func: &'static Builtin,
        args: Vec<Expr>,
    },
    /// `matches(value, "PATTERN")`, the pattern known to compile.
    Matches {
        value: Box<Expr>,
        pattern: String,
    },
    Not(Box<Expr>),
    Neg(Box<Expr>),
    /// `and`/`or` short-circuit; `+` on strings joins them.
    Binary {
        op: BinaryOp,
        lhs: Box<Expr>,
        rhs: Box<Expr>,
    },
    In {
        value: Box<Expr>,
        list: Vec<Expr>,
    },
}

// ----- tests ---------------------------------------------------------------

/// A `test` block, with every name resolved and every value evaluated.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Test {
    pub name: String,
    pub span: Span,
    pub clock: Option<Date>,
    /// `input` blocks in source order; each answers the next visit of its
    /// screen.
    pub inputs: Vec<Input>,
    /// `stub` blocks in source order; each answers the next call binding its
    /// result.
    pub stubs: Vec<Stub>,
    /// `account { ... }`: the Account before the run, by field name
    /// (fields given `none` are left out: the Account has no value).
    pub account: Vec<(String, Value)>,
    pub expects: Vec<Expect>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Input {
    pub screen: StepId,
    /// One value per collected field (by field name) and per capture (by
    /// capture kind, `Value::Bool`), in source order.
    pub values: Vec<(String, Value)>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Stub {
    pub result: ResultId,
    pub answer: StubAnswer,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum StubAnswer {
    /// One value per result field, in the order of [`ResultSlot::fields`];
    /// fields the stub did not give are `Value::None`.
    Values(Vec<Value>),
    /// `stub R error`: the call fails as a host error would.
    Error,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum Expect {
    End {
        status: EndStatus,
        span: Span,
    },
    /// `expect PATH OP EXPR`, both sides evaluated on the state at the end
    /// of the run. Paths in `value` are typed optional, as `path` is.
    Compare {
        path: Path,
        op: BinaryOp,
        value: Expr,
        span: Span,
    },
    Visits {
        steps: Vec<StepId>,
        span: Span,
    },
    /// `expect [not] tag "TEXT"` / `expect [not] case "QUEUE"`: whether the
    /// run tagged the inquiry with TEXT, or opened a case in QUEUE.
    Mark {
        mark: Mark,
        present: bool,
        text: String,
        span: Span,
    },
    /// `expect calls R OP N`: the number of host calls made for `result`,
    /// every attempt counted, failed ones too.
    Calls {
        result: ResultId,
        op: BinaryOp,
        count: i64,
        span: Span,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Path {
    Field { record: Record, field: FieldId },
    Result { result: ResultId, field: u32 },
}
