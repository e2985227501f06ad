//! # Semantic analysis: from the syntax tree to a [`TypedFlow`]
//!
//! The checker runs in a fixed order, each stage reporting every fault it
//! finds and passing on enough to keep later stages quiet about it:
//!
//! 1. **Header** ([`check_header`]): `plan`, `version`, `start`, `inquiry`,
//!    `account` and `use solution` given at most once (E0104).
//! 2. **Plans** ([`crate::plans`]): the catalogue's plan limits (E0401-E0406).
//! 3. **Names** ([`names`]): fields, steps, results and transitions resolved
//!    once into tables (E0101-E0107, E0301, E0305).
//! 4. **Data flow** ([`crate::flowgraph`]): one forward must-analysis over
//!    the step graph. Its transfer function is the step walker
//!    ([`stmts`]), run with reporting off until the facts stop changing.
//! 5. **Typing**: the same walker runs once more per step on the final
//!    facts, reporting, and builds the typed steps ([`types`] types each
//!    expression under the facts of its point: E0201-E0204, E0303, W0302,
//!    W0303). Steps that cannot be reached are typed as if everything were
//!    known, so they get W0301 and nothing from the analysis.
//! 6. **Graph** rules on the resolved edges: E0302, E0304, W0301.
//! 7. **Tests** ([`tests`]): `test` blocks against the steps, fields and
//!    results, values evaluated.
//! 8. **Lowering** ([`lower`]): the [`TypedFlow`], only when nothing above
//!    was an error.
//!
//! A flow that says `use solution NAME` is checked by checking the
//! solution's own source under its own plan; the caller contributes its
//! name, version and tests.
//!
//! No cascades: a name that failed to resolve gets an error type
//! ([`types::Ty::Err`]) that silences everything after it; an unknown
//! transition target makes its step count as reaching an `end`; a rejected
//! `let` still binds its name.

mod facts;
mod lower;
pub mod names;
mod stmts;
mod tests;
pub mod types;

use crate::ast::{self, Item};
use crate::catalog::Catalog;
use crate::diagnostics::{self, Code, Diagnostic};
use crate::flowgraph::{self, BitSet, Graph};
use crate::typed::{self, StepId, TypedFlow};
use facts::Layout;
use names::{Env, with_suggestion};
use types::Cx;

/// What [`check`] gives: the typed flow when there is no error, and every
/// diagnostic (sorted by position).
#[derive(Debug, Clone)]
pub struct Checked {
    pub flow: Option<TypedFlow>,
    pub diagnostics: Vec<Diagnostic>,
}

/// Checks a parsed file against a catalogue.
pub fn check(file: &ast::File, catalog: &Catalog) -> Checked {
    let mut diags = Vec::new();
    let flow = check_flow(&file.flow, catalog, 0, &mut diags);
    diagnostics::sort(&mut diags);
    let flow = if diags.iter().any(Diagnostic::is_error) {
        None
    } else {
        flow
    };
    Checked {
        flow,
        diagnostics: diags,
    }
}

/// The checked steps of one flow, before tests are added.
struct Body {
    plan: String,
    inquiry: Vec<typed::Field>,
    account: Vec<typed::Field>,
    steps: Vec<typed::Step>,
    start: StepId,
    results: Vec<typed::ResultSlot>,
}

fn check_flow(
    flow: &ast::Flow,
    catalog: &Catalog,
    depth: usize,
    diags: &mut Vec<Diagnostic>,
) -> Option<TypedFlow> {
    let header = check_header(flow, diags);
    crate::plans::check(flow, catalog, diags);
    let version = header.version.unwrap_or(1);
    let tests: Vec<&ast::Test> = flow
        .items
        .iter()
        .filter_map(|i| if let Item::Test(t) = i { Some(t) } else { None })
        .collect();
    if let Some(using) = header.solution {
        let Some(sol) = catalog.solution(&using.name.node) else {
            let d = Diagnostic::new(
                Code::E0105,
                using.name.span,
                format!("unknown solution `{}`", using.name.node),
            )
            .label("not a solution of the catalogue")
            .note(format!(
                "solutions: {}",
                crate::diagnostics::ticked(catalog.solutions.iter().map(|s| s.name.as_str()))
            ));
            diags.push(with_suggestion(
                d,
                &using.name.node,
                catalog.solutions.iter().map(|s| s.name.as_str()),
            ));
            return None;
        };
        let parsed = crate::parser::parse(&sol.source);
        let mut inner = parsed.diagnostics;
        let Some(file) = parsed.file.filter(|_| depth == 0) else {
            diags.push(
                Diagnostic::new(
                    Code::E0404,
                    using.span,
                    format!("solution `{}` cannot be used", sol.name),
                )
                .label("its source does not parse, or it uses another solution"),
            );
            return None;
        };
        let mut test_diags = Vec::new();
        let (body, env_tests) = analyse(&file.flow, catalog, &mut inner, |env, _| {
            tests::check(env, &tests, &mut test_diags)
        });
        // A solution checked under a replaced catalogue may break its rules:
        // report that at the `use`, keeping the code.
        for d in inner.into_iter().filter(Diagnostic::is_error) {
            diags.push(
                Diagnostic::new(
                    d.code,
                    using.span,
                    format!("in solution `{}`: {}", sol.name, d.message),
                )
                .label("this solution does not check"),
            );
        }
        diags.append(&mut test_diags);
        let body = body?;
        return Some(lower::flow(
            flow.name.node.clone(),
            version,
            body,
            env_tests,
        ));
    }
    let (body, tests) = analyse(flow, catalog, diags, |env, diags| {
        tests::check(env, &tests, diags)
    });
    body.map(|b| lower::flow(flow.name.node.clone(), version, b, tests))
}

