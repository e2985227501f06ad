//! The reference interpreter: a tree-walker over the checked flow.
//!
//! It exists to be compared with the compiler and VM: the differential
//! tests run both on generated flows and hostile hosts and want identical
//! traces and end states (docs/differential.md). It shares no control flow
//! or state handling with `codegen` or `vm`: it reads the [`TypedFlow`] the
//! checker produced and talks to the same [`Host`] as the VM. What a value
//! operation computes is not its business: operators go through
//! [`Value::binary`] and [`Value::unary`] (`ops`), built-in functions
//! through their row of [`crate::builtins::BUILTINS`], `matches` through
//! [`crate::builtins::compile_pattern`], and the string limit is
//! `vm::limits`'. It is written to be read beside the language reference:
//!
//! - **Steps** (§1, §3): a run enters a step (one [`Host::step_entered`],
//!   one more for `attempts()`), then a `screen` suspends until
//!   [`Reference::resume`] gives its input, an `action` runs its
//!   statements, a `branch` takes the first `when` route whose condition
//!   holds (else its `else`), a `connector` moves on. `end STATUS` ends the
//!   run.
//! - **Statements** (§3): `let R = verify|report|http` calls the host up
//!   to `retry + 1` times, retrying host errors only; an answer that does
//!   not fit the result's fields (count, types, `none` where not optional,
//!   a date out of range, a verification `passed` without every result
//!   field: §8.4's strict answers) is a host error, an answer holding a string over
//!   the limit is R0008 at once (§8.10). When the calls are spent the
//!   action's `on error` is taken, else the run stops with R0003. A host
//!   error marked `stop` stops at once with R0003. `set inquiry.F` tells
//!   the host ([`Host::inquiry_written`]); `set account.F`, `tag`, `case`
//!   and every `account.F` read are host calls whose failure is R0003.
//! - **Expressions** (§3, §8.2): evaluated left to right, `and`/`or`
//!   short-circuit, `in` evaluates its value and then every item before
//!   comparing, a function's arguments are evaluated before the clock is
//!   read. Overflow and dates out of range are R0006, division by zero
//!   R0007, a string made by `+` over the limit R0008.
//! - **Types** (§8.4): the checker's types are promises. Every value an
//!   expression gives is checked against the expression's (narrowed) type,
//!   and every inquiry write against the field's; a `none` where the type
//!   is not optional, or a value of another type, is reported as R0005 (a
//!   type fault), which no checked flow may reach. The VM does not check
//!   reads; a difference between the two shows the bug.
//! - **Budget** (§6): the VM's fuel counts instructions, which a
//!   tree-walker does not have; here one `run` may enter at most
//!   `max_entries` steps, then stops with R0001 and can be continued by
//!   another `run`.
//!
//! One behaviour differs from the VM on purpose: after a runtime error the
//! VM keeps its state at the failing instruction so that another `run`
//! re-issues it; the interpreter's run is over ([`At::Stopped`]).
//! An R0001 (budget) is the exception: the next `run` enters the step.
//!
//! Strict answers (§8.3, §8.4) are checked here on their own terms: a
//! verification answering `passed`, or an `http` answer with `ok` true,
//! without every field it promises is a host error, as is a value outside
//! its field's choice set; a narrowed `account.F` read that finds `none`
//! is R0003.

use crate::ast::{BinaryOp, Record};
use crate::builtins::{self, Eval};
use crate::bytecode::{CallTarget, FieldInfo, Promise};
use crate::diagnostics::Code;
use crate::host::{CallArgs, Host, HostCall, HostError};
use crate::ops::{OpError, UnaryOp};
use crate::typed::{Expr, ExprKind, ResultId, StepId, StepKind, Stmt, Target, TypedFlow};
use crate::types::ChoiceTable;
use crate::value::{EndStatus, Status, Value};
use crate::vm::limits::{MAX_STRING_BYTES, oversized};
use std::collections::HashMap;
use std::fmt;

