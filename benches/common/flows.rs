//! Seeded generators of the flows the benches run on. Nothing here calls
//! flowc (only the compute flows' screen answer is made of its `Value`s);
//! every generated flow is checked by the benches before use
//! ([`super::api::compile_clean`] fails on any diagnostic, warnings too).
//!
//! - [`realistic`]: a flow of exactly N steps built from segments like the
//!   examples': screens collecting fields and captures, actions with two or
//!   three host calls (retry, timeout, `on error`), branches with compound
//!   conditions and retry loops through their screen, connectors joining
//!   paths, and narrowing (`R.status == passed`, `F != none`). Every step is
//!   reachable and every read is well typed.
//! - [`compute`]: one action of K statements of arithmetic, comparisons,
//!   `and`/`or`/`not`, `in` and string functions over inquiry fields, with
//!   the same program as a Rhai script.
//! - [`string_loads`]: K statements that each load two strings: for the
//!   allocation-per-instruction figure.

use super::api::{Input, Value};
use super::model::*;
use rand::{RngExt, SeedableRng};
use rand_xorshift::XorShiftRng;
use std::fmt::Write;

/// The seed every bench uses: the same flows on every run and machine.
pub const SEED: u64 = 0x5EED_F10C;

#[derive(Clone, Copy)]
enum Segment {
    /// screen + action (phone, email) + branch with retry loop + connector
    Contact,
    /// screen with captures + action (id, selfie, database) + branch + connector
    Identity,
    /// action (two reports, one http call) + branch + connector
    Screening,
}

impl Segment {
    fn steps(self) -> usize {
        match self {
            Segment::Contact | Segment::Identity => 4,
            Segment::Screening => 3,
        }
    }
    fn entry(self, i: usize) -> String {
        match self {
            Segment::Contact | Segment::Identity => format!("s{i}"),
            Segment::Screening => format!("a{i}"),
        }
    }
}

fn field(name: &str, ty: &str) -> Field {
    Field {
        name: name.to_string(),
        ty: ty.to_string(),
    }
}

fn set_inq(f: &str, v: Expr) -> Stmt {
    Stmt::SetInquiry {
        field: f.to_string(),
        value: v,
    }
}
fn set_acc(f: &str, v: Expr) -> Stmt {
    Stmt::SetAccount {
        field: f.to_string(),
        value: v,
    }
}
fn tag(t: &str) -> Stmt {
    Stmt::Tag {
        text: t.to_string(),
    }
}
fn if_(cond: Expr, then: Vec<Stmt>, otherwise: Vec<Stmt>) -> Stmt {
    Stmt::If {
        cond,
        then,
        otherwise,
    }
}
fn arg(name: &str, value: Expr) -> Arg {
    Arg {
        name: name.to_string(),
        value,
    }
}
fn verify(name: String, kind: &str, args: Vec<Arg>, retry: u8, timeout: u32) -> Stmt {
    Stmt::Let {
        name,
        call: Call::Verify {
            kind: kind.to_string(),
        },
        args,
        retry: Some(retry),
        timeout_secs: Some(timeout),
    }
}
fn passed(r: &str) -> Expr {
    bin(BinOp::Eq, res(r, "status"), konst("passed"))
}

