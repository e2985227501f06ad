//! Typed flow to module.
//!
//! Each step's code is laid out in step order, starting with `enter STEP`.
//! Statements and expressions lower to stack code; `and`/`or`
//! short-circuit with `jump_if_false_or_pop`/`jump_if_true_or_pop`; a screen
//! is `enter`, `suspend`, then its transition; a branch tests its routes in
//! order with `jump_if_false`. A transition to a step is a `jump` to that
//! step's entry (patched once every step is laid out); `end STATUS` is
//! `end`. An action's `on error` transition is emitted after its normal
//! transition, and every call in the action points at it.
//!
//! Constants are interned in first-use order in a `Vec` (no hash-map
//! iteration anywhere), so compiling the same source twice gives the same
//! bytes.
//!
//! The checker hands over ids that are all in range; a place where that
//! turns out false records a named broken invariant, and `compile` returns
//! it as an error instead of a module with a made-up operand.

use crate::ast::{BinaryOp, Record};
use crate::bytecode::{
    CallTarget, FORMAT_VERSION, FieldInfo, Instr, MAGIC, Module, Promise, ResultInfo, RuntimeError,
    StepInfo, StepKindTag, sha256,
};
use crate::span::Span;
use crate::typed::{CallKind, Expr, ExprKind, StepKind, Stmt, Target, TypedFlow};
use crate::value::{Status, Value};
use std::collections::HashMap;

/// What a successful answer of `r`'s call must carry: a verification
/// whose `status` is `passed`, or an `http` call whose `ok` is `true`, has
/// a value in every promised field. `None` for a report, or when the
/// catalogue gives the call no such field or the result no promised one.
pub(crate) fn promise(r: &crate::typed::ResultSlot) -> Option<Promise> {
    let (flag, is) = match &r.call {
        CallKind::Verify(_) => ("status", Value::Status(Status::Passed)),
        CallKind::Http { .. } => ("ok", Value::Bool(true)),
        CallKind::Report(_) => return None,
    };
    let when = r.fields.iter().position(|f| f.name == flag)?;
    let present: Vec<u16> = (r.fields.iter().enumerate())
        .filter(|(_, f)| f.promised)
        .filter_map(|(i, _)| u16::try_from(i).ok())
        .collect();
    if present.is_empty() {
        return None;
    }
    Some(Promise {
        when: u16::try_from(when).ok()?,
        is,
        present,
    })
}

/// What a result's call is, as the module and hosts name it.
pub(crate) fn call_target(call: &CallKind) -> CallTarget {
    match call {
        CallKind::Verify(k) => CallTarget::Verify(k.clone()),
        CallKind::Report(k) => CallTarget::Report(k.clone()),
        CallKind::Http { method, url } => CallTarget::Http {
            method: *method,
            url: url.clone(),
        },
    }
}

/// A result's fields as the module and hosts see them (result fields
/// have no labels).
pub(crate) fn result_fields(r: &crate::typed::ResultSlot) -> Vec<FieldInfo> {
    r.fields
        .iter()
        .map(|f| FieldInfo {
            name: f.name.clone(),
            ty: f.ty,
            label: None,
        })
        .collect()
}

