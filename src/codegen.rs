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

use crate::ast::{BinaryOp, Record};
use crate::bytecode::{
    CallTarget, FORMAT_VERSION, FieldInfo, Instr, MAGIC, Module, ResultInfo, StepInfo, StepKindTag,
    sha256_hex,
};
use crate::span::Span;
use crate::typed::{CallKind, Expr, ExprKind, StepKind, Stmt, Target, TypedFlow};
use crate::value::Value;
use std::collections::HashMap;

/// Compiles a checked flow. `source` is the text it was checked from (its
/// SHA-256 goes in the header).
pub fn compile(flow: &TypedFlow, source: &str) -> Module {
    let mut g = Gen {
        code: Vec::new(),
        spans: Vec::new(),
        consts: Vec::new(),
        const_ids: HashMap::new(),
        step_jumps: Vec::new(),
    };
    let mut steps = Vec::with_capacity(flow.steps.len());
    let mut results: Vec<ResultInfo> = flow
        .results
        .iter()
        .map(|r| ResultInfo {
            name: r.name.clone(),
            call: match &r.call {
                CallKind::Verify(k) => CallTarget::Verify(k.clone()),
                CallKind::Report(k) => CallTarget::Report(k.clone()),
                CallKind::Http { method, url } => CallTarget::Http {
                    method: *method,
                    url: url.clone(),
                },
            },
            args: Vec::new(),
            fields: r
                .fields
                .iter()
                .map(|f| FieldInfo {
                    name: f.name.clone(),
                    ty: f.ty,
                })
                .collect(),
        })
        .collect();

    for (id, step) in flow.steps.iter().enumerate() {
        let id = id as u32;
        let entry = g.pc();
        g.emit(Instr::Enter(id), step.span);
        let (kind, collects, captures) = match &step.kind {
            StepKind::Screen {
                collects,
                captures,
                next,
            } => {
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
                        if let Some(Instr::Call { on_error, .. }) = g.code.get_mut(call_pc as usize)
                        {
                            *on_error = Some(pc);
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
        });
    }
    for (pc, step) in std::mem::take(&mut g.step_jumps) {
        let entry = steps.get(step as usize).map_or(0, |s| s.entry);
        if let Some(Instr::Jump(t)) = g.code.get_mut(pc as usize) {
            *t = entry;
        }
    }

    let mut module = Module {
        magic: MAGIC,
        format_version: FORMAT_VERSION,
        name: flow.name.clone(),
        version: flow.version,
        source_hash: sha256_hex(source.as_bytes()),
        consts: g.consts,
        inquiry: flow
            .inquiry
            .iter()
            .map(|f| FieldInfo {
                name: f.name.clone(),
                ty: f.ty,
            })
            .collect(),
        account: flow
            .account
            .iter()
            .map(|f| FieldInfo {
                name: f.name.clone(),
                ty: f.ty,
            })
            .collect(),
        steps,
        start: flow.start,
        results,
        code: g.code,
        spans: g.spans,
        max_stack: u32::MAX,
    };
    // The analysis the verifier runs gives the deepest stack; a module the
    // verifier rejects keeps max_stack 0 so that loading it fails loudly.
    module.max_stack = crate::verify::stack_depths(&module)
        .map(|d| {
            let before = d.iter().flatten().copied().max().unwrap_or(0);
            // the deepest point can also be right after the last push
            before.max(max_after(&module, &d))
        })
        .unwrap_or(0);
    module
}

fn max_after(m: &Module, depths: &[Option<u32>]) -> u32 {
    m.code
        .iter()
        .zip(depths)
        .filter_map(|(i, d)| {
            let d = (*d)?;
            let (pops, pushes) = i.stack_effect();
            Some(d.saturating_sub(pops) + pushes)
        })
        .max()
        .unwrap_or(0)
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
}

impl Gen {
    fn pc(&self) -> u32 {
        self.code.len() as u32
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
        if let Some(
            Instr::Jump(t)
            | Instr::JumpIfFalse(t)
            | Instr::JumpIfFalseOrPop(t)
            | Instr::JumpIfTrueOrPop(t),
        ) = self.code.get_mut(at as usize)
        {
            *t = here;
        }
    }

    fn constant(&mut self, v: &Value) -> u32 {
        if let Some(&i) = self.const_ids.get(v) {
            return i;
        }
        let i = u32::try_from(self.consts.len()).unwrap_or(u32::MAX);
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
                if let Some(r) = results.get_mut(*result as usize) {
                    r.args = args.iter().map(|(n, _)| n.clone()).collect();
                }
                let pc = self.emit(
                    Instr::Call {
                        result: *result,
                        argc: u32::try_from(args.len()).unwrap_or(u32::MAX),
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
                let c = self.constant(&Value::Str(text.clone()));
                self.emit(Instr::Tag(c), *span);
            }
            Stmt::Case { queue, span } => {
                let c = self.constant(&Value::Str(queue.clone()));
                self.emit(Instr::Case(c), *span);
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
            ExprKind::Field {
                record: Record::Account,
                field,
            } => {
                self.emit(Instr::LoadAccount(*field), span);
            }
            ExprKind::ResultField { result, field } => {
                self.emit(
                    Instr::LoadResult(*result, u16::try_from(*field).unwrap_or(u16::MAX)),
                    span,
                );
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
            ExprKind::Not(inner) => {
                self.expr(inner);
                self.emit(Instr::Not, span);
            }
            ExprKind::Neg(inner) => {
                self.expr(inner);
                self.emit(Instr::Neg, span);
            }
            ExprKind::Binary {
                op: BinaryOp::And,
                lhs,
                rhs,
            } => {
                self.expr(lhs);
                let j = self.emit(Instr::JumpIfFalseOrPop(0), span);
                self.expr(rhs);
                self.patch(j);
            }
            ExprKind::Binary {
                op: BinaryOp::Or,
                lhs,
                rhs,
            } => {
                self.expr(lhs);
                let j = self.emit(Instr::JumpIfTrueOrPop(0), span);
                self.expr(rhs);
                self.patch(j);
            }
            ExprKind::Binary { op, lhs, rhs } => {
                self.expr(lhs);
                self.expr(rhs);
                let instr = match op {
                    BinaryOp::Eq => Instr::Eq,
                    BinaryOp::Ne => Instr::Ne,
                    BinaryOp::Lt => Instr::Lt,
                    BinaryOp::Le => Instr::Le,
                    BinaryOp::Gt => Instr::Gt,
                    BinaryOp::Ge => Instr::Ge,
                    BinaryOp::Add => Instr::Add,
                    BinaryOp::Sub => Instr::Sub,
                    // handled above
                    BinaryOp::And | BinaryOp::Or => Instr::Eq,
                };
                self.emit(instr, span);
            }
            ExprKind::In { value, list } => {
                self.expr(value);
                for item in list {
                    self.expr(item);
                }
                self.emit(
                    Instr::In(u32::try_from(list.len()).unwrap_or(u32::MAX)),
                    span,
                );
            }
        }
    }
}
