//! A generator of well-typed flows, as source text.
//!
//! Steps are laid out in order `st0, st1, ...`; `st0` is the start. Every
//! primary transition (a screen's, an action's `->`, a connector's, a
//! branch's `else`) goes forward or to an `end`, so an `end` is reachable
//! from every step (no E0302). Only `when` routes and `on error` may go
//! back, and only to a screen, so every cycle passes through a screen (no
//! E0304).
//!
//! The generator carries its own must-facts, like the checker's data flow:
//! inquiry fields written, fields and result fields known present, results
//! bound, verifications known `passed`, captures taken. A step's facts are
//! the meet of what its forward predecessors give it. A back edge to screen
//! `k` is made only when its facts include those of `k` already, so it
//! changes nothing at `k`: the facts the generator computed are a solution
//! of the data-flow equations, hence below the checker's (its greatest
//! solution), and every read the generator makes is one the checker
//! accepts. Expressions read only what the facts allow, with the types the
//! facts give (`R.f` is a value only where `R` is known `passed` or `R.f`
//! known `!= none`). At an `on error` target the facts are those that held
//! before every call of the action, as the checker has them.
//!
//! To give the checker's promises a hard time, reads that are values only
//! thanks to narrowing are preferred, `set` often writes a field known
//! present (often with `none`), and some steps are *handlers*: only `when`
//! routes and `on error` lead to them, and narrowed facts go preferably to
//! a handler nothing leads to yet, so they arrive there unmixed.

use crate::choices::Choices;
use flowc::unstable::catalog::{CallSpec, Catalog};
use flowc::unstable::types::{BaseType, Type};
use std::fmt::Write;

/// Results a flow may bind (the width of the fact masks).
const MAX_RESULTS: usize = 24;
const MAX_STEPS: usize = 16;
const MAX_FIELDS: usize = 7;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Facts {
    written: u32,
    present: u32,
    bound: u32,
    passed: u32,
    fpresent: [u8; MAX_RESULTS],
    captures: u8,
}

impl Facts {
    const EMPTY: Facts = Facts {
        written: 0,
        present: 0,
        bound: 0,
        passed: 0,
        fpresent: [0; MAX_RESULTS],
        captures: 0,
    };

    fn meet(&self, o: &Facts) -> Facts {
        let mut fpresent = [0; MAX_RESULTS];
        for (i, slot) in fpresent.iter_mut().enumerate() {
            *slot = self.fpresent[i] & o.fpresent[i];
        }
        Facts {
            written: self.written & o.written,
            present: self.present & o.present,
            bound: self.bound & o.bound,
            passed: self.passed & o.passed,
            fpresent,
            captures: self.captures & o.captures,
        }
    }

    /// Does `self` know everything `o` knows?
    fn covers(&self, o: &Facts) -> bool {
        self.meet(o) == *o
    }

    fn write(&mut self, f: usize) {
        self.written |= 1 << f;
        self.present &= !(1 << f);
    }

    fn bind(&mut self, r: usize) {
        self.bound |= 1 << r;
        self.passed &= !(1 << r);
        self.fpresent[r] = 0;
    }