/// A runtime error of the interpreter: a code of §6 and a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefError {
    pub code: Code,
    pub message: String,
}

impl RefError {
    fn new(code: Code, message: impl Into<String>) -> RefError {
        RefError {
            code,
            message: message.into(),
        }
    }
}

impl fmt::Display for RefError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "error[{}]: {}", self.code, self.message)
    }
}

/// Where a run is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum At {
    /// About to enter this step.
    Step(StepId),
    /// Suspended at this screen, waiting for [`Reference::resume`].
    Suspended(StepId),
    Ended(EndStatus),
    /// Stopped by a runtime error with this code; the run cannot go on.
    Stopped(Code),
}

/// Where a `run` stopped without an error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefOutcome {
    Suspended(StepId),
    Ended(EndStatus),
}

/// The state of one run: the same tables as the VM's state.
#[derive(Debug, Clone, PartialEq)]
pub struct RefState {
    pub at: At,
    /// One value per inquiry field, `none` until written.
    pub inquiry: Vec<Value>,
    /// One slot per result, `None` until its call succeeds.
    pub results: Vec<Option<Vec<Value>>>,
    /// Times each step was entered.
    pub visits: Vec<u32>,
}

/// What a host call needs about one result, prepared once.
struct CallInfo {
    target: CallTarget,
    fields: Vec<FieldInfo>,
    /// Which fields a successful answer must carry (reference §8.3, §8.4).
    promised: Vec<bool>,
    /// The same, as hosts are told it.
    promise: Option<Promise>,
}

/// The interpreter for one checked flow.
pub struct Reference<'f> {
    flow: &'f TypedFlow,
    calls: Vec<CallInfo>,
    /// Every `matches` pattern of the flow, compiled once.
    patterns: HashMap<String, regex::Regex>,
}

/// How a statement list finished.
enum Done {
    Next,
    /// A call's retries are spent: take `on error`.
    CallFailed(HostError),
}

fn fault(message: impl Into<String>) -> RefError {
    RefError::new(Code::R0005, message)
}

fn host_err(what: impl fmt::Display, e: &HostError) -> RefError {
    RefError::new(Code::R0003, format!("host error in {what}: {e}"))
}

/// An operator's or built-in's error as a runtime error (its own code).
fn op_err(what: impl fmt::Display, e: &OpError) -> RefError {
    RefError::new(e.code(), format!("{what}: {e}"))
}

/// R0008 when `v` is a string over the limit.
fn limit(v: &Value, what: impl fmt::Display) -> Result<(), RefError> {
    match oversized([v]) {
        Some(len) => Err(RefError::new(
            Code::R0008,
            format!("a string of {len} bytes {what} is over {MAX_STRING_BYTES} bytes"),
        )),
        None => Ok(()),
    }
}

