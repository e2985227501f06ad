use super::*;
use proptest::prelude::*;
use std::time::{Duration, Instant};

const VALID: &str = r#"flow kyc {
  plan essential
  inquiry { name: string, born: date? }
  /// Ask.
  screen collect { collect name, born capture selfie -> check }
  action check {
    let v = verify selfie { } retry 1 timeout 30s
    if v.status == passed and not (inquiry.name in ["a", "b"]) { tag "ok" } else { case "q" }
    set account.name = inquiry.name
    -> route
    on error -> end failed
  }
  branch route { when attempts(collect) < 3 -> collect else -> end approved }
  test "t" { clock @2026-01-01 input collect { name: "x", born: none, selfie: true } expect end approved }
}
"#;

fn codes(src: &str) -> Vec<String> {
    parse(src)
        .diagnostics
        .iter()
        .map(|d| d.code.to_string())
        .collect()
}

#[test]
fn valid_flow_parses_without_diagnostics() {
    let p = parse(VALID);
    assert!(p.diagnostics.is_empty(), "{:?}", p.diagnostics);
    let file = p.file.unwrap();
    assert_eq!(file.flow.items.len(), 6);
    let Item::Step(step) = &file.flow.items[2] else {
        panic!()
    };
    assert_eq!(step.doc.as_deref(), Some("Ask."));
    assert_eq!(file.comments.len(), 1);
}

#[test]
fn spans_are_byte_offsets() {
    let src = "flow f { // é ✓\n plan essential }";
    let file = parse(src).file.unwrap();
    let Item::Plan(p) = &file.flow.items[0] else {
        panic!()
    };
    assert_eq!(&src[p.span.range()], "essential");
    assert_eq!(file.flow.span.range(), 0..src.len());
}

#[test]
fn each_broken_item_is_reported_and_the_rest_parse() {
    let src = "flow f { plan essential screen a { -> } connector b { -> a } action c { tag } }";
    let p = parse(src);
    assert_eq!(codes(src), vec!["E0001", "E0001"]);
    let file = p.file.unwrap();
    // the broken steps stay in the tree, declared, contents unknown
    let kinds: Vec<_> = file
        .flow
        .items
        .iter()
        .map(|i| match i {
            Item::Step(s) => format!("{} {:?}", s.name.node, s.kind.keyword()),
            _ => "header".to_string(),
        })
        .collect();
    assert_eq!(
        kinds,
        ["header", "a \"screen\"", "b \"connector\"", "c \"action\""]
    );
    let broken = |i: usize| {
        matches!(
            &file.flow.items[i],
            Item::Step(ast::Step {
                kind: ast::StepKind::Broken { .. },
                ..
            })
        )
    };
    assert!(broken(1) && !broken(2) && broken(3));
    assert!(!file.flow.recovery.lost_step_name);
    let damaged: Vec<_> = p.damaged_steps.iter().map(|n| n.node.as_str()).collect();
    assert_eq!(damaged, vec!["a", "c"]);
}

#[test]
fn head_errors_give_no_file() {
    for src in [
        "",
        "flow",
        "flow {",
        "flow x",
        "screen x {}",
        "flow screen {}",
    ] {
        let p = parse(src);
        assert!(p.file.is_none(), "{src}");
        assert_eq!(codes(src), vec!["E0001"], "{src}");
    }
}

#[test]
fn expected_tokens_are_in_user_terms() {
    let msg = |src: &str| parse(src).diagnostics[0].message.clone();
    assert_eq!(
        msg("flow f { connector c { } -> }"),
        "unexpected `->`, expected a header item, a step or a test"
    );
    assert_eq!(
        msg("flow f { connector c { -> } }"),
        "unexpected `}`, expected a step name or `end`"
    );
    assert_eq!(
        msg("flow f { screen s { collect } }"),
        "unexpected `}`, expected a name"
    );
    assert_eq!(
        msg("flow f { connector c { x } }"),
        "unexpected `x`, expected `}` or `->`"
    );
    assert_eq!(
        msg("flow f { action a { let x = verify y { a: } } }"),
        "unexpected `}`, expected an expression"
    );
}

#[test]
fn deep_nesting_is_refused_fast() {
    let src = format!(
        "flow f {{ branch b {{ when {} x -> b else -> end failed }} }}",
        "(".repeat(100_000)
    );
    let t = Instant::now();
    let p = parse(&src);
    assert!(t.elapsed() < Duration::from_secs(2));
    assert!(
        p.diagnostics
            .iter()
            .any(|d| d.message == "nesting too deep")
    );
    // and unary chains, which nest without brackets
    let src = format!(
        "flow f {{ branch b {{ when {} x -> b else -> end failed }} }}",
        "- not ".repeat(50_000)
    );
    assert!(
        parse(&src)
            .diagnostics
            .iter()
            .any(|d| d.message == "expression too complex")
    );
    let src = format!("flow f {{ {} }}", "{".repeat(100_000));
    assert!(!parse(&src).diagnostics.is_empty());
}