struct Header<'f> {
    version: Option<i64>,
    solution: Option<&'f ast::UseSolution>,
}

/// E0104 for header items given twice.
fn check_header<'f>(flow: &'f ast::Flow, diags: &mut Vec<Diagnostic>) -> Header<'f> {
    let mut first: [Option<crate::span::Span>; 6] = [None; 6];
    let mut header = Header {
        version: None,
        solution: None,
    };
    for item in &flow.items {
        let (slot, what, span) = match item {
            Item::Plan(n) => (0, "plan", n.span),
            Item::Version(v) => (1, "version", v.span),
            Item::Start(n) => (2, "start", n.span),
            Item::Inquiry(b) => (3, "inquiry", b.span),
            Item::Account(b) => (4, "account", b.span),
            Item::UseSolution(u) => (5, "use solution", u.span),
            Item::Step(_) | Item::Test(_) => continue,
        };
        match first.get_mut(slot) {
            Some(Some(prev)) => diags.push(
                Diagnostic::new(Code::E0104, span, format!("`{what}` is given twice"))
                    .label("second one")
                    .secondary(*prev, "first given here")
                    .help(format!("a flow has at most one `{what}`")),
            ),
            Some(f) => {
                *f = Some(span);
                match item {
                    Item::Version(v) => header.version = Some(v.node),
                    Item::UseSolution(u) => header.solution = Some(u),
                    _ => {}
                }
            }
            None => {}
        }
    }
    header
}

/// Names, data flow, typing and graph rules for one flow's own steps;
/// `with_env` checks the tests while the name tables are alive.
fn analyse<T>(
    flow: &ast::Flow,
    catalog: &Catalog,
    diags: &mut Vec<Diagnostic>,
    with_env: impl FnOnce(&Env, &mut Vec<Diagnostic>) -> T,
) -> (Option<Body>, T) {
    let env = names::collect(flow, catalog, diags);
    let layout = Layout::new(&env);
    let n = env.steps.len();
    let mut graph = Graph::new(n);
    for (s, l) in env.links.iter().enumerate() {
        if env.duplicate.get(s).copied().unwrap_or(false) {
            continue;
        }
        for t in l.next.iter().chain(&l.on_error).chain(&l.routes).flatten() {
            if let typed::Target::Step(t) = t {
                graph.add_edge(s as StepId, *t);
            }
        }
    }
    let mut cx = Cx {
        env: &env,
        layout: &layout,
        diags: Vec::new(),
        emit: false,
        unreachable: false,
        unwritten: std::collections::HashSet::new(),
    };
    let bits = layout.bits();
    let entry = match env.start {
        Some(start) => flowgraph::fixpoint(n, start, BitSet::empty(bits), |s, facts| {
            if env.duplicate.get(s as usize).copied().unwrap_or(false) {
                return Vec::new();
            }
            cx.walk_step(s, facts).map(|o| o.edges).unwrap_or_default()
        }),
        None => vec![None; n],
    };
    // The final pass: report, and build the typed steps.
    cx.emit = true;
    let everything = BitSet::full(bits);
    let mut steps = Vec::with_capacity(n);
    let mut had_error = vec![false; n];
    for (s, step) in env.steps.iter().enumerate() {
        let reached = entry.get(s).and_then(Option::as_ref);
        cx.unreachable = reached.is_none();
        let facts = reached.unwrap_or(&everything);
        let before = cx.diags.len();
        if let Some(out) = cx.walk_step(s as StepId, facts) {
            steps.push(typed::Step {
                name: step.name.node.clone(),
                doc: step.doc.clone(),
                kind: out.kind,
                span: step.span,
                reachable: reached.is_some(),
            });
        }
        // Only this step's diagnostics: linear however many there are.
        if let Some(h) = had_error.get_mut(s) {
            *h = cx
                .diags
                .get(before..)
                .is_some_and(|d| d.iter().any(Diagnostic::is_error));
        }
    }
    diags.append(&mut cx.diags);
    graph_rules(&env, &graph, &entry, &had_error, diags);
    let tests = with_env(&env, diags);
    let body = env.start.map(|start| Body {
        plan: flow
            .items
            .iter()
            .find_map(|i| {
                if let Item::Plan(p) = i {
                    Some(p.node.clone())
                } else {
                    None
                }
            })
            .unwrap_or_default(),
        inquiry: env.inquiry.iter().map(typed_field).collect(),
        account: env.account.iter().map(typed_field).collect(),
        steps,
        start,
        results: env
            .results
            .iter()
            .map(|r| typed::ResultSlot {
                name: r.name.clone(),
                call: r.call.clone(),
                fields: r.fields.clone(),
                span: r.span,
            })
            .collect(),
    });
    (body, tests)
}

