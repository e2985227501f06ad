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
//!    (`stmts`), run with reporting off until the facts stop changing.
//! 5. **Typing**: the same walker runs once more per step on the final
//!    facts, reporting, and builds the typed steps (a step whose last walk
//!    in the fixpoint would have reported nothing keeps that walk's typed
//!    step instead). [`expr`] types each
//!    expression under the facts of its point (E0103, E0106, E0108, E0303,
//!    narrowing), `operators` the operators and built-in calls
//!    (E0201-E0204), and `consts` answers what W0302 and W0303 ask
//!    (constant conditions, repeated routes, reads of user input). Steps
//!    that cannot be reached are typed as if everything were known, so they
//!    get W0301 and nothing from the analysis.
//! 6. **Graph** rules on the resolved edges (`graph`): E0302, E0304, W0301.
//! 7. **Test blocks** (`test_blocks`): `test` blocks against the steps,
//!    fields and results, values evaluated.
//! 8. **Lowering** (`lower`): the [`TypedFlow`], only when nothing above
//!    was an error.
//!
//! A flow that says `use solution NAME` is checked by checking the
//! solution's own source under its own plan; the caller contributes its
//! name, version and tests.
//!
//! No cascades: a name that failed to resolve gets an error type
//! ([`expr::Ty::Err`]) that silences everything after it; an unknown
//! transition target makes its step count as reaching an `end`; a rejected
//! `let` still binds its name. The same holds after a syntax error: a step
//! that did not parse (`ast::StepKind::Broken`) may do anything, and what
//! the parser lost (`ast::Recovery`) silences only the diagnostics the lost
//! part could have avoided ([`hidden_by_recovery`]).

mod choice;
mod consts;
pub mod expr;
mod facts;
mod graph;
mod lower;
pub mod names;
mod operators;
mod stmts;
mod test_blocks;

use crate::ast::{self, Item};
use crate::catalog::Catalog;
use crate::diagnostics::{self, Code, Diagnostic};
use crate::flowgraph::{self, BitSet, Graph};
use crate::typed::{self, StepId, TypedFlow};
use expr::Cx;
use facts::Layout;
use names::Env;

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
    diags.retain(|d| !hidden_by_recovery(&file.flow, d));
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

/// A diagnostic that a part lost to a syntax error could have avoided
/// (SPEC §8.1): an unknown step when some step's name was lost, an unknown
/// name when a broken action might bind it as a result, an unknown field of
/// a record block that broke. The checker types these as errors silently,
/// so dropping the diagnostic leaves no cascade behind.
fn hidden_by_recovery(flow: &ast::Flow, d: &Diagnostic) -> bool {
    let r = &flow.recovery;
    // Only an action binds results (`let`).
    let broken_action = || {
        flow.items.iter().any(|i| {
            matches!(
                i,
                Item::Step(ast::Step {
                    kind: ast::StepKind::Broken { keyword: "action" },
                    ..
                })
            )
        })
    };
    match d.code {
        Code::E0101 => r.lost_step_name,
        Code::E0106 => r.lost_step_name || broken_action(),
        // Every E0103 message names its record: "unknown inquiry field ...".
        Code::E0103 => {
            (r.inquiry_open && d.message.starts_with("unknown inquiry field"))
                || (r.account_open && d.message.starts_with("unknown account field"))
        }
        _ => false,
    }
}

/// The checked steps of one flow, before tests are added.
struct Body {
    plan: String,
    choices: crate::types::ChoiceTable,
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
            diags.push(d.did_you_mean(
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
            test_blocks::check(env, &tests, &mut test_diags)
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
        test_blocks::check(env, &tests, diags)
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
    let mut env = names::collect(flow, catalog, diags);
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
        muted: 0,
        unreachable: false,
        unwritten: std::collections::HashSet::new(),
        in_expect: false,
    };
    let bits = layout.bits();
    // The typed step of each step's latest walk in the fixpoint, kept when
    // that walk would have reported nothing: its facts were the final ones
    // (a change would have walked it again), so the final pass, which
    // differs from it only in reporting, need not walk it again.
    let mut walked: Vec<Option<typed::StepKind>> =
        std::iter::repeat_with(|| None).take(n).collect();
    let entry = match env.start {
        Some(start) => flowgraph::fixpoint(&graph, start, BitSet::empty(bits), |s, facts| {
            if env.duplicate.get(s as usize).copied().unwrap_or(false) {
                return Vec::new();
            }
            let muted = cx.muted;
            let Some(out) = cx.walk_step(s, facts) else {
                return Vec::new();
            };
            if let Some(slot) = walked.get_mut(s as usize) {
                *slot = (cx.muted == muted).then_some(out.kind);
            }
            out.edges
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
        let typed_step = |kind| typed::Step {
            name: step.name.node.clone(),
            doc: step.doc.clone(),
            kind,
            span: step.span,
            reachable: reached.is_some(),
        };
        if reached.is_some()
            && let Some(kind) = walked.get_mut(s).and_then(Option::take)
        {
            steps.push(typed_step(kind));
            continue;
        }
        cx.unreachable = reached.is_none();
        let facts = reached.unwrap_or(&everything);
        let before = cx.diags.len();
        match cx.walk_step(s as StepId, facts) {
            Some(out) => steps.push(typed_step(out.kind)),
            // A typed flow missing a step would shift every later step id.
            None => cx.diags.push(crate::invariant::diagnostic(
                "every-step-walks",
                step.span,
                format_args!("step `{}` has no links", step.name.node),
            )),
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
    graph::rules(&env, &graph, &entry, &had_error, diags);
    let tests = with_env(&env, diags);
    // The tables are done with: the typed flow takes their contents.
    let results = std::mem::take(&mut env.results)
        .into_iter()
        .map(|r| typed::ResultSlot {
            name: r.name,
            call: r.call,
            fields: r.fields,
            span: r.span,
        })
        .collect();
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
        choices: std::mem::take(&mut env.choices),
        inquiry: env.inquiry.iter().map(typed_field).collect(),
        account: env.account.iter().map(typed_field).collect(),
        steps,
        start,
        results,
    });
    (body, tests)
}

/// A declared field as the typed flow records it.
fn typed_field(f: &names::FieldInfo) -> typed::Field {
    typed::Field {
        name: f.name.clone(),
        ty: f.ty,
        label: f.label.clone(),
        span: f.span,
    }
}