/// A realistic flow of exactly `steps` steps (at least 4).
pub fn realistic(steps: usize, seed: u64) -> Flow {
    let mut rng = XorShiftRng::seed_from_u64(seed);
    // Prologue (2 steps) and `finish` (1) frame the segments; connectors
    // pad the rest so that the count is exact.
    let mut plan = Vec::new();
    let mut used = 3;
    loop {
        let seg = match rng.random_range(0..3u8) {
            0 => Segment::Contact,
            1 => Segment::Identity,
            _ => Segment::Screening,
        };
        if used + seg.steps() > steps {
            break;
        }
        used += seg.steps();
        plan.push(seg);
    }
    let pad = steps.saturating_sub(used);
    let after = |i: usize| -> String {
        match plan.get(i + 1) {
            Some(seg) => seg.entry(i + 1),
            None if pad > 0 => "p0".to_string(),
            None => "finish".to_string(),
        }
    };
    let first = match plan.first() {
        Some(seg) => seg.entry(0),
        None if pad > 0 => "p0".to_string(),
        None => "finish".to_string(),
    };

    let mut out = Vec::with_capacity(steps);
    out.push(Step::Screen {
        name: "details".into(),
        collect: names(&[
            "name_first",
            "name_last",
            "birthdate",
            "country",
            "phone_number",
            "email_address",
            "middle_name",
        ]),
        capture: vec![],
        next: step("init"),
    });
    out.push(Step::Action {
        name: "init".into(),
        body: vec![set_inq("risk", int(0)), tag("started")],
        next: Target::Step(first),
        on_error: None,
    });
    for (i, seg) in plan.iter().enumerate() {
        let next = after(i);
        match seg {
            Segment::Contact => contact(&mut out, &mut rng, i, next),
            Segment::Identity => identity(&mut out, &mut rng, i, next),
            Segment::Screening => screening(&mut out, &mut rng, i, next),
        }
    }
    for k in 0..pad {
        let next = if k + 1 == pad {
            "finish".to_string()
        } else {
            format!("p{}", k + 1)
        };
        out.push(Step::Connector {
            name: format!("p{k}"),
            next: Target::Step(next),
        });
    }
    out.push(Step::Action {
        name: "finish".into(),
        body: vec![
            if_(
                bin(BinOp::Gt, inq("risk"), int(2)),
                vec![Stmt::Case {
                    queue: "risk-review".into(),
                }],
                vec![],
            ),
            tag("done"),
        ],
        next: end("approved"),
        on_error: None,
    });
    Flow {
        name: format!("generated_{steps}"),
        plan: "growth".into(),
        inquiry: vec![
            field("name_first", "string"),
            field("name_last", "string"),
            field("birthdate", "date"),
            field("country", "string"),
            field("phone_number", "string"),
            field("email_address", "string"),
            field("middle_name", "string?"),
            field("phone_status", "verification_status?"),
            field("risk", "int"),
        ],
        account: vec![
            field("phone_number", "string"),
            field("email_address", "string"),
            field("name_first", "string"),
            field("birthdate", "date"),
        ],
        steps: out,
    }
}

fn contact(out: &mut Vec<Step>, rng: &mut XorShiftRng, i: usize, next: String) {
    let (p, e) = (format!("p{i}"), format!("e{i}"));
    out.push(Step::Screen {
        name: format!("s{i}"),
        collect: names(&["phone_number", "email_address"]),
        capture: vec![],
        next: step(&format!("a{i}")),
    });
    out.push(Step::Action {
        name: format!("a{i}"),
        body: vec![
            verify(
                p.clone(),
                "phone_number",
                vec![arg("phone_number", func("trim", vec![inq("phone_number")]))],
                rng.random_range(0..3),
                20,
            ),
            verify(
                e.clone(),
                "email_address",
                vec![arg(
                    "email_address",
                    func("lower", vec![func("trim", vec![inq("email_address")])]),
                )],
                1,
                20,
            ),
            set_inq("phone_status", res(&p, "status")),
            if_(
                passed(&p),
                vec![
                    set_acc("phone_number", res(&p, "phone_number")),
                    tag("phone-verified"),
                ],
                vec![tag("phone-unverified")],
            ),
            if_(
                and(
                    passed(&e),
                    bin(
                        BinOp::Gt,
                        func("len", vec![res(&e, "email_address")]),
                        int(3),
                    ),
                ),
                vec![set_acc("email_address", res(&e, "email_address"))],
                vec![],
            ),
            if_(
                in_(
                    res(&e, "status"),
                    vec![konst("failed"), konst("requires_retry")],
                ),
                vec![set_inq("risk", bin(BinOp::Add, inq("risk"), int(1)))],
                vec![],
            ),
        ],
        next: step(&format!("b{i}")),
        on_error: Some(step(&format!("c{i}"))),
    });
    out.push(Step::Branch {
        name: format!("b{i}"),
        routes: vec![
            Route {
                when: and(passed(&p), passed(&e)),
                to: step(&format!("c{i}")),
            },
            Route {
                when: and(
                    bin(
                        BinOp::Lt,
                        Expr::Attempts(format!("s{i}")),
                        int(rng.random_range(2..5)),
                    ),
                    bin(BinOp::Lt, inq("risk"), int(5)),
                ),
                to: step(&format!("s{i}")),
            },
        ],
        otherwise: end("declined"),
    });
    out.push(Step::Connector {
        name: format!("c{i}"),
        next: Target::Step(next),
    });
}

