//! Pictures of the platform: Graphviz DOT, Mermaid, SVG and a self-contained HTML page.
//!
//! The SVG is laid out here rather than by Graphviz (not installed everywhere) or a layout
//! crate (none draws nested grouping boxes with layers): layers by distance from the outside
//! world (outside → exposed entry points → applications → databases last), nodes of one group
//! (network or namespace) kept in one vertical band so the group boxes never overlap, and
//! barycentre sweeps ordering the bands and the nodes within them to reduce crossings.

use crate::controls::{Judged, allowed_into_db};
use crate::model::*;
use std::collections::{BTreeMap, VecDeque};
use std::fmt::Write;

const PASS: (&str, &str) = ("#2e7d32", "#e8f5e9");
const FAIL: (&str, &str) = ("#c62828", "#ffebee");
const NEUTRAL: (&str, &str) = ("#546e7a", "#eceff1");

/// What the pictures need, computed once.
pub struct View<'a> {
    g: &'a Graph,
    status: Vec<Option<bool>>,
    /// (group, NET-04 status) per namespace group
    group_status: Vec<Option<bool>>,
    edges: Vec<Edge>,
}

struct Edge {
    /// `None`: the outside world.
    from: Option<Wid>,
    to: Wid,
    label: String,
    title: String,
    bad: bool,
    exposure: bool,
}

fn colours(s: Option<bool>) -> (&'static str, &'static str) {
    match s {
        Some(true) => PASS,
        Some(false) => FAIL,
        None => NEUTRAL,
    }
}

fn short_ports(p: &Ports) -> String {
    match p {
        Ports::Any => "any".into(),
        Ports::Ranges(v) => {
            let mut s: Vec<String> = v
                .iter()
                .take(3)
                .map(|r| {
                    if r.from == r.to {
                        r.from.to_string()
                    } else if r.from == 0 && r.to == u16::MAX {
                        format!("all/{}", r.proto.as_str())
                    } else {
                        format!("{}-{}", r.from, r.to)
                    }
                })
                .collect();
            if v.len() > 3 {
                s.push("…".into());
            }
            s.join(",")
        }
    }
}

impl<'a> View<'a> {
    pub fn new(g: &'a Graph, judged: &Judged) -> Self {
        let status = judged.status(g.workloads.len());
        let mut group_status = vec![None; g.groups.len()];
        for (_, v) in &judged.verdicts {
            let ns = match v.subject.strip_prefix("Namespace/") {
                Some(ns) => Some(ns),
                None => {
                    (v.subject.as_ref() == crate::controls::APPLIED_NAMESPACE).then_some("default")
                }
            };
            if let Some(ns) = ns
                && let Some(i) = g
                    .groups
                    .iter()
                    .position(|gr| gr.kind == GroupKind::Namespace && gr.name == ns)
            {
                group_status[i] = Some(!v.is_fail());
            }
        }
        let mut edges = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for e in &g.exposures {
            let w = &g.workloads[e.target];
            let bad =
                w.role.database || !e.tls.ok() || !(w.role.entrypoint || e.kind.through_proxy());
            if !seen.insert((e.target, e.via.clone())) {
                continue;
            }
            edges.push(Edge {
                from: None,
                to: e.target,
                label: match &e.ports {
                    Ports::Any => e.kind.as_str().to_string(),
                    p => format!("{} {}", e.kind.as_str(), short_ports(p)),
                },
                title: format!("{} → {}: {} ({})", "outside", w.name, e.via, e.tls.reason()),
                bad,
                exposure: true,
            });
        }
        for f in &g.flows {
            let to = &g.workloads[f.to];
            for from in f.sources() {
                let bad = to.role.database && !allowed_into_db(g, from, f.to);
                edges.push(Edge {
                    from: Some(from),
                    to: f.to,
                    label: short_ports(&f.ports),
                    title: format!(
                        "{} → {}: {} — {}",
                        g.workloads[from].name, to.name, f.ports, f.through.text
                    ),
                    bad,
                    exposure: false,
                });
            }
        }
        View {
            g,
            status,
            group_status,
            edges,
        }
    }

    fn node_label(&self, w: &Workload) -> String {
        let mut s = w.name.clone();
        let role = w.role.label();
        if role != "app" {
            s.push_str(&format!(" ({role})"));
        }
        if w.platform == vigie_core::model::Platform::Compose && w.networks.len() > 1 {
            let nets: Vec<&str> = w
                .networks
                .iter()
                .map(|(n, _)| self.g.groups[*n].key.as_str())
                .collect();
            s.push_str(&format!("\nnetworks: {}", nets.join(", ")));
        }
        s
    }

