//! Rules on the resolved step graph (§4): W0301 (a step no path reaches),
//! E0302 (a step from which no `end` can be reached) and E0304 (a cycle
//! through no screen). They read the name tables' links and the entry facts
//! of the data flow (a step with no facts was never reached).

use super::names::Env;
use crate::ast;
use crate::diagnostics::{Code, Diagnostic};
use crate::flowgraph::{BitSet, Graph};
use crate::typed::{self, StepId};

/// W0301, E0302 and E0304.
pub(super) fn rules(
    env: &Env,
    graph: &Graph,
    entry: &[Option<BitSet>],
    had_error: &[bool],
    diags: &mut Vec<Diagnostic>,
) {
    let dup = |s: usize| env.duplicate.get(s).copied().unwrap_or(false);
    let reachable: Vec<bool> = entry.iter().map(Option::is_some).collect();
    // A step lost to a syntax error may have led anywhere.
    if !env.start_broken && !env.recovery.lost_start && !env.recovery.lost_step_name {
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
        .map(|(s, st)| {
            // A broken step may hold anything, a screen's pause too.
            !matches!(
                st.kind,
                ast::StepKind::Screen(_) | ast::StepKind::Broken { .. }
            ) && !dup(s)
        })
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