    fn is_bound(&self, r: usize) -> bool {
        self.bound & (1 << r) != 0
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Screen,
    Action,
    Branch,
    Connector,
}

#[derive(Debug, Clone, Copy)]
enum Target {
    Step(usize),
    End(&'static str),
}

struct Res {
    name: String,
    fields: Vec<(String, Type)>,
    verification: bool,
}

const STATUSES: [&str; 5] = [
    "approved",
    "declined",
    "completed",
    "failed",
    "needs_review",
];
const CAPTURES: [&str; 3] = ["government_id", "selfie", "document"];
const BASES: [BaseType; 5] = [
    BaseType::String,
    BaseType::Int,
    BaseType::Bool,
    BaseType::Date,
    BaseType::Status,
];

/// String literals, as flow source (escapes included).
const STRINGS: [&str; 10] = [
    "\"Ada\"",
    "\"\"",
    "\" x \"",
    "\"Äß\"",
    "\"İ\"",
    "\"ǅ\"",
    "\"a\\\"b\\\\\"",
    "\"\\u{1F600}\\n\"",
    "\"Lovelace\"",
    "\"ada\"",
];
const INTS: [&str; 9] = [
    "0",
    "1",
    "3",
    "-2",
    "18",
    "9_223_372_036_854_775_807",
    "4611686018427387904",
    "-9223372036854775807",
    "100",
];
const DATES: [&str; 7] = [
    "@1815-12-10",
    "@2000-02-29",
    "@2026-11-25",
    "@1970-01-01",
    "@0001-01-01",
    "@9999-12-31",
    "@2008-03-01",
];
/// `matches` patterns (§8.2), as flow source: each compiles.
const PATTERNS: [&str; 8] = [
    "\"[A-Z][a-z]*\"",
    "\"(?i)ada\"",
    "\".*\"",
    "\"\"",
    "\"\\\\s*x\\\\s*\"",
    "\"[^a-z]+\"",
    "\"Ä.|İ\"",
    "\"a|ada|\\\\d+\"",
];
/// Day counts for date arithmetic.
const DAYS: [&str; 6] = ["1", "30", "365", "-1", "-36500", "0"];
const STATUS_NAMES: [&str; 3] = ["passed", "failed", "requires_retry"];

pub struct FlowGen<'a> {
    c: &'a mut Choices,
    cat: &'a Catalog,
    plan: &'static str,
    inquiry: Vec<(String, Type)>,
    account: Vec<(String, Type)>,
    kinds: Vec<Kind>,
    /// Steps that only `when` routes and `on error` lead to, so that what
    /// a route or a failing action knows reaches them unmixed.
    handler: Vec<bool>,
    facts_in: Vec<Option<Facts>>,
    results: Vec<Res>,
    texts: usize,
}

/// Makes one flow from the choices.
pub fn flow(c: &mut Choices, cat: &Catalog) -> String {
    let plan = if c.chance(30) { "enterprise" } else { "growth" };
    let mut inquiry = Vec::new();
    for i in 0..1 + c.below(MAX_FIELDS) {
        let base = BASES[c.below(BASES.len())];
        let optional = c.chance(40);
        inquiry.push((
            format!("f{i}"),
            Type {
                base,
                optional,
                choice: None,
            },
        ));
    }
    let mut account = Vec::new();
    for i in 0..c.below(4) {
        let base = BASES[c.below(BASES.len())];
        let optional = c.chance(50);
        account.push((
            format!("a{i}"),
            Type {
                base,
                optional,
                choice: None,
            },
        ));
    }
    let n = if c.chance(90) {
        3 + c.below(MAX_STEPS - 2)
    } else {
        1 + c.below(3)
    };
    let kinds = (0..n)
        .map(|j| match c.below(20) {
            _ if j == 0 && c.chance(80) => Kind::Screen,
            0..=5 => Kind::Screen,
            6..=12 => Kind::Action,
            13..=17 => Kind::Branch,
            _ => Kind::Connector,
        })
        .collect();
    let handler = (0..n).map(|j| j > 0 && c.chance(35)).collect();
    let mut g = FlowGen {
        c,
        cat,
        plan,
        inquiry,
        account,
        kinds,
        handler,
        facts_in: vec![None; n],
        results: Vec::new(),
        texts: 0,
    };
    if let Some(f) = g.facts_in.first_mut() {
        *f = Some(Facts::EMPTY);
    }
    let mut steps = String::new();
    for j in 0..n {
        g.step(j, &mut steps);
    }

    let decl = |fields: &[(String, Type)]| {
        fields
            .iter()
            .map(|(n, t)| format!("{n}: {t}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut out = format!(
        "flow gen {{\n  plan {plan}\n  inquiry {{ {} }}\n",
        decl(&g.inquiry)
    );
    if !g.account.is_empty() {
        let _ = writeln!(out, "  account {{ {} }}", decl(&g.account));
    }
    out.push_str(&steps);
    out.push_str("}\n");
    out
}

impl FlowGen<'_> {
    fn n(&self) -> usize {
        self.kinds.len()
    }

    fn end(&mut self) -> Target {
        Target::End(STATUSES[self.c.below(STATUSES.len())])
    }

    /// A forward step, or sometimes an end in the second half of the flow
    /// (option 0: the next step).
    fn forward(&mut self, j: usize) -> Target {
        let next: Vec<usize> = (j + 1..self.n())
            .filter(|&k| !self.handler[k])
            .take(3)
            .collect();
        if next.is_empty() || (2 * j >= self.n() && self.c.below(6) == 5) {
            return self.end();
        }
        Target::Step(next[self.c.below(next.len())])
    }

    /// A target for a `when` route or `on error`: forward (often a
    /// handler), an end, or back to a screen whose facts `facts` covers.
    fn any_target(&mut self, j: usize, facts: &Facts) -> Target {
        // Narrowed facts go to a handler that nothing leads to yet, so that
        // they hold there unmixed.
        let narrowed =
            facts.present != 0 || facts.passed != 0 || facts.fpresent.iter().any(|&b| b != 0);
        if narrowed && self.c.chance(70) {
            let fresh: Vec<usize> = (j + 1..self.n())
                .filter(|&k| self.handler[k] && self.facts_in[k].is_none())
                .collect();
            if let Some(&k) = self.c.pick(&fresh) {
                return Target::Step(k);
            }
        }
        if self.c.chance(35) {
            let back: Vec<usize> = (0..=j)
                .filter(|&k| {
                    self.kinds[k] == Kind::Screen
                        && facts.covers(&self.facts_in[k].unwrap_or(Facts::EMPTY))
                })
                .collect();
            if let Some(&k) = self.c.pick(&back) {
                return Target::Step(k);
            }
        }
        if self.c.chance(40) {
            let handlers: Vec<usize> = (j + 1..self.n()).filter(|&k| self.handler[k]).collect();
            if let Some(&k) = self.c.pick(&handlers) {
                return Target::Step(k);
            }
        }
        self.forward(j)
    }

    /// Records an edge and renders its target.
    fn edge(&mut self, t: Target, facts: &Facts) -> String {
        match t {
            Target::End(s) => format!("end {s}"),
            Target::Step(k) => {
                // A back edge covers the target's facts: the meet keeps them.
                if let Some(slot) = self.facts_in.get_mut(k) {
                    *slot = Some(slot.map_or(*facts, |p| p.meet(facts)));
                }
                format!("st{k}")
            }
        }
    }

    fn step(&mut self, j: usize, out: &mut String) {
        let entry = self.facts_in[j].unwrap_or(Facts::EMPTY);
        match self.kinds[j] {
            Kind::Screen => {
                let mut facts = entry;
                let mut collects = Vec::new();
                let first = j == 0;
                for (i, (name, _)) in self.inquiry.iter().enumerate() {
                    if self.c.chance(if first { 75 } else { 35 }) {
                        collects.push(name.clone());
                        facts.write(i);
                    }
                }
                let mut captures = Vec::new();
                for (i, cap) in CAPTURES.iter().enumerate() {
                    if self.c.chance(if first { 60 } else { 25 }) {
                        captures.push(*cap);
                        facts.captures |= 1 << i;
                    }
                }
                let t = self.forward(j);
                let next = self.edge(t, &facts);
                let mut body = String::new();
                if !collects.is_empty() {
                    let _ = write!(body, "collect {} ", collects.join(", "));
                }
                if !captures.is_empty() {
                    let _ = write!(body, "capture {} ", captures.join(", "));
                }
                let _ = writeln!(out, "  screen st{j} {{ {body}-> {next} }}");
            }
            Kind::Connector => {
                let t = self.forward(j);
                let next = self.edge(t, &entry);
                let _ = writeln!(out, "  connector st{j} {{ -> {next} }}");
            }
            Kind::Branch => {
                let _ = writeln!(out, "  branch st{j} {{");
                for _ in 0..1 + self.c.below(3) {
                    let (cond, facts) = self.cond(&entry, 3);
                    let t = self.any_target(j, &facts);
                    let t = self.edge(t, &facts);
                    let _ = writeln!(out, "    when {cond} -> {t}");
                }
                let t = self.forward(j);
                let t = self.edge(t, &entry);
                let _ = writeln!(out, "    else -> {t}\n  }}");
            }
            Kind::Action => {
                let _ = writeln!(out, "  action st{j} {{");
                let mut facts = entry;
                let mut at_calls = None;

                self.stmts(&mut facts, &mut at_calls, 0, out);
                let t = self.forward(j);
                let t = self.edge(t, &facts);
                let _ = writeln!(out, "    -> {t}");
                if self.c.chance(45) {
                    // What held before every call (the checker's rule).
                    let on_error = at_calls.unwrap_or(entry);
                    let t = self.any_target(j, &on_error);
                    let t = self.edge(t, &on_error);
                    let _ = writeln!(out, "    on error -> {t}");
                }
                let _ = writeln!(out, "  }}");
            }
        }
    }

    /// A statement list; `at_calls` meets the facts before every call.
    fn stmts(
        &mut self,
        facts: &mut Facts,
        at_calls: &mut Option<Facts>,
        depth: usize,
        out: &mut String,
    ) {
        let pad = "  ".repeat(depth + 2);
        for _ in 0..self.c.count(5) {
            match self.c.below(16) {
                0 | 1 => {
                    let text = self.text(facts, "t");
                    let _ = writeln!(out, "{pad}tag {text}");
                }
                2..=4 => {
                    // Often a field known present, often with `none`: a
                    // write ends what was known about it.
                    let known: Vec<usize> = (0..self.inquiry.len())
                        .filter(|&i| facts.present & (1 << i) != 0)
                        .collect();
                    let i = match self.c.pick(&known) {
                        Some(&i) if self.c.chance(50) => i,
                        _ => self.c.below(self.inquiry.len()),
                    };
                    let (name, ty) = self.inquiry[i].clone();
                    let v = if ty.optional && self.c.chance(30) {
                        "none".to_string()
                    } else {
                        self.value(facts, ty.base, ty.optional, ty.optional, 2)
                    };
                    facts.write(i);
                    let _ = writeln!(out, "{pad}set inquiry.{name} = {v}");
                }
                5 | 6 if !self.account.is_empty() => {
                    let i = self.c.below(self.account.len());
                    let (name, ty) = self.account[i].clone();
                    let v = self.value(facts, ty.base, ty.optional, ty.optional, 2);
                    let _ = writeln!(out, "{pad}set account.{name} = {v}");
                }
                7..=9 => self.call(facts, at_calls, CallKindG::Verify, &pad, out),
                10 => self.call(facts, at_calls, CallKindG::Report, &pad, out),
                11 => self.call(facts, at_calls, CallKindG::Http, &pad, out),
                12 => {
                    let text = self.text(facts, "q");
                    let _ = writeln!(out, "{pad}case {text}");
                }
                _ if depth < 2 => {
                    let (cond, mut then_facts) = self.cond(facts, 3);
                    let _ = writeln!(out, "{pad}if {cond} {{");
                    self.stmts(&mut then_facts, at_calls, depth + 1, out);
                    if self.c.chance(50) {
                        let _ = writeln!(out, "{pad}}} else {{");
                        self.stmts(facts, at_calls, depth + 1, out);
                    }
                    let _ = writeln!(out, "{pad}}}");
                    *facts = facts.meet(&then_facts);
                }
                _ => {
                    self.texts += 1;
                    let _ = writeln!(out, "{pad}tag \"t{}\"", self.texts);
                }
            }
        }
    }

    /// The text of a `tag` or `case`: a fresh literal, or (§8.2) a
    /// literal joined with a string expression.
    fn text(&mut self, facts: &Facts, prefix: &str) -> String {
        self.texts += 1;
        let n = self.texts;
        if self.c.chance(30) {
            let e = self.value(facts, BaseType::String, false, false, 2);
            format!("\"{prefix}{n}-\" + {e}")
        } else {
            format!("\"{prefix}{n}\"")
        }
    }

    fn call(
        &mut self,
        facts: &mut Facts,
        at_calls: &mut Option<Facts>,
        kind: CallKindG,
        pad: &str,
        out: &mut String,
    ) {
        let r = self.results.len();
        if r >= MAX_RESULTS {
            return;
        }
        let name = format!("r{r}");
        let (head, args, fields, verification) = match kind {
            CallKindG::Verify | CallKindG::Report => {
                let specs: &[CallSpec] = if kind == CallKindG::Verify {
                    &self.cat.verifications
                } else {
                    &self.cat.reports
                };
                let plan = self.plan;
                let usable: Vec<&CallSpec> = specs
                    .iter()
                    .filter(|s| s.plans.iter().any(|p| p == plan))
                    .filter(|s| {
                        s.capture.as_ref().is_none_or(|c| {
                            CAPTURES
                                .iter()
                                .position(|k| k == c)
                                .is_some_and(|i| facts.captures & (1 << i) != 0)
                        })
                    })
                    .collect();
                let Some(spec) = self.c.pick(&usable).copied() else {
                    return;
                };
                let mut args = Vec::new();
                for p in &spec.args {
                    if !p.optional || self.c.chance(40) {
                        let v = self.value(facts, p.ty, false, false, 2);
                        args.push(format!("{}: {v}", p.name));
                    }
                }
                let word = if kind == CallKindG::Verify {
                    "verify"
                } else {
                    "report"
                };
                let fields = spec
                    .results
                    .iter()
                    .map(|p| (p.name.clone(), p.result_type()))
                    .collect();
                (
                    format!("{word} {}", spec.name),
                    args,
                    fields,
                    kind == CallKindG::Verify,
                )
            }
            CallKindG::Http => {
                let method = if self.c.chance(50) { "get" } else { "post" };
                let mut args = Vec::new();
                for k in 0..self.c.below(4) {
                    let base = BASES[self.c.below(BASES.len())];
                    let v = self.value(facts, base, true, true, 2);
                    args.push(format!("k{k}: {v}"));
                }
                let fields = self
                    .cat
                    .http
                    .results
                    .iter()
                    .map(|p| (p.name.clone(), p.result_type()))
                    .collect();
                (
                    format!("http {method} \"https://h{r}.example/x\""),
                    args,
                    fields,
                    false,
                )
            }
        };
        let mut tail = String::new();
        if self.c.chance(50) {
            let _ = write!(tail, " retry {}", self.c.below(6));
        }
        if self.c.chance(25) {
            let t = ["1s", "30s", "15m", "24h", "2h"][self.c.below(5)];
            let _ = write!(tail, " timeout {t}");
        }
        let _ = writeln!(
            out,
            "{pad}let {name} = {head} {{ {} }}{tail}",
            args.join(", ")
        );
        *at_calls = Some(at_calls.map_or(*facts, |a| a.meet(facts)));
        facts.bind(r);
        self.results.push(Res {
            name,
            fields,
            verification,
        });
    }

    /// A condition and the facts that hold where it is true.
    fn cond(&mut self, facts: &Facts, depth: usize) -> (String, Facts) {
        let mut out = *facts;
        // Narrowing conjuncts are weighted up: they are what the checker's
        // promises rest on.
        let choice = if depth == 0 {
            [0, 1, 1, 2, 2, 3, 10][self.c.below(7)]
        } else {
            [0, 1, 1, 2, 2, 3, 4, 4, 5, 6, 7, 8, 9, 10][self.c.below(14)]
        };
        let text = match choice {
            0 => self.value(facts, BaseType::Bool, false, false, 0),
            1 => {
                // R.status == passed
                let vs: Vec<usize> = (0..self.results.len())
                    .filter(|&r| self.results[r].verification && facts.is_bound(r))
                    .collect();
                match self.c.pick(&vs).copied() {
                    Some(r) => {
                        out.passed |= 1 << r;
                        let name = &self.results[r].name;
                        if self.c.chance(20) {
                            format!("passed == {name}.status")
                        } else {
                            format!("{name}.status == passed")
                        }
                    }
                    None => self.compare(facts, depth),
                }
            }
            2 => {
                // PATH != none
                let mut paths: Vec<(Option<usize>, usize)> = (0..self.inquiry.len())
                    .filter(|&i| self.inquiry[i].1.optional)
                    .map(|i| (None, i))
                    .collect();
                for r in 0..self.results.len() {
                    if facts.is_bound(r) {
                        for (k, (_, t)) in self.results[r].fields.iter().enumerate() {
                            if t.optional {
                                paths.push((Some(r), k));
                            }
                        }
                    }
                }
                match self.c.pick(&paths).copied() {
                    Some((None, i)) => {
                        out.present |= 1 << i;
                        format!("inquiry.{} != none", self.inquiry[i].0)
                    }
                    Some((Some(r), k)) => {
                        out.fpresent[r] |= 1 << k;
                        let res = &self.results[r];
                        if self.c.chance(20) {
                            format!("none != {}.{}", res.name, res.fields[k].0)
                        } else {
                            format!("{}.{} != none", res.name, res.fields[k].0)
                        }
                    }
                    None => self.compare(facts, depth),
                }
            }
            3 => self.compare(facts, depth),
            4 | 5 => {
                let (a, fa) = self.cond(facts, depth - 1);
                let (b, fb) = self.cond(&fa, depth - 1);
                out = fb;
                format!("({a} and {b})")
            }
            6 => {
                let (a, _) = self.cond(facts, depth - 1);
                let (b, _) = self.cond(facts, depth - 1);
                format!("({a} or {b})")
            }
            7 => {
                let (a, _) = self.cond(facts, depth - 1);
                format!("not ({a})")
            }
            8 => {
                // A loop's way out.
                let s = self.c.below(self.n());
                format!("attempts(st{s}) < {}", 1 + self.c.below(3))
            }
            10 => self.string_test(facts, depth),
            9 => {
                let base = self.base_of(facts, &BASES, false);
                let v = self.value(facts, base, false, false, 1);
                let items: Vec<String> = (0..1 + self.c.below(3))
                    .map(|_| self.value(facts, base, false, false, 0))
                    .collect();
                format!("{v} in [{}]", items.join(", "))
            }
            _ => self.compare(facts, depth),
        };
        (text, out)
    }

    /// A string function of §8.2: `contains`, `starts_with`, `ends_with`
    /// or `matches` with a pattern from [`PATTERNS`].
    fn string_test(&mut self, facts: &Facts, depth: usize) -> String {
        let sub = depth.saturating_sub(1).min(2);
        let s = self.value(facts, BaseType::String, false, false, sub);
        let f = ["contains", "starts_with", "ends_with", "matches"][self.c.below(4)];
        let arg = if f == "matches" {
            PATTERNS[self.c.below(PATTERNS.len())].to_string()
        } else {
            self.value(facts, BaseType::String, false, false, sub)
        };
        format!("{f}({s}, {arg})")
    }

    /// An `int` for date arithmetic: mostly a day count that keeps the
    /// date in range, sometimes any `int` (R0006 past the range).
    fn days(&mut self, facts: &Facts, depth: usize) -> String {
        if self.c.chance(85) {
            DAYS[self.c.below(DAYS.len())].to_string()
        } else {
            self.value(facts, BaseType::Int, false, false, depth)
        }
    }

    /// `A == B`, `A != B` (either side may be optional, the right one
    /// `none`), or an ordering of two `int`s or `date`s.
    fn compare(&mut self, facts: &Facts, depth: usize) -> String {
        let sub = depth.saturating_sub(1).min(2);
        if self.c.chance(40) {
            let base = self.base_of(facts, &[BaseType::Int, BaseType::Date], false);
            let a = self.value(facts, base, false, false, sub);
            let b = self.value(facts, base, false, false, sub);
            let op = ["<", "<=", ">", ">="][self.c.below(4)];
            return format!("({a} {op} {b})");
        }
        let base = self.base_of(facts, &BASES, true);
        let a = self.value(facts, base, true, false, sub);
        let b = self.value(facts, base, true, true, sub);
        let op = if self.c.chance(50) { "!=" } else { "==" };
        format!("({a} {op} {b})")
    }

    /// The reads of type `base` (`base?` when `optional`) the facts
    /// allow: those that are values only thanks to narrowing (the ones
    /// that test the checker's promises), and the others.
    fn reads(&self, facts: &Facts, base: BaseType, optional: bool) -> (Vec<String>, Vec<String>) {
        let mut narrowed: Vec<String> = Vec::new();
        let mut plain: Vec<String> = Vec::new();
        for (i, (name, t)) in self.inquiry.iter().enumerate() {
            if t.base != base {
                continue;
            }
            if t.optional && facts.present & (1 << i) != 0 && !optional {
                narrowed.push(format!("inquiry.{name}"));
            } else if (t.optional && optional) || (!t.optional && facts.written & (1 << i) != 0) {
                plain.push(format!("inquiry.{name}"));
            }
        }
        if optional {
            for (name, t) in &self.account {
                if t.base == base {
                    plain.push(format!("account.{name}"));
                }
            }
        }
        for (r, res) in self.results.iter().enumerate() {
            if !facts.is_bound(r) {
                continue;
            }
            for (k, (fname, t)) in res.fields.iter().enumerate() {
                if t.base != base {
                    continue;
                }
                let known = (res.verification && facts.passed & (1 << r) != 0)
                    || facts.fpresent[r] & (1 << k) != 0;
                if t.optional && known && !optional {
                    narrowed.push(format!("{}.{fname}", res.name));
                } else if !t.optional || optional {
                    plain.push(format!("{}.{fname}", res.name));
                }
            }
        }
        (narrowed, plain)
    }

    /// One of `bases`, usually one that some field or result can give.
    fn base_of(&mut self, facts: &Facts, bases: &[BaseType], optional: bool) -> BaseType {
        let readable: Vec<BaseType> = bases
            .iter()
            .copied()
            .filter(|b| {
                let (n, p) = self.reads(facts, *b, optional);
                !n.is_empty() || !p.is_empty()
            })
            .collect();
        if self.c.chance(80)
            && let Some(b) = self.c.pick(&readable)
        {
            return *b;
        }
        bases[self.c.below(bases.len())]
    }

    /// An expression of type `base` (`base?` when `optional`; the literal
    /// `none` only when `none_ok`).
    fn value(
        &mut self,
        facts: &Facts,
        base: BaseType,
        optional: bool,
        none_ok: bool,
        depth: usize,
    ) -> String {
        let (narrowed, plain) = self.reads(facts, base, optional);
        // Weights: a literal 1, a narrowed read 4, another read 3, a
        // compound expression 3, `none` 1.
        let w_narrowed = if narrowed.is_empty() { 0 } else { 4 };
        let w_plain = if plain.is_empty() { 0 } else { 3 };
        let w_compound = if depth == 0 { 0 } else { 3 };
        let w_none = usize::from(none_ok);
        let mut pick = self.c.below(1 + w_narrowed + w_plain + w_compound + w_none);
        if pick == 0 {
            return self.literal(base);
        }
        pick -= 1;
        if pick < w_narrowed {
            return narrowed[self.c.below(narrowed.len())].clone();
        }
        pick -= w_narrowed;
        if pick < w_plain {
            return plain[self.c.below(plain.len())].clone();
        }
        pick -= w_plain;
        if pick >= w_compound {
            return "none".to_string();
        }
        let d = depth - usize::from(depth > 0);
        match base {
            BaseType::Int => match self.c.below(10) {
                6..=8 => {
                    // A small right operand mostly, so that most products
                    // stay in range; `0` and `-1` reach R0007 and the
                    // smallest `int` divided by `-1`.
                    let op = ["*", "/", "%"][self.c.below(3)];
                    let a = self.value(facts, base, false, false, d);
                    let b = if self.c.chance(60) {
                        ["2", "-1", "0", "7", "10"][self.c.below(5)].to_string()
                    } else {
                        self.value(facts, base, false, false, d)
                    };
                    format!("({a} {op} {b})")
                }
                9 => format!(
                    "({} - {})",
                    self.value(facts, BaseType::Date, false, false, d),
                    self.value(facts, BaseType::Date, false, false, d)
                ),
                0 => format!("attempts(st{})", self.c.below(self.n())),
                1 => format!(
                    "len({})",
                    self.value(facts, BaseType::String, false, false, d)
                ),
                2 => format!(
                    "age({})",
                    self.value(facts, BaseType::Date, false, false, d)
                ),
                3 => format!("(- {})", self.value(facts, base, false, false, d)),
                4 => format!(
                    "({} - {})",
                    self.value(facts, base, false, false, d),
                    self.value(facts, base, false, false, d)
                ),
                _ => format!(
                    "({} + {})",
                    self.value(facts, base, false, false, d),
                    self.value(facts, base, false, false, d)
                ),
            },
            BaseType::String => match self.c.below(4) {
                0 => format!("lower({})", self.value(facts, base, false, false, d)),
                1 => format!("upper({})", self.value(facts, base, false, false, d)),
                2 => format!("trim({})", self.value(facts, base, false, false, d)),
                _ => format!(
                    "({} + {})",
                    self.value(facts, base, false, false, d),
                    self.value(facts, base, false, false, d)
                ),
            },
            BaseType::Date => match self.c.below(4) {
                0 => "today()".to_string(),
                1 => format!(
                    "({} + {})",
                    self.value(facts, base, false, false, d),
                    self.days(facts, d)
                ),
                2 => format!(
                    "({} + {})",
                    self.days(facts, d),
                    self.value(facts, base, false, false, d)
                ),
                _ => format!(
                    "({} - {})",
                    self.value(facts, base, false, false, d),
                    self.days(facts, d)
                ),
            },
            BaseType::Bool => format!("({})", self.cond(facts, d.min(2)).0),
            BaseType::Status => self.literal(base),
        }
    }

    fn literal(&mut self, base: BaseType) -> String {
        match base {
            BaseType::String => STRINGS[self.c.below(STRINGS.len())].to_string(),
            BaseType::Int => INTS[self.c.below(INTS.len())].to_string(),
            BaseType::Bool => ["true", "false"][self.c.below(2)].to_string(),
            BaseType::Date => DATES[self.c.below(DATES.len())].to_string(),
            BaseType::Status => STATUS_NAMES[self.c.below(3)].to_string(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CallKindG {
    Verify,
    Report,
    Http,
}
