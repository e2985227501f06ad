//! The graph as a self-contained SVG picture.
//!
//! The layered top-down layout (ranks, crossing reduction, coordinates,
//! edge curves) is the `layout-rs` crate's; the drawing is flowc's own, so
//! that each kind of step gets its shape, labels sit on their edges with a
//! background that keeps them readable, and nothing is fetched when the
//! picture is opened: no external font, stylesheet or script, only generic
//! font families.
//!
//! flowc talks to the crate through its `RenderBackend` trait: every node
//! and edge is handed over with an id in its `properties`, and the crate's
//! draw calls come back to `Canvas` with that id and the computed
//! geometry. Edge labels are handed over as placeholder text of the size the
//! label needs, so the crate reserves the room; the placeholder names the
//! edge, and the real text is drawn in its place.
//!
//! Text is measured by estimate (a width per character for each style):
//! widths are generous so that text fits whichever font the viewer picks.

use super::{Graph, HIGHLIGHT, INK, Node, NodeKind};
use layout::core::base::Orientation;
use layout::core::format::{ClipHandle, RenderBackend};
use layout::core::geometry::{Point, Position};
use layout::core::style::{LineStyleKind, StyleAttr};
use layout::std_shapes::shapes::{Arrow, Element, LineEndKind, ShapeKind};
use layout::topo::layout::VisualGraph;
use std::fmt::Write as _;

/// A text style: its class in the stylesheet, size, estimated character
/// width and line height, in pixels.
struct Font {
    class: &'static str,
    css: &'static str,
    advance: f64,
    line: f64,
}

const SANS: &str =
    "'Helvetica Neue', Helvetica, Arial, 'Liberation Sans', 'DejaVu Sans', sans-serif";
const MONO: &str =
    "'SFMono-Regular', Menlo, Consolas, 'Liberation Mono', 'DejaVu Sans Mono', monospace";

const TITLE: Font = Font {
    class: "t",
    css: "font-weight: bold; font-size: 14px",
    advance: 9.4,
    line: 18.0,
};
const CAPTION: Font = Font {
    class: "k",
    css: "font-size: 10px; letter-spacing: 0.5px",
    advance: 7.0,
    line: 13.0,
};
const DETAIL: Font = Font {
    class: "d",
    css: "font-size: 12px",
    advance: 7.4,
    line: 15.0,
};
const DOC: Font = Font {
    class: "c",
    css: "font-size: 11px; font-style: italic",
    advance: 6.9,
    line: 14.0,
};
const EDGE: Font = Font {
    class: "e",
    css: "font-size: 11px",
    advance: 6.8,
    line: 14.0,
};

/// Space between a node's text and its outline.
const PAD_X: f64 = 12.0;
const PAD_Y: f64 = 8.0;
/// Room the layout keeps around every node (both sides together).
const HALO: f64 = 36.0;
/// The size of a character of placeholder text, in the crate's units.
const CELL: usize = 4;
/// Marks a placeholder's first character; an edge number follows.
const MARK: char = '\u{1}';
/// Extra room the layout keeps around an edge label, both sides together.
const LABEL_GAP: f64 = 14.0;
/// Graphs with more nodes than this are laid out without the crate's
/// crossing reduction.
pub const MAX_OPTIMIZED_NODES: usize = 50;
/// Graphs with more nodes than this keep the crate's simple placement
/// (rows packed to the left) instead of its coordinate assignment.
pub const MAX_PLACED_NODES: usize = 100;
/// Space around the drawing.
const MARGIN: f64 = 16.0;

/// Draws the graph.
///
/// The layout crate asserts its own invariants and panics on some graphs
/// (overlapping boxes in a rank after its coordinate pass). Each panic is
/// caught, and the layout is tried again with fewer of the crate's passes:
/// first without its final coordinate assignment (nodes stay where the
/// simple placement put them), then also without crossing reduction. `Err`
/// only if all three fail. A caught panic still runs the panic hook, which
/// by default prints a message: the CLI silences it around this call.
pub fn write(g: &Graph) -> Result<String, String> {
    for (no_opt, no_coords) in [(false, false), (false, true), (true, true)] {
        let done = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            layout(g, no_opt, no_coords)
        }));
        if let Ok(canvas) = done {
            return Ok(draw(g, &canvas));
        }
    }
    Err("the SVG layout failed on this graph; try `--format dot`".to_string())
}

