//! The graph as Graphviz DOT (`dot -Tsvg`, `dot -Tpng`).
//!
//! Node ids are the quoted step names; ends are `"end STATUS"` and the start
//! marker `"(start)"`, neither of which can be a step name. Labels are
//! Graphviz HTML-like labels: the name in bold, the kind's keyword small,
//! then the details and the doc comment in italics.

use super::{Graph, Node, NodeKind};
use std::fmt::Write as _;

const START: &str = "(start)";

/// Writes the graph as a `digraph`.
pub fn write(g: &Graph) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "digraph {} {{", quote(&g.name));
    out.push_str("  graph [rankdir=TB, nodesep=0.4, ranksep=0.5, fontname=\"Helvetica\"];\n");
    out.push_str("  node [fontname=\"Helvetica\", fontsize=11, margin=\"0.15,0.06\"];\n");
    out.push_str("  edge [fontname=\"Helvetica\", fontsize=10];\n");
    let _ = writeln!(
        out,
        "  {} [shape=point, width=0.15, color=\"{}\"];",
        quote(START),
        super::INK
    );
    for n in &g.nodes {
        let _ = writeln!(out, "  {} [{}];", quote(&n.name), node_attrs(n));
    }
    if let Some(start) = g.nodes.get(g.start) {
        let _ = writeln!(
            out,
            "  {} -> {} [color=\"{}\"];",
            quote(START),
            quote(&start.name),
            super::INK
        );
    }
    for e in &g.edges {
        let (Some(from), Some(to)) = (g.nodes.get(e.from), g.nodes.get(e.to)) else {
            continue;
        };
        let mut attrs = vec![format!("color=\"{0}\", fontcolor=\"{0}\"", e.color())];
        if !e.label.is_empty() {
            attrs.push(format!("label={}", quote(&e.label.join("\n"))));
        }
        if e.dashed() {
            attrs.push("style=dashed".to_string());
        }
        if e.highlighted {
            attrs.push("penwidth=2.5".to_string());
        }
        let _ = writeln!(
            out,
            "  {} -> {} [{}];",
            quote(&from.name),
            quote(&to.name),
            attrs.join(", ")
        );
    }
    out.push_str("}\n");
    out
}

fn node_attrs(n: &Node) -> String {
    let shape = match n.kind {
        NodeKind::Screen | NodeKind::Action => "box",
        NodeKind::Branch => "hexagon",
        NodeKind::Connector => "circle",
        NodeKind::End(_) => "box",
    };
    let mut style = vec!["filled"];
    if matches!(n.kind, NodeKind::Screen | NodeKind::End(_)) {
        style.push("rounded");
    }
    if !n.reachable {
        style.push("dashed");
    }
    let c = n.colors();
    let mut attrs = format!(
        "shape={shape}, style=\"{}\", fillcolor=\"{}\", color=\"{}\", fontcolor=\"{}\"",
        style.join(","),
        c.fill,
        c.line,
        n.ink()
    );
    if n.highlighted {
        attrs.push_str(", penwidth=2.5");
    }
    if matches!(n.kind, NodeKind::End(_)) {
        attrs.push_str(", peripheries=2");
    }
    let _ = write!(attrs, ", label={}", html_label(n));
    attrs
}

/// `<<b>name</b><br/>...>`: Graphviz's HTML-like label.
fn html_label(n: &Node) -> String {
    let mut rows = vec![format!("<b>{}</b>", html(&n.name))];
    if !n.caption.is_empty() {
        rows.push(format!("<font point-size=\"9\">{}</font>", n.caption));
    }
    rows.extend(n.details.iter().map(|l| html(l)));
    rows.extend(
        n.doc
            .iter()
            .map(|l| format!("<font point-size=\"9\"><i>{}</i></font>", html(l))),
    );
    format!("<{}>", rows.join("<br/>"))
}

/// Text for an HTML-like label.
fn html(text: &str) -> String {
    super::escape_markup(text, |_| None)
}

/// A DOT quoted string; a line break becomes a centred `\n`, and `&` is
/// written `&amp;` since Graphviz decodes HTML entities in every label.
fn quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '&' => out.push_str("&amp;"),
            _ => out.push(c),
        }
    }
    out.push('"');
    out
}