/// Compiles a checked flow. `source` is the text it was checked from (its
/// SHA-256 goes in the header). The module still has to be verified; an
/// error is a bug in flowc (a broken invariant, named).
pub fn compile(flow: &TypedFlow, source: &str) -> Result<Module, RuntimeError> {
    let mut g = Gen {
        code: Vec::new(),
        spans: Vec::new(),
        consts: Vec::new(),
        const_ids: HashMap::new(),
        step_jumps: Vec::new(),
        broken: None,
    };
    let mut steps = Vec::with_capacity(flow.steps.len());
    let mut results: Vec<ResultInfo> = flow
        .results
        .iter()
        .map(|r| ResultInfo {
            name: r.name.clone(),
            call: call_target(&r.call),
            args: Vec::new(),
            fields: result_fields(r),
            promise: promise(r),
        })
        .collect();

    for (id, step) in flow.steps.iter().enumerate() {
        let id = g.index(id, "step_ids_fit_u32");
        let entry = g.pc();
        g.emit(Instr::Enter(id), step.span);
        let mut title = None;
        let (kind, collects, captures) = match &step.kind {
            StepKind::Screen {
                title: heading,
                collects,
                captures,
                next,
            } => {
                title.clone_from(heading);
                g.emit(Instr::Suspend(id), step.span);
                g.transition(*next, step.span);
                (StepKindTag::Screen, collects.clone(), captures.clone())
            }
            StepKind::Action {
                body,
                next,
                on_error,
            } => {
                let mut calls = Vec::new();
                g.stmts(body, &mut calls, &mut results);
                g.transition(*next, step.span);
                if let Some(target) = on_error {
                    let pc = g.pc();
                    g.transition(*target, step.span);
                    for call_pc in calls {
                        match g.code.get_mut(call_pc as usize) {
                            Some(Instr::Call { on_error, .. }) => *on_error = Some(pc),
                            _ => g.broken("on_error_patches_a_call"),
                        }
                    }
                }
                (StepKindTag::Action, Vec::new(), Vec::new())
            }
            StepKind::Branch { routes, otherwise } => {
                for route in routes {
                    g.expr(&route.cond);
                    let skip = g.emit(Instr::JumpIfFalse(0), route.span);
                    g.transition(route.target, route.span);
                    g.patch(skip);
                }
                g.transition(*otherwise, step.span);
                (StepKindTag::Branch, Vec::new(), Vec::new())
            }
            StepKind::Connector { next } => {
                g.transition(*next, step.span);
                (StepKindTag::Connector, Vec::new(), Vec::new())
            }
        };
        steps.push(StepInfo {
            name: step.name.clone(),
            kind,
            entry,
            collects,
            captures,
            title,
        });
    }
    for (pc, step) in std::mem::take(&mut g.step_jumps) {
        match (steps.get(step as usize), g.code.get_mut(pc as usize)) {
            (Some(s), Some(Instr::Jump(t))) => *t = s.entry,
            _ => g.broken("step_jumps_patch_a_jump_to_a_step"),
        }
    }
    if let Some(name) = g.broken {
        return Err(RuntimeError::invariant(name));
    }

    let mut module = Module {
        magic: MAGIC,
        format_version: FORMAT_VERSION,
        name: flow.name.clone(),
        version: flow.version,
        source_hash: sha256(source.as_bytes()),
        consts: g.consts,
        choices: flow.choices.clone(),
        inquiry: flow
            .inquiry
            .iter()
            .map(|f| FieldInfo {
                name: f.name.clone(),
                ty: f.ty,
                label: f.label.clone(),
            })
            .collect(),
        account: flow
            .account
            .iter()
            .map(|f| FieldInfo {
                name: f.name.clone(),
                ty: f.ty,
                label: f.label.clone(),
            })
            .collect(),
        steps,
        start: flow.start,
        results,
        code: g.code,
        spans: g.spans,
        max_stack: 0,
    };
    module.max_stack = crate::bytecode::verify::required_stack(&module)?;
    Ok(module)
}

struct Gen {
    code: Vec<Instr>,
    spans: Vec<Span>,
    consts: Vec<Value>,
    /// Where each constant is in `consts` (looked up, never iterated, so
    /// the pool keeps first-use order).
    const_ids: HashMap<Value, u32>,
    /// `jump` instructions whose target is a step entry, patched at the end.
    step_jumps: Vec<(u32, u32)>,
    /// The first invariant found broken.
    broken: Option<&'static str>,
}

impl Gen {
    fn broken(&mut self, name: &'static str) {
        self.broken.get_or_insert(name);
    }

    /// A count or index as an operand, or a broken invariant when it does
    /// not fit (the operand is then 0, and `compile` fails).
    fn index<T: TryFrom<usize> + Default>(&mut self, n: usize, name: &'static str) -> T {
        T::try_from(n).unwrap_or_else(|_| {
            self.broken(name);
            T::default()
        })
    }

    fn pc(&mut self) -> u32 {
        let len = self.code.len();
        self.index(len, "pcs_fit_u32")
    }

    fn emit(&mut self, instr: Instr, span: Span) -> u32 {
        let pc = self.pc();
        self.code.push(instr);
        self.spans.push(span);
        pc
    }

    /// Points the jump at `at` to the next instruction.
    fn patch(&mut self, at: u32) {
        let here = self.pc();
        match self.code.get_mut(at as usize) {
            Some(
                Instr::Jump(t)
                | Instr::JumpIfFalse(t)
                | Instr::JumpIfFalseOrPop(t)
                | Instr::JumpIfTrueOrPop(t),
            ) => *t = here,
            _ => self.broken("patch_targets_a_jump"),
        }
    }

    fn constant(&mut self, v: &Value) -> u32 {
        if let Some(&i) = self.const_ids.get(v) {
            return i;
        }
        let i = self.index(self.consts.len(), "constant_ids_fit_u32");
        self.consts.push(v.clone());
        self.const_ids.insert(v.clone(), i);
        i
    }

    fn transition(&mut self, target: Target, span: Span) {
        match target {
            Target::Step(s) => {
                let pc = self.emit(Instr::Jump(0), span);
                self.step_jumps.push((pc, s));
            }
            Target::End(status) => {
                self.emit(Instr::End(status), span);
            }
        }
    }

    fn stmts(&mut self, body: &[Stmt], calls: &mut Vec<u32>, results: &mut [ResultInfo]) {
        for s in body {
            self.stmt(s, calls, results);
        }
    }

