//! The compliance documents as one self-contained HTML page: both documents with their
//! statuses, each measure's evidence linked to its file and line, the platform graph, the
//! attestations to do, the waivers with their expiry, then the other frameworks. No script, no
//! request at view time (a Content-Security-Policy forbids both), readable on a phone and
//! printable to PDF by a browser.
//!
//! Written by hand rather than with a template engine: the page is a few nested lists and tables
//! built from the same walk the markdown document does, and every string of the report — all of
//! which may come from a scanned repository — goes through [`esc`] (text) or [`attr`] (attribute
//! values), the only two ways text enters the page. The graph is an SVG vigie itself rendered,
//! inserted as is; its own renderer escapes the names it draws.

use crate::common::{
    Context, LISTED_CHANGES, also_fails_words, changes_counts, one_per_gap, path_line,
    previous_name, status_counts, status_words,
};
use std::fmt::Write as _;
use vigie_core::catalog::Framework;
use vigie_core::changes::Changes;
use vigie_core::rollup::{
    AttestationState, FrameworkResult, RequirementResult, SectionStatus, Status,
};
use vigie_core::{Location, ScanReport, Verdict};

/// Failures shown under a measure before the rest fold into "more".
const FAILURES_SHOWN: usize = 3;
/// Passing lines shown under a compliant measure before the rest fold into "more".
const PASSES_SHOWN: usize = 1;

/// What the HTML page adds to the report.
#[derive(Debug, Clone, Default)]
pub struct HtmlOptions {
    /// Turns a location into a link: `{path}`, `{line}` and `{commit}` are replaced
    /// (`https://git.example.org/acme/app/blob/{commit}/{path}#L{line}`).
    pub link: Option<String>,
    /// The scanned commit, for `{commit}`.
    pub commit: Option<String>,
    /// The platform graph, an SVG document rendered by `vigie graph`.
    pub graph_svg: Option<String>,
}

