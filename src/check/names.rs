//! Name tables: fields, steps and results, resolved once, with the
//! diagnostics about declarations (E0102, E0104, E0105, E0107) and
//! transitions (E0101, E0305).

use crate::ast::{self, Call, Item, Record, StepKind, Stmt, Target};
use crate::catalog::{CallSpec, Catalog};
use crate::diagnostics::{Code, Diagnostic};
use crate::span::{Span, Spanned};
use crate::typed::{self, CallKind, FieldId, ResultField, ResultId, StepId};
use crate::types::{ChoiceId, ChoiceTable, Type};
use crate::value::Status;
use std::collections::HashMap;

/// Built-in constants, besides `none`.
pub fn builtin_constants() -> impl Iterator<Item = &'static str> {
    Status::ALL.into_iter().map(Status::name)
}

#[derive(Debug, Clone)]
pub struct FieldInfo {
    pub name: String,
    pub ty: Type,
    /// The label written after the type, if any.
    pub label: Option<String>,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub struct ResultInfo {
    pub name: String,
    pub call: CallKind,
    pub fields: Vec<ResultField>,
    /// A verification: its optional fields narrow when it is known passed.
    pub verification: bool,
    /// An `http` call: its promised fields narrow when `ok` is known true.
    pub http: bool,
    /// Index into the catalogue's capture kinds the call needs.
    pub capture: Option<usize>,
    /// The kind is unknown (E0105): every use is silently an error type.
    pub error: bool,
    pub span: Span,
}

impl ResultInfo {
    /// Whether field `i` narrows to non-optional where the call is known
    /// to have succeeded.
    pub fn promised(&self, i: u32) -> bool {
        self.fields.get(i as usize).is_some_and(|f| f.promised)
    }

    pub fn field(&self, name: &str) -> Option<(u32, Type)> {
        self.fields
            .iter()
            .zip(0u32..)
            .find(|(f, _)| f.name == name)
            .map(|(f, i)| (i, f.ty))
    }
}

/// Where each transition of a step goes, resolved (`None`: unknown step,
/// already reported).
#[derive(Debug, Clone, Default)]
pub struct Links {
    pub next: Vec<Option<typed::Target>>,
    pub on_error: Vec<Option<typed::Target>>,
    /// Branch routes in source order (the `else` ones included).
    pub routes: Vec<Option<typed::Target>>,
    /// The step's transitions are malformed (E0101 or E0305): it is assumed
    /// to reach an `end`, so that its predecessors get no E0302.
    pub broken: bool,
}

/// Every name the flow declares.
pub struct Env<'a> {
    pub catalog: &'a Catalog,
    /// The choice types of the flow's fields ([`Type::choice`] indexes it).
    pub choices: ChoiceTable,
    /// Each distinct list of choice values once, with its id.
    choice_ids: HashMap<Vec<String>, ChoiceId>,
    pub inquiry: Vec<FieldInfo>,
    pub account: Vec<FieldInfo>,
    inquiry_idx: HashMap<String, FieldId>,
    account_idx: HashMap<String, FieldId>,
    pub steps: Vec<&'a ast::Step>,
    step_idx: HashMap<String, StepId>,
    /// A second declaration of a step name (E0102): checked, never a node.
    pub duplicate: Vec<bool>,
    pub links: Vec<Links>,
    /// One slot per `let` in the text.
    pub results: Vec<ResultInfo>,
    result_idx: HashMap<String, ResultId>,
    /// The first result slot bound by each step's `let`s (in walk order).
    pub first_result: Vec<ResultId>,
    pub start: Option<StepId>,
    /// `start` named no step (E0301 reported).
    pub start_broken: bool,
    /// What syntax errors hid from the tree.
    pub recovery: ast::Recovery,
}

impl<'a> Env<'a> {
    pub fn field(&self, record: Record, name: &str) -> Option<(FieldId, &FieldInfo)> {
        let (idx, list) = match record {
            Record::Inquiry => (&self.inquiry_idx, &self.inquiry),
            Record::Account => (&self.account_idx, &self.account),
        };
        let id = *idx.get(name)?;
        list.get(id as usize).map(|f| (id, f))
    }

    pub fn fields(&self, record: Record) -> &[FieldInfo] {
        match record {
            Record::Inquiry => &self.inquiry,
            Record::Account => &self.account,
        }
    }

