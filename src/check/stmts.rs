//! The step walker: the data-flow transfer function and the final typing
//! pass in one.
//!
//! [`Cx::walk_step`] takes the facts on entry to a step and gives the facts
//! on each outgoing edge, and the typed step. While the fixpoint is being
//! computed it runs with reporting off; afterwards it runs once more per
//! step on the final facts with reporting on, so the same code decides the
//! facts and the narrowing the typed flow promises.

use super::consts::{const_eval, is_constant, reads_inquiry, same_expr};
use super::expr::Cx;
use crate::ast::{self, Call, Record, Stmt};
use crate::diagnostics::{Code, Diagnostic};
use crate::flowgraph::BitSet;
use crate::typed::{self, ResultId, StepId};
use crate::types::Type;
use crate::value::{EndStatus, Value};
use std::collections::HashSet;

pub struct StepOut {
    pub kind: typed::StepKind,
    pub edges: Vec<(StepId, BitSet)>,
}

const NOWHERE: typed::Target = typed::Target::End(EndStatus::Failed);

/// Up to this many routes, a branch looks for a repeated condition among
/// all the earlier ones rather than by shape.
const FEW_ROUTES: usize = 8;

fn push_edge(edges: &mut Vec<(StepId, BitSet)>, t: Option<typed::Target>, facts: &BitSet) {
    if let Some(typed::Target::Step(s)) = t {
        edges.push((s, facts.clone()));
    }
}