fn identity(out: &mut Vec<Step>, rng: &mut XorShiftRng, i: usize, next: String) {
    let (id, f, d) = (format!("id{i}"), format!("f{i}"), format!("d{i}"));
    out.push(Step::Screen {
        name: format!("s{i}"),
        collect: names(&["name_first", "name_last", "birthdate", "country"]),
        capture: names(&["government_id", "selfie"]),
        next: step(&format!("a{i}")),
    });
    out.push(Step::Action {
        name: format!("a{i}"),
        body: vec![
            verify(id.clone(), "government_id", vec![], 1, 30),
            verify(f.clone(), "selfie", vec![], 1, 30),
            verify(
                d.clone(),
                "database",
                vec![
                    arg("name_first", inq("name_first")),
                    arg("name_last", inq("name_last")),
                    arg("birthdate", inq("birthdate")),
                    arg("country", inq("country")),
                ],
                rng.random_range(0..3),
                30,
            ),
            if_(
                passed(&id),
                vec![
                    set_acc("name_first", res(&id, "name_first")),
                    set_acc("birthdate", res(&id, "birthdate")),
                ],
                vec![],
            ),
            if_(
                and(
                    bin(BinOp::Ne, inq("middle_name"), Expr::None),
                    bin(BinOp::Gt, func("len", vec![inq("middle_name")]), int(0)),
                ),
                vec![tag("middle-name")],
                vec![],
            ),
        ],
        next: step(&format!("b{i}")),
        on_error: Some(step(&format!("c{i}"))),
    });
    let countries = ["US", "GB", "DE", "FR", "JP", "CA"];
    let k = rng.random_range(1..countries.len());
    out.push(Step::Branch {
        name: format!("b{i}"),
        routes: vec![
            Route {
                when: and(
                    and(
                        and(passed(&id), passed(&f)),
                        bin(
                            BinOp::Ge,
                            res(&f, "match_score"),
                            int(rng.random_range(60..90)),
                        ),
                    ),
                    bin(BinOp::Ge, func("age", vec![res(&id, "birthdate")]), int(18)),
                ),
                to: step(&format!("c{i}")),
            },
            Route {
                when: and(
                    passed(&d),
                    not(in_(
                        inq("country"),
                        countries.iter().take(k).map(|c| str_(c)).collect(),
                    )),
                ),
                to: step(&format!("c{i}")),
            },
            Route {
                when: bin(
                    BinOp::Lt,
                    Expr::Attempts(format!("s{i}")),
                    int(rng.random_range(2..4)),
                ),
                to: step(&format!("s{i}")),
            },
        ],
        otherwise: end("needs_review"),
    });
    out.push(Step::Connector {
        name: format!("c{i}"),
        next: Target::Step(next),
    });
}

fn screening(out: &mut Vec<Step>, rng: &mut XorShiftRng, i: usize, next: String) {
    let (w, m, h) = (format!("w{i}"), format!("m{i}"), format!("h{i}"));
    let names_args = || {
        vec![
            arg("name_first", inq("name_first")),
            arg("name_last", inq("name_last")),
        ]
    };
    let mut wl_args = names_args();
    wl_args.push(arg("birthdate", inq("birthdate")));
    out.push(Step::Action {
        name: format!("a{i}"),
        body: vec![
            Stmt::Let {
                name: w.clone(),
                call: Call::Report {
                    kind: "watchlist".into(),
                },
                args: wl_args,
                retry: None,
                timeout_secs: None,
            },
            Stmt::Let {
                name: m.clone(),
                call: Call::Report {
                    kind: "adverse_media".into(),
                },
                args: names_args(),
                retry: Some(1),
                timeout_secs: None,
            },
            Stmt::Let {
                name: h.clone(),
                call: Call::Http {
                    method: "post".into(),
                    url: format!("https://hooks.example.com/screening/{i}"),
                },
                args: vec![
                    arg("country", inq("country")),
                    arg("watchlist", res(&w, "matched")),
                    arg("media", res(&m, "matched")),
                ],
                retry: Some(rng.random_range(0..3)),
                timeout_secs: Some(10),
            },
            if_(
                or(res(&w, "matched"), res(&m, "matched")),
                vec![
                    tag("screening-hit"),
                    Stmt::Case {
                        queue: "manual-review".into(),
                    },
                ],
                vec![tag("screening-clear")],
            ),
            if_(not(res(&h, "ok")), vec![tag("webhook-failed")], vec![]),
        ],
        next: step(&format!("b{i}")),
        on_error: Some(step(&format!("c{i}"))),
    });
    out.push(Step::Branch {
        name: format!("b{i}"),
        routes: vec![
            Route {
                when: and(res(&w, "matched"), res(&m, "matched")),
                to: end("needs_review"),
            },
            Route {
                when: and(
                    bin(BinOp::Ge, res(&h, "status_code"), int(500)),
                    bin(BinOp::Gt, inq("risk"), int(rng.random_range(2..6))),
                ),
                to: end("failed"),
            },
        ],
        otherwise: step(&format!("c{i}")),
    });
    out.push(Step::Connector {
        name: format!("c{i}"),
        next: Target::Step(next),
    });
}