    pub fn step(&self, name: &str) -> Option<StepId> {
        self.step_idx.get(name).copied()
    }

    pub fn step_names(&self) -> impl Iterator<Item = &str> {
        self.steps.iter().map(|s| s.name.node.as_str())
    }

    pub fn result(&self, name: &str) -> Option<(ResultId, &ResultInfo)> {
        let id = *self.result_idx.get(name)?;
        self.results.get(id as usize).map(|r| (id, r))
    }

    pub fn result_names(&self) -> impl Iterator<Item = &str> {
        self.results.iter().map(|r| r.name.as_str())
    }

    pub fn capture_index(&self, name: &str) -> Option<usize> {
        self.catalog.capture_kinds.iter().position(|c| c == name)
    }

    /// E0101 for a step name that names no step.
    pub fn unknown_step(&self, name: &ast::Name, what: &str) -> Diagnostic {
        Diagnostic::new(
            Code::E0101,
            name.span,
            format!("unknown step `{}` {what}", name.node),
        )
        .label("no step has this name")
        .did_you_mean(&name.node, self.step_names())
    }
}

fn is_builtin_name(catalog: &Catalog, name: &str) -> Option<&'static str> {
    if builtin_constants().any(|c| c == name) {
        Some("a built-in constant")
    } else if crate::builtins::lookup(name).is_some() {
        Some("a built-in function")
    } else if catalog.capture_kinds.iter().any(|c| c == name) {
        Some("a capture kind")
    } else {
        None
    }
}

/// Builds the name tables from the flow's items.
pub fn collect<'a>(
    flow: &'a ast::Flow,
    catalog: &'a Catalog,
    diags: &mut Vec<Diagnostic>,
) -> Env<'a> {
    let mut env = Env {
        catalog,
        choices: ChoiceTable::default(),
        choice_ids: HashMap::new(),
        inquiry: Vec::new(),
        account: Vec::new(),
        inquiry_idx: HashMap::new(),
        account_idx: HashMap::new(),
        steps: Vec::new(),
        step_idx: HashMap::new(),
        duplicate: Vec::new(),
        links: Vec::new(),
        results: Vec::new(),
        result_idx: HashMap::new(),
        first_result: Vec::new(),
        start: None,
        start_broken: false,
        recovery: flow.recovery,
    };
    let mut start_name: Option<&ast::Name> = None;
    for item in &flow.items {
        match item {
            Item::Inquiry(block) => declare_fields(&mut env, Record::Inquiry, block, diags),
            Item::Account(block) => declare_fields(&mut env, Record::Account, block, diags),
            Item::Start(name) if start_name.is_none() => {
                start_name = Some(name);
            }
            Item::Step(step) => {
                let id = env.steps.len() as StepId;
                if let Some(&first) = env.step_idx.get(&step.name.node) {
                    let first_span = env
                        .steps
                        .get(first as usize)
                        .map_or(step.name.span, |s| s.name.span);
                    diags.push(
                        Diagnostic::new(
                            Code::E0102,
                            step.name.span,
                            format!("step `{}` is declared twice", step.name.node),
                        )
                        .label("second declaration")
                        .secondary(first_span, "first declared here")
                        .help("rename one of the steps"),
                    );
                    env.duplicate.push(true);
                } else {
                    env.step_idx.insert(step.name.node.clone(), id);
                    env.duplicate.push(false);
                }
                env.steps.push(step);
            }
            _ => {}
        }
    }
    // Results, in text order (a step's `then` before its `else`).
    for step in env.steps.clone() {
        env.first_result.push(env.results.len() as ResultId);
        if let StepKind::Action(a) = &step.kind {
            declare_results(&mut env, &a.body, diags);
        }
    }
    // Transitions.
    for step in env.steps.clone() {
        let links = resolve_links(&env, step, diags);
        env.links.push(links);
    }
    match start_name {
        Some(name) => match env.step(&name.node) {
            Some(id) => env.start = Some(id),
            None => {
                env.start_broken = true;
                let d = Diagnostic::new(
                    Code::E0301,
                    name.span,
                    format!("`start` names no step: `{}`", name.node),
                )
                .label("no step has this name");
                diags.push(d.did_you_mean(&name.node, env.step_names()));
                env.start = if env.steps.is_empty() { None } else { Some(0) };
            }
        },
        None => env.start = if env.steps.is_empty() { None } else { Some(0) },
    }
    // A `startup` flow without a solution is E0404 (plans); an empty flow
    // whose `start` was already reported is one fault.
    let solution_only = flow.items.iter().any(|i| match i {
        ast::Item::Plan(p) => catalog.plan(&p.node).is_some_and(|p| p.solution_only),
        _ => false,
    });
    if env.steps.is_empty() && !solution_only && !env.start_broken {
        diags.push(
            Diagnostic::new(
                Code::E0301,
                flow.name.span,
                format!("flow `{}` has no steps", flow.name.node),
            )
            .label("this flow declares no `screen`, `action`, `branch` or `connector`")
            .help("add a step, or `use solution NAME`"),
        );
    }
    env
}

