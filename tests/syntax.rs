#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! Snapshot tests of the front end: one snapshot per `tests/cases/syntax/*.flow`
//! file, holding the source and either `ok` with a compact summary of the
//! tree or the rendered (colourless) diagnostics.

use flowc::unstable::ast::*;
use flowc::unstable::diagnostics::render::render_human;
use std::fmt::Write;

fn expr(e: &Expr) -> String {
    match &e.kind {
        ExprKind::Str(s) => format!("{s:?}"),
        ExprKind::Int(i) => i.to_string(),
        ExprKind::Date(d) => format!("@{d}"),
        ExprKind::Bool(b) => b.to_string(),
        ExprKind::None => "none".into(),
        ExprKind::Name(n) => n.clone(),
        ExprKind::Field(f) => field(f),
        ExprKind::ResultField { result, field } => format!("{}.{}", result.node, field.node),
        ExprKind::Call { func, args } => {
            format!(
                "{}({})",
                func.node,
                args.iter().map(expr).collect::<Vec<_>>().join(", ")
            )
        }
        ExprKind::Unary { op, operand } => format!(
            "({} {})",
            if *op == UnaryOp::Not { "not" } else { "-" },
            expr(operand)
        ),
        ExprKind::Binary { op, lhs, rhs } => {
            format!("({} {} {})", expr(lhs), op.symbol(), expr(rhs))
        }
        ExprKind::In { value, list } => {
            format!(
                "({} in [{}])",
                expr(value),
                list.iter().map(expr).collect::<Vec<_>>().join(", ")
            )
        }
    }
}

fn field(f: &FieldRef) -> String {
    let r = if f.record == Record::Inquiry {
        "inquiry"
    } else {
        "account"
    };
    format!("{r}.{}", f.field.node)
}

fn target(t: &Transition) -> String {
    match &t.target {
        Target::Step(s) => format!("-> {}", s.node),
        Target::End(s) => format!("-> end {}", s.node),
    }
}