const STYLE: &str = "
:root{--ok:#1a7f37;--bad:#cf222e;--part:#bf8700;--na:#6e7781;--att:#0969da}
*{box-sizing:border-box}
body{font:15px/1.5 system-ui,-apple-system,'Segoe UI',sans-serif;margin:0 auto;max-width:60rem;padding:1rem;color:#1f2328}
h1{font-size:1.5rem;border-bottom:2px solid #d0d7de;padding-bottom:.3rem;margin-top:2.5rem}
h2{font-size:1.2rem;margin-top:1.8rem}
table{border-collapse:collapse;width:100%;margin:.5rem 0;display:block;overflow-x:auto}
th,td{border:1px solid #d0d7de;padding:.3rem .5rem;text-align:left;vertical-align:top}
th{background:#f6f8fa}
ul.measures{list-style:none;padding-left:0}
li.measure{margin:.6rem 0;padding:.4rem .6rem;border-left:4px solid var(--na);background:#f6f8fa;break-inside:avoid}
li.compliant{border-color:var(--ok)}li.non_compliant{border-color:var(--bad)}
li.partially_compliant{border-color:var(--part)}li.attested{border-color:var(--att)}
.box{font-weight:bold;margin-right:.3rem}
.status{font-size:.85rem;padding:0 .4rem;border-radius:1rem;background:#eaeef2;white-space:nowrap}
.status.compliant{background:#dafbe1}.status.non_compliant{background:#ffebe9}
.status.partially_compliant{background:#fff8c5}
.changed{font-size:.85rem;font-style:italic;color:#57606a}
ul.evidence{margin:.3rem 0 0;padding-left:1.2rem;font-size:.9rem}
ul.evidence li{overflow-wrap:anywhere}
code{font-size:.85em;background:#eaeef2;padding:0 .2rem;border-radius:3px;overflow-wrap:anywhere}
.fix{color:#57606a}
.refs{color:#57606a;font-size:.85rem}
.graph{overflow-x:auto;border:1px solid #d0d7de;padding:.5rem}
.graph svg{max-width:100%;height:auto}
footer{margin-top:3rem;color:#57606a;font-size:.85rem}
@media (max-width:40rem){body{font-size:14px;padding:.5rem}h1{font-size:1.25rem}}
@media print{body{max-width:none}details{display:block}details>summary{display:none}
 details>*{display:block}a{color:inherit;text-decoration:none}.graph{break-inside:avoid}}
";

/// Text as HTML character data.
fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Text as a double-quoted attribute value.
fn attr(s: &str) -> String {
    esc(s)
}

/// An `href` only for web addresses: a template producing `javascript:` or anything else is not
/// a link.
fn safe_href(url: &str) -> Option<String> {
    let lower = url.trim_start().to_ascii_lowercase();
    (lower.starts_with("https://") || lower.starts_with("http://")).then(|| attr(url))
}

struct Page<'c, 'r> {
    cx: &'c Context<'r>,
    opts: &'c HtmlOptions,
    verbose: bool,
}

pub(crate) fn render(report: &ScanReport, verbose: bool, opts: &HtmlOptions) -> String {
    let cx = Context::new(report);
    let page = Page {
        cx: &cx,
        opts,
        verbose,
    };
    let mut out = String::new();
    let title = "Compliance report";
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">\n\
         <title>{} — {}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n",
        esc(title),
        esc(&report.root)
    );
    let _ = writeln!(
        out,
        "<header><p class=\"refs\">Generated by vigie {} from <code>{}</code> on {}{}. Frameworks: {}.</p></header>",
        esc(report.tool_version),
        esc(&report.root),
        esc(&report.as_of),
        opts.commit
            .as_deref()
            .map(|c| format!(" at commit <code>{}</code>", esc(c)))
            .unwrap_or_default(),
        esc(&report.frameworks.join(", "))
    );
    let (documents, others) = cx.documents_and_others();
    out.push_str("<main>\n");
    if let Some(c) = &report.changes {
        changes(&mut out, c);
    }
    for (fw, result) in &documents {
        page.document(&mut out, fw, result);
    }
    page.graph(&mut out);
    page.todo(&mut out);
    page.waivers(&mut out);
    for (fw, result) in &others {
        page.compact(&mut out, fw, result);
    }
    page.diagnostics(&mut out);
    out.push_str("</main>\n<footer>vigie: each box is ticked only on evidence found in the repository, or on an attestation recorded with an owner and an expiry.</footer>\n</body>\n</html>\n");
    out
}

/// "Changes since the previous report", first on the page: the counts, the measures and
/// controls whose status changed, the new and fixed failures (the first [`LISTED_CHANGES`] of
/// each) and what could not be compared.
fn changes(out: &mut String, c: &Changes) {
    let _ = writeln!(
        out,
        "<section id=\"changes\"><h1>Changes since the previous report</h1>\n<p>Since {}: {}.</p>",
        esc(&previous_name(c)),
        esc(&changes_counts(c))
    );
    for (what, list) in [("Measures", &c.requirements), ("Controls", &c.controls)] {
        if list.is_empty() {
            continue;
        }
        let _ = writeln!(out, "<h2>{what} whose status changed</h2><ul>");
        for s in list {
            let _ = writeln!(
                out,
                "<li><strong>{}</strong> {} <span class=\"status {}\">{}</span> → <span class=\"status {}\">{}</span></li>",
                esc(&s.label),
                esc(&s.title),
                status_class(s.from),
                esc(status_words(s.from)),
                status_class(s.to),
                esc(status_words(s.to)),
            );
        }
        out.push_str("</ul>\n");
    }
    for (what, list) in [
        ("New failures", &c.new_failures),
        ("Fixed failures", &c.fixed_failures),
    ] {
        if list.is_empty() {
            continue;
        }
        let _ = writeln!(out, "<h2>{what}</h2><ul class=\"evidence\">");
        for f in list.iter().take(LISTED_CHANGES) {
            let _ = writeln!(
                out,
                "<li>{} <code>{}:{}</code> {}: {}{}</li>",
                esc(&f.check),
                esc(&f.path),
                f.line,
                esc(&f.subject),
                esc(&f.message),
                if f.waived { " (waived)" } else { "" },
            );
        }
        if list.len() > LISTED_CHANGES {
            let _ = writeln!(out, "<li>… and {} more</li>", list.len() - LISTED_CHANGES);
        }
        out.push_str("</ul>\n");
    }
    if !c.not_compared.is_empty() {
        out.push_str("<h2>Not compared</h2><ul>\n");
        for n in &c.not_compared {
            let _ = writeln!(out, "<li>{}</li>", esc(n));
        }
        out.push_str("</ul>\n");
    }
    out.push_str("</section>\n");
}

fn status_class(s: Status) -> &'static str {
    s.as_str()
}

fn section_words(s: SectionStatus) -> &'static str {
    s.label()
}

impl Page<'_, '_> {
    /// The marker of a measure whose status changed since the previous report: what it was.
    fn was(&self, fw: &Framework, r: &RequirementResult) -> String {
        self.cx
            .report
            .changes
            .as_ref()
            .and_then(|c| c.requirement(&fw.id, &r.id))
            .map(|c| {
                format!(
                    " <span class=\"changed\">🔄 was {}</span>",
                    esc(status_words(c.from))
                )
            })
            .unwrap_or_default()
    }

    fn location(&self, loc: &Location) -> String {
        let text = format!("<code>{}</code>", esc(&path_line(loc)));
        let Some(template) = &self.opts.link else {
            return text;
        };
        if loc.path.is_empty() {
            return text;
        }
        let url = template
            .replace("{path}", &loc.path)
            .replace("{line}", &loc.line.max(1).to_string())
            .replace("{commit}", self.opts.commit.as_deref().unwrap_or("HEAD"));
        match safe_href(&url) {
            Some(href) => format!("<a href=\"{href}\">{text}</a>"),
            None => text,
        }
    }

    fn document(&self, out: &mut String, fw: &Framework, result: &FrameworkResult) {
        let heading = fw.heading.as_deref().unwrap_or(&fw.title);
        let _ = writeln!(out, "<section class=\"document\" id=\"{}\">", attr(&fw.id));
        let _ = writeln!(out, "<h1>{}</h1>", esc(heading));
        out.push_str("<table><thead><tr><th>section</th><th>status</th><th>measures met</th></tr></thead><tbody>\n");
        for s in &result.sections {
            let _ = writeln!(
                out,
                "<tr><td><a href=\"#{}-{}\">{}. {}</a></td><td>{}</td><td>{}/{}</td></tr>",
                attr(&fw.id),
                attr(&s.id),
                esc(&s.id),
                esc(&s.title),
                esc(section_words(s.status)),
                s.met,
                s.applicable
            );
        }
        out.push_str("</tbody></table>\n");
        for s in &result.sections {
            let _ = writeln!(
                out,
                "<h2 id=\"{}-{}\">{}. {} <span class=\"status\">{}</span></h2>\n<ul class=\"measures\">",
                attr(&fw.id),
                attr(&s.id),
                esc(&s.id),
                esc(&s.title),
                esc(section_words(s.status))
            );
            for r in &s.requirements {
                self.measure(out, fw, r);
            }
            out.push_str("</ul>\n");
        }
        out.push_str("</section>\n");
    }

    fn measure(&self, out: &mut String, fw: &Framework, r: &RequirementResult) {
        let attested = r.attestation == Some(AttestationState::Attested) && r.tally.subjects == 0;
        let class = if attested && r.status == Status::Compliant {
            "attested"
        } else {
            status_class(r.status)
        };
        let tick = if r.status == Status::Compliant {
            "☑"
        } else {
            "☐"
        };
        let _ = write!(
            out,
            "<li class=\"measure {class}\" data-requirement=\"{}\"><span class=\"box\" aria-label=\"{}\">{tick}</span><strong>{}</strong> <span class=\"status {}\">{}</span> <span class=\"refs\">{}</span>",
            attr(&r.label),
            if r.status == Status::Compliant {
                "met"
            } else {
                "not met"
            },
            esc(&r.title),
            status_class(r.status),
            esc(status_words(r.status)),
            esc(&r.controls.join(" · "))
        );
        out.push_str(&self.was(fw, r));
        let mut lines: Vec<String> = Vec::new();
        match r.status {
            Status::NotAssessed => {
                lines.push(esc(&self.cx.not_assessed_why(fw, r)));
            }
            Status::NotApplicable => {
                lines.push("not applicable: nothing in the repository it applies to".to_string())
            }
            _ => {
                let t = r.tally;
                lines.push(format!(
                    "{}/{} subjects{}",
                    t.passed,
                    t.subjects,
                    if t.waived > 0 {
                        format!(", {} waived", t.waived)
                    } else {
                        String::new()
                    }
                ));
            }
        }
        lines.extend(self.attestation_lines(r));
        let mut verdicts: Vec<&Verdict> = self
            .cx
            .report
            .verdicts
            .iter()
            .filter(|v| r.checks.iter().any(|c| c == v.check))
            .collect();
        verdicts = one_per_gap(&verdicts);
        verdicts.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        let fails: Vec<String> = verdicts
            .iter()
            .filter(|v| v.is_fail())
            .map(|v| {
                format!(
                    "<code>{}</code>: {} — {}{}",
                    esc(&v.subject),
                    esc(v.message.trim_end_matches('.')),
                    self.location(&v.location),
                    v.fix()
                        .map(|f| format!(" <span class=\"fix\">Fix: {}</span>", esc(f)))
                        .unwrap_or_default()
                ) + &also_fails_words(v)
                    .map(|a| format!(" <span class=\"also\">({})</span>", esc(&a)))
                    .unwrap_or_default()
            })
            .collect();
        let waived: Vec<String> = verdicts
            .iter()
            .filter_map(|v| {
                let w = v.waiver()?;
                Some(format!(
                    "<code>{}</code>: waived — {}. Reason: “{}”{}{}",
                    esc(&v.subject),
                    esc(v.message.trim_end_matches('.')),
                    esc(&w.reason),
                    w.owner
                        .as_deref()
                        .map(|o| format!(", owner <code>{}</code>", esc(o)))
                        .unwrap_or_default(),
                    w.expires
                        .as_deref()
                        .map(|e| format!(", expires {}", esc(e)))
                        .unwrap_or_default()
                ))
            })
            .collect();
        let passes: Vec<String> = verdicts
            .iter()
            .filter(|v| v.is_pass())
            .map(|v| {
                format!(
                    "<code>{}</code>: {} — {}",
                    esc(&v.subject),
                    esc(v.message.trim_end_matches('.')),
                    self.location(&v.location)
                )
            })
            .collect();
        out.push_str("\n<ul class=\"evidence\">");
        for l in &lines {
            let _ = write!(out, "<li>{l}</li>");
        }
        let passes_shown = if r.status == Status::Compliant {
            PASSES_SHOWN
        } else {
            0
        };
        self.folded(out, &fails, FAILURES_SHOWN, "failures");
        for w in &waived {
            let _ = write!(out, "<li>{w}</li>");
        }
        self.folded(out, &passes, passes_shown, "passing subjects");
        out.push_str("</ul></li>\n");
    }

    /// The first `shown` items, then the rest folded in a `<details>` (all shown with `-v` and
    /// when printing).
    fn folded(&self, out: &mut String, items: &[String], shown: usize, what: &str) {
        let shown = if self.verbose { items.len() } else { shown };
        for i in items.iter().take(shown) {
            let _ = write!(out, "<li>{i}</li>");
        }
        if items.len() > shown {
            let _ = write!(
                out,
                "<li><details><summary>{} more {what}</summary><ul>",
                items.len() - shown
            );
            for i in &items[shown..] {
                let _ = write!(out, "<li>{i}</li>");
            }
            out.push_str("</ul></details></li>");
        }
    }

    fn attestation_lines(&self, r: &RequirementResult) -> Vec<String> {
        let report = self.cx.report;
        match r.attestation {
            Some(AttestationState::Attested) => report
                .verdicts
                .iter()
                .filter(|v| {
                    v.outcome == vigie_core::Outcome::Attested
                        && r.controls.iter().any(|c| **c == *v.subject)
                })
                .filter_map(|v| {
                    let a = v.attestation_record()?;
                    Some(format!(
                        "Attested ({}): “{}” — owner <code>{}</code>, expires {} — {}",
                        esc(&a.control),
                        esc(&a.statement),
                        esc(&a.owner),
                        esc(&a.expires),
                        self.location(&v.location)
                    ))
                })
                .collect(),
            Some(_) => report
                .rollup
                .todo
                .iter()
                .filter(|t| r.controls.contains(&t.control))
                .map(|t| {
                    format!(
                        "To do ({}): {} — record it with <code>vigie attest {}</code>",
                        esc(&t.control),
                        match (&t.owner, &t.expires) {
                            (Some(o), Some(e)) => format!(
                                "the attestation by <code>{}</code> expired on {}",
                                esc(o),
                                esc(e)
                            ),
                            _ => "attestation missing".to_string(),
                        },
                        esc(&t.control)
                    )
                })
                .collect(),
            None => Vec::new(),
        }
    }

    fn graph(&self, out: &mut String) {
        let Some(svg) = &self.opts.graph_svg else {
            return;
        };
        let svg = svg.find("<svg").map_or(svg.as_str(), |i| &svg[i..]);
        out.push_str("<section id=\"graph\"><h1>Platform graph</h1><p class=\"refs\">Who can reach what, as <code>vigie graph</code> draws it.</p><div class=\"graph\">");
        out.push_str(svg);
        out.push_str("</div></section>\n");
    }

    fn todo(&self, out: &mut String) {
        let todo = &self.cx.report.rollup.todo;
        out.push_str("<section id=\"attestations\"><h1>Attestations to do</h1>");
        if todo.is_empty() {
            out.push_str("<p>None: every attestation the documents need is recorded and valid.</p></section>\n");
            return;
        }
        out.push_str("<table><thead><tr><th>control</th><th>measure</th><th>state</th><th>owner</th><th>record with</th></tr></thead><tbody>\n");
        for t in todo {
            let state = match (&t.expires, &t.location) {
                (Some(e), Some(l)) => format!("expired on {} ({})", esc(e), self.location(l)),
                _ => "missing".to_string(),
            };
            let _ = writeln!(
                out,
                "<tr><td>{}</td><td>{}</td><td>{state}</td><td>{}</td><td><code>vigie attest {} --statement … --owner … --expires YYYY-MM-DD --evidence URL</code></td></tr>",
                esc(&t.control),
                esc(&t.title),
                t.owner
                    .as_deref()
                    .map_or("unassigned".to_string(), |o| format!(
                        "<code>{}</code>",
                        esc(o)
                    )),
                esc(&t.control)
            );
        }
        out.push_str("</tbody></table></section>\n");
    }

    fn waivers(&self, out: &mut String) {
        let waived: Vec<&Verdict> = self
            .cx
            .report
            .verdicts
            .iter()
            .filter(|v| v.waiver().is_some())
            .collect();
        out.push_str("<section id=\"waivers\"><h1>Waivers</h1>");
        if waived.is_empty() {
            out.push_str("<p>No failure is waived.</p></section>\n");
            return;
        }
        out.push_str("<table><thead><tr><th>check</th><th>subject</th><th>reason</th><th>owner</th><th>expires</th><th>declared at</th></tr></thead><tbody>\n");
        for v in waived {
            let Some(w) = v.waiver() else { continue };
            let _ = writeln!(
                out,
                "<tr><td>{}</td><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                esc(v.check),
                esc(&v.subject),
                esc(&w.reason),
                esc(w.owner.as_deref().unwrap_or("—")),
                esc(w.expires.as_deref().unwrap_or("never")),
                self.location(&w.source)
            );
        }
        out.push_str("</tbody></table></section>\n");
    }

    fn compact(&self, out: &mut String, fw: &Framework, result: &FrameworkResult) {
        let _ = writeln!(
            out,
            "<section class=\"framework\" id=\"{}\"><h1>{}</h1>",
            attr(&fw.id),
            esc(&fw.title)
        );
        let counts: Vec<String> = status_counts(&result.counts)
            .map(|(s, n)| format!("{n} {}", status_words(s)))
            .collect();
        let _ = writeln!(out, "<p class=\"refs\">{}</p>", esc(&counts.join(" · ")));
        out.push_str("<table><thead><tr><th>requirement</th><th>title</th><th>status</th><th>checks</th><th>passed/failed/waived</th></tr></thead><tbody>\n");
        for r in result.sections.iter().flat_map(|s| s.requirements.iter()) {
            let t = r.tally;
            let _ = writeln!(
                out,
                "<tr data-requirement=\"{}\"><td>{}</td><td>{}</td><td><span class=\"status {}\">{}</span>{}</td><td>{}</td><td>{}/{}/{}</td></tr>",
                attr(&r.label),
                esc(&r.label),
                esc(&r.title),
                status_class(r.status),
                esc(status_words(r.status)),
                self.was(fw, r),
                esc(&r.checks.join(", ")),
                t.passed,
                t.failed,
                t.waived
            );
        }
        out.push_str("</tbody></table></section>\n");
    }

    fn diagnostics(&self, out: &mut String) {
        let diags = &self.cx.report.diagnostics;
        if diags.is_empty() {
            return;
        }
        out.push_str("<section id=\"diagnostics\"><h1>Files vigie could not read or parse</h1><table><thead><tr><th>file</th><th>code</th><th>severity</th><th>message</th></tr></thead><tbody>\n");
        for d in diags {
            let _ = writeln!(
                out,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                self.location(&d.location),
                esc(d.code),
                esc(&d.severity.to_string()),
                esc(&d.message)
            );
        }
        out.push_str("</tbody></table></section>\n");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_and_links_cannot_carry_markup() {
        assert_eq!(
            esc("<script>alert('x')</script> & \"q\""),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;"
        );
        assert_eq!(safe_href("javascript:alert(1)"), None);
        assert_eq!(
            safe_href("https://git.example.org/a/blob/1/x\"onmouseover=\"y"),
            Some("https://git.example.org/a/blob/1/x&quot;onmouseover=&quot;y".to_string())
        );
    }
}
