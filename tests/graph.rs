#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! `flowc graph`: DOT and Mermaid snapshots of every example and of the
//! cases in `tests/cases/graph/`, and checks that the SVG is well-formed,
//! self-contained, deterministic and names every step.

use flowc::unstable::catalog::Catalog;
use flowc::unstable::graph::{self, EdgeKind, Graph, NodeKind, Options};
use proptest::prelude::*;
use std::path::Path;

fn graph_of(path: &Path) -> Graph {
    let src = std::fs::read_to_string(path).unwrap();
    let checked = flowc::check_source(&src, &Catalog::builtin());
    let flow = checked
        .flow
        .unwrap_or_else(|| panic!("{} has errors", path.display()));
    Graph::of(&flow, &Options::default())
}

fn each_flow(f: impl Fn(&Path)) {
    insta::glob!("../examples", "*.flow", |p| f(p));
    insta::glob!("cases/graph/*.flow", |p| f(p));
}

#[test]
fn dot_snapshots() {
    each_flow(|p| insta::assert_snapshot!(graph::dot::write(&graph_of(p))));
}

#[test]
fn mermaid_snapshots() {
    each_flow(|p| insta::assert_snapshot!(graph::mermaid::write(&graph_of(p))));
}

/// Parses an SVG and returns the text of every `<text>` element.
fn svg_texts(svg: &str) -> Vec<String> {
    let doc = roxmltree::Document::parse(svg).expect("the SVG is well-formed XML");
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "svg");
    assert_eq!(
        root.tag_name().namespace(),
        Some("http://www.w3.org/2000/svg")
    );
    assert!(root.attribute("viewBox").is_some());
    doc.descendants()
        .filter(|n| n.has_tag_name("text"))
        .map(|n| n.text().unwrap_or("").to_string())
        .collect()
}

#[test]
fn svg_parses_and_names_every_step() {
    each_flow(|p| {
        let g = graph_of(p);
        let svg = graph::svg::write(&g).unwrap();
        let texts = svg_texts(&svg);
        for n in &g.nodes {
            assert!(
                texts.contains(&n.name),
                "{}: no text `{}`",
                p.display(),
                n.name
            );
        }
        for e in &g.edges {
            for line in &e.label {
                assert!(texts.contains(line), "{}: no label `{line}`", p.display());
            }
        }
        // Self-contained: nothing to fetch, nothing to run.
        for banned in [
            "<script",
            "href",
            "@import",
            "@font-face",
            "url(http",
            "<image",
        ] {
            assert!(!svg.contains(banned), "{}: contains {banned}", p.display());
        }
        // The same graph gives the same bytes.
        assert_eq!(svg, graph::svg::write(&g).unwrap(), "{}", p.display());
    });
}

#[test]
fn unreachable_steps_and_what_only_they_reach_are_greyed() {
    let g = graph_of(Path::new("tests/cases/graph/unreachable.flow"));
    let node = |name: &str| g.nodes.iter().position(|n| n.name == name).unwrap();
    let orphan = node("orphan");
    assert!(!g.nodes[orphan].reachable);
    assert!(!g.nodes[node("end needs_review")].reachable);
    assert!(g.nodes[node("end failed")].reachable);
    for e in &g.edges {
        assert_eq!(e.reachable, e.from != orphan);
    }
    let on_error: Vec<_> = g.edges.iter().filter(|e| e.dashed()).collect();
    assert_eq!(on_error.len(), 1);
    assert_eq!(on_error[0].kind, EdgeKind::OnError);
    assert_eq!(
        g.nodes[on_error[0].to].kind,
        NodeKind::End(flowc::unstable::value::EndStatus::Failed)
    );
    let dot = graph::dot::write(&g);
    assert!(dot.contains("\"orphan\" [shape=box, style=\"filled,dashed\", fillcolor=\"#f3f4f6\""));
}

#[test]
fn highlight_marks_a_tests_visits() {
    let mut g = graph_of(Path::new("examples/database_kyc.flow"));
    let path: Vec<String> = [
        "collect",
        "verify_db",
        "route",
        "collect",
        "verify_db",
        "route",
        "save",
    ]
    .map(String::from)
    .to_vec();
    g.highlight(&path).unwrap();
    let lit: Vec<&str> = g
        .nodes
        .iter()
        .filter(|n| n.highlighted)
        .map(|n| n.name.as_str())
        .collect();
    // `save` has one way on, to `end approved`: marked too.
    assert_eq!(
        lit,
        ["collect", "verify_db", "route", "save", "end approved"]
    );
    let edges: Vec<(String, String)> = g
        .edges
        .iter()
        .filter(|e| e.highlighted)
        .map(|e| (g.nodes[e.from].name.clone(), g.nodes[e.to].name.clone()))
        .collect();
    let pairs = [
        ("collect", "verify_db"),
        ("verify_db", "route"),
        ("route", "save"),
        ("route", "collect"),
        ("save", "end approved"),
    ];
    assert_eq!(edges.len(), pairs.len(), "{edges:?}");
    for (a, b) in pairs {
        assert!(
            edges.contains(&(a.to_string(), b.to_string())),
            "{a} -> {b}"
        );
    }
    insta::assert_snapshot!(graph::mermaid::write(&g));
    let unknown = g.highlight(&["collect".to_string(), "nowhere".to_string()]);
    assert_eq!(unknown, Err(vec!["nowhere".to_string()]));
}