fn names(v: &[Name]) -> String {
    v.iter()
        .map(|n| n.node.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

fn args(v: &[Arg]) -> String {
    v.iter()
        .map(|a| format!("{}: {}", a.name.node, expr(&a.value)))
        .collect::<Vec<_>>()
        .join(", ")
}

fn stmts(out: &mut String, body: &[Stmt], indent: usize) {
    let pad = "  ".repeat(indent);
    for s in body {
        match s {
            Stmt::Let(l) => {
                let call = match &l.call {
                    Call::Verify(k) => format!("verify {}", k.node),
                    Call::Report(k) => format!("report {}", k.node),
                    Call::Http { method, url } => format!("http {:?} {:?}", method.node, url.node),
                };
                let retry = l
                    .retry
                    .as_ref()
                    .map(|r| format!(" retry {}", r.node))
                    .unwrap_or_default();
                let timeout = l
                    .timeout
                    .as_ref()
                    .map(|t| format!(" timeout {}s", t.node))
                    .unwrap_or_default();
                let returns = l
                    .returns
                    .as_ref()
                    .map(|r| {
                        let fields: Vec<String> = (r.fields.iter())
                            .map(|f| format!("{}: {}", f.name.node, f.ty.node))
                            .collect();
                        format!(" returns {{{}}}", fields.join(", "))
                    })
                    .unwrap_or_default();
                writeln!(
                    out,
                    "{pad}let {} = {call} {{{}}}{returns}{retry}{timeout}",
                    l.name.node,
                    args(&l.args)
                )
                .unwrap();
            }
            Stmt::Set(s) => {
                writeln!(out, "{pad}set {} = {}", field(&s.target), expr(&s.value)).unwrap()
            }
            Stmt::Tag(e) => writeln!(out, "{pad}tag {}", expr(e)).unwrap(),
            Stmt::Case(e) => writeln!(out, "{pad}case {}", expr(e)).unwrap(),
            Stmt::If(i) => {
                writeln!(out, "{pad}if {}", expr(&i.cond)).unwrap();
                stmts(out, &i.then_body, indent + 1);
                if let Some(e) = &i.else_body {
                    writeln!(out, "{pad}else").unwrap();
                    stmts(out, e, indent + 1);
                }
            }
        }
    }
}

fn summary(file: &File) -> String {
    let mut out = format!("flow {}\n", file.flow.name.node);
    for item in &file.flow.items {
        match item {
            Item::Plan(n) => writeln!(out, "plan {}", n.node).unwrap(),
            Item::Version(v) => writeln!(out, "version {}", v.node).unwrap(),
            Item::Start(n) => writeln!(out, "start {}", n.node).unwrap(),
            Item::Inquiry(b) | Item::Account(b) => {
                let which = if matches!(item, Item::Inquiry(_)) {
                    "inquiry"
                } else {
                    "account"
                };
                let fields: Vec<String> = b
                    .fields
                    .iter()
                    .map(|f| format!("{}: {}", f.name.node, f.ty.node))
                    .collect();
                writeln!(out, "{which} {{ {} }}", fields.join(", ")).unwrap();
            }
            Item::UseSolution(u) => writeln!(out, "use solution {}", u.name.node).unwrap(),
            Item::Step(s) => {
                if let Some(doc) = &s.doc {
                    writeln!(out, "doc {doc:?}").unwrap();
                }
                writeln!(out, "{} {}", s.kind.keyword(), s.name.node).unwrap();
                match &s.kind {
                    StepKind::Screen(sc) => {
                        writeln!(
                            out,
                            "  collect [{}] capture [{}]",
                            names(&sc.collects),
                            names(&sc.captures)
                        )
                        .unwrap();
                        for t in &sc.transitions {
                            writeln!(out, "  {}", target(t)).unwrap();
                        }
                    }
                    StepKind::Action(a) => {
                        stmts(&mut out, &a.body, 1);
                        for t in &a.transitions {
                            writeln!(out, "  {}", target(t)).unwrap();
                        }
                        for t in &a.on_error {
                            writeln!(out, "  on error {}", target(t)).unwrap();
                        }
                    }
                    StepKind::Branch(b) => {
                        for r in &b.routes {
                            match &r.when {
                                Some(c) => {
                                    writeln!(out, "  when {} {}", expr(c), target(&r.target))
                                        .unwrap()
                                }
                                None => writeln!(out, "  else {}", target(&r.target)).unwrap(),
                            }
                        }
                    }
                    StepKind::Connector(c) => {
                        for t in &c.transitions {
                            writeln!(out, "  {}", target(t)).unwrap();
                        }
                    }
                    StepKind::Broken { .. } => writeln!(out, "  (broken)").unwrap(),
                }
            }
            Item::Test(t) => {
                writeln!(out, "test {:?}", t.name.node).unwrap();
                for i in &t.items {
                    let line = match i {
                        TestItem::Clock(d) => format!("clock @{}", d.node),
                        TestItem::Input { screen, values, .. } => {
                            format!("input {} {{{}}}", screen.node, args(values))
                        }
                        TestItem::Stub { result, values, .. } => {
                            format!("stub {} {{{}}}", result.node, args(values))
                        }
                        TestItem::StubError { result, .. } => format!("stub {} error", result.node),
                        TestItem::ExpectEnd(s) => format!("expect end {}", s.node),
                        TestItem::Expect(e) => format!("expect {}", expr(e)),
                        TestItem::ExpectVisits { steps, .. } => {
                            format!("expect visits [{}]", names(steps))
                        }
                        TestItem::Account { values, .. } => format!("account {{{}}}", args(values)),
                        TestItem::ExpectMark {
                            mark,
                            negated,
                            text,
                            ..
                        } => format!(
                            "expect {}{} {:?}",
                            if *negated { "not " } else { "" },
                            mark.keyword(),
                            text.node
                        ),
                        TestItem::ExpectCalls {
                            result, op, count, ..
                        } => format!(
                            "expect calls {} {} {}",
                            result.node,
                            op.symbol(),
                            count.node
                        ),
                    };
                    writeln!(out, "  {line}").unwrap();
                }
            }
        }
    }
    if !file.comments.is_empty() {
        writeln!(out, "comments: {}", file.comments.len()).unwrap();
    }
    out
}

#[test]
fn syntax_cases() {
    insta::glob!("cases/syntax/*.flow", |path| {
        let source = std::fs::read_to_string(path).unwrap();
        let parsed = flowc::unstable::parser::parse(&source);
        let name = format!("{}", path.file_name().unwrap().to_string_lossy());
        let result = if parsed.diagnostics.is_empty() {
            format!("ok\n\n{}", summary(parsed.file.as_ref().unwrap()))
        } else {
            render_human(&parsed.diagnostics, &name, &source, false)
        };
        let shown_source = source.replace('\r', "\\r");
        insta::assert_snapshot!(format!("{shown_source}\n----- result -----\n{result}"));
    });
}