impl<'f> Reference<'f> {
    pub fn new(flow: &'f TypedFlow) -> Reference<'f> {
        let calls = flow
            .results
            .iter()
            .map(|r| CallInfo {
                target: crate::codegen::call_target(&r.call),
                fields: crate::codegen::result_fields(r),
                promised: r.fields.iter().map(|f| f.promised).collect(),
                promise: crate::codegen::promise(r),
            })
            .collect();
        let mut patterns = HashMap::new();
        for step in &flow.steps {
            each_expr_of_step(&step.kind, &mut |e| {
                if let ExprKind::Matches { pattern, .. } = &e.kind
                    && !patterns.contains_key(pattern)
                    && let Ok(re) = builtins::compile_pattern(pattern)
                {
                    patterns.insert(pattern.clone(), re);
                }
            });
        }
        Reference {
            flow,
            calls,
            patterns,
        }
    }

    /// A fresh run, about to enter the start step.
    pub fn start(&self) -> RefState {
        RefState {
            at: At::Step(self.flow.start),
            inquiry: vec![Value::None; self.flow.inquiry.len()],
            results: vec![None; self.flow.results.len()],
            visits: vec![0; self.flow.steps.len()],
        }
    }

    /// The name of a step (for traces).
    pub fn step_name(&self, step: StepId) -> &str {
        self.flow
            .steps
            .get(step as usize)
            .map_or("?", |s| s.name.as_str())
    }

    /// Runs until the flow suspends at a screen or ends, entering at most
    /// `max_entries` steps. A suspended run returns its screen again, an
    /// ended one its status.
    pub fn run(
        &self,
        state: &mut RefState,
        host: &mut dyn Host,
        max_entries: u64,
    ) -> Result<RefOutcome, RefError> {
        let mut entries = 0u64;
        loop {
            let step_id = match state.at {
                At::Suspended(s) => return Ok(RefOutcome::Suspended(s)),
                At::Ended(s) => return Ok(RefOutcome::Ended(s)),
                At::Stopped(code) => {
                    return Err(RefError::new(
                        code,
                        "the run stopped with this error earlier",
                    ));
                }
                At::Step(s) => s,
            };
            if entries == max_entries {
                return Err(RefError::new(
                    Code::R0001,
                    format!("budget exhausted after {max_entries} step entries"),
                ));
            }
            entries += 1;
            match self.enter(state, host, step_id) {
                Ok(at) => state.at = at,
                Err(e) => {
                    state.at = At::Stopped(e.code);
                    return Err(e);
                }
            }
        }
    }

    /// Enters one step and runs it: where the run goes next.
    fn enter(&self, state: &mut RefState, host: &mut dyn Host, id: StepId) -> Result<At, RefError> {
        let step = self
            .flow
            .steps
            .get(id as usize)
            .ok_or_else(|| fault(format!("no step {id}")))?;
        if let Some(n) = state.visits.get_mut(id as usize) {
            *n = n.saturating_add(1);
        }
        host.step_entered(&step.name);
        Ok(match &step.kind {
            StepKind::Screen { .. } => At::Suspended(id),
            StepKind::Connector { next } => goto(*next),
            StepKind::Branch { routes, otherwise } => {
                let mut target = *otherwise;
                for route in routes {
                    if self.condition(&route.cond, state, host)? {
                        target = route.target;
                        break;
                    }
                }
                goto(target)
            }
            StepKind::Action {
                body,
                next,
                on_error,
            } => match (self.stmts(body, state, host)?, on_error) {
                (Done::Next, _) => goto(*next),
                (Done::CallFailed(_), Some(t)) => goto(*t),
                (Done::CallFailed(e), None) => {
                    return Err(RefError::new(
                        Code::R0003,
                        format!("host error in step `{}`: {e}", step.name),
                    ));
                }
            },
        })
    }

    fn stmts(
        &self,
        body: &[Stmt],
        state: &mut RefState,
        host: &mut dyn Host,
    ) -> Result<Done, RefError> {
        for stmt in body {
            if let Done::CallFailed(e) = self.stmt(stmt, state, host)? {
                return Ok(Done::CallFailed(e));
            }
        }
        Ok(Done::Next)
    }

    fn stmt(
        &self,
        stmt: &Stmt,
        state: &mut RefState,
        host: &mut dyn Host,
    ) -> Result<Done, RefError> {
        match stmt {
            Stmt::Call {
                result,
                args,
                retry,
                timeout_secs,
                ..
            } => {
                let mut values = Vec::with_capacity(args.len());
                for (name, e) in args {
                    values.push((name.clone(), self.eval(e, state, host)?));
                }
                self.call(*result, &values, *retry, *timeout_secs, state, host)
            }
            Stmt::Set {
                record,
                field,
                value,
                ..
            } => {
                let v = self.eval(value, state, host)?;
                let f = self
                    .flow
                    .fields(*record)
                    .get(*field as usize)
                    .ok_or_else(|| fault(format!("no field {field}")))?;
                if !f.ty.admits(&v) {
                    return Err(fault(format!(
                        "{v} written to `{}` of type `{}`",
                        f.name, f.ty
                    )));
                }
                match record {
                    Record::Inquiry => {
                        host.inquiry_written(&f.name, &v);
                        if let Some(slot) = state.inquiry.get_mut(*field as usize) {
                            *slot = v;
                        }
                    }
                    Record::Account => host
                        .write_account(&f.name, &v)
                        .map_err(|e| host_err(format_args!("writing `account.{}`", f.name), &e))?,
                }
                Ok(Done::Next)
            }
            Stmt::Tag { text, .. } => {
                let text = self.text(text, state, host)?;
                host.tag(&text)
                    .map_err(|e| host_err(format_args!("`tag {text:?}`"), &e))?;
                Ok(Done::Next)
            }
            Stmt::Case { queue, .. } => {
                let queue = self.text(queue, state, host)?;
                host.case(&queue)
                    .map_err(|e| host_err(format_args!("`case {queue:?}`"), &e))?;
                Ok(Done::Next)
            }
            Stmt::If {
                cond,
                then_body,
                else_body,
                ..
            } => {
                if self.condition(cond, state, host)? {
                    self.stmts(then_body, state, host)
                } else {
                    self.stmts(else_body, state, host)
                }
            }
        }
    }

    /// The text of a `tag` or `case`: a present string.
    fn text(
        &self,
        e: &Expr,
        state: &mut RefState,
        host: &mut dyn Host,
    ) -> Result<String, RefError> {
        match self.eval(e, state, host)? {
            Value::Str(s) => Ok(s),
            v => Err(fault(format!("`tag`/`case` text is {v}"))),
        }
    }

    /// One `let`: up to `retry + 1` calls; only host errors are retried.
    fn call(
        &self,
        result: ResultId,
        args: &[(String, Value)],
        retry: u8,
        timeout_secs: Option<u32>,
        state: &mut RefState,
        host: &mut dyn Host,
    ) -> Result<Done, RefError> {
        let slot = self
            .flow
            .results
            .get(result as usize)
            .zip(self.calls.get(result as usize))
            .ok_or_else(|| fault(format!("no result {result}")))?;
        let (res, info) = slot;
        let mut last = HostError::new("no call made");
        for attempt in 0..=u32::from(retry) {
            let call = HostCall {
                result: &res.name,
                target: &info.target,
                args: CallArgs::from_pairs(args),
                fields: &info.fields,
                promise: info.promise.as_ref(),
                choices: &self.flow.choices,
                timeout_secs,
                attempt,
            };
            match host.call(&call) {
                Ok(values) => {
                    for v in &values {
                        limit(v, format_args!("returned for `{}`", res.name))?;
                    }
                    match answer_fault(&self.flow.choices, info, &values) {
                        None => {
                            if let Some(s) = state.results.get_mut(result as usize) {
                                *s = Some(values);
                            }
                            return Ok(Done::Next);
                        }
                        Some(why) => last = HostError::new(format!("`{}`: {why}", res.name)),
                    }
                }
                Err(e) if e.stop => {
                    return Err(host_err(format_args!("`{}`", res.name), &e));
                }
                Err(e) => last = e,
            }
        }
        Ok(Done::CallFailed(last))
    }

    fn condition(
        &self,
        e: &Expr,
        state: &mut RefState,
        host: &mut dyn Host,
    ) -> Result<bool, RefError> {
        match self.eval(e, state, host)? {
            Value::Bool(b) => Ok(b),
            v => Err(fault(format!("condition gave {v}"))),
        }
    }

    /// Evaluates `e` and checks the value against the type the checker
    /// gave it (a non-optional type promises a present value).
    fn eval(&self, e: &Expr, state: &mut RefState, host: &mut dyn Host) -> Result<Value, RefError> {
        let v = self.eval_kind(e, state, host)?;
        if e.ty.admits(&v) {
            Ok(v)
        } else {
            Err(fault(format!(
                "type fault: an expression of type `{}` gave {v} (bytes {}..{})",
                e.ty, e.span.start, e.span.end
            )))
        }
    }

    fn eval_kind(
        &self,
        e: &Expr,
        state: &mut RefState,
        host: &mut dyn Host,
    ) -> Result<Value, RefError> {
        Ok(match &e.kind {
            ExprKind::Const(v) => v.clone(),
            ExprKind::Field {
                record: Record::Inquiry,
                field,
            } => state
                .inquiry
                .get(*field as usize)
                .cloned()
                .ok_or_else(|| fault(format!("no inquiry field {field}")))?,
            ExprKind::Field {
                record: Record::Account,
                field,
            } => self.read_account(*field, !e.ty.optional, host)?,
            ExprKind::ResultField { result, field } => match state.results.get(*result as usize) {
                Some(Some(values)) => values.get(*field as usize).cloned().unwrap_or(Value::None),
                Some(None) => Value::None,
                None => return Err(fault(format!("no result {result}"))),
            },
            ExprKind::Attempts(s) => {
                let n = state
                    .visits
                    .get(*s as usize)
                    .ok_or_else(|| fault(format!("no step {s}")))?;
                Value::Int(i64::from(*n))
            }
            ExprKind::Builtin { func, args } => {
                let mut values = Vec::with_capacity(args.len());
                for a in args {
                    values.push(self.eval(a, state, host)?);
                }
                let out = match func.eval {
                    Eval::Pure(_, f) => f(&values),
                    Eval::Clock(_, f) => {
                        let today = host.today();
                        if !today.in_range() {
                            return Err(RefError::new(
                                Code::R0003,
                                format!("the host's clock ({today}) is out of range"),
                            ));
                        }
                        f(&values, today)
                    }
                    Eval::StepEntries | Eval::Pattern => Err(OpError::Type),
                };
                out.map_err(|e| op_err(format_args!("`{}`", func.name), &e))?
            }
            ExprKind::Matches { value, pattern } => {
                let re = self
                    .patterns
                    .get(pattern)
                    .ok_or_else(|| fault(format!("pattern {pattern:?} does not compile")))?;
                match self.eval(value, state, host)? {
                    Value::Str(s) => Value::Bool(re.is_match(&s)),
                    v => return Err(fault(format!("`matches` of {v}"))),
                }
            }
            ExprKind::Not(inner) => self.unary(UnaryOp::Not, inner, state, host)?,
            ExprKind::Neg(inner) => self.unary(UnaryOp::Neg, inner, state, host)?,
            ExprKind::Binary {
                op: op @ (BinaryOp::And | BinaryOp::Or),
                lhs,
                rhs,
            } => {
                // The right operand runs only when the left one does not
                // decide: `false and _`, `true or _`.
                let a = self.eval(lhs, state, host)?;
                if a == Value::Bool(*op == BinaryOp::Or) {
                    a
                } else {
                    let b = self.eval(rhs, state, host)?;
                    a.binary(*op, &b)
                        .map_err(|e| op_err(format_args!("`{}`", op.symbol()), &e))?
                }
            }
            ExprKind::Binary { op, lhs, rhs } => {
                let a = self.eval(lhs, state, host)?;
                let b = self.eval(rhs, state, host)?;
                let v = a
                    .binary(*op, &b)
                    .map_err(|e| op_err(format_args!("`{}`", op.symbol()), &e))?;
                limit(&v, format_args!("made by `{}`", op.symbol()))?;
                v
            }
            ExprKind::In { value, list } => {
                let v = self.eval(value, state, host)?;
                let mut items = Vec::with_capacity(list.len());
                for item in list {
                    // Every item is evaluated, as the VM does.
                    items.push(self.eval(item, state, host)?);
                }
                Value::Bool(v.is_in(&items))
            }
        })
    }

    fn unary(
        &self,
        op: UnaryOp,
        inner: &Expr,
        state: &mut RefState,
        host: &mut dyn Host,
    ) -> Result<Value, RefError> {
        self.eval(inner, state, host)?
            .unary(op)
            .map_err(|e| op_err(format_args!("`{}`", op.symbol()), &e))
    }

    /// `account.F`: a host call; its failure, a value of another type or
    /// a date out of range is R0003, a string over the limit R0008.
    /// `present`: the checker narrowed the field (`account.F != none`), so
    /// a `none` answer is R0003 too (reference §8.2).
    fn read_account(
        &self,
        field: u32,
        present: bool,
        host: &mut dyn Host,
    ) -> Result<Value, RefError> {
        let f = self
            .flow
            .account
            .get(field as usize)
            .ok_or_else(|| fault(format!("no account field {field}")))?;
        let v = host
            .read_account(&f.name)
            .map_err(|e| host_err(format_args!("reading `account.{}`", f.name), &e))?;
        // Account fields read as `T?` unless narrowed.
        let ty = f.ty.with_optional(!present);
        if !self.flow.choices.admits(ty, &v) || !v.in_range() {
            return Err(RefError::new(
                Code::R0003,
                format!("host gave {v} for `account.{}` of type `{}`", f.name, f.ty),
            ));
        }
        limit(&v, format_args!("read from `account.{}`", f.name))?;
        Ok(v)
    }

    /// Answers the screen the run is suspended at: every collected field
    /// with its type (`none` only where optional), every capture as `true`,
    /// nothing else and nothing twice; otherwise R0002 (R0008 for a string
    /// over the limit, as the first fault met in input order) and the state
    /// is unchanged. Moves the run past the screen; it does not run.
    pub fn resume(&self, state: &mut RefState, input: &[(String, Value)]) -> Result<(), RefError> {
        let bad = |m: String| RefError::new(Code::R0002, m);
        let At::Suspended(id) = state.at else {
            return Err(bad("the run is not suspended at a screen".into()));
        };
        let step = self.flow.steps.get(id as usize);
        let Some(StepKind::Screen {
            collects,
            captures,
            next,
            ..
        }) = step.map(|s| &s.kind)
        else {
            return Err(bad("the run is not suspended at a screen".into()));
        };
        for (i, (key, v)) in input.iter().enumerate() {
            limit(v, format_args!("given for `{key}`"))?;
            if input.iter().take(i).any(|(k, _)| k == key) {
                return Err(bad(format!("`{key}` is given twice")));
            }
            let field = collects
                .iter()
                .filter_map(|f| self.flow.inquiry.get(*f as usize))
                .find(|f| &f.name == key);
            match field {
                Some(f) if !self.flow.choices.admits(f.ty, v) || !v.in_range() => {
                    return Err(bad(format!("`{key}` is `{}`, got {v}", f.ty)));
                }
                Some(_) => {}
                None if captures.contains(key) => {
                    if *v != Value::Bool(true) {
                        return Err(bad(format!("capture `{key}` must be `true`, got {v}")));
                    }
                }
                None => return Err(bad(format!("the screen takes no `{key}`"))),
            }
        }
        let given = |name: &str| input.iter().any(|(k, _)| k == name);
        for f in collects {
            let name = self.flow.inquiry.get(*f as usize).map_or("?", |f| &f.name);
            if !given(name) {
                return Err(bad(format!("`{name}` is missing")));
            }
        }
        if let Some(c) = captures.iter().find(|c| !given(c)) {
            return Err(bad(format!("capture `{c}` is missing")));
        }
        for f in collects {
            let name = self.flow.inquiry.get(*f as usize).map_or("?", |f| &f.name);
            let value = input.iter().find(|(k, _)| k == name).map(|(_, v)| v);
            if let (Some(slot), Some(v)) = (state.inquiry.get_mut(*f as usize), value) {
                *slot = v.clone();
            }
        }
        state.at = goto(*next);
        Ok(())
    }
}

fn goto(target: Target) -> At {
    match target {
        Target::Step(s) => At::Step(s),
        Target::End(s) => At::Ended(s),
    }
}

/// Why a host's answer does not fit the result's fields, if it does not:
/// the count, a value's type (`none` only where optional, a choice's value
/// in its set), a date out of range, or (§8.3, §8.4, strict answers) a
/// verification answering `passed`, or an `http` answer with `ok` true,
/// without every field it promises.
fn answer_fault(choices: &ChoiceTable, info: &CallInfo, values: &[Value]) -> Option<String> {
    let fields = &info.fields;
    if values.len() != fields.len() {
        return Some(format!(
            "{} values for {} fields",
            values.len(),
            fields.len()
        ));
    }
    if let Some((f, v)) = fields
        .iter()
        .zip(values)
        .find(|(f, v)| !choices.admits(f.ty, v) || !v.in_range())
    {
        return Some(format!(
            "{v} for `{}` of type `{}`",
            f.name,
            choices.show(f.ty)
        ));
    }
    let success = match info.target {
        CallTarget::Verify(_) => values.contains(&Value::Status(Status::Passed)),
        CallTarget::Http { .. } => fields
            .iter()
            .zip(values)
            .any(|(f, v)| f.name == "ok" && *v == Value::Bool(true)),
        CallTarget::Report(_) => false,
    };
    if success {
        let missing: Vec<&str> = fields
            .iter()
            .zip(values)
            .zip(&info.promised)
            .filter(|((_, v), promised)| **promised && **v == Value::None)
            .map(|((f, _), _)| f.name.as_str())
            .collect();
        if !missing.is_empty() {
            return Some(format!(
                "a successful answer without {} (reference §8.4)",
                missing.join(", ")
            ));
        }
    }
    None
}

/// Calls `visit` on every expression of a step, nested ones included.
fn each_expr_of_step(kind: &StepKind, visit: &mut dyn FnMut(&Expr)) {
    match kind {
        StepKind::Screen { .. } | StepKind::Connector { .. } => {}
        StepKind::Branch { routes, .. } => {
            for r in routes {
                each_expr(&r.cond, visit);
            }
        }
        StepKind::Action { body, .. } => each_expr_of_stmts(body, visit),
    }
}

fn each_expr_of_stmts(body: &[Stmt], visit: &mut dyn FnMut(&Expr)) {
    for stmt in body {
        match stmt {
            Stmt::Call { args, .. } => args.iter().for_each(|(_, e)| each_expr(e, visit)),
            Stmt::Set { value, .. } => each_expr(value, visit),
            Stmt::Tag { text: e, .. } | Stmt::Case { queue: e, .. } => each_expr(e, visit),
            Stmt::If {
                cond,
                then_body,
                else_body,
                ..
            } => {
                each_expr(cond, visit);
                each_expr_of_stmts(then_body, visit);
                each_expr_of_stmts(else_body, visit);
            }
        }
    }
}

fn each_expr(e: &Expr, visit: &mut dyn FnMut(&Expr)) {
    visit(e);
    match &e.kind {
        ExprKind::Const(_)
        | ExprKind::Field { .. }
        | ExprKind::ResultField { .. }
        | ExprKind::Attempts(_) => {}
        ExprKind::Builtin { args, .. } => args.iter().for_each(|a| each_expr(a, visit)),
        ExprKind::Matches { value, .. } | ExprKind::Not(value) | ExprKind::Neg(value) => {
            each_expr(value, visit);
        }
        ExprKind::Binary { lhs, rhs, .. } => {
            each_expr(lhs, visit);
            each_expr(rhs, visit);
        }
        ExprKind::In { value, list } => {
            each_expr(value, visit);
            list.iter().for_each(|a| each_expr(a, visit));
        }
    }
}
