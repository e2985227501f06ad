#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! `flowc fmt`: the formatter's three promises over every example, every
//! check case, every syntax case that parses and generated flows with
//! comments in random places: formatting twice equals formatting once; the
//! formatted file has the same tree (spans aside) and the same diagnostic
//! codes; the comments are the same in number, order and text. Then
//! snapshots of tricky layouts, and the command line.

use flowc::unstable::catalog::Catalog;
use flowc::unstable::format::{WIDTH, format_source};
use std::path::Path;

// ----- the three promises ----------------------------------------------------

/// The tree of `source` as JSON without spans and without the comment list
/// (compared on its own), or `None` when it does not parse cleanly.
fn tree(source: &str) -> Option<serde_json::Value> {
    let parsed = flowc::unstable::parser::parse(source);
    if parsed.has_errors() {
        return None;
    }
    let mut v = serde_json::to_value(&parsed.file?.flow).unwrap();
    strip_spans(&mut v);
    Some(v)
}

fn strip_spans(v: &mut serde_json::Value) {
    match v {
        serde_json::Value::Object(map) => {
            map.remove("span");
            map.values_mut().for_each(strip_spans);
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(strip_spans),
        _ => {}
    }
}

/// Each comment as printed: `//` or `///` and its text (trailing blanks are
/// not kept by the formatter).
fn comments(source: &str) -> Vec<String> {
    let file = flowc::unstable::parser::parse(source).file.unwrap();
    file.comments
        .iter()
        .map(|c| format!("{}{}", if c.doc { "///" } else { "//" }, c.text.trim_end()))
        .collect()
}

fn codes(source: &str) -> Vec<String> {
    flowc::check_source(source, &Catalog::builtin())
        .diagnostics
        .iter()
        .map(|d| d.code.to_string())
        .collect()
}

/// Checks the promises for one source that parses; returns the formatted
/// text.
fn promises(name: &str, source: &str) -> Result<String, String> {
    let result = promises_inner(name, source);
    if let Err(e) = &result {
        // The last failure in full, for a person to read.
        let _ = std::fs::write(
            Path::new(env!("CARGO_TARGET_TMPDIR")).join("fmt-failure.txt"),
            e,
        );
    }
    result
}

fn promises_inner(name: &str, source: &str) -> Result<String, String> {
    let Some(before) = tree(source) else {
        return Err(format!("{name}: does not parse"));
    };
    let once = format_source(source).map_err(|d| format!("{name}: refused: {d:?}"))?;
    let twice = format_source(&once)
        .map_err(|d| format!("{name}: the formatted text does not parse: {d:?}\n----\n{once}"))?;
    if twice != once {
        return Err(format!(
            "{name}: not idempotent\n---- source\n{source}\n---- once\n{once}\n---- twice\n{twice}"
        ));
    }
    if tree(&once).as_ref() != Some(&before) {
        return Err(format!(
            "{name}: the tree changed\n----\n{source}\n----\n{once}"
        ));
    }
    if comments(&once) != comments(source) {
        return Err(format!(
            "{name}: comments changed: {:?} became {:?}\n----\n{once}",
            comments(source),
            comments(&once)
        ));
    }
    if codes(&once) != codes(source) {
        return Err(format!(
            "{name}: codes changed: {:?} became {:?}\n----\n{once}",
            codes(source),
            codes(&once)
        ));
    }
    if let Some(line) = once.lines().find(|l| l.ends_with(' ') || l.ends_with('\t')) {
        return Err(format!("{name}: trailing whitespace on `{line}`"));
    }
    if !once.ends_with('\n') || once.ends_with("\n\n") {
        return Err(format!("{name}: must end with exactly one newline"));
    }
    Ok(once)
}

fn flows_in(dir: &str) -> Vec<(String, String)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
    let mut out: Vec<(String, String)> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "flow"))
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read_to_string(&p).unwrap())
        })
        .collect();
    out.sort();
    assert!(!out.is_empty(), "no flows in {}", dir.display());
    out
}