impl Cx<'_, '_> {
    pub fn walk_step(&mut self, sid: StepId, entry: &BitSet) -> Option<StepOut> {
        let env = self.env;
        let step = *env.steps.get(sid as usize)?;
        let links = env.links.get(sid as usize)?;
        let first =
            |v: &Vec<Option<typed::Target>>| v.first().copied().flatten().unwrap_or(NOWHERE);
        let mut edges = Vec::new();
        let kind = match &step.kind {
            // Contents unknown (a syntax error): it may write every field,
            // bind every result, narrow everything and lead to every step.
            ast::StepKind::Broken { .. } => {
                let all = BitSet::full(self.layout.bits());
                for t in 0..env.steps.len() {
                    push_edge(&mut edges, Some(typed::Target::Step(t as StepId)), &all);
                }
                typed::StepKind::Connector { next: NOWHERE }
            }
            ast::StepKind::Screen(s) => {
                let mut facts = entry.clone();
                let mut collects = Vec::new();
                let mut collected = HashSet::new();
                for name in &s.collects {
                    match env.field(Record::Inquiry, &name.node) {
                        Some((id, _)) => {
                            self.layout.write(&mut facts, id);
                            if collected.insert(id) {
                                collects.push(id);
                            }
                        }
                        None => {
                            let mut d = Diagnostic::new(
                                Code::E0103,
                                name.span,
                                format!("unknown inquiry field `{}`", name.node),
                            )
                            .label("a screen collects inquiry fields");
                            d = d.did_you_mean(
                                &name.node,
                                env.inquiry.iter().map(|f| f.name.as_str()),
                            );
                            if env.capture_index(&name.node).is_some() {
                                d = d.help(format!(
                                    "`{0}` is a capture kind: write `capture {0}`",
                                    name.node
                                ));
                            } else if d.help.is_none() {
                                d = d.help(format!(
                                    "declare it in `inquiry {{ {}: string }}`",
                                    name.node
                                ));
                            }
                            self.report(d);
                        }
                    }
                }
                let mut captures: Vec<String> = Vec::new();
                for name in &s.captures {
                    match env.capture_index(&name.node) {
                        Some(c) => {
                            facts.set(self.layout.capture(c));
                            if !captures.contains(&name.node) {
                                captures.push(name.node.clone());
                            }
                        }
                        None => {
                            let d = Diagnostic::new(
                                Code::E0105,
                                name.span,
                                format!("unknown capture kind `{}`", name.node),
                            )
                            .label("not a capture kind")
                            .note(format!(
                                "capture kinds: {}",
                                crate::diagnostics::ticked(
                                    env.catalog.capture_kinds.iter().map(String::as_str)
                                )
                            ));
                            self.report(d.did_you_mean(
                                &name.node,
                                env.catalog.capture_kinds.iter().map(String::as_str),
                            ));
                        }
                    }
                }
                for t in &links.next {
                    push_edge(&mut edges, *t, &facts);
                }
                typed::StepKind::Screen {
                    title: s.title.as_ref().map(|t| t.node.clone()),
                    collects,
                    captures,
                    next: first(&links.next),
                }
            }
            ast::StepKind::Action(a) => {
                let mut facts = entry.clone();
                let mut slot = crate::invariant::holds(
                    env.first_result.get(sid as usize).copied(),
                    "steps-have-result-slots",
                )
                .unwrap_or(0);
                let mut at_calls = None;
                let body = self.stmts(&a.body, &mut facts, &mut slot, &mut at_calls);
                for t in &links.next {
                    push_edge(&mut edges, *t, &facts);
                }
                // At an `on error` target, what held before every call that
                // can fail: a statement before the failing call may have
                // ended what held on entry (reference §8.4). Without a call
                // the target is never reached through `on error`.
                let on_error = at_calls.as_ref().unwrap_or(entry);
                for t in &links.on_error {
                    push_edge(&mut edges, *t, on_error);
                }
                typed::StepKind::Action {
                    body,
                    next: first(&links.next),
                    on_error: links.on_error.first().copied().flatten(),
                }
            }
            ast::StepKind::Branch(b) => {
                let mut routes = Vec::new();
                let mut otherwise = None;
                let mut dead_after: Option<crate::span::Span> = None;
                // Earlier conditions by their shape, so that finding a
                // repeated one does not compare it with every route before;
                // a branch of a few routes compares with them all, cheaper
                // than hashing (the first equal one is the same either way).
                let few = b.routes.len() <= FEW_ROUTES;
                let mut all: Vec<&ast::Expr> = Vec::new();
                let mut earlier: std::collections::HashMap<u64, Vec<&ast::Expr>> =
                    std::collections::HashMap::new();
                for (i, r) in b.routes.iter().enumerate() {
                    let target = links.routes.get(i).copied().flatten();
                    let Some(cond) = &r.when else {
                        push_edge(&mut edges, target, entry);
                        if otherwise.is_none() {
                            otherwise = target;
                        }
                        continue;
                    };
                    let before = self.diags.len();
                    let te = self.condition(cond, entry, "a `when` condition");
                    // A condition with an error gets no W0303 (no cascade).
                    let had_error = self
                        .diags
                        .get(before..)
                        .is_some_and(|d| d.iter().any(Diagnostic::is_error));
                    let mut facts = entry.clone();
                    self.cond_facts(cond, &mut facts);
                    push_edge(&mut edges, target, &facts);
                    // Also while not reporting: a warning due here counts
                    // in `muted`, so the final pass walks this step again.
                    if !had_error {
                        let shape = if few { 0 } else { expr_shape(cond) };
                        let alike = if few {
                            all.as_slice()
                        } else {
                            earlier.get(&shape).map_or(&[][..], Vec::as_slice)
                        };
                        self.route_warnings(cond, alike, dead_after);
                        if dead_after.is_none()
                            && is_constant(cond)
                            && const_eval(cond) == Some(Value::Bool(true))
                        {
                            dead_after = Some(cond.span);
                        }
                        if few {
                            all.push(cond);
                        } else {
                            earlier.entry(shape).or_default().push(cond);
                        }
                    }
                    routes.push(typed::Route {
                        cond: te,
                        target: target.unwrap_or(NOWHERE),
                        span: r.span,
                    });
                }
                typed::StepKind::Branch {
                    routes,
                    otherwise: otherwise.unwrap_or(NOWHERE),
                }
            }
            ast::StepKind::Connector(_) => {
                for t in &links.next {
                    push_edge(&mut edges, *t, entry);
                }
                typed::StepKind::Connector {
                    next: first(&links.next),
                }
            }
        };
        Some(StepOut { kind, edges })
    }

    /// W0303 for one `when` route; `earlier` holds the earlier conditions
    /// of the same shape ([`expr_shape`]).
    fn route_warnings(
        &mut self,
        cond: &ast::Expr,
        earlier: &[&ast::Expr],
        dead_after: Option<crate::span::Span>,
    ) {
        if let Some(span) = dead_after {
            self.report(
                Diagnostic::new(Code::W0303, cond.span, "this route can never be taken")
                    .label("an earlier route always matches")
                    .secondary(span, "this condition is always true"),
            );
        } else if let Some(prev) = earlier.iter().find(|p| same_expr(p, cond)) {
            self.report(
                Diagnostic::new(Code::W0303, cond.span, "this route can never be taken")
                    .label("the same condition as an earlier route")
                    .secondary(prev.span, "this route matches first"),
            );
        } else if is_constant(cond) {
            let d = Diagnostic::new(Code::W0303, cond.span, "this `when` condition is constant")
                .label("reads no field, result, `attempts` or clock");
            let d = match const_eval(cond) {
                Some(Value::Bool(true)) => {
                    d.help("the route is always taken; use `else -> ...` instead")
                }
                Some(Value::Bool(false)) => d.help("the route is never taken; remove it"),
                _ => d,
            };
            self.report(d);
        }
    }

