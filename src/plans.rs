//! The plan pass (E0401-E0406): the catalogue's limits for the flow's plan.
//!
//! Everything comes from the catalogue: which plans exist, their step and
//! route limits, their statements, which plan includes which kind, and
//! which plans may only use a solution. Each diagnostic carries a note with
//! the count or item and the cheapest plan that would allow it (plans are
//! listed in the catalogue from the most limited to the least).

use crate::ast::{self, Call, Item, StepKind, Stmt};
use crate::catalog::{Catalog, PlanSpec, StatementKind};
use crate::diagnostics::{Code, Diagnostic};

fn plan_list(catalog: &Catalog) -> String {
    crate::diagnostics::ticked(catalog.plan_names())
}

/// The first plan (from the most limited) that allows `ok`, other than
/// solution-only ones.
fn cheapest(catalog: &Catalog, ok: impl Fn(&PlanSpec) -> bool) -> Option<&PlanSpec> {
    catalog.plans.iter().find(|p| !p.solution_only && ok(p))
}

fn limit_note(
    count: usize,
    what: &str,
    plan: &PlanSpec,
    max: u32,
    other: Option<&PlanSpec>,
    limit: impl Fn(&PlanSpec) -> Option<u32>,
) -> String {
    let mut n = format!("{count} {what}; plan `{}` allows at most {max}", plan.name);
    if let Some(o) = other {
        match limit(o) {
            None => n.push_str(&format!("; `{}` has no limit", o.name)),
            Some(m) => n.push_str(&format!("; `{}` allows {m}", o.name)),
        }
    }
    n
}

pub fn check(flow: &ast::Flow, catalog: &Catalog, diags: &mut Vec<Diagnostic>) {
    let plan_name = flow
        .items
        .iter()
        .find_map(|i| if let Item::Plan(p) = i { Some(p) } else { None });
    let using = flow.items.iter().find_map(|i| {
        if let Item::UseSolution(u) = i {
            Some(u)
        } else {
            None
        }
    });
    let steps: Vec<&ast::Step> = flow
        .items
        .iter()
        .filter_map(|i| if let Item::Step(s) = i { Some(s) } else { None })
        .collect();
    if let Some(u) = using {
        let own_fields = flow.items.iter().find_map(|i| match i {
            Item::Inquiry(b) | Item::Account(b) if !b.fields.is_empty() => Some(b.span),
            _ => None,
        });
        if let Some(span) = steps.first().map(|s| s.name.span).or(own_fields) {
            diags.push(
                Diagnostic::new(
                    Code::E0404,
                    span,
                    format!(
                        "a flow that uses solution `{}` cannot declare its own steps or fields",
                        u.name.node
                    ),
                )
                .label("declared here")
                .secondary(u.span, "the solution supplies the steps and fields")
                .help("remove `use solution`, or remove the flow's own steps and fields"),
            );
        }
    }
    let Some(plan_name) = plan_name else {
        // A `plan` item that did not parse was already reported.
        if flow.recovery.lost_plan {
            return;
        }
        diags.push(
            Diagnostic::new(
                Code::E0405,
                flow.name.span,
                format!("flow `{}` has no `plan`", flow.name.node),
            )
            .label("a flow must name its plan")
            .help("add `plan NAME` to the flow")
            .note(format!("plans: {}", plan_list(catalog))),
        );
        return;
    };
    let Some(plan) = catalog.plan(&plan_name.node) else {
        let d = Diagnostic::new(
            Code::E0405,
            plan_name.span,
            format!("unknown plan `{}`", plan_name.node),
        )
        .label("not a plan of the catalogue")
        .note(format!("plans: {}", plan_list(catalog)));
        diags.push(d.did_you_mean(&plan_name.node, catalog.plan_names()));
        return;
    };
    if using.is_some() {
        // The solution is checked under its own plan.
        return;
    }
    if plan.solution_only {
        diags.push(
            Diagnostic::new(
                Code::E0404,
                plan_name.span,
                format!("a `{}` flow must use a solution", plan.name),
            )
            .label(format!("plan `{}` allows only `use solution`", plan.name))
            .help(format!(
                "add `use solution NAME` ({})",
                crate::diagnostics::ticked(catalog.solutions.iter().map(|s| s.name.as_str()))
            ))
            .note(cheapest(catalog, |_| true).map_or(String::new(), |p| {
                format!("plan `{}` lets a flow declare its own steps", p.name)
            })),
        );
        return;
    }
    if let Some(max) = plan.max_steps
        && steps.len() > max as usize
    {
        let other = cheapest(catalog, |p| {
            p.max_steps.is_none_or(|m| m as usize >= steps.len())
        });
        let span = steps
            .get(max as usize)
            .map_or(flow.name.span, |s| s.name.span);
        diags.push(
            Diagnostic::new(
                Code::E0401,
                span,
                format!("too many steps for plan `{}`", plan.name),
            )
            .label(format!("step {} of {}", max + 1, steps.len()))
            .secondary(plan_name.span, "the plan")
            .note(limit_note(steps.len(), "steps", plan, max, other, |p| {
                p.max_steps
            })),
        );
    }
    for step in &steps {
        match &step.kind {
            StepKind::Branch(b) => {
                if let Some(max) = plan.max_routes {
                    let n = b.routes.len();
                    if n > max as usize {
                        let other =
                            cheapest(catalog, |p| p.max_routes.is_none_or(|m| m as usize >= n));
                        diags.push(
                            Diagnostic::new(
                                Code::E0406,
                                step.name.span,
                                format!(
                                    "branch `{}` has too many routes for plan `{}`",
                                    step.name.node, plan.name
                                ),
                            )
                            .label(format!("{n} routes"))
                            .note(limit_note(
                                n,
                                "routes (`when` and `else` together)",
                                plan,
                                max,
                                other,
                                |p| p.max_routes,
                            )),
                        );
                    }
                }
            }
            StepKind::Action(a) => stmts(&a.body, plan, catalog, diags),
            _ => {}
        }
    }
}