#[test]
fn examples_keep_the_promises_and_are_formatted() {
    for (name, source) in flows_in("examples") {
        let once = promises(&name, &source).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            once, source,
            "{name} is not formatted: run `flowc fmt examples/*.flow`"
        );
        for line in once.lines() {
            assert!(
                line.chars().count() <= WIDTH,
                "{name}: line over {WIDTH} columns: {line}"
            );
        }
    }
}

#[test]
fn crlf_and_tabs_give_the_same_file() {
    for (name, source) in flows_in("examples") {
        // Indentation by tabs, lines ended by CR LF.
        let crlf: String = source
            .lines()
            .map(|l| {
                let body = l.trim_start_matches(' ');
                let tabs = (l.len() - body.len()) / 2;
                format!("{}{body}\r\n", "\t".repeat(tabs))
            })
            .collect();
        assert_eq!(format_source(&crlf).unwrap(), source, "{name}");
    }
}

#[test]
fn check_cases_keep_the_promises() {
    let cases = flows_in("tests/cases/check");
    let mut failures = Vec::new();
    for (name, source) in &cases {
        if let Err(e) = promises(name, source) {
            failures.push(e);
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn syntax_cases_that_parse_keep_the_promises_and_the_others_are_refused() {
    let mut formatted = 0;
    for (name, source) in flows_in("tests/cases/syntax") {
        if tree(&source).is_some() {
            promises(&name, &source).unwrap_or_else(|e| panic!("{e}"));
            formatted += 1;
        } else {
            let diags = format_source(&source).unwrap_err();
            assert!(diags.iter().any(|d| d.is_error()), "{name}");
        }
    }
    assert!(formatted >= 9, "only {formatted} syntax cases parse");
}

// ----- generated flows with comments in random places -------------------------

mod generate {
    //! Random flows that parse, built from the grammar: every construct,
    //! short and long argument records, long conditions, nested `if`s,
    //! messy spacing. Comments are added afterwards by [`super::sprinkle`].
    use proptest::prelude::*;

    fn pick(items: &'static [&'static str]) -> BoxedStrategy<String> {
        proptest::sample::select(items)
            .prop_map(str::to_string)
            .boxed()
    }

    fn name() -> BoxedStrategy<String> {
        pick(&[
            "a",
            "b",
            "n",
            "name_first",
            "birthdate",
            "status",
            "country",
        ])
    }

    fn step() -> BoxedStrategy<String> {
        pick(&["s1", "s2", "s3", "collect", "screen", "verify", "input"])
    }

    fn sep() -> BoxedStrategy<String> {
        pick(&[" ", " ", " ", "\n", "\n\n", "\n    ", "  "])
    }

    fn leaf() -> BoxedStrategy<String> {
        pick(&[
            "1",
            "1_000",
            "\"x\"",
            "\"a \\\"quoted\\\" \\u{1F600}\"",
            "@2024-02-29",
            "true",
            "false",
            "none",
            "passed",
            "failed",
            "inquiry.a",
            "account.b",
            "r.status",
            "r.match_score",
            "attempts(s1)",
            "attempts(screen)",
            "today()",
        ])
    }

    /// Any expression, built by precedence level so that it parses.
    pub fn expr() -> BoxedStrategy<String> {
        leaf()
            .prop_recursive(2, 12, 4, |inner| {
                let primary = prop_oneof![
                    3 => leaf(),
                    1 => inner.clone().prop_map(|e| format!("({e})")),
                    1 => (pick(&["len", "lower", "age", "f"]), proptest::collection::vec(inner.clone(), 0..3))
                        .prop_map(|(f, args)| format!("{f}({})", args.join(", "))),
                ];
                let unary = (proptest::bool::weighted(0.1), primary)
                    .prop_map(|(neg, p)| if neg { format!("-{p}") } else { p });
                let add = proptest::collection::vec((pick(&["+", "-"]), unary.clone()), 0..3)
                    .prop_flat_map(move |rest| {
                        unary.clone().prop_map(move |first| {
                            rest.iter().fold(first, |acc, (op, x)| format!("{acc} {op} {x}"))
                        })
                    });
                let cmp = prop_oneof![
                    2 => (add.clone(), pick(&["==", "!=", "<", "<=", ">", ">="]), add.clone())
                        .prop_map(|(a, op, b)| format!("{a} {op} {b}")),
                    1 => (add.clone(), proptest::collection::vec(inner.clone(), 0..8), proptest::bool::ANY)
                        .prop_map(|(a, list, comma)| {
                            let trailing = if comma && !list.is_empty() { "," } else { "" };
                            format!("{a} in [{}{trailing}]", list.join(", "))
                        }),
                    1 => add,
                ];
                let not = (proptest::bool::weighted(0.2), cmp)
                    .prop_map(|(not, c)| if not { format!("not {c}") } else { c });
                let and = proptest::collection::vec(not, 1..4).prop_map(|v| v.join(" and "));
                proptest::collection::vec(and, 1..3).prop_map(|v| v.join(" or "))
            })
            .boxed()
    }

    fn record() -> BoxedStrategy<String> {
        (
            proptest::collection::vec((name(), expr()), 0..7),
            proptest::bool::ANY,
            sep(),
        )
            .prop_map(|(args, comma, sep)| {
                let body: Vec<String> = args.iter().map(|(n, e)| format!("{n}: {e}")).collect();
                let trailing = if comma && !body.is_empty() { "," } else { "" };
                format!("{{{sep}{}{trailing}{sep}}}", body.join(&format!(",{sep}")))
            })
            .boxed()
    }

    fn stmt() -> BoxedStrategy<String> {
        let simple = prop_oneof![
            (
                name(),
                pick(&[
                    "verify database",
                    "report watchlist",
                    "http post \"https://x.test/h\"",
                    "http get \"u\""
                ]),
                record(),
                proptest::option::of(0..6u8),
                proptest::option::of(pick(&["30s", "1m", "24h", "1_0s"]))
            )
                .prop_map(|(n, call, rec, retry, timeout)| {
                    let mut s = format!("let {n} = {call} {rec}");
                    if let Some(r) = retry {
                        s += &format!(" retry {r}");
                    }
                    if let Some(t) = timeout {
                        s += &format!(" timeout {t}");
                    }
                    s
                }),
            (pick(&["inquiry", "account"]), name(), expr())
                .prop_map(|(r, f, e)| format!("set {r}.{f} = {e}")),
            pick(&["tag \"t\"", "case \"queue\"", "tag \"a\\tb\""]),
        ];
        simple
            .prop_recursive(2, 12, 4, |inner| {
                (
                    expr(),
                    proptest::collection::vec(inner.clone(), 0..3),
                    proptest::option::of(proptest::collection::vec(inner, 0..3)),
                    sep(),
                )
                    .prop_map(|(c, then, els, sep)| {
                        let mut s = format!("if {c} {{{sep}{}{sep}}}", then.join(&sep));
                        if let Some(e) = els {
                            s += &format!(" else {{{sep}{}{sep}}}", e.join(&sep));
                        }
                        s
                    })
            })
            .boxed()
    }

    fn transition() -> BoxedStrategy<String> {
        prop_oneof![
            step().prop_map(|s| format!("-> {s}")),
            pick(&["approved", "declined", "failed", "needs_review"])
                .prop_map(|s| format!("-> end {s}")),
        ]
        .boxed()
    }

    fn names_line() -> BoxedStrategy<String> {
        (
            pick(&["collect", "capture"]),
            proptest::collection::vec(name(), 1..9),
        )
            .prop_map(|(k, names)| format!("{k} {}", names.join(", ")))
            .boxed()
    }

    fn step_item() -> BoxedStrategy<String> {
        let body = prop_oneof![
            (
                proptest::option::of(pick(&["title \"Who are you?\"", "title \"\""])),
                proptest::collection::vec(names_line(), 0..3),
                proptest::collection::vec(transition(), 0..2)
            )
                .prop_map(|(title, lines, ts)| {
                    let title: Vec<String> = title.into_iter().collect();
                    ("screen", [title, lines, ts].concat())
                }),
            (
                proptest::collection::vec(stmt(), 0..5),
                proptest::collection::vec(transition(), 0..2),
                proptest::option::of(transition())
            )
                .prop_map(|(stmts, ts, on_error)| {
                    let mut lines = [stmts, ts].concat();
                    lines.extend(on_error.map(|t| format!("on error {t}")));
                    ("action", lines)
                }),
            (
                proptest::collection::vec((expr(), transition()), 0..4),
                proptest::option::of(transition())
            )
                .prop_map(|(routes, els)| {
                    let mut lines: Vec<String> = routes
                        .iter()
                        .map(|(c, t)| format!("when {c} {t}"))
                        .collect();
                    lines.extend(els.map(|t| format!("else {t}")));
                    ("branch", lines)
                }),
            proptest::collection::vec(transition(), 0..2).prop_map(|ts| ("connector", ts)),
        ];
        (
            body,
            step(),
            sep(),
            proptest::option::of(pick(&["/// Doc.\n", "/// Doc.\n/// Two.\n"])),
        )
            .prop_map(|((kind, lines), name, sep, doc)| {
                format!(
                    "{}{kind} {name} {{{sep}{}{sep}}}",
                    doc.unwrap_or_default(),
                    lines.join(&sep)
                )
            })
            .boxed()
    }

    fn test_item() -> BoxedStrategy<String> {
        prop_oneof![
            pick(&[
                "clock @2026-01-01",
                "expect end approved",
                "expect tag \"t\"",
                "expect not tag \"t\"",
                "expect case \"q\"",
                "expect not case \"q\"",
                "stub r error"
            ]),
            (step(), record()).prop_map(|(s, r)| format!("input {s} {r}")),
            (name(), record()).prop_map(|(n, r)| format!("stub {n} {r}")),
            record().prop_map(|r| format!("account {r}")),
            (name(), pick(&["==", "!=", "<", ">="]), 0..1_000i64)
                .prop_map(|(n, op, c)| format!("expect calls {n} {op} {c}")),
            proptest::collection::vec(step(), 0..20)
                .prop_map(|v| format!("expect visits [{}]", v.join(", "))),
            expr().prop_map(|e| format!("expect inquiry.a == ({e})")),
        ]
        .boxed()
    }

    fn field_block() -> BoxedStrategy<String> {
        (
            pick(&["inquiry", "account"]),
            proptest::collection::vec(
                (
                    name(),
                    pick(&[
                        "string",
                        "int",
                        "date?",
                        "bool",
                        "verification_status?",
                        "\"a\" | \"b c\"",
                        "(\"x\")?",
                        "(\"a\" | \"\\u{e9}\" | \"c\")?",
                        "string \"First name\"",
                        "\"p\" | \"q\" \"Kind\"",
                    ]),
                    proptest::bool::ANY,
                ),
                0..5,
            ),
            sep(),
        )
            .prop_map(|(k, fields, sep)| {
                let body: Vec<String> = fields
                    .iter()
                    .map(|(n, t, c)| format!("{n}: {t}{}", if *c { "," } else { "" }))
                    .collect();
                format!("{k} {{{sep}{}{sep}}}", body.join(&sep))
            })
            .boxed()
    }

    fn item() -> BoxedStrategy<String> {
        prop_oneof![
            1 => pick(&["plan essential", "plan growth", "version 2", "start s1", "start screen", "use solution gov_id_selfie"]),
            1 => field_block(),
            4 => step_item(),
            1 => (proptest::collection::vec(test_item(), 0..6), sep())
                .prop_map(|(items, sep)| format!("test \"t\" {{{sep}{}{sep}}}", items.join(&sep))),
        ]
        .boxed()
    }

    pub fn flow() -> BoxedStrategy<String> {
        (proptest::collection::vec((item(), sep()), 0..8), sep())
            .prop_map(|(items, sep)| {
                let body: String = items.iter().map(|(i, s)| format!("{i}{s}")).collect();
                format!("flow generated {{{sep}{body}}}\n")
            })
            .boxed()
    }
}

/// Inserts comments (own-line, trailing, doc) and blank lines after the
/// chosen tokens of `source`; `at` picks tokens, `kind` the insertion.
fn sprinkle(source: &str, edits: &[(proptest::sample::Index, u8)]) -> String {
    let ends: Vec<usize> = flowc::unstable::lexer::tokenize(source)
        .tokens
        .iter()
        .filter(|(_, t, _)| {
            !matches!(
                t,
                flowc::unstable::lexer::Token::Comment(_)
                    | flowc::unstable::lexer::Token::DocComment(_)
            )
        })
        .map(|(_, _, r)| *r as usize)
        .collect();
    if ends.is_empty() {
        return source.to_string();
    }
    let mut inserts: Vec<(usize, String)> = edits
        .iter()
        .enumerate()
        .map(|(n, (at, kind))| {
            let pos = ends[at.index(ends.len())];
            let text = match kind % 5 {
                0 => format!(" // trailing {n}\n"),
                1 => format!("\n// own line {n}\n"),
                2 => format!("\n/// doc {n}\n"),
                3 => format!("\n\n// after a blank line {n}\n\n"),
                _ => format!("//{n}   \n"),
            };
            (pos, text)
        })
        .collect();
    inserts.sort_by_key(|(pos, _)| std::cmp::Reverse(*pos));
    let mut out = source.to_string();
    for (pos, text) in inserts {
        out.insert_str(pos, &text);
    }
    out
}

/// Every flow the promises are checked on above, to sprinkle comments into.
fn corpus() -> &'static [(String, String)] {
    static CORPUS: std::sync::OnceLock<Vec<(String, String)>> = std::sync::OnceLock::new();
    CORPUS.get_or_init(read_corpus)
}

fn read_corpus() -> Vec<(String, String)> {
    let mut all = flows_in("examples");
    all.extend(flows_in("tests/cases/fmt"));
    all.extend(
        flows_in("tests/cases/syntax")
            .into_iter()
            .filter(|(_, s)| tree(s).is_some()),
    );
    all.extend(flows_in("tests/cases/check"));
    all
}

/// The tokens of `source` without its comments, joined by the separators
/// `seps` picks (a space when `seps` is empty): the same flow with another
/// layout and no empty lines.
fn respaced(source: &str, seps: &[proptest::sample::Index]) -> String {
    const SEPS: [&str; 5] = [" ", "\n", "\t", "  \n    ", ""];
    let mut out = String::new();
    let tokens = flowc::unstable::lexer::tokenize(source).tokens;
    let mut n = 0;
    for (l, t, r) in &tokens {
        if matches!(
            t,
            flowc::unstable::lexer::Token::Comment(_)
                | flowc::unstable::lexer::Token::DocComment(_)
        ) {
            continue;
        }
        if !out.is_empty() {
            let sep = seps.get(n).map_or(" ", |i| SEPS[i.index(SEPS.len())]);
            // Two names or numbers must stay apart.
            out.push_str(if sep.is_empty() { " " } else { sep });
            n += 1;
        }
        out.push_str(&source[*l as usize..*r as usize]);
    }
    out.push('\n');
    out
}

proptest::proptest! {
    // 256 cases each unless PROPTEST_CASES says otherwise.
    #![proptest_config(proptest::test_runner::Config::default())]

    #[test]
    fn generated_flows_with_comments_keep_the_promises(
        flow in generate::flow(),
        edits in proptest::collection::vec((proptest::prelude::any::<proptest::sample::Index>(), 0u8..5), 0..12),
    ) {
        let source = sprinkle(&flow, &edits);
        proptest::prop_assert!(tree(&source).is_some(), "generated flow does not parse:\n{}", source);
        if let Err(e) = promises("generated", &source) {
            proptest::prop_assert!(false, "{}", e);
        }
    }

    #[test]
    fn known_flows_with_comments_in_random_places_keep_the_promises(
        which in proptest::prelude::any::<proptest::sample::Index>(),
        edits in proptest::collection::vec((proptest::prelude::any::<proptest::sample::Index>(), 0u8..5), 1..16),
    ) {
        // Flows with `#[allow(...)]` attributes included: a comment inside
        // an attribute's parentheses moves before it, and is kept.
        let all: Vec<&(String, String)> = corpus().iter().collect();
        let (name, flow) = all[which.index(all.len())];
        let source = sprinkle(flow, &edits);
        if let Err(e) = promises(name, &source) {
            proptest::prop_assert!(false, "{}", e);
        }
    }

    /// The layout depends on the tree, not on how the source was laid out
    /// (empty lines and comments aside).
    #[test]
    fn the_layout_does_not_depend_on_the_source_layout(
        which in proptest::prelude::any::<proptest::sample::Index>(),
        seps in proptest::collection::vec(proptest::prelude::any::<proptest::sample::Index>(), 0..400),
    ) {
        let all = corpus();
        let (name, flow) = &all[which.index(all.len())];
        let one_line = respaced(flow, &[]);
        let other = respaced(flow, &seps);
        proptest::prop_assert_eq!(
            format_source(&one_line).unwrap(),
            format_source(&other).unwrap(),
            "{}",
            name
        );
    }
}

// ----- layout snapshots ----------------------------------------------------------

/// One snapshot per `tests/cases/fmt/*.flow`: the source, then the formatted
/// text (which must keep the promises).
#[test]
fn layout_snapshots() {
    insta::glob!("cases/fmt/*.flow", |path| {
        let source = std::fs::read_to_string(path).unwrap();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let once = promises(&name, &source).unwrap_or_else(|e| panic!("{e}"));
        insta::assert_snapshot!(format!("{source}\n----- formatted -----\n{once}"));
    });
}

// ----- the command line ------------------------------------------------------------

fn flowc(args: &[&str], stdin: &str) -> (i32, String, String) {
    use std::io::Write as _;
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_flowc"))
        .args(args)
        .env("NO_COLOR", "1")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

const MESSY: &str = "flow f {plan essential\nscreen s {collect a,b -> end approved} // done\n}\n";
const BROKEN: &str = "flow f { plan essential screen s { -> } }\n";

#[test]
fn fmt_rewrites_files_and_leaves_formatted_ones_alone() {
    let dir = tempfile::tempdir().unwrap();
    let messy = dir.path().join("messy.flow");
    let tidy = dir.path().join("tidy.flow");
    std::fs::write(&messy, MESSY).unwrap();
    let formatted = format_source(MESSY).unwrap();
    std::fs::write(&tidy, &formatted).unwrap();
    let before = std::fs::metadata(&tidy).unwrap().modified().unwrap();
    let (code, out, err) = flowc(
        &["fmt", messy.to_str().unwrap(), tidy.to_str().unwrap()],
        "",
    );
    assert_eq!((code, out.as_str(), err.as_str()), (0, "", ""));
    assert_eq!(std::fs::read_to_string(&messy).unwrap(), formatted);
    assert!(
        formatted.contains("  screen s {\n    collect a, b\n    -> end approved\n  } // done\n")
    );
    // A formatted file is not written at all.
    assert_eq!(
        std::fs::metadata(&tidy).unwrap().modified().unwrap(),
        before
    );
    // No temporary file is left behind.
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 2);
}

#[test]
fn fmt_check_names_the_files_that_would_change_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let messy = dir.path().join("messy.flow");
    let tidy = dir.path().join("tidy.flow");
    std::fs::write(&messy, MESSY).unwrap();
    std::fs::write(&tidy, format_source(MESSY).unwrap()).unwrap();
    let (m, t) = (messy.to_str().unwrap(), tidy.to_str().unwrap());
    let (code, out, _) = flowc(&["fmt", "--check", m, t], "");
    assert_eq!((code, out), (1, format!("{m}\n")));
    assert_eq!(std::fs::read_to_string(&messy).unwrap(), MESSY);
    assert_eq!(flowc(&["fmt", "--check", t], "").0, 0);
}