/// W0301, E0302 and E0304.
fn graph_rules(
    env: &Env,
    graph: &Graph,
    entry: &[Option<BitSet>],
    had_error: &[bool],
    diags: &mut Vec<Diagnostic>,
) {
    let dup = |s: usize| env.duplicate.get(s).copied().unwrap_or(false);
    let reachable: Vec<bool> = entry.iter().map(Option::is_some).collect();
    if !env.start_broken {
        for (s, step) in env.steps.iter().enumerate() {
            if !reachable.get(s).copied().unwrap_or(false) && !dup(s) {
                diags.push(
                    Diagnostic::new(
                        Code::W0301,
                        step.name.span,
                        format!(
                            "{} `{}` can never be reached",
                            step.kind.keyword(),
                            step.name.node
                        ),
                    )
                    .label("no path from the start step leads here")
                    .help("remove it, or add a transition to it"),
                );
            }
        }
    }
    // E0304: cycles through no screen. Computed first: a step on such a
    // cycle counts as an exit for E0302, so a screenless loop with no way
    // out is one fault (E0304), not two.
    let keep: Vec<bool> = env
        .steps
        .iter()
        .enumerate()
        .map(|(s, st)| !matches!(st.kind, ast::StepKind::Screen(_)) && !dup(s))
        .collect();
    let cycles = graph.cycles(&keep);
    let on_cycle: std::collections::HashSet<StepId> = cycles.iter().flatten().copied().collect();
    // E0302: reachable steps from which no `end` can be reached. A step
    // with an error counts as reaching one, so it does not cascade.
    let exits: Vec<StepId> = env
        .links
        .iter()
        .enumerate()
        .filter(|(s, l)| {
            l.broken
                || had_error.get(*s).copied().unwrap_or(false)
                || on_cycle.contains(&(*s as StepId))
                || l.next
                    .iter()
                    .chain(&l.on_error)
                    .chain(&l.routes)
                    .any(|t| matches!(t, Some(typed::Target::End(_))))
        })
        .map(|(s, _)| s as StepId)
        .collect();
    let co = graph.reversed().reachable(&exits);
    let stuck = |s: usize| {
        reachable.get(s).copied().unwrap_or(false) && !co.get(s).copied().unwrap_or(true) && !dup(s)
    };
    let preds = graph.reversed();
    for (s, step) in env.steps.iter().enumerate() {
        if !stuck(s) {
            continue;
        }
        // Report once per closed region: at the steps where it is entered.
        let entered = env.start == Some(s as StepId)
            || preds.succ.get(s).is_some_and(|ps| {
                ps.iter().any(|&p| {
                    !stuck(p as usize) && reachable.get(p as usize).copied().unwrap_or(false)
                })
            });
        if !entered {
            continue;
        }
        let region = graph
            .reachable(&[s as StepId])
            .iter()
            .filter(|&&b| b)
            .count();
        let mut d = Diagnostic::new(
            Code::E0302,
            step.name.span,
            format!(
                "no `end` can be reached from {} `{}`",
                step.kind.keyword(),
                step.name.node
            ),
        )
        .label("every path from here loops without ending")
        .help("add a route or transition to `end STATUS` on the way");
        if region > 1 {
            d = d.note(format!(
                "{region} steps are reachable from here and none of them reaches an `end`"
            ));
        }
        diags.push(d);
    }
    for comp in &cycles {
        let Some(&head) = comp.first() else { continue };
        let Some(step) = env.steps.get(head as usize) else {
            continue;
        };
        let names = comp
            .iter()
            .filter_map(|&s| env.steps.get(s as usize))
            .map(|s| format!("`{}`", s.name.node))
            .collect::<Vec<_>>()
            .join(" -> ");
        let mut d = Diagnostic::new(
            Code::E0304,
            step.name.span,
            format!(
                "a cycle through no screen passes through {} `{}`",
                step.kind.keyword(),
                step.name.node
            ),
        )
        .label("this step can be entered again without showing a screen")
        .note(format!("the cycle's steps: {names}"))
        .help("route the loop through a `screen`, or give it a way out that does not return");
        if let Some(back) = comp.iter().rev().find(|&&u| {
            graph
                .succ
                .get(u as usize)
                .is_some_and(|ts| ts.contains(&head))
        }) && let Some(b) = env.steps.get(*back as usize)
        {
            d = d.secondary(
                b.name.span,
                format!("`{}` leads back to `{}`", b.name.node, step.name.node),
            );
        }
        diags.push(d);
    }
}

/// A declared field as the typed flow records it.
fn typed_field(f: &names::FieldInfo) -> typed::Field {
    typed::Field {
        name: f.name.clone(),
        ty: f.ty,
        span: f.span,
    }
}