// ----- compute-heavy flows ------------------------------------------------------

/// A compute-heavy flow, the same program as a Rhai script, and the input
/// both start from.
pub struct Compute {
    pub flow: Flow,
    /// Reads `a b c s t flag` from its scope and evaluates to
    /// `[acc, n, b, flag]`, the fields the flow ends with.
    pub rhai: String,
}

/// The values of `screen input` (and of the Rhai scope).
pub const COMPUTE_INPUT: (i64, i64, i64, &str, &str, bool) = (7, 3, 11, "alphabet", "alpha", true);

/// [`COMPUTE_INPUT`] as the answer to the compute flows' `input` screen.
pub fn compute_input() -> Input {
    let (a, b, c, s, t, flag) = COMPUTE_INPUT;
    vec![
        ("a".into(), Value::Int(a)),
        ("b".into(), Value::Int(b)),
        ("c".into(), Value::Int(c)),
        ("s".into(), Value::Str(s.into())),
        ("t".into(), Value::Str(t.into())),
        ("flag".into(), Value::Bool(flag)),
    ]
}

/// One action of `statements` statements over int, string and bool fields.
pub fn compute(statements: usize, seed: u64) -> Compute {
    let mut rng = XorShiftRng::seed_from_u64(seed);
    let mut body = vec![set_inq("acc", int(0)), set_inq("n", int(0))];
    for _ in 0..statements {
        let which = rng.random_range(0..6u8);
        let mut k = || int(rng.random_range(1..20));
        let st = match which {
            0 => if_(
                and(
                    bin(
                        BinOp::Gt,
                        bin(BinOp::Add, inq("a"), inq("b")),
                        bin(BinOp::Sub, inq("c"), k()),
                    ),
                    or(
                        bin(BinOp::Lt, func("len", vec![inq("s")]), k()),
                        inq("flag"),
                    ),
                ),
                vec![set_inq("acc", bin(BinOp::Add, inq("acc"), inq("a")))],
                vec![set_inq("acc", bin(BinOp::Sub, inq("acc"), k()))],
            ),
            1 => if_(
                or(in_(inq("c"), vec![k(), k(), k(), k()]), not(inq("flag"))),
                vec![set_inq("n", bin(BinOp::Add, inq("n"), int(1)))],
                vec![set_inq("n", bin(BinOp::Sub, inq("n"), int(1)))],
            ),
            2 => if_(
                or(
                    bin(BinOp::Eq, inq("s"), inq("t")),
                    bin(BinOp::Ne, inq("s"), str_("alpha")),
                ),
                vec![set_inq(
                    "n",
                    bin(BinOp::Add, inq("n"), func("len", vec![inq("t")])),
                )],
                vec![],
            ),
            3 => set_inq(
                "flag",
                and(
                    bin(BinOp::Gt, inq("acc"), k()),
                    or(
                        bin(BinOp::Lt, inq("b"), inq("c")),
                        bin(BinOp::Ge, inq("a"), k()),
                    ),
                ),
            ),
            4 => set_inq(
                "b",
                bin(BinOp::Sub, bin(BinOp::Add, inq("b"), k()), inq("a")),
            ),
            _ => set_inq(
                "acc",
                bin(
                    BinOp::Add,
                    inq("acc"),
                    bin(BinOp::Sub, bin(BinOp::Sub, inq("a"), inq("b")), k()),
                ),
            ),
        };
        body.push(st);
    }
    let rhai = rhai_program(&body);
    let flow = Flow {
        name: format!("compute_{statements}"),
        plan: "growth".into(),
        inquiry: vec![
            field("a", "int"),
            field("b", "int"),
            field("c", "int"),
            field("s", "string"),
            field("t", "string"),
            field("flag", "bool"),
            field("acc", "int"),
            field("n", "int"),
        ],
        account: vec![],
        steps: vec![
            Step::Screen {
                name: "input".into(),
                collect: names(&["a", "b", "c", "s", "t", "flag"]),
                capture: vec![],
                next: step("work"),
            },
            Step::Action {
                name: "work".into(),
                body,
                next: step("done"),
                on_error: None,
            },
            Step::Branch {
                name: "done".into(),
                routes: vec![Route {
                    when: bin(BinOp::Gt, inq("acc"), inq("n")),
                    to: end("approved"),
                }],
                otherwise: end("declined"),
            },
        ],
    };
    Compute { flow, rhai }
}