    fn stmt(&mut self, stmt: &Stmt, calls: &mut Vec<u32>, results: &mut [ResultInfo]) {
        match stmt {
            Stmt::Call {
                result,
                args,
                retry,
                timeout_secs,
                span,
            } => {
                for (_, e) in args {
                    self.expr(e);
                }
                match results.get_mut(*result as usize) {
                    Some(r) => r.args = args.iter().map(|(n, _)| n.clone()).collect(),
                    None => self.broken("call_binds_a_known_result"),
                }
                let argc = self.index(args.len(), "argument_counts_fit_u32");
                let pc = self.emit(
                    Instr::Call {
                        result: *result,
                        argc,
                        retry: *retry,
                        timeout_secs: *timeout_secs,
                        on_error: None,
                    },
                    *span,
                );
                calls.push(pc);
            }
            Stmt::Set {
                record,
                field,
                value,
                span,
            } => {
                self.expr(value);
                let instr = match record {
                    Record::Inquiry => Instr::SetInquiry(*field),
                    Record::Account => Instr::SetAccount(*field),
                };
                self.emit(instr, *span);
            }
            Stmt::Tag { text, span } => {
                self.expr(text);
                self.emit(Instr::Tag, *span);
            }
            Stmt::Case { queue, span } => {
                self.expr(queue);
                self.emit(Instr::Case, *span);
            }
            Stmt::If {
                cond,
                then_body,
                else_body,
                span,
            } => {
                self.expr(cond);
                let to_else = self.emit(Instr::JumpIfFalse(0), *span);
                self.stmts(then_body, calls, results);
                if else_body.is_empty() {
                    self.patch(to_else);
                } else {
                    let to_end = self.emit(Instr::Jump(0), *span);
                    self.patch(to_else);
                    self.stmts(else_body, calls, results);
                    self.patch(to_end);
                }
            }
        }
    }

    fn expr(&mut self, e: &Expr) {
        let span = e.span;
        match &e.kind {
            ExprKind::Const(v) => {
                let c = self.constant(v);
                self.emit(Instr::Const(c), span);
            }
            ExprKind::Field {
                record: Record::Inquiry,
                field,
            } => {
                self.emit(Instr::LoadInquiry(*field), span);
            }
            // Narrowed (`account.F != none` holds here): the host must
            // give a value (reference §8.2).
            ExprKind::Field {
                record: Record::Account,
                field,
            } if !e.ty.optional => {
                self.emit(Instr::LoadAccountPresent(*field), span);
            }
            ExprKind::Field {
                record: Record::Account,
                field,
            } => {
                self.emit(Instr::LoadAccount(*field), span);
            }
            ExprKind::ResultField { result, field } => {
                let field = self.index(*field as usize, "result_fields_fit_u16");
                self.emit(Instr::LoadResult(*result, field), span);
            }
            ExprKind::Attempts(s) => {
                self.emit(Instr::Attempts(*s), span);
            }
            ExprKind::Builtin { func, args } => {
                for a in args {
                    self.expr(a);
                }
                // The checker types `attempts` as `ExprKind::Attempts`:
                // every built-in that reaches here has its instruction.
                if let Some(instr) = func.instr() {
                    self.emit(instr, span);
                }
            }
            ExprKind::Matches { value, pattern } => {
                self.expr(value);
                let c = self.constant(&Value::Str(pattern.clone()));
                self.emit(Instr::Matches(c), span);
            }
            ExprKind::Not(inner) => {
                self.expr(inner);
                self.emit(Instr::Not, span);
            }
            ExprKind::Neg(inner) => {
                self.expr(inner);
                self.emit(Instr::Neg, span);
            }
            ExprKind::Binary { op, lhs, rhs } => {
                self.expr(lhs);
                let instr = match op {
                    // `and`/`or` short-circuit: the right side only runs
                    // when the left one does not decide.
                    BinaryOp::And | BinaryOp::Or => {
                        let j = self.emit(
                            if *op == BinaryOp::And {
                                Instr::JumpIfFalseOrPop(0)
                            } else {
                                Instr::JumpIfTrueOrPop(0)
                            },
                            span,
                        );
                        self.expr(rhs);
                        self.patch(j);
                        return;
                    }
                    BinaryOp::Eq => Instr::Eq,
                    BinaryOp::Ne => Instr::Ne,
                    BinaryOp::Lt => Instr::Lt,
                    BinaryOp::Le => Instr::Le,
                    BinaryOp::Gt => Instr::Gt,
                    BinaryOp::Ge => Instr::Ge,
                    BinaryOp::Add => Instr::Add,
                    BinaryOp::Sub => Instr::Sub,
                    BinaryOp::Mul => Instr::Mul,
                    BinaryOp::Div => Instr::Div,
                    BinaryOp::Rem => Instr::Rem,
                };
                self.expr(rhs);
                self.emit(instr, span);
            }
            ExprKind::In { value, list } => {
                self.expr(value);
                for item in list {
                    self.expr(item);
                }
                let n = self.index(list.len(), "in_lists_fit_u32");
                self.emit(Instr::In(n), span);
            }
        }
    }
}