    /// Walks statements; `at_calls` meets the facts just before each call
    /// (what an `on error` target may assume).
    fn stmts(
        &mut self,
        body: &[Stmt],
        facts: &mut BitSet,
        slot: &mut ResultId,
        at_calls: &mut Option<BitSet>,
    ) -> Vec<typed::Stmt> {
        body.iter()
            .map(|s| self.stmt(s, facts, slot, at_calls))
            .collect()
    }

    fn stmt(
        &mut self,
        stmt: &Stmt,
        facts: &mut BitSet,
        slot: &mut ResultId,
        at_calls: &mut Option<BitSet>,
    ) -> typed::Stmt {
        match stmt {
            Stmt::Let(l) => {
                let rid = *slot;
                *slot += 1;
                let args = self.call_args(l, rid, facts);
                match at_calls {
                    Some(known) => {
                        known.meet(facts);
                    }
                    None => *at_calls = Some(facts.clone()),
                }
                if let Some(info) = self.env.results.get(rid as usize) {
                    self.layout.bind(facts, rid, info.fields.len());
                }
                // A second `let` of a name (E0107) still binds the name its
                // reads resolve to: no E0303 cascade.
                if let Some((canon, info)) = self.env.result(&l.name.node)
                    && canon != rid
                {
                    self.layout.bind(facts, canon, info.fields.len());
                }
                typed::Stmt::Call {
                    result: rid,
                    args,
                    retry: l
                        .retry
                        .as_ref()
                        .map_or(0, |r| u8::try_from(r.node.clamp(0, 255)).unwrap_or(0)),
                    timeout_secs: l
                        .timeout
                        .as_ref()
                        .map(|t| u32::try_from(t.node).unwrap_or(u32::MAX)),
                    span: l.span,
                }
            }
            Stmt::Set(s) => {
                let te = self.expr(&s.value, facts);
                let rec = match s.target.record {
                    Record::Inquiry => "inquiry",
                    Record::Account => "account",
                };
                let Some((id, info)) = self.env.field(s.target.record, &s.target.field.node) else {
                    let d = Diagnostic::new(
                        Code::E0103,
                        s.target.field.span,
                        format!("unknown {rec} field `{}`", s.target.field.node),
                    )
                    .label(format!("no {rec} field has this name"));
                    let d = d.did_you_mean(
                        &s.target.field.node,
                        self.env
                            .fields(s.target.record)
                            .iter()
                            .map(|f| f.name.as_str()),
                    );
                    self.report(d);
                    return typed::Stmt::Set {
                        record: s.target.record,
                        field: 0,
                        value: te.e,
                        span: s.span,
                    };
                };
                let (want, fname) = (info.ty, info.name.clone());
                let value = self.fit(&s.value, te, want, &format_args!("for `{rec}.{fname}`"));
                match s.target.record {
                    Record::Inquiry => self.layout.write(facts, id),
                    Record::Account => {
                        self.layout.write_account(facts, id);
                        if !self.unreachable && reads_inquiry(&s.value) {
                            self.report(
                                Diagnostic::new(Code::W0302, s.value.span, format!("account field `{fname}` is written from a value the user entered"))
                                    .label("reads an inquiry field")
                                    .help("write account fields from a verification's or report's output, e.g. `db.name_first`"),
                            );
                        }
                    }
                }
                typed::Stmt::Set {
                    record: s.target.record,
                    field: id,
                    value,
                    span: s.span,
                }
            }
            Stmt::Tag(e) => typed::Stmt::Tag {
                text: self.text_arg(e, facts, "tag"),
                span: e.span,
            },
            Stmt::Case(e) => typed::Stmt::Case {
                queue: self.text_arg(e, facts, "case"),
                span: e.span,
            },
            Stmt::If(i) => {
                let cond = self.condition(&i.cond, facts, "an `if` condition");
                let mut then_facts = facts.clone();
                self.cond_facts(&i.cond, &mut then_facts);
                let then_body = self.stmts(&i.then_body, &mut then_facts, slot, at_calls);
                let else_body = match &i.else_body {
                    Some(e) => self.stmts(e, facts, slot, at_calls),
                    None => Vec::new(),
                };
                facts.meet(&then_facts);
                typed::Stmt::If {
                    cond,
                    then_body,
                    else_body,
                    span: i.span,
                }
            }
        }
    }