fn declare_fields(
    env: &mut Env,
    record: Record,
    block: &ast::FieldBlock,
    diags: &mut Vec<Diagnostic>,
) {
    let rec = match record {
        Record::Inquiry => "inquiry",
        Record::Account => "account",
    };
    for f in &block.fields {
        let name = &f.name.node;
        if let Some((_, first)) = env.field(record, name) {
            diags.push(
                Diagnostic::new(
                    Code::E0104,
                    f.name.span,
                    format!("{rec} field `{name}` is declared twice"),
                )
                .label("second declaration")
                .secondary(first.span, "first declared here"),
            );
            continue;
        }
        if record == Record::Inquiry {
            if env.catalog.capture_kinds.iter().any(|c| c == name) {
                diags.push(
                    Diagnostic::new(
                        Code::E0107,
                        f.name.span,
                        format!("inquiry field `{name}` has the name of a capture kind"),
                    )
                    .label("names a capture")
                    .help("captures are taken with `capture`; choose another field name"),
                );
            } else if let Some(what) = is_builtin_name(env.catalog, name) {
                diags.push(
                    Diagnostic::new(
                        Code::E0107,
                        f.name.span,
                        format!("inquiry field `{name}` shadows {what}"),
                    )
                    .label(format!("`{name}` is {what}"))
                    .help("choose another field name"),
                );
            }
        }
        let ty = match &f.choice {
            Some(values) => declare_choice(env, values, f.ty.node, diags),
            None => f.ty.node,
        };
        let (idx, list) = match record {
            Record::Inquiry => (&mut env.inquiry_idx, &mut env.inquiry),
            Record::Account => (&mut env.account_idx, &mut env.account),
        };
        idx.insert(name.clone(), list.len() as FieldId);
        list.push(FieldInfo {
            name: name.clone(),
            ty,
            label: f.label.as_ref().map(|l| l.node.clone()),
            span: f.span,
        });
    }
}

/// Interns a choice type's literals (E0104 for a literal written twice,
/// kept once) and gives the field's type.
fn declare_choice(
    env: &mut Env,
    values: &[Spanned<String>],
    written: Type,
    diags: &mut Vec<Diagnostic>,
) -> Type {
    let mut set: Vec<String> = Vec::with_capacity(values.len());
    let mut seen: HashMap<&str, Span> = HashMap::with_capacity(values.len());
    for v in values {
        if let Some(&first) = seen.get(v.node.as_str()) {
            diags.push(
                Diagnostic::new(
                    Code::E0104,
                    v.span,
                    format!("choice value {:?} is written twice", v.node),
                )
                .label("second one")
                .secondary(first, "first written here")
                .help("write each value of a choice once"),
            );
        } else {
            seen.insert(&v.node, v.span);
            set.push(v.node.clone());
        }
    }
    let id = match env.choice_ids.get(&set) {
        Some(&id) => id,
        None => {
            let id = env.choices.push(set.clone());
            env.choice_ids.insert(set, id);
            id
        }
    };
    Type::choice(id).with_optional(written.optional)
}

/// A verification's or report's result fields; a verification's optional
/// ones are promised by a `passed` answer (reference §8.4).
fn spec_fields(spec: &CallSpec, verification: bool) -> Vec<ResultField> {
    spec.results
        .iter()
        .map(|p| ResultField {
            name: p.name.clone(),
            ty: p.result_type(),
            promised: verification && p.optional,
        })
        .collect()
}