#[test]
fn no_docs_leaves_doc_comments_out() {
    let src = std::fs::read_to_string("examples/database_kyc.flow").unwrap();
    let flow = flowc::check_source(&src, &Catalog::builtin()).flow.unwrap();
    let with = Graph::of(&flow, &Options::default());
    let without = Graph::of(&flow, &Options { no_docs: true });
    assert!(with.nodes.iter().any(|n| !n.doc.is_empty()));
    assert!(without.nodes.iter().all(|n| n.doc.is_empty()));
    assert!(graph::dot::write(&with).contains("Ask for the legal name"));
    assert!(!graph::dot::write(&without).contains("Ask for the legal name"));
}

/// A graph of `n` steps whose edges are drawn from `picks`.
fn random_graph(n: usize, picks: &[(usize, usize, u8)]) -> Graph {
    let kinds = [
        NodeKind::Screen,
        NodeKind::Action,
        NodeKind::Branch,
        NodeKind::Connector,
    ];
    let mut nodes: Vec<graph::Node> = (0..n)
        .map(|i| graph::Node {
            kind: kinds[i % kinds.len()],
            name: format!("s{i}"),
            caption: "step",
            details: vec!["x".repeat(i % 7)],
            doc: Vec::new(),
            reachable: i % 5 != 4,
            highlighted: i % 3 == 0,
        })
        .collect();
    nodes.push(graph::Node {
        kind: NodeKind::End(flowc::unstable::value::EndStatus::Approved),
        name: "end approved".into(),
        caption: "",
        details: Vec::new(),
        doc: Vec::new(),
        reachable: true,
        highlighted: false,
    });
    let edges = picks
        .iter()
        .map(|&(a, b, k)| {
            let kind = match k % 4 {
                0 => EdgeKind::Next,
                1 => EdgeKind::When(vec![format!("a == {b}"), "and b".into()]),
                2 => EdgeKind::Else,
                _ => EdgeKind::OnError,
            };
            graph::Edge {
                from: a % n,
                to: b % (n + 1),
                label: match &kind {
                    EdgeKind::Next => Vec::new(),
                    EdgeKind::When(p) => p.clone(),
                    _ => vec!["else".into()],
                },
                kind,
                reachable: true,
                highlighted: false,
            }
        })
        .collect();
    Graph {
        name: "random".into(),
        nodes,
        edges,
        start: 0,
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// The layout crate is not trusted not to panic: whatever the graph
    /// (cycles, self-loops, parallel edges), `svg::write` returns, and what
    /// it returns parses.
    #[test]
    fn svg_of_any_graph_is_xml(
        n in 1usize..14,
        picks in proptest::collection::vec((0usize..20, 0usize..20, 0u8..4), 0..30),
    ) {
        let g = random_graph(n, &picks);
        let svg = graph::svg::write(&g);
        prop_assert!(svg.is_ok(), "{:?}", svg.err());
        if let Ok(svg) = svg {
            svg_texts(&svg);
        }
    }
}

/// A flow of `n` steps: screens, actions and branches in turn, each branch
/// looping five steps back and ending in `declined`: many loops and long
/// edges, the shapes that make layouts slow.
fn loopy_flow(n: usize) -> String {
    let mut src = String::from("flow big {\n  plan growth\n  inquiry { x: int }\n");
    for i in 0..n {
        let next = if i + 1 < n {
            format!("s{}", i + 1)
        } else {
            "end approved".into()
        };
        let line = match i % 3 {
            0 => format!("  screen s{i} {{ collect x -> {next} }}\n"),
            1 => format!("  action s{i} {{ tag \"t{i}\" -> {next} }}\n"),
            _ => format!(
                "  branch s{i} {{ when inquiry.x > {i} -> {next} when inquiry.x < 0 -> s{} else -> end declined }}\n",
                i.saturating_sub(5)
            ),
        };
        src.push_str(&line);
    }
    src.push_str("}\n");
    src
}

#[test]
fn large_loopy_flows_are_drawn() {
    // Before flowc broke cycles itself, the layout crate's cycle check was
    // exponential here (80 steps took seconds, 150 did not finish).
    for n in [60, 150] {
        let flow = flowc::check_source(&loopy_flow(n), &Catalog::builtin())
            .flow
            .unwrap();
        let g = Graph::of(&flow, &Options::default());
        let texts = svg_texts(&graph::svg::write(&g).unwrap());
        for i in 0..n {
            assert!(texts.contains(&format!("s{i}")), "{n}: s{i}");
        }
    }
}