    fn group_label(&self, i: usize) -> String {
        let gr = &self.g.groups[i];
        match &gr.kind {
            GroupKind::ComposeNetwork { internal, external } => format!(
                "network {}{}{}",
                gr.name,
                if *internal { " (internal)" } else { "" },
                if *external { " (external)" } else { "" }
            ),
            GroupKind::Namespace => format!("namespace {}", gr.name),
            _ => gr.name.clone(),
        }
    }

    fn members(&self) -> BTreeMap<usize, Vec<Wid>> {
        let mut m: BTreeMap<usize, Vec<Wid>> = BTreeMap::new();
        for (i, w) in self.g.workloads.iter().enumerate() {
            m.entry(w.home).or_default().push(i);
        }
        m
    }
}

fn dot_esc(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

pub fn dot(v: &View<'_>) -> String {
    let mut s = String::new();
    s.push_str("digraph platform {\n  rankdir=LR;\n  compound=true;\n  node [fontname=\"Helvetica\", fontsize=11, shape=box, style=\"rounded,filled\"];\n  edge [fontname=\"Helvetica\", fontsize=9];\n");
    s.push_str("  outside [label=\"outside\", shape=ellipse, style=filled, fillcolor=\"#fff8e1\", color=\"#f9a825\"];\n");
    for (gi, ws) in v.members() {
        let (stroke, _) = colours(v.group_status[gi]);
        let _ = writeln!(
            s,
            "  subgraph cluster_{gi} {{\n    label=\"{}\";\n    style=\"rounded,dashed\";\n    color=\"{stroke}\";",
            dot_esc(&v.group_label(gi))
        );
        for w in ws {
            let wl = &v.g.workloads[w];
            let (stroke, fill) = colours(v.status[w]);
            let shape = if wl.role.database {
                ", shape=cylinder"
            } else {
                ""
            };
            let pen = if wl.role.database { ", penwidth=2" } else { "" };
            let _ = writeln!(
                s,
                "    w{w} [label=\"{}\", color=\"{stroke}\", fillcolor=\"{fill}\"{shape}{pen}];",
                dot_esc(&v.node_label(wl))
            );
        }
        s.push_str("  }\n");
    }
    for e in &v.edges {
        let from = e.from.map_or("outside".to_string(), |f| format!("w{f}"));
        let colour = if e.bad {
            FAIL.0
        } else if e.exposure {
            "#f9a825"
        } else {
            "#78909c"
        };
        let _ = writeln!(
            s,
            "  {from} -> w{} [label=\"{}\", color=\"{colour}\", tooltip=\"{}\"{}];",
            e.to,
            dot_esc(&e.label),
            dot_esc(&e.title),
            if e.bad { ", penwidth=2" } else { "" }
        );
    }
    s.push_str("}\n");
    s
}

fn mm_esc(s: &str) -> String {
    s.replace('"', "#quot;").replace('\n', "<br/>")
}

pub fn mermaid(v: &View<'_>) -> String {
    let mut s = String::from("flowchart LR\n  outside((outside))\n");
    for (gi, ws) in v.members() {
        let _ = writeln!(s, "  subgraph g{gi}[\"{}\"]", mm_esc(&v.group_label(gi)));
        for w in ws {
            let wl = &v.g.workloads[w];
            let label = mm_esc(&v.node_label(wl));
            if wl.role.database {
                let _ = writeln!(s, "    w{w}[(\"{label}\")]");
            } else {
                let _ = writeln!(s, "    w{w}[\"{label}\"]");
            }
        }
        s.push_str("  end\n");
    }
    let mut bad_links = Vec::new();
    for (i, e) in v.edges.iter().enumerate() {
        let from = e.from.map_or("outside".to_string(), |f| format!("w{f}"));
        let arrow = if e.exposure { "==>" } else { "-->" };
        let _ = writeln!(s, "  {from} {arrow}|\"{}\"| w{}", mm_esc(&e.label), e.to);
        if e.bad {
            bad_links.push(i.to_string());
        }
    }
    s.push_str("  classDef pass fill:#e8f5e9,stroke:#2e7d32\n  classDef fail fill:#ffebee,stroke:#c62828\n  classDef db stroke-width:3px\n");
    for (cls, want) in [("pass", Some(true)), ("fail", Some(false))] {
        let ids: Vec<String> = (0..v.g.workloads.len())
            .filter(|w| v.status[*w] == want)
            .map(|w| format!("w{w}"))
            .collect();
        if !ids.is_empty() {
            let _ = writeln!(s, "  class {} {cls}", ids.join(","));
        }
    }
    let dbs: Vec<String> = (0..v.g.workloads.len())
        .filter(|w| v.g.workloads[*w].role.database)
        .map(|w| format!("w{w}"))
        .collect();
    if !dbs.is_empty() {
        let _ = writeln!(s, "  class {} db", dbs.join(","));
    }
    if !bad_links.is_empty() {
        let _ = writeln!(
            s,
            "  linkStyle {} stroke:#c62828,stroke-width:2px",
            bad_links.join(",")
        );
    }
    s
}

// ---- layout ----

const NODE_W: f64 = 180.0;
const NODE_H: f64 = 46.0;
const GAP_X: f64 = 30.0;
const LAYER_H: f64 = 120.0;
const BAND_PAD: f64 = 22.0;
const TOP: f64 = 40.0;

pub struct Layout {
    /// centre of each workload
    pub pos: Vec<(f64, f64)>,
    pub outside: (f64, f64),
    /// group → (x, y, w, h)
    pub boxes: Vec<(usize, f64, f64, f64, f64)>,
    pub width: f64,
    pub height: f64,
}

pub fn layout(v: &View<'_>) -> Layout {
    let g = v.g;
    let n = g.workloads.len();
    // layers: exposed at 1, others by distance along flows, databases last
    let mut layer = vec![usize::MAX; n];
    let mut q = VecDeque::new();
    for e in &g.exposures {
        if layer[e.target] == usize::MAX && !g.workloads[e.target].role.database {
            layer[e.target] = 1;
            q.push_back(e.target);
        }
    }
    let mut out_adj: Vec<Vec<Wid>> = vec![Vec::new(); n];
    for f in &g.flows {
        for from in f.sources() {
            out_adj[from].push(f.to);
        }
    }
    while let Some(a) = q.pop_front() {
        for &b in &out_adj[a] {
            if layer[b] == usize::MAX && !g.workloads[b].role.database {
                layer[b] = layer[a] + 1;
                q.push_back(b);
            }
        }
    }
    let max_app = (0..n)
        .filter(|w| !g.workloads[*w].role.database && layer[*w] != usize::MAX)
        .map(|w| layer[w])
        .max()
        .unwrap_or(1);
    for w in 0..n {
        if g.workloads[w].role.database {
            layer[w] = max_app.max(1) + 1;
        } else if layer[w] == usize::MAX {
            layer[w] = 2.min(max_app + 1).max(1);
        }
    }
    let nlayers = layer.iter().copied().max().unwrap_or(1) + 1;
    // neighbours for barycentres (undirected)
    let mut adj: Vec<Vec<Wid>> = vec![Vec::new(); n];
    for f in &g.flows {
        for from in f.sources() {
            adj[from].push(f.to);
            adj[f.to].push(from);
        }
    }
    // order: a position per node, refined by barycentre sweeps
    let mut order: Vec<f64> = (0..n).map(|i| i as f64).collect();
    for w in 0..n {
        if g.exposures.iter().any(|e| e.target == w) {
            order[w] -= n as f64; // exposed first
        }
    }
    for _ in 0..4 {
        let mut next = order.clone();
        for w in 0..n {
            let nb: Vec<f64> = adj[w]
                .iter()
                .filter(|x| layer[**x] != layer[w])
                .map(|x| order[*x])
                .collect();
            if !nb.is_empty() {
                next[w] = (order[w] + nb.iter().sum::<f64>()) / (nb.len() as f64 + 1.0);
            }
        }
        order = next;
    }
    // group order by the mean position of their members
    let members = v.members();
    let mut groups: Vec<(usize, f64)> = members
        .iter()
        .map(|(gi, ws)| {
            (
                *gi,
                ws.iter().map(|w| order[*w]).sum::<f64>() / ws.len() as f64,
            )
        })
        .collect();
    groups.sort_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)));
    let mut pos = vec![(0.0, 0.0); n];
    let mut boxes = Vec::new();
    let mut x = 20.0;
    for (gi, _) in &groups {
        let ws = &members[gi];
        let mut per_layer: BTreeMap<usize, Vec<Wid>> = BTreeMap::new();
        for &w in ws {
            per_layer.entry(layer[w]).or_default().push(w);
        }
        let cols = per_layer.values().map(Vec::len).max().unwrap_or(1) as f64;
        let band_w = cols * NODE_W + (cols - 1.0) * GAP_X + 2.0 * BAND_PAD;
        for (l, list) in per_layer.iter_mut() {
            list.sort_by(|a, b| order[*a].total_cmp(&order[*b]).then(a.cmp(b)));
            let row_w = list.len() as f64 * NODE_W + (list.len() as f64 - 1.0) * GAP_X;
            let start = x + (band_w - row_w) / 2.0 + NODE_W / 2.0;
            for (k, w) in list.iter().enumerate() {
                pos[*w] = (
                    start + k as f64 * (NODE_W + GAP_X),
                    TOP + *l as f64 * LAYER_H,
                );
            }
        }
        let lmin = *per_layer.keys().next().unwrap_or(&1) as f64;
        let lmax = *per_layer.keys().last().unwrap_or(&1) as f64;
        let y0 = TOP + lmin * LAYER_H - NODE_H / 2.0 - 28.0;
        let h = (lmax - lmin) * LAYER_H + NODE_H + 40.0;
        boxes.push((*gi, x, y0, band_w, h));
        x += band_w + GAP_X;
    }
    let width = x.max(NODE_W + 60.0);
    // Down to the lowest group or node, and no further.
    let bottom = boxes
        .iter()
        .map(|(_, _, y, _, h)| y + h)
        .chain(pos.iter().map(|(_, y)| y + NODE_H / 2.0))
        .fold(TOP + 40.0, f64::max);
    let height = (bottom + 30.0).min(TOP + nlayers as f64 * LAYER_H + 40.0);
    Layout {
        pos,
        outside: (width / 2.0, TOP),
        boxes,
        width,
        height,
    }
}