    fn call_args(
        &mut self,
        l: &ast::Let,
        rid: ResultId,
        facts: &BitSet,
    ) -> Vec<(String, typed::Expr)> {
        let env = self.env;
        let cat = env.catalog;
        let (spec, what, kind) = match &l.call {
            Call::Verify(k) => (cat.verification(&k.node), "verification", Some(k)),
            Call::Report(k) => (cat.report(&k.node), "report", Some(k)),
            Call::Http { .. } => (None, "http", None),
        };
        if let (Some(k), None) = (kind, spec) {
            let names: Vec<&str> = if what == "verification" {
                cat.verifications.iter().map(|c| c.name.as_str()).collect()
            } else {
                cat.reports.iter().map(|c| c.name.as_str()).collect()
            };
            let d = Diagnostic::new(
                Code::E0105,
                k.span,
                format!("unknown {what} kind `{}`", k.node),
            )
            .label(format!("not a {what} kind"))
            .note(format!(
                "{what} kinds: {}",
                crate::diagnostics::ticked(names.iter().copied())
            ));
            self.report(d.did_you_mean(&k.node, names.iter().copied()));
        }
        // The capture the verification needs, on every path.
        if let (Some(info), Some(k)) = (env.results.get(rid as usize), kind)
            && let Some(c) = info.capture
            && !facts.get(self.layout.capture(c))
        {
            let cap =
                crate::invariant::holds(cat.capture_kinds.get(c), "capture-ids-index-catalog")
                    .map_or("?", String::as_str);
            self.report(
                Diagnostic::new(
                    Code::E0303,
                    k.span,
                    format!(
                        "verification `{}` needs capture `{cap}`, which is not taken on every path",
                        k.node
                    ),
                )
                .label(format!("`{cap}` may not have been captured here"))
                .help(format!(
                    "add `capture {cap}` to a screen on every path before this step"
                )),
            );
        }
        let mut seen: HashSet<&str> = HashSet::new();
        let mut out = Vec::with_capacity(l.args.len());
        for a in &l.args {
            let te = self.expr(&a.value, facts);
            let name = a.name.node.as_str();
            if !seen.insert(name) {
                self.report(
                    Diagnostic::new(
                        Code::E0108,
                        a.name.span,
                        format!("argument `{name}` is given twice"),
                    )
                    .label("duplicate argument"),
                );
                out.push((name.to_string(), te.e));
                continue;
            }
            let Some(spec) = spec else {
                // `http`: any name and type form the body; an unknown kind
                // was reported above.
                out.push((name.to_string(), te.e));
                continue;
            };
            match spec.args.iter().find(|p| p.name == name) {
                Some(p) => {
                    let e = self.fit(
                        &a.value,
                        te,
                        Type::new(p.ty),
                        &format_args!("for argument `{name}`"),
                    );
                    out.push((name.to_string(), e));
                }
                None => {
                    let d = Diagnostic::new(
                        Code::E0108,
                        a.name.span,
                        format!("unknown argument `{name}` for {what} `{}`", spec.name),
                    )
                    .label("not an argument of this kind")
                    .note(format!(
                        "arguments: {}",
                        if spec.args.is_empty() {
                            "none".to_string()
                        } else {
                            crate::diagnostics::ticked(spec.args.iter().map(|p| p.name.as_str()))
                        }
                    ));
                    self.report(d.did_you_mean(name, spec.args.iter().map(|p| p.name.as_str())));
                    out.push((name.to_string(), te.e));
                }
            }
        }
        if let (Some(spec), Some(k)) = (spec, kind) {
            let missing: Vec<String> = spec
                .args
                .iter()
                .filter(|p| !p.optional && !seen.contains(p.name.as_str()))
                .map(|p| format!("`{}`", p.name))
                .collect();
            if !missing.is_empty() {
                self.report(
                    Diagnostic::new(
                        Code::E0108,
                        k.span,
                        format!(
                            "missing argument{} {} for {what} `{}`",
                            if missing.len() == 1 { "" } else { "s" },
                            missing.join(", "),
                            spec.name
                        ),
                    )
                    .label("required arguments not given"),
                );
            }
        }
        out
    }
}

/// A hash of an expression's structure without its spans: expressions that
/// [`same_expr`] finds equal have the same shape, so a repeated condition is
/// looked up among the few earlier ones of its shape. Kinds of expression
/// not named below hash by their kind alone, which is coarser but still
/// agrees with `same_expr`.
fn expr_shape(e: &ast::Expr) -> u64 {
    use std::hash::Hasher as _;
    let mut h = std::collections::hash_map::DefaultHasher::new();
    hash_shape(e, &mut h);
    h.finish()
}