fn stmts(body: &[Stmt], plan: &PlanSpec, catalog: &Catalog, diags: &mut Vec<Diagnostic>) {
    for s in body {
        let (kind, span) = match s {
            Stmt::Let(l) => match &l.call {
                Call::Verify(k) => (StatementKind::Verify, k.span),
                Call::Report(k) => (StatementKind::Report, k.span),
                Call::Http { method, .. } => (StatementKind::Http, method.span),
            },
            Stmt::Set(x) => (StatementKind::Set, x.span),
            Stmt::Tag(t) => (StatementKind::Tag, t.span),
            Stmt::Case(c) => (StatementKind::Case, c.span),
            Stmt::If(i) => (StatementKind::If, i.cond.span),
        };
        if !plan.statements.contains(&kind) {
            let mut d = Diagnostic::new(
                Code::E0403,
                span,
                format!(
                    "plan `{}` does not include `{}` statements",
                    plan.name,
                    kind.keyword()
                ),
            )
            .label("not in the plan");
            d = d.note(match cheapest(catalog, |p| p.statements.contains(&kind)) {
                Some(p) => format!(
                    "`{}` is first included in plan `{}`",
                    kind.keyword(),
                    p.name
                ),
                None => format!("no plan includes `{}`", kind.keyword()),
            });
            diags.push(d);
        } else if let Stmt::Let(l) = s {
            let spec = match &l.call {
                Call::Verify(k) => catalog
                    .verification(&k.node)
                    .map(|c| (c, k, "verification")),
                Call::Report(k) => catalog.report(&k.node).map(|c| (c, k, "report")),
                Call::Http { .. } => None,
            };
            if let Some((c, k, what)) = spec
                && !c.plans.contains(&plan.name)
            {
                let first = catalog.plans.iter().find(|p| c.plans.contains(&p.name));
                diags.push(
                    Diagnostic::new(
                        Code::E0402,
                        k.span,
                        format!("plan `{}` does not include {what} `{}`", plan.name, k.node),
                    )
                    .label("not in the plan")
                    .note(match first {
                        Some(p) => {
                            format!("{what} `{}` is first included in plan `{}`", k.node, p.name)
                        }
                        None => format!("no plan includes {what} `{}`", k.node),
                    }),
                );
            }
        }
        if let Stmt::If(i) = s {
            stmts(&i.then_body, plan, catalog, diags);
            if let Some(e) = &i.else_body {
                stmts(e, plan, catalog, diags);
            }
        }
    }
}
