//! `flowc graph`: the step graph of a checked flow, drawn for people.
//!
//! [`Graph::of`] builds flowc's own model from a [`TypedFlow`]: one node per
//! step (in declaration order), one terminal node per `end STATUS` the flow
//! uses, one edge per transition, `when` route, `else` route and `on error`.
//! The writers read only this model: [`dot`] (Graphviz), [`mermaid`]
//! (renders on GitHub) and [`svg`] (laid out by the `layout-rs` crate, no
//! Graphviz needed). The text of every label comes from [`label`].
//!
//! A graph is drawn only for a flow that checked without errors: that is the
//! flow that will run, with every name resolved. Steps the checker found
//! unreachable (W0301) are greyed, and so is every edge that leaves them.

pub mod dot;
pub mod label;
pub mod mermaid;
pub mod svg;

use crate::typed::{StepKind, Target, TypedFlow};
use crate::value::EndStatus;

/// Lines of a node's details are wrapped at this many characters.
pub const DETAIL_WIDTH: usize = 48;
/// Lines of a doc comment are wrapped at this many characters.
pub const DOC_WIDTH: usize = 40;
/// Lines of an edge's label are wrapped at this many characters.
pub const EDGE_WIDTH: usize = 32;

/// What a node stands for; each writer gives each kind its own shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NodeKind {
    Screen,
    Action,
    Branch,
    Connector,
    End(EndStatus),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Node {
    pub kind: NodeKind,
    /// The step's name, or `end STATUS`.
    pub name: String,
    /// The keyword of a step's kind (`screen`), empty for ends.
    pub caption: &'static str,
    /// What the step does, wrapped (see [`label::step_details`]).
    pub details: Vec<String>,
    /// The step's `///` comment, wrapped; empty when absent or not shown.
    pub doc: Vec<String>,
    pub reachable: bool,
    pub highlighted: bool,
}

/// Why an edge is taken.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EdgeKind {
    /// The one transition of a screen, action or connector.
    Next,
    /// A `when` route, with its condition split before each top-level
    /// `and` / `or` (see [`label::when`]).
    When(Vec<String>),
    /// A branch's `else` route.
    Else,
    /// An action's `on error` transition: drawn dashed.
    OnError,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edge {
    pub from: usize,
    pub to: usize,
    pub kind: EdgeKind,
    /// The label, wrapped; empty for [`EdgeKind::Next`].
    pub label: Vec<String>,
    /// False when it leaves an unreachable step.
    pub reachable: bool,
    pub highlighted: bool,
}

impl Edge {
    pub fn dashed(&self) -> bool {
        self.kind == EdgeKind::OnError
    }
}

/// A flow's step graph, ready to be written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Graph {
    /// The flow's name.
    pub name: String,
    pub nodes: Vec<Node>,
    pub edges: Vec<Edge>,
    /// The node of the start step.
    pub start: usize,
}

/// What the caller can change about a graph.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Leave out the `///` doc comments.
    pub no_docs: bool,
}

impl Graph {
    /// The graph of a checked flow. Steps keep their indices as node
    /// indices; end nodes follow, in the order of [`EndStatus::ALL`].
    pub fn of(flow: &TypedFlow, options: &Options) -> Graph {
        // Every transition, with its end statuses still unnumbered.
        let mut out: Vec<(usize, Target, EdgeKind)> = Vec::new();
        for (from, step) in flow.steps.iter().enumerate() {
            match &step.kind {
                StepKind::Screen { next, .. } | StepKind::Connector { next } => {
                    out.push((from, *next, EdgeKind::Next));
                }
                StepKind::Action { next, on_error, .. } => {
                    out.push((from, *next, EdgeKind::Next));
                    if let Some(t) = on_error {
                        out.push((from, *t, EdgeKind::OnError));
                    }
                }
                StepKind::Branch { routes, otherwise } => {
                    for r in routes {
                        let text = label::when(flow, &r.cond);
                        out.push((from, r.target, EdgeKind::When(text)));
                    }
                    out.push((from, *otherwise, EdgeKind::Else));
                }
            }
        }
        let ends: Vec<EndStatus> = EndStatus::ALL
            .into_iter()
            .filter(|s| out.iter().any(|(_, t, _)| *t == Target::End(*s)))
            .collect();
        let steps = flow.steps.len();
        let edges: Vec<Edge> = out
            .into_iter()
            .map(|(from, target, kind)| Edge {
                from,
                to: match target {
                    Target::Step(s) => s as usize,
                    Target::End(status) => {
                        steps + ends.iter().position(|s| *s == status).unwrap_or(0)
                    }
                },
                label: match &kind {
                    EdgeKind::Next => Vec::new(),
                    EdgeKind::When(parts) => parts
                        .iter()
                        .flat_map(|p| label::wrap(p, EDGE_WIDTH))
                        .collect(),
                    EdgeKind::Else => vec![label::ELSE.to_string()],
                    EdgeKind::OnError => vec![label::ON_ERROR.to_string()],
                },
                kind,
                reachable: flow.steps.get(from).is_some_and(|s| s.reachable),
                highlighted: false,
            })
            .collect();
        let mut nodes: Vec<Node> = flow
            .steps
            .iter()
            .map(|step| Node {
                kind: match step.kind {
                    StepKind::Screen { .. } => NodeKind::Screen,
                    StepKind::Action { .. } => NodeKind::Action,
                    StepKind::Branch { .. } => NodeKind::Branch,
                    StepKind::Connector { .. } => NodeKind::Connector,
                },
                name: step.name.clone(),
                caption: label::step_caption(&step.kind),
                details: label::step_details(flow, &step.kind)
                    .iter()
                    .flat_map(|l| label::wrap(l, DETAIL_WIDTH))
                    .collect(),
                doc: match (&step.doc, options.no_docs) {
                    (Some(doc), false) => label::wrap(&doc.replace('\n', " "), DOC_WIDTH),
                    _ => Vec::new(),
                },
                reachable: step.reachable,
                highlighted: false,
            })
            .collect();
        for (i, &status) in ends.iter().enumerate() {
            // An end is reachable when a reachable step leads to it.
            let reachable = edges.iter().any(|e| e.to == steps + i && e.reachable);
            nodes.push(Node {
                kind: NodeKind::End(status),
                name: label::end(status),
                caption: "",
                details: Vec::new(),
                doc: Vec::new(),
                reachable,
                highlighted: false,
            });
        }
        Graph {
            name: flow.name.clone(),
            nodes,
            edges,
            start: flow.start as usize,
        }
    }