fn hash_shape(e: &ast::Expr, h: &mut impl std::hash::Hasher) {
    use ast::ExprKind as K;
    use std::hash::Hash as _;
    std::mem::discriminant(&e.kind).hash(h);
    match &e.kind {
        K::Str(x) | K::Name(x) => x.hash(h),
        K::Int(x) => x.hash(h),
        K::Date(x) => x.hash(h),
        K::Bool(x) => x.hash(h),
        K::Field(f) => {
            f.record.hash(h);
            f.field.node.hash(h);
        }
        K::ResultField { result, field } => {
            result.node.hash(h);
            field.node.hash(h);
        }
        K::Call { func, args } => {
            func.node.hash(h);
            args.iter().for_each(|a| hash_shape(a, h));
        }
        K::Unary { op, operand } => {
            std::mem::discriminant(op).hash(h);
            hash_shape(operand, h);
        }
        K::Binary { op, lhs, rhs } => {
            std::mem::discriminant(op).hash(h);
            hash_shape(lhs, h);
            hash_shape(rhs, h);
        }
        K::In { value, list } => {
            hash_shape(value, h);
            list.len().hash(h);
            list.iter().for_each(|x| hash_shape(x, h));
        }
        _ => {}
    }
}

#[cfg(test)]
mod shape_tests {
    #![allow(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing
    )]
    use super::*;

    /// The `when` conditions of the one branch in `source`.
    fn conditions(source: &str) -> Vec<ast::Expr> {
        let file = crate::parser::parse(source).file.unwrap();
        let mut out = Vec::new();
        for item in &file.flow.items {
            if let ast::Item::Step(step) = item
                && let ast::StepKind::Branch(b) = &step.kind
            {
                out.extend(b.routes.iter().filter_map(|r| r.when.clone()));
            }
        }
        out
    }

    /// The W0303 warnings of a flow whose branch `b` has `n` routes
    /// `when attempts(s) > i`, route `dup` repeating route 1: for each, the
    /// offsets of the repeat and of the route it names as matching first,
    /// and the offsets of the two routes `> 1`.
    fn repeated_routes(n: usize, dup: usize) -> (Vec<(u32, u32)>, Vec<u32>) {
        let routes: String = (0..n)
            .map(|i| {
                let k = if i == dup { 1 } else { i };
                format!(" when attempts(s) > {k} -> end declined")
            })
            .collect();
        let src = format!(
            "flow f {{ plan essential screen s {{ -> b }} branch b {{{routes} else -> s }} }}"
        );
        let at: Vec<u32> = src
            .match_indices("attempts(s) > 1 ")
            .map(|(i, _)| i as u32)
            .collect();
        let cat = crate::catalog::Catalog::builtin();
        let found = crate::check_source(&src, &cat)
            .diagnostics
            .iter()
            .filter(|d| d.code == Code::W0303)
            .map(|d| (d.primary.span.start, d.secondary[0].span.start))
            .collect();
        (found, at)
    }

    #[test]
    fn a_repeated_route_is_found_with_few_routes_and_with_many() {
        for n in [3, FEW_ROUTES + 4] {
            let (found, at) = repeated_routes(n, 2);
            assert_eq!(at.len(), 2);
            assert_eq!(found, vec![(at[1], at[0])], "{n} routes");
        }
        assert!(repeated_routes(FEW_ROUTES + 4, usize::MAX).0.is_empty());
    }

    #[test]
    fn equal_conditions_have_equal_shapes_whatever_their_spacing() {
        let conds = conditions(
            r#"flow f { plan growth inquiry { x: int, s: string }
            screen a { collect x, s -> b }
            branch b {
              when inquiry.x == 1 and lower(inquiry.s) in ["a", "b"] -> a
              when inquiry.x==1   and lower( inquiry.s ) in ["a","b"] -> a
              when inquiry.x == 2 and lower(inquiry.s) in ["a", "b"] -> a
              when inquiry.x == 1 and upper(inquiry.s) in ["a", "b"] -> a
              when inquiry.x == 1 and lower(inquiry.s) in ["a"] -> a
              when not (inquiry.x > -1) -> a
              when not (inquiry.x > -1)-> a
              else -> a
            } }"#,
        );
        assert_eq!(conds.len(), 7);
        for a in &conds {
            for b in &conds {
                if same_expr(a, b) {
                    assert_eq!(expr_shape(a), expr_shape(b));
                }
            }
        }
        let shapes: HashSet<u64> = conds.iter().map(expr_shape).collect();
        assert_eq!(shapes.len(), 5, "distinct conditions have distinct shapes");
    }
}