/// `statements` statements that each load two strings (an inquiry field
/// and a field or a constant) and store a bool or an int.
pub fn string_loads(statements: usize) -> Flow {
    let mut body = Vec::with_capacity(statements);
    for i in 0..statements {
        body.push(match i % 3 {
            0 => set_inq("ok", bin(BinOp::Eq, inq("s"), inq("t"))),
            1 => set_inq("ok", bin(BinOp::Ne, inq("s"), str_("alpha"))),
            _ => set_inq("ok", bin(BinOp::Eq, str_("beta"), inq("t"))),
        });
    }
    Flow {
        name: format!("string_loads_{statements}"),
        plan: "growth".into(),
        inquiry: vec![
            field("s", "string"),
            field("t", "string"),
            field("ok", "bool"),
        ],
        account: vec![],
        steps: vec![
            Step::Screen {
                name: "input".into(),
                collect: names(&["s", "t"]),
                capture: vec![],
                next: step("work"),
            },
            Step::Action {
                name: "work".into(),
                body,
                next: end("completed"),
                on_error: None,
            },
        ],
    }
}

// ----- Rhai rendering of the compute subset -----------------------------------------

fn rhai_program(body: &[Stmt]) -> String {
    let mut out = String::new();
    for st in body {
        rhai_stmt(&mut out, st);
    }
    out.push_str("[acc, n, b, flag]\n");
    out
}

fn rhai_stmt(out: &mut String, st: &Stmt) {
    match st {
        // The first writes declare the variables.
        Stmt::SetInquiry { field, value }
            if matches!(field.as_str(), "acc" | "n") && matches!(value, Expr::Int(0)) =>
        {
            let _ = writeln!(out, "let {field} = 0;");
        }
        Stmt::SetInquiry { field, value } => {
            let _ = writeln!(out, "{field} = {};", rhai_expr(value));
        }
        Stmt::If {
            cond,
            then,
            otherwise,
        } => {
            let _ = writeln!(out, "if {} {{", rhai_expr(cond));
            for s in then {
                rhai_stmt(out, s);
            }
            if !otherwise.is_empty() {
                out.push_str("} else {\n");
                for s in otherwise {
                    rhai_stmt(out, s);
                }
            }
            out.push_str("}\n");
        }
        other => {
            let _ = writeln!(out, "throw \"not in the compute subset: {other:?}\";");
        }
    }
}

fn rhai_expr(e: &Expr) -> String {
    match e {
        Expr::Int(i) => i.to_string(),
        Expr::Str(s) => format!("{s:?}"),
        Expr::Bool(b) => b.to_string(),
        Expr::Inquiry(f) => f.clone(),
        Expr::Call { func, args } if func == "len" && args.len() == 1 => {
            format!("{}.len()", args.iter().map(rhai_expr).collect::<String>())
        }
        Expr::Not(x) => format!("!({})", rhai_expr(x)),
        Expr::Binary { op, left, right } => {
            let o = match op {
                BinOp::Or => "||",
                BinOp::And => "&&",
                other => other.text(),
            };
            format!("({} {o} {})", rhai_expr(left), rhai_expr(right))
        }
        Expr::In { value, list } => {
            let items: Vec<String> = list.iter().map(rhai_expr).collect();
            format!("[{}].contains({})", items.join(", "), rhai_expr(value))
        }
        other => format!("(throw \"not in the compute subset: {other:?}\")"),
    }
}
