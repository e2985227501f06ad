//! A flow as plain serde data: what the generator builds, what is rendered
//! to Flow source for flowc and to JSON for the `serde_json` comparator
//! (which reads the JSON back into these same structs: the cost of loading
//! a flow with no compiler at all). Enums use serde's default, externally
//! tagged form, its fastest to read, so that the comparator is a floor.
//!
//! Nothing here calls flowc.

use serde::{Deserialize, Serialize};
use std::fmt::Write;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Flow {
    pub name: String,
    pub plan: String,
    pub inquiry: Vec<Field>,
    pub account: Vec<Field>,
    pub steps: Vec<Step>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Field {
    pub name: String,
    /// As written in Flow: `string`, `date?`, ...
    #[serde(rename = "type")]
    pub ty: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Step {
    Screen {
        name: String,
        collect: Vec<String>,
        capture: Vec<String>,
        next: Target,
    },
    Action {
        name: String,
        body: Vec<Stmt>,
        next: Target,
        on_error: Option<Target>,
    },
    Branch {
        name: String,
        routes: Vec<Route>,
        otherwise: Target,
    },
    Connector {
        name: String,
        next: Target,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Target {
    Step(String),
    End(String),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Route {
    pub when: Expr,
    pub to: Target,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stmt {
    Let {
        name: String,
        call: Call,
        args: Vec<Arg>,
        retry: Option<u8>,
        timeout_secs: Option<u32>,
    },
    SetInquiry {
        field: String,
        value: Expr,
    },
    SetAccount {
        field: String,
        value: Expr,
    },
    Tag {
        text: String,
    },
    Case {
        queue: String,
    },
    If {
        cond: Expr,
        then: Vec<Stmt>,
        otherwise: Vec<Stmt>,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Call {
    Verify { kind: String },
    Report { kind: String },
    Http { method: String, url: String },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Arg {
    pub name: String,
    pub value: Expr,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Expr {
    Str(String),
    Int(i64),
    Bool(bool),
    None,
    /// A built-in constant: `passed`, `failed`, `requires_retry`.
    Const(String),
    Inquiry(String),
    Account(String),
    Result {
        result: String,
        field: String,
    },
    /// `lower trim upper len age today`
    Call {
        func: String,
        args: Vec<Expr>,
    },
    Attempts(String),
    Not(Box<Expr>),
    Neg(Box<Expr>),
    Binary {
        op: BinOp,
        left: Box<Expr>,
        right: Box<Expr>,
    },
    In {
        value: Box<Expr>,
        list: Vec<Expr>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BinOp {
    Or,
    And,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    Add,
    Sub,
}

impl BinOp {
    pub fn text(self) -> &'static str {
        match self {
            BinOp::Or => "or",
            BinOp::And => "and",
            BinOp::Eq => "==",
            BinOp::Ne => "!=",
            BinOp::Lt => "<",
            BinOp::Le => "<=",
            BinOp::Gt => ">",
            BinOp::Ge => ">=",
            BinOp::Add => "+",
            BinOp::Sub => "-",
        }
    }

    /// Binding strength in Flow, loosest first (docs/language.md).
    fn prec(self) -> u8 {
        match self {
            BinOp::Or => 1,
            BinOp::And => 2,
            BinOp::Add | BinOp::Sub => 5,
            _ => 4,
        }
    }
}

// ----- small constructors, so that the generator reads like Flow ----------

pub fn inq(f: &str) -> Expr {
    Expr::Inquiry(f.to_string())
}
pub fn res(r: &str, f: &str) -> Expr {
    Expr::Result {
        result: r.to_string(),
        field: f.to_string(),
    }
}
pub fn int(i: i64) -> Expr {
    Expr::Int(i)
}
pub fn str_(s: &str) -> Expr {
    Expr::Str(s.to_string())
}
pub fn konst(c: &str) -> Expr {
    Expr::Const(c.to_string())
}
pub fn func(name: &str, args: Vec<Expr>) -> Expr {
    Expr::Call {
        func: name.to_string(),
        args,
    }
}
pub fn bin(op: BinOp, l: Expr, r: Expr) -> Expr {
    Expr::Binary {
        op,
        left: Box::new(l),
        right: Box::new(r),
    }
}
pub fn and(l: Expr, r: Expr) -> Expr {
    bin(BinOp::And, l, r)
}
pub fn or(l: Expr, r: Expr) -> Expr {
    bin(BinOp::Or, l, r)
}
pub fn not(e: Expr) -> Expr {
    Expr::Not(Box::new(e))
}
pub fn in_(v: Expr, list: Vec<Expr>) -> Expr {
    Expr::In {
        value: Box::new(v),
        list,
    }
}
pub fn step(s: &str) -> Target {
    Target::Step(s.to_string())
}
pub fn end(s: &str) -> Target {
    Target::End(s.to_string())
}
pub fn names(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

impl Step {
    pub fn name(&self) -> &str {
        match self {
            Step::Screen { name, .. }
            | Step::Action { name, .. }
            | Step::Branch { name, .. }
            | Step::Connector { name, .. } => name,
        }
    }
}

// ----- Flow source ------------------------------------------------------------

impl Flow {
    /// The flow as Flow source, in the layout `flowc fmt` would give.
    pub fn to_source(&self) -> String {
        let mut out = String::with_capacity(self.steps.len() * 200);
        let _ = writeln!(out, "flow {} {{\n  plan {}", self.name, self.plan);
        for (kw, fields) in [("inquiry", &self.inquiry), ("account", &self.account)] {
            if fields.is_empty() {
                continue;
            }
            let _ = writeln!(out, "  {kw} {{");
            for f in fields {
                let _ = writeln!(out, "    {}: {},", f.name, f.ty);
            }
            out.push_str("  }\n");
        }
        for s in &self.steps {
            out.push('\n');
            step_source(&mut out, s);
        }
        out.push_str("}\n");
        out
    }
}

fn target(t: &Target) -> String {
    match t {
        Target::Step(s) => s.clone(),
        Target::End(s) => format!("end {s}"),
    }
}

fn step_source(out: &mut String, s: &Step) {
    match s {
        Step::Screen {
            name,
            collect,
            capture,
            next,
        } => {
            let _ = writeln!(out, "  screen {name} {{");
            if !collect.is_empty() {
                let _ = writeln!(out, "    collect {}", collect.join(", "));
            }
            if !capture.is_empty() {
                let _ = writeln!(out, "    capture {}", capture.join(", "));
            }
            let _ = writeln!(out, "    -> {}\n  }}", target(next));
        }
        Step::Action {
            name,
            body,
            next,
            on_error,
        } => {
            let _ = writeln!(out, "  action {name} {{");
            for st in body {
                stmt_source(out, st, 4);
            }
            let _ = writeln!(out, "    -> {}", target(next));
            if let Some(e) = on_error {
                let _ = writeln!(out, "    on error -> {}", target(e));
            }
            out.push_str("  }\n");
        }
        Step::Branch {
            name,
            routes,
            otherwise,
        } => {
            let _ = writeln!(out, "  branch {name} {{");
            for r in routes {
                let _ = writeln!(out, "    when {} -> {}", expr(&r.when, 0), target(&r.to));
            }
            let _ = writeln!(out, "    else -> {}\n  }}", target(otherwise));
        }
        Step::Connector { name, next } => {
            let _ = writeln!(out, "  connector {name} {{ -> {} }}", target(next));
        }
    }
}

fn stmt_source(out: &mut String, s: &Stmt, indent: usize) {
    let pad = " ".repeat(indent);
    match s {
        Stmt::Let {
            name,
            call,
            args,
            retry,
            timeout_secs,
        } => {
            let head = match call {
                Call::Verify { kind } => format!("verify {kind}"),
                Call::Report { kind } => format!("report {kind}"),
                Call::Http { method, url } => format!("http {method} {url:?}"),
            };
            let _ = write!(out, "{pad}let {name} = {head} {{");
            if args.is_empty() {
                out.push_str(" }");
            } else {
                out.push('\n');
                for a in args {
                    let _ = writeln!(out, "{pad}  {}: {},", a.name, expr(&a.value, 0));
                }
                let _ = write!(out, "{pad}}}");
            }
            if let Some(r) = retry {
                let _ = write!(out, " retry {r}");
            }
            if let Some(t) = timeout_secs {
                let _ = write!(out, " timeout {t}s");
            }
            out.push('\n');
        }
        Stmt::SetInquiry { field, value } => {
            let _ = writeln!(out, "{pad}set inquiry.{field} = {}", expr(value, 0));
        }
        Stmt::SetAccount { field, value } => {
            let _ = writeln!(out, "{pad}set account.{field} = {}", expr(value, 0));
        }
        Stmt::Tag { text } => {
            let _ = writeln!(out, "{pad}tag {text:?}");
        }
        Stmt::Case { queue } => {
            let _ = writeln!(out, "{pad}case {queue:?}");
        }
        Stmt::If {
            cond,
            then,
            otherwise,
        } => {
            let _ = writeln!(out, "{pad}if {} {{", expr(cond, 0));
            for st in then {
                stmt_source(out, st, indent + 2);
            }
            if otherwise.is_empty() {
                let _ = writeln!(out, "{pad}}}");
            } else {
                let _ = writeln!(out, "{pad}}} else {{");
                for st in otherwise {
                    stmt_source(out, st, indent + 2);
                }
                let _ = writeln!(out, "{pad}}}");
            }
        }
    }
}

/// An expression in Flow syntax, parenthesised only where the precedence
/// table needs it (`min` is the loosest level allowed without brackets).
pub fn expr(e: &Expr, min: u8) -> String {
    let (text, prec) = match e {
        Expr::Str(s) => (format!("{s:?}"), 7),
        Expr::Int(i) if *i < 0 => (format!("-{}", i.unsigned_abs()), 6),
        Expr::Int(i) => (i.to_string(), 7),
        Expr::Bool(b) => (b.to_string(), 7),
        Expr::None => ("none".to_string(), 7),
        Expr::Const(c) => (c.clone(), 7),
        Expr::Inquiry(f) => (format!("inquiry.{f}"), 7),
        Expr::Account(f) => (format!("account.{f}"), 7),
        Expr::Result { result, field } => (format!("{result}.{field}"), 7),
        Expr::Call { func, args } => {
            let a: Vec<String> = args.iter().map(|x| expr(x, 1)).collect();
            (format!("{func}({})", a.join(", ")), 7)
        }
        Expr::Attempts(s) => (format!("attempts({s})"), 7),
        Expr::Not(x) => (format!("not {}", expr(x, 3)), 3),
        Expr::Neg(x) => (format!("-{}", expr(x, 6)), 6),
        Expr::Binary { op, left, right } => {
            let p = op.prec();
            // `or`, `and`, `+`, `-` associate to the left; comparisons do
            // not chain, so both of their operands bind tighter.
            let left_min = if p == 4 { p + 1 } else { p };
            (
                format!(
                    "{} {} {}",
                    expr(left, left_min),
                    op.text(),
                    expr(right, p + 1)
                ),
                p,
            )
        }
        Expr::In { value, list } => {
            let items: Vec<String> = list.iter().map(|x| expr(x, 1)).collect();
            (format!("{} in [{}]", expr(value, 5), items.join(", ")), 4)
        }
    };
    if prec < min {
        format!("({text})")
    } else {
        text
    }
}
