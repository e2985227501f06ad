//! The graph as a Mermaid `flowchart TD`, which GitHub renders in Markdown.
//!
//! Node ids are made by flowc, never taken from the flow as they are: a step
//! is `step_NAME` (or `stepN` when its name holds characters an id cannot),
//! an end is `status_STATUS` and the start marker `start_node`, so no id is
//! a Mermaid keyword (a bare `end` closes a subgraph) or begins with `o` or
//! `x` (which Mermaid reads as an edge end). Every label is quoted, with
//! characters that Mermaid would read as markup written as HTML entities.

use super::{Graph, Node, NodeKind};
use std::fmt::Write as _;

const START: &str = "start_node";

/// Writes the graph as a Mermaid flowchart.
pub fn write(g: &Graph) -> String {
    let mut out = String::new();
    // Mermaid wraps labels wider than 200px on its own; flowc wraps them.
    out.push_str("%%{init: {\"flowchart\": {\"wrappingWidth\": 480}}}%%\n");
    out.push_str("flowchart TD\n");
    let _ = writeln!(out, "  {START}((\"start\"))");
    for (i, n) in g.nodes.iter().enumerate() {
        let label = node_label(n);
        let (open, close) = match n.kind {
            NodeKind::Screen => ("(", ")"),
            NodeKind::Action => ("[", "]"),
            NodeKind::Branch => ("{{", "}}"),
            NodeKind::Connector => ("((", "))"),
            NodeKind::End(_) => ("([", "])"),
        };
        let _ = writeln!(out, "  {}{open}\"{label}\"{close}", id(g, i));
    }
    // Edges, numbered as Mermaid numbers them for `linkStyle`.
    let mut styles = Vec::new();
    let _ = writeln!(out, "  {START} --> {}", id(g, g.start));
    // Link 0 is the start marker's.
    for (link, e) in (1usize..).zip(&g.edges) {
        let arrow = if e.dashed() { "-.->" } else { "-->" };
        let label = if e.label.is_empty() {
            String::new()
        } else {
            let text: Vec<String> = e.label.iter().map(|l| escape(l)).collect();
            format!("|\"{}\"|", text.join("<br/>"))
        };
        let _ = writeln!(out, "  {} {arrow}{label} {}", id(g, e.from), id(g, e.to));
        if e.highlighted || !e.reachable {
            let width = if e.highlighted { 3 } else { 1 };
            styles.push(format!(
                "  linkStyle {link} stroke:{0},stroke-width:{width}px,color:{0}",
                e.color()
            ));
        }
    }
    for (i, n) in g.nodes.iter().enumerate() {
        let c = n.colors();
        let mut style = format!(
            "  style {} fill:{},stroke:{},color:{}",
            id(g, i),
            c.fill,
            c.line,
            n.ink()
        );
        if n.highlighted {
            style.push_str(",stroke-width:3px");
        }
        if !n.reachable {
            style.push_str(",stroke-dasharray:4 3");
        }
        out.push_str(&style);
        out.push('\n');
    }
    for s in styles {
        out.push_str(&s);
        out.push('\n');
    }
    out
}

/// The Mermaid id of node `i`.
fn id(g: &Graph, i: usize) -> String {
    let Some(n) = g.nodes.get(i) else {
        return format!("step{i}");
    };
    let word = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    match n.kind {
        NodeKind::End(status) => format!("status_{status}"),
        _ if word(&n.name) => format!("step_{}", n.name),
        _ => format!("step{i}"),
    }
}

/// `<b>name</b><br/><small>screen</small><br/>details<br/><i>doc</i>`.
fn node_label(n: &Node) -> String {
    let mut rows = vec![format!("<b>{}</b>", escape(&n.name))];
    if !n.caption.is_empty() {
        rows.push(format!("<small>{}</small>", n.caption));
    }
    rows.extend(n.details.iter().map(|l| escape(l)));
    rows.extend(n.doc.iter().map(|l| format!("<i>{}</i>", escape(l))));
    rows.join("<br/>")
}

/// Text inside a quoted Mermaid label. Labels are HTML, so markup
/// characters are written as HTML entities; `#` too, because Mermaid reads
/// `#name;` as its own entity code. Mermaid's `#34;` codes are not used:
/// Mermaid 11 leaves them undecoded in HTML labels.
fn escape(text: &str) -> String {
    super::escape_markup(text, |c| (c == '#').then_some("&num;"))
}