/// An `http` call's result fields: the catalogue's (`status_code`, `ok`),
/// then those its `returns` declares, optional until `ok` is known true
/// (a field declared `T?` stays optional). A name declared twice, or one
/// of the catalogue's, is E0104.
fn http_fields(
    env: &mut Env,
    cat: &Catalog,
    returns: Option<&ast::Returns>,
    diags: &mut Vec<Diagnostic>,
) -> Vec<ResultField> {
    let mut fields: Vec<ResultField> = cat
        .http
        .results
        .iter()
        .map(|p| ResultField {
            name: p.name.clone(),
            ty: p.result_type(),
            promised: false,
        })
        .collect();
    let builtin = fields.len();
    let mut spans: Vec<Span> = Vec::new();
    for f in returns.map_or(&[][..], |r| r.fields.as_slice()) {
        let name = &f.name.node;
        if let Some(i) = fields.iter().position(|x| &x.name == name) {
            let d = Diagnostic::new(
                Code::E0104,
                f.name.span,
                format!("response field `{name}` is declared twice"),
            )
            .label("second declaration");
            let d = match i.checked_sub(builtin).and_then(|j| spans.get(j)) {
                Some(first) => d.secondary(*first, "first declared here"),
                None => d.note(format!(
                    "every `http` result has `{name}`; `returns` declares the other fields"
                )),
            };
            diags.push(d);
            continue;
        }
        spans.push(f.span);
        // A choice-typed response field: its set joins the flow's table
        // like a record field's.
        let ty = match &f.choice {
            Some(values) => declare_choice(env, values, f.ty.node, diags),
            None => f.ty.node,
        };
        fields.push(ResultField {
            name: name.clone(),
            ty: ty.with_optional(true),
            promised: !ty.optional,
        });
    }
    fields
}

fn declare_results(env: &mut Env, body: &[Stmt], diags: &mut Vec<Diagnostic>) {
    for stmt in body {
        match stmt {
            Stmt::Let(l) => declare_result(env, l, diags),
            Stmt::If(i) => {
                declare_results(env, &i.then_body, diags);
                if let Some(e) = &i.else_body {
                    declare_results(env, e, diags);
                }
            }
            _ => {}
        }
    }
}

fn declare_result(env: &mut Env, l: &ast::Let, diags: &mut Vec<Diagnostic>) {
    let cat = env.catalog;
    let (call, spec, verification) = match &l.call {
        Call::Verify(k) => (
            CallKind::Verify(k.node.clone()),
            cat.verification(&k.node),
            true,
        ),
        Call::Report(k) => (CallKind::Report(k.node.clone()), cat.report(&k.node), false),
        Call::Http { method, url } => (
            CallKind::Http {
                method: method.node,
                url: url.node.clone(),
            },
            None,
            false,
        ),
    };
    let (fields, capture, error) = match (&l.call, spec) {
        (Call::Http { .. }, _) => (
            http_fields(env, cat, l.returns.as_ref(), diags),
            None,
            false,
        ),
        (_, Some(spec)) => (
            spec_fields(spec, verification),
            spec.capture
                .as_deref()
                .and_then(|c| cat.capture_kinds.iter().position(|k| k == c)),
            false,
        ),
        (_, None) => (Vec::new(), None, true),
    };
    let name = &l.name.node;
    if let Some((_, first)) = env.result(name) {
        diags.push(
            Diagnostic::new(
                Code::E0107,
                l.name.span,
                format!("result `{name}` is bound twice"),
            )
            .label("second binding")
            .secondary(first.span, "first bound here")
            .help("a result name is bound once in the flow; choose another name"),
        );
    } else if let Some(what) = is_builtin_name(cat, name) {
        diags.push(
            Diagnostic::new(
                Code::E0107,
                l.name.span,
                format!("result `{name}` shadows {what}"),
            )
            .label(format!("`{name}` is {what}"))
            .help("choose another result name"),
        );
    }
    let id = env.results.len() as ResultId;
    env.result_idx.entry(name.clone()).or_insert(id);
    env.results.push(ResultInfo {
        name: name.clone(),
        call,
        fields,
        verification,
        http: matches!(l.call, Call::Http { .. }),
        capture,
        error,
        span: l.name.span,
    });
}