pub fn xml_esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&apos;"),
            c if (c as u32) < 0x20 && c != '\n' && c != '\t' => {}
            c => o.push(c),
        }
    }
    o
}

/// A rectangle a label or a node covers.
#[derive(Debug, Clone, Copy)]
struct Rect {
    x: f64,
    y: f64,
    w: f64,
    h: f64,
}

impl Rect {
    fn centred(cx: f64, cy: f64, w: f64, h: f64) -> Rect {
        Rect {
            x: cx - w / 2.0,
            y: cy - h / 2.0,
            w,
            h,
        }
    }
    fn overlaps(&self, o: &Rect) -> bool {
        self.x < o.x + o.w && o.x < self.x + self.w && self.y < o.y + o.h && o.y < self.y + self.h
    }
}

/// The point at `t` of a cubic Bézier curve.
fn bezier(p: &[(f64, f64); 4], t: f64) -> (f64, f64) {
    let u = 1.0 - t;
    let (a, b, c, d) = (u * u * u, 3.0 * u * u * t, 3.0 * u * t * t, t * t * t);
    (
        a * p[0].0 + b * p[1].0 + c * p[2].0 + d * p[3].0,
        a * p[0].1 + b * p[1].1 + c * p[2].1 + d * p[3].1,
    )
}