    /// Marks a path: the named steps, and every edge from one of them to the
    /// next (`expect visits [...]` of a test gives such a path). A path that
    /// ends at a step whose only way on is an `end` marks that end too.
    /// Names that are not steps of the flow are returned as the error.
    pub fn highlight(&mut self, path: &[String]) -> Result<(), Vec<String>> {
        let mut ids = Vec::with_capacity(path.len());
        let mut unknown = Vec::new();
        for name in path {
            match self
                .nodes
                .iter()
                .position(|n| &n.name == name && !matches!(n.kind, NodeKind::End(_)))
            {
                Some(i) => ids.push(i),
                None => unknown.push(name.clone()),
            }
        }
        if !unknown.is_empty() {
            return Err(unknown);
        }
        for &i in &ids {
            if let Some(n) = self.nodes.get_mut(i) {
                n.highlighted = true;
            }
        }
        for pair in ids.windows(2) {
            if let [a, b] = pair {
                for e in &mut self.edges {
                    if e.from == *a && e.to == *b {
                        e.highlighted = true;
                    }
                }
            }
        }
        if let Some(&last) = ids.last() {
            let out: Vec<usize> = (0..self.edges.len())
                .filter(|&e| self.edges.get(e).is_some_and(|e| e.from == last))
                .collect();
            if let [only] = out.as_slice()
                && let Some(e) = self.edges.get_mut(*only)
                && matches!(self.nodes.get(e.to).map(|n| n.kind), Some(NodeKind::End(_)))
            {
                e.highlighted = true;
                if let Some(n) = self.nodes.get_mut(e.to) {
                    n.highlighted = true;
                }
            }
        }
        Ok(())
    }
}

// ----- colours ---------------------------------------------------------------

/// The fill and line colour of a node, one palette for every writer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Colors {
    pub fill: &'static str,
    pub line: &'static str,
}

impl NodeKind {
    pub fn colors(self) -> Colors {
        let (fill, line) = match self {
            NodeKind::Screen => ("#dbeafe", "#2563eb"),
            NodeKind::Action => ("#fef3c7", "#b45309"),
            NodeKind::Branch => ("#ede9fe", "#7c3aed"),
            NodeKind::Connector => ("#f1f5f9", "#475569"),
            NodeKind::End(EndStatus::Approved) => ("#dcfce7", "#15803d"),
            NodeKind::End(EndStatus::Completed) => ("#ccfbf1", "#0f766e"),
            NodeKind::End(EndStatus::NeedsReview) => ("#ffedd5", "#c2410c"),
            NodeKind::End(EndStatus::Declined) => ("#ffe4e6", "#e11d48"),
            NodeKind::End(EndStatus::Failed) => ("#fecaca", "#7f1d1d"),
        };
        Colors { fill, line }
    }
}

/// Unreachable nodes and edges: fill, line and text.
pub const GREY: Colors = Colors {
    fill: "#f3f4f6",
    line: "#9ca3af",
};
/// Lines and text of ordinary edges.
pub const INK: &str = "#1f2937";
/// Nodes and edges on a `--highlight` path.
pub const HIGHLIGHT: &str = "#c026d3";

impl Node {
    /// The node's colours: grey when unreachable, the highlight's line
    /// colour on a highlighted path.
    pub fn colors(&self) -> Colors {
        if !self.reachable {
            return GREY;
        }
        let mut c = self.kind.colors();
        if self.highlighted {
            c.line = HIGHLIGHT;
        }
        c
    }

    /// The colour of the node's text.
    pub fn ink(&self) -> &'static str {
        if self.reachable { INK } else { GREY.line }
    }
}

impl Edge {
    /// The colour of the edge's line and label.
    pub fn color(&self) -> &'static str {
        if self.highlighted {
            HIGHLIGHT
        } else if self.reachable {
            INK
        } else {
            GREY.line
        }
    }
}

/// `text` with the markup characters `& < > "` written as entities, as DOT's
/// HTML-like labels, Mermaid's HTML labels and SVG all need; `extra` gives
/// the replacement of any further character one of them cannot take as it
/// is (Mermaid's `#`, XML's control characters).
fn escape_markup(text: &str, extra: impl Fn(char) -> Option<&'static str>) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            c => match extra(c) {
                Some(s) => out.push_str(s),
                None => out.push(c),
            },
        }
    }
    out
}