#[test]
fn fmt_refuses_a_file_with_syntax_errors_and_leaves_it_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let broken = dir.path().join("broken.flow");
    let messy = dir.path().join("messy.flow");
    std::fs::write(&broken, BROKEN).unwrap();
    std::fs::write(&messy, MESSY).unwrap();
    let (b, m) = (broken.to_str().unwrap(), messy.to_str().unwrap());
    for check in [false, true] {
        let mut args = vec!["fmt"];
        if check {
            args.push("--check");
        }
        args.extend([b]);
        let (code, out, err) = flowc(&args, "");
        assert_eq!(code, 1);
        assert_eq!(out, "");
        assert!(err.contains("error[E0001]: unexpected `}`"), "{err}");
        assert_eq!(std::fs::read_to_string(&broken).unwrap(), BROKEN);
    }
    // The other files are still formatted.
    let (code, _, _) = flowc(&["fmt", b, m], "");
    assert_eq!(code, 1);
    assert_eq!(
        std::fs::read_to_string(&messy).unwrap(),
        format_source(MESSY).unwrap()
    );
}

#[test]
fn fmt_dash_reads_stdin_and_writes_stdout() {
    let formatted = format_source(MESSY).unwrap();
    assert_eq!(
        flowc(&["fmt", "-"], MESSY),
        (0, formatted.clone(), String::new())
    );
    assert_eq!(
        flowc(&["fmt", "-"], &formatted),
        (0, formatted.clone(), String::new())
    );
    assert_eq!(flowc(&["fmt", "--check", "-"], MESSY).0, 1);
    assert_eq!(flowc(&["fmt", "--check", "-"], MESSY).1, "<stdin>\n");
    assert_eq!(
        flowc(&["fmt", "--check", "-"], &formatted),
        (0, String::new(), String::new())
    );
    let (code, out, err) = flowc(&["fmt", "-"], BROKEN);
    assert_eq!((code, out.as_str()), (1, ""));
    assert!(err.contains("<stdin>"), "{err}");
}

#[test]
fn fmt_io_errors_exit_2() {
    assert_eq!(
        flowc(&["fmt", "tests/cases/fmt/does_not_exist.flow"], "").0,
        2
    );
    assert_eq!(flowc(&["fmt"], "").0, 2);
}

#[cfg(unix)]
#[test]
fn fmt_keeps_permissions_and_rewrites_through_symlinks() {
    use std::os::unix::fs::PermissionsExt as _;
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("target.flow");
    let link = dir.path().join("link.flow");
    std::fs::write(&target, MESSY).unwrap();
    std::fs::set_permissions(&target, std::fs::Permissions::from_mode(0o640)).unwrap();
    std::os::unix::fs::symlink(&target, &link).unwrap();
    assert_eq!(flowc(&["fmt", link.to_str().unwrap()], "").0, 0);
    assert!(
        std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert_eq!(
        std::fs::read_to_string(&target).unwrap(),
        format_source(MESSY).unwrap()
    );
    let mode = std::fs::metadata(&target).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o640);
}