/// A text cut to a width, ending with `…` when cut (the node's tooltip keeps it whole).
fn fit(t: &str, size: f64, width: f64) -> String {
    if text_width(t, size, false) <= width {
        return t.to_string();
    }
    let keep = ((width / (size * 0.55)) as usize).saturating_sub(1);
    let mut out: String = t.chars().take(keep).collect();
    out.push('…');
    out
}

/// The width of a text in Helvetica, near enough to keep labels apart.
fn text_width(t: &str, size: f64, bold: bool) -> f64 {
    let per = if bold { 0.6 } else { 0.55 };
    t.chars().count() as f64 * size * per
}

pub fn svg(v: &View<'_>) -> String {
    let l = layout(v);
    // The legend's items, one row each when the picture is narrow.
    let legend_h = if l.width < 1100.0 { 90.0 } else { 40.0 };
    let mut s = String::new();
    let _ = writeln!(
        s,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{:.0}\" height=\"{:.0}\" viewBox=\"0 0 {:.0} {:.0}\" font-family=\"Helvetica, Arial, sans-serif\" font-size=\"12\">",
        l.width,
        l.height + legend_h,
        l.width,
        l.height + legend_h
    );
    s.push_str("<defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto-start-reverse\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"context-stroke\"/></marker></defs>\n");
    let _ = writeln!(
        s,
        "<rect x=\"0\" y=\"0\" width=\"{:.0}\" height=\"{:.0}\" fill=\"#ffffff\"/>",
        l.width,
        l.height + legend_h
    );
    // Group boxes first; their names are written last, over the edges that cross them.
    for (gi, x, y, w, h) in &l.boxes {
        let (stroke, _) = colours(v.group_status[*gi]);
        let _ = writeln!(
            s,
            "<g class=\"group\"><rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{w:.1}\" height=\"{h:.1}\" rx=\"10\" fill=\"#fafafa\" stroke=\"{stroke}\" stroke-dasharray=\"6 4\"/></g>"
        );
    }
    let at = |w: Option<Wid>| -> (f64, f64) { w.map_or(l.outside, |w| l.pos[w]) };
    // Places a label may not cover: the nodes, the outside, the group names.
    let mut taken: Vec<Rect> = l
        .pos
        .iter()
        .map(|(cx, cy)| Rect::centred(*cx, *cy, NODE_W, NODE_H))
        .collect();
    taken.push(Rect::centred(l.outside.0, l.outside.1, 120.0, 40.0));
    let mut group_names = String::new();
    for (gi, x, y, _, _) in &l.boxes {
        let (stroke, _) = colours(v.group_status[*gi]);
        let name = v.group_label(*gi);
        let w = text_width(&name, 12.0, true);
        taken.push(Rect {
            x: x + 6.0,
            y: y + 4.0,
            w: w + 8.0,
            h: 16.0,
        });
        let _ = writeln!(
            group_names,
            "<g class=\"group-name\"><rect x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"16\" rx=\"3\" fill=\"#fafafa\" fill-opacity=\"0.92\"/><text x=\"{:.1}\" y=\"{:.1}\" fill=\"{stroke}\" font-weight=\"bold\">{}</text></g>",
            x + 6.0,
            y + 4.0,
            w + 8.0,
            x + 10.0,
            y + 16.0,
            xml_esc(&name)
        );
    }
    let mut labels = String::new();
    let mut placed: Vec<Rect> = Vec::new();
    for e in &v.edges {
        let (x1, y1) = at(e.from);
        let (x2, y2) = at(Some(e.to));
        let (sy, ty) = if y2 > y1 + 1.0 {
            (y1 + NODE_H / 2.0, y2 - NODE_H / 2.0)
        } else if y2 + 1.0 < y1 {
            (y1 - NODE_H / 2.0, y2 + NODE_H / 2.0)
        } else {
            (y1 + NODE_H / 2.0, y2 + NODE_H / 2.0)
        };
        let bend = if (y2 - y1).abs() < 1.0 {
            40.0
        } else {
            (ty - sy) / 2.0
        };
        let colour = if e.bad {
            FAIL.0
        } else if e.exposure {
            "#f9a825"
        } else {
            "#90a4ae"
        };
        let width = if e.bad { 2.0 } else { 1.2 };
        let from = e.from.map_or("outside".to_string(), |f| format!("w{f}"));
        let _ = writeln!(
            s,
            "<g class=\"edge\" data-from=\"{from}\" data-to=\"w{}\"><title>{}</title><path d=\"M{x1:.1},{sy:.1} C{x1:.1},{:.1} {x2:.1},{:.1} {x2:.1},{ty:.1}\" fill=\"none\" stroke=\"{colour}\" stroke-width=\"{width}\" marker-end=\"url(#arrow)\"/></g>",
            e.to,
            xml_esc(&e.title),
            sy + bend,
            ty - bend,
        );
        if e.label.is_empty() {
            continue;
        }
        // The label goes at the first point along the curve where it covers neither a node nor
        // another label; when there is none, the edge's tooltip still carries it.
        let tw = text_width(&e.label, 9.0, false) + 4.0;
        let curve = [(x1, sy), (x1, sy + bend), (x2, ty - bend), (x2, ty)];
        let spot = [0.5, 0.4, 0.6, 0.3, 0.7, 0.22, 0.78, 0.15, 0.85]
            .iter()
            .map(|t| bezier(&curve, *t))
            .map(|(px, py)| Rect::centred(px, py, tw, 12.0))
            .find(|r| !taken.iter().chain(&placed).any(|o| o.overlaps(r)));
        let Some(r) = spot else { continue };
        placed.push(r);
        let _ = writeln!(
            labels,
            "<g class=\"edge\" data-from=\"{from}\" data-to=\"w{}\"><rect x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"12\" rx=\"2\" fill=\"#ffffff\" fill-opacity=\"0.85\"/><text x=\"{:.1}\" y=\"{:.1}\" font-size=\"9\" fill=\"{colour}\" text-anchor=\"middle\">{}</text></g>",
            e.to,
            r.x,
            r.y,
            r.w,
            r.x + r.w / 2.0,
            r.y + 9.0,
            xml_esc(&e.label)
        );
    }
    // outside
    let _ = writeln!(
        s,
        "<g class=\"node\" id=\"outside\"><ellipse cx=\"{:.1}\" cy=\"{:.1}\" rx=\"60\" ry=\"20\" fill=\"#fff8e1\" stroke=\"#f9a825\" stroke-width=\"1.5\"/><text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\" font-weight=\"bold\">outside</text></g>",
        l.outside.0,
        l.outside.1,
        l.outside.0,
        l.outside.1 + 4.0
    );
    for (i, w) in v.g.workloads.iter().enumerate() {
        let (cx, cy) = l.pos[i];
        let (stroke, fill) = colours(v.status[i]);
        let x = cx - NODE_W / 2.0;
        let y = cy - NODE_H / 2.0;
        let shape = if w.role.database {
            format!(
                "<path d=\"M{x:.1},{:.1} a{:.1},6 0 0,0 {NODE_W:.1},0 v{:.1} a{:.1},6 0 0,1 -{NODE_W:.1},0 z\" fill=\"{fill}\" stroke=\"{stroke}\" stroke-width=\"2.5\"/><ellipse cx=\"{cx:.1}\" cy=\"{:.1}\" rx=\"{:.1}\" ry=\"6\" fill=\"{fill}\" stroke=\"{stroke}\" stroke-width=\"2.5\"/>",
                y + 6.0,
                NODE_W / 2.0,
                NODE_H - 12.0,
                NODE_W / 2.0,
                y + 6.0,
                NODE_W / 2.0
            )
        } else {
            format!(
                "<rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{NODE_W:.1}\" height=\"{NODE_H:.1}\" rx=\"8\" fill=\"{fill}\" stroke=\"{stroke}\" stroke-width=\"1.5\"/>"
            )
        };
        let label = v.node_label(w);
        let mut lines = label.lines();
        let first = lines.next().unwrap_or_default();
        let second = lines.next();
        let status = match v.status[i] {
            Some(true) => "NET checks pass",
            Some(false) => "a NET check fails",
            None => "no NET check applies",
        };
        let _ = writeln!(
            s,
            "<g class=\"node\" id=\"w{i}\"><title>{} — {} {} — {}{}</title>{shape}<text x=\"{cx:.1}\" y=\"{:.1}\" text-anchor=\"middle\" font-weight=\"bold\">{}</text>{}</g>",
            xml_esc(&w.subject),
            xml_esc(&w.kind),
            xml_esc(&w.images.join(", ")),
            status,
            second
                .map(|t| format!(" — {}", xml_esc(t)))
                .unwrap_or_default(),
            if second.is_some() { cy - 2.0 } else { cy + 4.0 },
            xml_esc(first),
            second
                .map(|t| format!(
                    "<text x=\"{cx:.1}\" y=\"{:.1}\" text-anchor=\"middle\" font-size=\"9\">{}</text>",
                    cy + 12.0,
                    xml_esc(&fit(t, 9.0, NODE_W - 12.0))
                ))
                .unwrap_or_default()
        );
    }
    s.push_str(&group_names);
    s.push_str(&labels);
    // legend
    let ly = l.height + 10.0;
    let mut legend = String::from("<g class=\"legend\" font-size=\"11\">");
    let mut x = 20.0;
    let mut ly = ly;
    let mut item = |shape: &dyn Fn(f64, f64) -> String, text: &str| {
        let need = 20.0 + text_width(text, 11.0, false) + 22.0;
        if x + need > l.width.max(400.0) && x > 20.0 {
            x = 20.0;
            ly += 20.0;
        }
        legend.push_str(&shape(x, ly));
        let _ = write!(
            legend,
            "<text x=\"{:.1}\" y=\"{:.1}\">{}</text>",
            x + 20.0,
            ly + 11.0,
            xml_esc(text)
        );
        x += need;
    };
    for (colours, text) in [
        (PASS, "passes its NET checks"),
        (FAIL, "fails a NET check"),
        (NEUTRAL, "no NET check applies"),
    ] {
        item(
            &|x, ly| {
                format!(
                    "<rect x=\"{x:.1}\" y=\"{ly:.1}\" width=\"14\" height=\"14\" rx=\"3\" fill=\"{}\" stroke=\"{}\"/>",
                    colours.1, colours.0
                )
            },
            text,
        );
    }
    item(
        &|x, ly| {
            format!(
                "<path d=\"M{x:.1},{:.1} a7,3 0 0,0 14,0 v8 a7,3 0 0,1 -14,0 z\" fill=\"#ffffff\" stroke=\"#455a64\" stroke-width=\"1.5\"/><ellipse cx=\"{:.1}\" cy=\"{:.1}\" rx=\"7\" ry=\"3\" fill=\"#ffffff\" stroke=\"#455a64\" stroke-width=\"1.5\"/>",
                ly + 3.0,
                x + 7.0,
                ly + 3.0
            )
        },
        "database",
    );
    for (colour, text) in [
        ("#90a4ae", "allowed flow"),
        ("#f9a825", "exposure"),
        (FAIL.0, "flow or exposure that breaks a control"),
    ] {
        item(
            &|x, ly| {
                format!(
                    "<line x1=\"{x:.1}\" y1=\"{:.1}\" x2=\"{:.1}\" y2=\"{:.1}\" stroke=\"{colour}\" stroke-width=\"2\"/>",
                    ly + 7.0,
                    x + 16.0,
                    ly + 7.0
                )
            },
            text,
        );
    }
    legend.push_str("</g>\n");
    s.push_str(&legend);
    s.push_str("</svg>\n");
    s
}