/// The text lines of a node, each with its font.
fn lines(n: &Node) -> Vec<(&'static Font, &str)> {
    let mut out: Vec<(&'static Font, &str)> = vec![(&TITLE, n.name.as_str())];
    if !n.caption.is_empty() && !matches!(n.kind, NodeKind::Branch | NodeKind::Connector) {
        out.push((&CAPTION, n.caption));
    }
    out.extend(n.details.iter().map(|l| (&DETAIL, l.as_str())));
    out.extend(n.doc.iter().map(|l| (&DOC, l.as_str())));
    out
}

/// Width and height of a block of text lines.
fn text_size(lines: &[(&Font, &str)]) -> (f64, f64) {
    let w = lines
        .iter()
        .map(|(f, t)| f.advance * t.chars().count() as f64)
        .fold(0.0, f64::max);
    let h = lines.iter().map(|(f, _)| f.line).sum();
    (w, h)
}

/// The outline of a node around its text.
fn node_size(n: &Node) -> Point {
    let (w, h) = text_size(&lines(n));
    let (w, h) = (w + 2.0 * PAD_X, h + 2.0 * PAD_Y);
    match n.kind {
        // A hexagon: the box with a point of half its height on each side.
        NodeKind::Branch => Point::new(w + h, h),
        // The ellipse through the box's corners.
        NodeKind::Connector => Point::new(w * 1.42, h * 1.42),
        _ => Point::new(w, h),
    }
}

/// The label of edge `e` as placeholder text: as many character cells as
/// the label needs, beginning with [`MARK`] and the edge's number.
fn placeholder(e: usize, label: &[String]) -> String {
    let (w, h) = edge_label_size(label);
    let cols = (((w + LABEL_GAP) / CELL as f64).ceil() as usize).max(4);
    let rows = (((h + LABEL_GAP) / CELL as f64).ceil() as usize).max(1);
    let first = format!("{MARK}{e}");
    let mut out = String::new();
    for r in 0..rows {
        if r > 0 {
            out.push('\n');
        }
        let taken = if r == 0 {
            out.push_str(&first);
            first.chars().count()
        } else {
            0
        };
        out.extend(std::iter::repeat_n('.', cols.saturating_sub(taken)));
    }
    out
}

fn edge_label_size(label: &[String]) -> (f64, f64) {
    let w = label
        .iter()
        .map(|l| EDGE.advance * l.chars().count() as f64)
        .fold(0.0, f64::max);
    (w + 8.0, EDGE.line * label.len() as f64 + 2.0)
}

/// An edge as the layout crate drew it: its number (`None` for the start
/// marker's), its curve (point and control point pairs) and which of its
/// ends carry the arrowhead.
type Curve = (Option<usize>, Vec<(Point, Point)>, (bool, bool));

/// What the layout crate drew, by id.
#[derive(Default)]
struct Canvas {
    /// Node number -> top-left corner and size.
    nodes: Vec<(usize, Point, Point)>,
    /// The start marker's centre.
    start: Option<Point>,
    edges: Vec<Curve>,
    /// Edge number -> centre of its label.
    labels: Vec<(usize, Point)>,
    /// Bounding box of everything drawn.
    min: Option<Point>,
    max: Option<Point>,
}

impl Canvas {
    fn grow(&mut self, p: Point) {
        let min = self.min.unwrap_or(p);
        let max = self.max.unwrap_or(p);
        self.min = Some(Point::new(min.x.min(p.x), min.y.min(p.y)));
        self.max = Some(Point::new(max.x.max(p.x), max.y.max(p.y)));
    }

    fn shape(&mut self, xy: Point, size: Point, properties: Option<String>) {
        match properties.as_deref() {
            Some("start") => {
                self.start = Some(Point::new(xy.x + size.x / 2.0, xy.y + size.y / 2.0))
            }
            Some(p) => {
                if let Some(i) = p.strip_prefix('n').and_then(|i| i.parse().ok()) {
                    self.nodes.push((i, xy, size));
                }
            }
            None => return,
        }
        self.grow(xy);
        self.grow(xy.add(size));
    }
}

impl RenderBackend for Canvas {
    fn draw_rect(
        &mut self,
        xy: Point,
        size: Point,
        _look: &StyleAttr,
        properties: Option<String>,
        _clip: Option<ClipHandle>,
    ) {
        self.shape(xy, size, properties);
    }

    fn draw_line(&mut self, _: Point, _: Point, _: &StyleAttr, _: Option<String>) {}

    fn draw_circle(
        &mut self,
        xy: Point,
        size: Point,
        _look: &StyleAttr,
        properties: Option<String>,
    ) {
        // Circles are given by their centre.
        let corner = Point::new(xy.x - size.x / 2.0, xy.y - size.y / 2.0);
        self.shape(corner, size, properties);
    }

    fn draw_text(&mut self, xy: Point, text: &str, _look: &StyleAttr) {
        let Some(rest) = text.strip_prefix(MARK) else {
            return;
        };
        let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
        if let Ok(e) = digits.parse() {
            self.labels.push((e, xy));
        }
    }

    fn draw_arrow(
        &mut self,
        path: &[(Point, Point)],
        _dashed: bool,
        head: (bool, bool),
        _look: &StyleAttr,
        properties: Option<String>,
        _text: &str,
    ) {
        let id = match properties.as_deref() {
            Some("start") => None,
            Some(p) => match p.strip_prefix('e').and_then(|i| i.parse().ok()) {
                Some(e) => Some(e),
                None => return,
            },
            None => return,
        };
        for (a, b) in path {
            self.grow(*a);
            self.grow(*b);
        }
        self.edges.push((id, path.to_vec(), head));
    }

    fn create_clip(&mut self, _: Point, _: Point, _: usize) -> ClipHandle {
        0
    }
}

fn pt(p: Point) -> String {
    format!("{:.1},{:.1}", p.x, p.y)
}

/// The SVG path of a curve in the crate's form: the first pair is a point
/// and the control point leaving it, each later pair the control point
/// entering a point and the point.
fn curve(path: &[(Point, Point)]) -> String {
    let mut d = String::new();
    for (i, (a, b)) in path.iter().enumerate() {
        let _ = match i {
            0 => write!(d, "M{} C{} ", pt(*a), pt(*b)),
            1 => write!(d, "{} {}", pt(*a), pt(*b)),
            _ => write!(d, " S{} {}", pt(*a), pt(*b)),
        };
    }
    d
}

/// The layout ends edges on a node's bounding box; a hexagon's box has
/// empty corners, so an end that falls in one moves along the box's edge
/// onto the hexagon's slanted side.
fn onto_hexagons(path: &mut [(Point, Point)], g: &Graph, nodes: &[(usize, Point, Point)]) {
    let last = path.len().saturating_sub(1);
    let mut ends: Vec<&mut Point> = Vec::new();
    for (i, (a, b)) in path.iter_mut().enumerate() {
        if i == 0 {
            ends.push(a);
        }
        if i == last && i > 0 {
            ends.push(b);
        }
    }
    for end in ends {
        for (i, xy, size) in nodes {
            let is_branch = g.nodes.get(*i).is_some_and(|n| n.kind == NodeKind::Branch);
            let inside = end.x >= xy.x - 1.0
                && end.x <= xy.x + size.x + 1.0
                && end.y >= xy.y - 1.0
                && end.y <= xy.y + size.y + 1.0;
            if !is_branch || !inside {
                continue;
            }
            // The side points stick out by half the height (see `node_size`).
            let half = size.y / 2.0;
            let cy = xy.y + half;
            let slant = if half > 0.0 {
                half * ((end.y - cy).abs() / half).min(1.0)
            } else {
                0.0
            };
            end.x = end.x.clamp(xy.x + slant, xy.x + size.x - slant);
        }
    }
}

/// Runs the layout crate over the graph, with or without its crossing
/// reduction and its coordinate assignment.
fn layout(g: &Graph, no_opt: bool, no_coords: bool) -> Canvas {
    let dir = Orientation::TopToBottom;
    let mut vg = VisualGraph::new(dir);
    let look = StyleAttr::simple();
    let mut handles = Vec::with_capacity(g.nodes.len());
    for (i, n) in g.nodes.iter().enumerate() {
        let shape = match n.kind {
            NodeKind::Connector => ShapeKind::Circle(String::new()),
            _ => ShapeKind::Box(String::new()),
        };
        let size = node_size(n);
        let mut elem =
            Element::create_with_properties(shape, look.clone(), dir, size, format!("n{i}"));
        elem.pos = Position::new(Point::zero(), size, Point::zero(), Point::splat(HALO));
        handles.push(vg.add_node(elem));
    }
    let start_size = Point::splat(14.0);
    let mut start = Element::create_with_properties(
        ShapeKind::Circle(String::new()),
        look.clone(),
        dir,
        start_size,
        "start",
    );
    start.pos = Position::new(Point::zero(), start_size, Point::zero(), Point::splat(HALO));
    let start = vg.add_node(start);
    if let Some(&to) = handles.get(g.start) {
        let arrow = Arrow::with_properties(
            LineEndKind::None,
            LineEndKind::Arrow,
            LineStyleKind::Normal,
            "",
            &look,
            "start",
            &None,
            &None,
        );
        vg.add_edge(arrow, start, to);
    }
    let mut label_look = look.clone();
    label_look.font_size = CELL;
    for (i, reversed) in acyclic_order(g) {
        let Some(e) = g.edges.get(i) else { continue };
        let (Some(&from), Some(&to)) = (handles.get(e.from), handles.get(e.to)) else {
            continue;
        };
        let text = if e.label.is_empty() {
            String::new()
        } else {
            placeholder(i, &e.label)
        };
        let style = if e.dashed() {
            LineStyleKind::Dashed
        } else {
            LineStyleKind::Normal
        };
        // A reversed edge is drawn from its target with the arrowhead at
        // its start, so it still points the way it is taken.
        let (from, to, heads) = if reversed {
            (to, from, (LineEndKind::Arrow, LineEndKind::None))
        } else {
            (from, to, (LineEndKind::None, LineEndKind::Arrow))
        };
        let arrow = Arrow::with_properties(
            heads.0,
            heads.1,
            style,
            &text,
            &label_look,
            format!("e{i}"),
            &None,
            &None,
        );
        vg.add_edge(arrow, from, to);
    }
    // The crate re-checks the whole graph for cycles after every edge it
    // adds, by a search that is exponential in the number of paths; the
    // edges below are already acyclic and in topological order.
    vg.dag.set_validate(false);
    let mut canvas = Canvas::default();
    // The crate's crossing reduction and its coordinate assignment grow
    // steeply with the graph (cubic in a rank's width, and with the dummy
    // nodes long edges need): past a size each is left out, so that large
    // flows are still drawn in seconds (see docs/graph.md for figures).
    let no_opt = no_opt || g.nodes.len() > MAX_OPTIMIZED_NODES;
    let no_coords = no_coords || g.nodes.len() > MAX_PLACED_NODES;
    vg.do_it(false, no_opt, no_coords, &mut canvas);
    canvas
}

/// The edges in the order the layout crate should take them, each with
/// whether it must be turned around to keep the graph acyclic.
///
/// The crate keeps the graph a DAG by asking, for every edge it adds,
/// whether its target already reaches its source, with a search that walks
/// every path: on a flow with many loops that takes exponential time. So
/// flowc breaks the cycles itself (a depth-first search from the start
/// step, then from every node it missed, in node order, turns each edge
/// back to a node on the search stack around; self-loops are kept, the
/// crate handles those apart) and hands the edges over sources first, so
/// that when an edge is added its target has no edges yet and the crate's
/// search stops at once.
fn acyclic_order(g: &Graph) -> Vec<(usize, bool)> {
    let n = g.nodes.len();
    let mut out_edges: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (i, e) in g.edges.iter().enumerate() {
        if let Some(list) = out_edges.get_mut(e.from) {
            list.push(i);
        }
    }
    // 0 unvisited, 1 on the stack, 2 done.
    let mut state = vec![0u8; n];
    let mut reversed = vec![false; g.edges.len()];
    let roots = std::iter::once(g.start).chain(0..n);
    for root in roots {
        if state.get(root) != Some(&0) {
            continue;
        }
        let mut stack: Vec<(usize, usize)> = vec![(root, 0)];
        if let Some(s) = state.get_mut(root) {
            *s = 1;
        }
        while let Some((node, next)) = stack.last_mut() {
            let node = *node;
            let Some(&e) = out_edges.get(node).and_then(|l| l.get(*next)) else {
                if let Some(s) = state.get_mut(node) {
                    *s = 2;
                }
                stack.pop();
                continue;
            };
            *next += 1;
            let to = g.edges.get(e).map_or(node, |e| e.to);
            match state.get(to) {
                Some(0) => {
                    if let Some(s) = state.get_mut(to) {
                        *s = 1;
                    }
                    stack.push((to, 0));
                }
                Some(1) if to != node => {
                    if let Some(r) = reversed.get_mut(e) {
                        *r = true;
                    }
                }
                _ => {}
            }
        }
    }
    // Topological order of the nodes over the edges as turned (Kahn).
    let ends = |i: usize| {
        g.edges.get(i).map(|e| {
            if reversed.get(i).copied().unwrap_or(false) {
                (e.to, e.from)
            } else {
                (e.from, e.to)
            }
        })
    };
    let mut indegree = vec![0usize; n];
    for i in 0..g.edges.len() {
        if let Some((a, b)) = ends(i)
            && a != b
            && let Some(d) = indegree.get_mut(b)
        {
            *d += 1;
        }
    }
    let mut rank = vec![usize::MAX; n];
    let mut queue: std::collections::VecDeque<usize> =
        (0..n).filter(|&v| indegree.get(v) == Some(&0)).collect();
    let mut next_rank = 0;
    let mut succ: Vec<Vec<usize>> = vec![Vec::new(); n];
    for i in 0..g.edges.len() {
        if let Some((a, b)) = ends(i)
            && a != b
            && let Some(list) = succ.get_mut(a)
        {
            list.push(b);
        }
    }
    while let Some(v) = queue.pop_front() {
        if let Some(r) = rank.get_mut(v) {
            *r = next_rank;
        }
        next_rank += 1;
        for &w in succ.get(v).map_or(&[][..], Vec::as_slice) {
            if let Some(d) = indegree.get_mut(w) {
                *d -= 1;
                if *d == 0 {
                    queue.push_back(w);
                }
            }
        }
    }
    let mut order: Vec<(usize, bool)> = (0..g.edges.len())
        .map(|i| (i, reversed.get(i).copied().unwrap_or(false)))
        .collect();
    order.sort_by_key(|&(i, _)| {
        ends(i).map_or((usize::MAX, i), |(a, _)| {
            (rank.get(a).copied().unwrap_or(usize::MAX), i)
        })
    });
    order
}

/// Writes the SVG document from the layout.
fn draw(g: &Graph, c: &Canvas) -> String {
    // Labels are drawn at their own size, which may pass the layout's box.
    let mut min = c.min.unwrap_or(Point::zero());
    let mut max = c.max.unwrap_or(Point::zero());
    for (e, at) in &c.labels {
        if let Some(edge) = g.edges.get(*e) {
            let (w, h) = edge_label_size(&edge.label);
            min = Point::new(min.x.min(at.x - w / 2.0), min.y.min(at.y - h / 2.0));
            max = Point::new(max.x.max(at.x + w / 2.0), max.y.max(at.y + h / 2.0));
        }
    }
    let (w, h) = (max.x - min.x + 2.0 * MARGIN, max.y - min.y + 2.0 * MARGIN);
    let (ox, oy) = (MARGIN - min.x, MARGIN - min.y);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w:.0}\" height=\"{h:.0}\" viewBox=\"0 0 {w:.0} {h:.0}\" role=\"img\" aria-labelledby=\"title\">"
    );
    let _ = writeln!(out, "<title id=\"title\">flow {}</title>", xml(&g.name));
    out.push_str("<style>\n");
    let _ = writeln!(out, "text {{ font-family: {SANS}; fill: {INK}; }}");
    for f in [&TITLE, &CAPTION, &DOC, &EDGE] {
        let _ = writeln!(out, ".{} {{ {}; }}", f.class, f.css);
    }
    let _ = writeln!(
        out,
        ".{} {{ font-family: {MONO}; {}; }}",
        DETAIL.class, DETAIL.css
    );
    let _ = writeln!(out, ".{} {{ font-family: {MONO}; }}", EDGE.class);
    out.push_str("</style>\n<defs>\n");
    for (name, color) in [("ink", INK), ("grey", super::GREY.line), ("hi", HIGHLIGHT)] {
        let _ = writeln!(
            out,
            "<marker id=\"to-{name}\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" markerUnits=\"userSpaceOnUse\" orient=\"auto-start-reverse\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"{color}\"/></marker>"
        );
    }
    out.push_str("</defs>\n");
    let _ = writeln!(
        out,
        "<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>"
    );
    let _ = writeln!(out, "<g transform=\"translate({ox:.1},{oy:.1})\">");
    // Edges first, so that nodes and labels sit on top of them.
    for (id, path, head) in &c.edges {
        let mut path = path.clone();
        onto_hexagons(&mut path, g, &c.nodes);
        let d = curve(&path);
        let edge = id.and_then(|e| g.edges.get(e));
        let color = edge.map_or(INK, super::Edge::color);
        let marker = match edge {
            Some(e) if e.highlighted => "hi",
            Some(e) if !e.reachable => "grey",
            _ => "ink",
        };
        let mut attrs = format!("fill=\"none\" stroke=\"{color}\"");
        let width = if edge.is_some_and(|e| e.highlighted) {
            3.0
        } else {
            1.4
        };
        let _ = write!(attrs, " stroke-width=\"{width}\"");
        if edge.is_some_and(super::Edge::dashed) {
            attrs.push_str(" stroke-dasharray=\"6 4\"");
        }
        if head.0 {
            let _ = write!(attrs, " marker-start=\"url(#to-{marker})\"");
        }
        if head.1 {
            let _ = write!(attrs, " marker-end=\"url(#to-{marker})\"");
        }
        let _ = writeln!(out, "<path d=\"{d}\" {attrs}/>");
    }
    if let Some(p) = c.start {
        let _ = writeln!(
            out,
            "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"7\" fill=\"{INK}\"><title>start</title></circle>",
            p.x, p.y
        );
    }
    let mut nodes = c.nodes.clone();
    nodes.sort_by_key(|n| n.0);
    for (i, xy, size) in nodes {
        if let Some(n) = g.nodes.get(i) {
            draw_node(&mut out, n, xy, size);
        }
    }
    let mut labels = c.labels.clone();
    labels.sort_by_key(|l| l.0);
    for (e, at) in labels {
        if let Some(edge) = g.edges.get(e) {
            draw_label(&mut out, edge, at);
        }
    }
    out.push_str("</g>\n</svg>\n");
    out
}