#[test]
fn sixty_four_levels_are_fine() {
    let src = format!(
        "flow f {{ branch b {{ when {}x{} -> b else -> end failed }} }}",
        "(".repeat(62),
        ")".repeat(62)
    );
    assert!(
        parse(&src).diagnostics.is_empty(),
        "{:?}",
        parse(&src).diagnostics
    );
}

#[test]
fn huge_source_is_refused_without_lexing() {
    let src = "a".repeat(50 * 1024 * 1024);
    let t = Instant::now();
    let p = parse(&src);
    assert!(t.elapsed() < Duration::from_secs(1));
    assert_eq!(p.diagnostics.len(), 1);
    assert_eq!(p.diagnostics[0].message, "source is larger than 2 MiB");
}

#[test]
fn the_size_bound_can_be_raised_but_not_dropped() {
    // Over 2 MiB of comments around a small flow: refused by `parse`,
    // compiled by `compile_source_with_limit` with a larger bound, and
    // refused again by that bound when the source exceeds it.
    let filler = "// padding\n".repeat(3 * 1024 * 1024 / 11);
    let src =
        format!("{filler}flow big {{\n  plan essential\n  screen s {{ -> end approved }}\n}}\n");
    assert!(src.len() > MAX_SOURCE_BYTES);
    assert_eq!(
        parse(&src).diagnostics[0].message,
        "source is larger than 2 MiB"
    );
    let catalog = crate::catalog::Catalog::builtin();
    let compiled = crate::compile_source_with_limit(&src, &catalog, 8 * 1024 * 1024);
    assert!(
        compiled.diagnostics.is_empty(),
        "{:?}",
        compiled.diagnostics
    );
    assert!(compiled.module.is_some());
    let refused = parse_with_limit(&src, 1000);
    assert_eq!(
        refused.diagnostics[0].message,
        "source is larger than 1000 bytes"
    );
}

#[test]
fn odd_inputs_do_not_panic() {
    for src in [
        "\0",
        "flow f {\0}",
        "flow f { \"",
        "flow f { @",
        "flow f { screen",
        "flow f { }}}}",
        "flow f { test }",
        "flow f { version -0 }",
        "\u{feff}flow f {}",
    ] {
        let _ = parse(src);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn mutations_of_a_valid_flow_never_panic(edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>(), 0u8..3), 1..8)) {
        let mut bytes = VALID.as_bytes().to_vec();
        for (at, byte, op) in edits {
            let i = at.index(bytes.len() + 1);
            match op {
                0 if i < bytes.len() => bytes[i] = byte,
                1 => bytes.insert(i, byte),
                _ if i < bytes.len() => { bytes.remove(i); }
                _ => {}
            }
        }
        let src = String::from_utf8_lossy(&bytes);
        let p = parse(&src);
        for d in &p.diagnostics {
            prop_assert!(d.primary.span.end as usize <= src.len());
            prop_assert!(d.primary.span.start <= d.primary.span.end);
        }
        let _ = crate::diagnostics::render::render_human(&p.diagnostics, "f.flow", &src, false);
    }
}

#[test]
fn a_flood_of_faults_is_capped_with_a_count() {
    let src = format!("flow x {{ plan growth {} }}", "§ ".repeat(500));
    let p = parse(&src);
    assert_eq!(p.diagnostics.len(), MAX_DIAGNOSTICS);
    let last = p.diagnostics.last().unwrap();
    assert!(
        last.notes.iter().any(|n| n.contains("400 more")),
        "{:?}",
        last.notes
    );
}

#[test]
fn an_unterminated_string_is_the_only_fault_at_the_end_of_the_file() {
    let src = "flow f {\n  plan essential\n  screen s { collect x -> end \"approved\n  }\n}\n";
    assert_eq!(codes(src), vec!["E0002"]);
}

#[test]
fn a_bom_before_flow_is_ignored() {
    let src = format!("\u{feff}{VALID}");
    assert!(parse(&src).diagnostics.is_empty());
}

#[test]
fn an_unterminated_tag_string_is_one_fault() {
    let src = "flow f {\n  plan essential\n  action a { tag \"ok\n    -> end approved\n  }\n}\n";
    assert_eq!(codes(src), vec!["E0002"]);
}

#[test]
fn lost_parts_are_recorded() {
    let p = parse(
        "flow f { plan 3 start 5 screen { } inquiry { a: string, b: int c } account { x: nope } }",
    );
    let r = p.file.unwrap().flow.recovery;
    assert!(r.lost_plan && r.lost_start && r.lost_step_name && r.inquiry_open && r.account_open);
    let p = parse("flow f { inquiry { a: string, b: int? c } }");
    let file = p.file.unwrap();
    let Item::Inquiry(block) = &file.flow.items[0] else {
        panic!()
    };
    let names: Vec<_> = block.fields.iter().map(|f| f.name.node.as_str()).collect();
    assert_eq!(names, ["a", "b"]);
    assert!(block.fields[1].ty.node.optional);
    assert!(parse(VALID).file.unwrap().flow.recovery.is_clean());
}