pub fn html(v: &View<'_>, judged: &Judged, title: &str) -> String {
    let mut s = String::new();
    let _ = write!(
        s,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>{}</title>\n<style>\nbody{{font-family:Helvetica,Arial,sans-serif;margin:1.5em;color:#263238}}\n.wrap{{overflow:auto;border:1px solid #cfd8dc;border-radius:6px}}\n.dim{{opacity:.15}}\n.hl path{{stroke-width:3}}\ntable{{border-collapse:collapse;margin-top:1em;font-size:13px}}\ntd,th{{border:1px solid #cfd8dc;padding:4px 8px;text-align:left;vertical-align:top}}\n.fail{{color:#c62828;font-weight:bold}}.pass{{color:#2e7d32}}\n</style>\n</head>\n<body>\n<h1>{}</h1>\n<p>Hover a workload to show only its flows. Red: a flow or exposure that breaks a NET control; green/red boxes: workloads passing/failing their NET checks.</p>\n<div class=\"wrap\">\n",
        xml_esc(title),
        xml_esc(title)
    );
    s.push_str(&svg(v));
    s.push_str("</div>\n<h2>Network verdicts</h2>\n<table>\n<tr><th>Check</th><th>Result</th><th>Subject</th><th>Finding</th><th>Where</th></tr>\n");
    let mut vs: Vec<&vigie_core::Verdict> = judged.verdicts.iter().map(|(_, v)| v).collect();
    vs.sort_by(|a, b| (b.is_fail(), a.check, &a.subject).cmp(&(a.is_fail(), b.check, &b.subject)));
    for v in vs {
        let _ = writeln!(
            s,
            "<tr><td>{}</td><td class=\"{}\">{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            v.check,
            if v.is_fail() { "fail" } else { "pass" },
            if v.is_fail() { "fail" } else { "pass" },
            xml_esc(&v.subject),
            xml_esc(&v.message),
            xml_esc(&v.location.to_string())
        );
    }
    s.push_str("</table>\n<script>\n(function(){\n  var edges=document.querySelectorAll('g.edge');\n  document.querySelectorAll('g.node').forEach(function(n){\n    n.addEventListener('mouseenter',function(){\n      edges.forEach(function(e){\n        var on=e.getAttribute('data-from')===n.id||e.getAttribute('data-to')===n.id;\n        e.classList.toggle('dim',!on);e.classList.toggle('hl',on);\n      });\n    });\n    n.addEventListener('mouseleave',function(){\n      edges.forEach(function(e){e.classList.remove('dim');e.classList.remove('hl');});\n    });\n  });\n})();\n</script>\n</body>\n</html>\n");
    s
}