fn resolve_target(
    env: &Env,
    t: &ast::Transition,
    broken: &mut bool,
    diags: &mut Vec<Diagnostic>,
) -> Option<typed::Target> {
    match &t.target {
        Target::End(s) => Some(typed::Target::End(s.node)),
        Target::Step(name) => match env.step(&name.node) {
            Some(id) => Some(typed::Target::Step(id)),
            None => {
                *broken = true;
                diags.push(env.unknown_step(name, "in transition"));
                None
            }
        },
    }
}

fn count_error(
    step: &ast::Step,
    what: &str,
    list: &[ast::Transition],
    diags: &mut Vec<Diagnostic>,
) {
    let kw = step.kind.keyword();
    let name = &step.name.node;
    if list.is_empty() {
        diags.push(
            Diagnostic::new(
                Code::E0305,
                step.name.span,
                format!("{kw} `{name}` has no {what}"),
            )
            .label(format!("needs exactly one {what}"))
            .help("add `-> STEP` or `-> end STATUS`"),
        );
    } else {
        let mut d = Diagnostic::new(
            Code::E0305,
            step.name.span,
            format!("{kw} `{name}` has {} {what}s", list.len()),
        )
        .label(format!("needs exactly one {what}"));
        for t in list.iter().skip(1) {
            d = d.secondary(t.span, "extra");
        }
        diags.push(d.help("keep one"));
    }
}

fn resolve_links(env: &Env, step: &ast::Step, diags: &mut Vec<Diagnostic>) -> Links {
    let mut l = Links::default();
    let mut broken = false;
    match &step.kind {
        // Its transitions are unknown: it may lead anywhere, an end too.
        StepKind::Broken { .. } => broken = true,
        StepKind::Screen(ast::Screen { transitions, .. })
        | StepKind::Connector(ast::Connector { transitions }) => {
            if transitions.len() != 1 {
                broken = true;
                count_error(step, "transition", transitions, diags);
            }
            l.next = transitions
                .iter()
                .map(|t| resolve_target(env, t, &mut broken, diags))
                .collect();
        }
        StepKind::Action(a) => {
            if a.transitions.len() != 1 {
                broken = true;
                count_error(step, "transition", &a.transitions, diags);
            }
            if a.on_error.len() > 1 {
                broken = true;
                count_error(step, "`on error` transition", &a.on_error, diags);
            }
            l.next = a
                .transitions
                .iter()
                .map(|t| resolve_target(env, t, &mut broken, diags))
                .collect();
            l.on_error = a
                .on_error
                .iter()
                .map(|t| resolve_target(env, t, &mut broken, diags))
                .collect();
        }
        StepKind::Branch(b) => {
            let elses: Vec<&ast::Route> = b.routes.iter().filter(|r| r.when.is_none()).collect();
            let name = &step.name.node;
            match elses.as_slice() {
                [] => {
                    broken = true;
                    diags.push(
                        Diagnostic::new(
                            Code::E0305,
                            step.name.span,
                            format!("branch `{name}` has no `else` route"),
                        )
                        .label("needs exactly one `else`, last")
                        .help("add `else -> STEP` after the `when` routes"),
                    );
                }
                [one] => {
                    if b.routes.last().is_some_and(|r| r.when.is_some()) {
                        broken = true;
                        diags.push(
                            Diagnostic::new(
                                Code::E0305,
                                one.span,
                                format!("the `else` route of branch `{name}` is not last"),
                            )
                            .label("`else` must be the last route")
                            .help("move it after the `when` routes"),
                        );
                    }
                }
                [_, rest @ ..] => {
                    broken = true;
                    let mut d = Diagnostic::new(
                        Code::E0305,
                        step.name.span,
                        format!("branch `{name}` has {} `else` routes", elses.len()),
                    )
                    .label("needs exactly one `else`, last");
                    for r in rest {
                        d = d.secondary(r.span, "extra `else`");
                    }
                    diags.push(d.help("keep one `else`"));
                }
            }
            if b.routes.iter().all(|r| r.when.is_none()) && !b.routes.is_empty() {
                broken = true;
                diags.push(
                    Diagnostic::new(
                        Code::E0305,
                        step.name.span,
                        format!("branch `{name}` has no `when` route"),
                    )
                    .label("needs one or more `when` routes")
                    .help("use a `connector` to move on unconditionally"),
                );
            }
            l.routes = b
                .routes
                .iter()
                .map(|r| resolve_target(env, &r.target, &mut broken, diags))
                .collect();
        }
    }
    l.broken = broken;
    l
}