fn draw_node(out: &mut String, n: &Node, xy: Point, size: Point) {
    let c = n.colors();
    let (x, y, w, h) = (xy.x, xy.y, size.x, size.y);
    let (cx, cy) = (x + w / 2.0, y + h / 2.0);
    let mut stroke = format!(
        "fill=\"{}\" stroke=\"{}\" stroke-width=\"{}\"",
        c.fill,
        c.line,
        if n.highlighted { 3.0 } else { 1.5 }
    );
    if !n.reachable {
        stroke.push_str(" stroke-dasharray=\"5 3\"");
    }
    let _ = writeln!(out, "<g class=\"node\">");
    let mut tip = format!("{} {}", n.caption, n.name);
    if !n.doc.is_empty() {
        tip.push('\n');
        tip.push_str(&n.doc.join(" "));
    }
    let _ = writeln!(out, "<title>{}</title>", xml(tip.trim()));
    match n.kind {
        NodeKind::Screen => {
            let _ = writeln!(
                out,
                "<rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{w:.1}\" height=\"{h:.1}\" rx=\"10\" {stroke}/>"
            );
        }
        NodeKind::Action => {
            let _ = writeln!(
                out,
                "<rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{w:.1}\" height=\"{h:.1}\" rx=\"2\" {stroke}/>"
            );
        }
        NodeKind::End(_) => {
            let _ = writeln!(
                out,
                "<rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{w:.1}\" height=\"{h:.1}\" rx=\"{:.1}\" {stroke}/>",
                h / 2.0
            );
        }
        NodeKind::Branch => {
            let p = h / 2.0;
            let _ = writeln!(
                out,
                "<polygon points=\"{x:.1},{cy:.1} {:.1},{y:.1} {:.1},{y:.1} {:.1},{cy:.1} {:.1},{:.1} {:.1},{:.1}\" {stroke}/>",
                x + p,
                x + w - p,
                x + w,
                x + w - p,
                y + h,
                x + p,
                y + h
            );
        }
        NodeKind::Connector => {
            let _ = writeln!(
                out,
                "<ellipse cx=\"{cx:.1}\" cy=\"{cy:.1}\" rx=\"{:.1}\" ry=\"{:.1}\" {stroke}/>",
                w / 2.0,
                h / 2.0
            );
        }
    }
    let lines = lines(n);
    let (_, th) = text_size(&lines);
    let mut ty = cy - th / 2.0;
    let ink = n.ink();
    for (font, text) in lines {
        // Each line is centred; its baseline sits at ~78% of its height.
        let baseline = ty + font.line * 0.78;
        let _ = writeln!(
            out,
            "<text x=\"{cx:.1}\" y=\"{baseline:.1}\" text-anchor=\"middle\" class=\"{}\" fill=\"{ink}\">{}</text>",
            font.class,
            xml(text)
        );
        ty += font.line;
    }
    out.push_str("</g>\n");
}

fn draw_label(out: &mut String, e: &super::Edge, at: Point) {
    let (w, h) = edge_label_size(&e.label);
    let color = e.color();
    let _ = writeln!(out, "<g class=\"label\">");
    let _ = writeln!(
        out,
        "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"{w:.1}\" height=\"{h:.1}\" rx=\"3\" fill=\"#ffffff\" fill-opacity=\"0.92\"/>",
        at.x - w / 2.0,
        at.y - h / 2.0
    );
    let mut ty = at.y - h / 2.0 + 1.0;
    for line in &e.label {
        let _ = writeln!(
            out,
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\" class=\"{}\" fill=\"{color}\">{}</text>",
            at.x,
            ty + EDGE.line * 0.78,
            EDGE.class,
            xml(line)
        );
        ty += EDGE.line;
    }
    out.push_str("</g>\n");
}

/// Text for XML character data and attribute values.
fn xml(text: &str) -> String {
    // Control characters other than tab and line breaks are not allowed in
    // XML 1.0.
    super::escape_markup(text, |c| {
        ((c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r')).then_some("\u{FFFD}")
    })
}
