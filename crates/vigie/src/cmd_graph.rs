//! `vigie graph`: a picture of the platform — workloads grouped by Compose network or
//! Kubernetes namespace, exposures from outside, allowed flows, databases highlighted, each
//! element coloured by its NET verdicts.

use clap::Args;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Args)]
pub struct GraphArgs {
    /// Folder or file to draw.
    #[arg(default_value = ".")]
    path: PathBuf,
    /// dot, mermaid, svg or html (self-contained page).
    #[arg(long, default_value = "svg")]
    format: String,
    /// Write to this file instead of stdout.
    #[arg(long, short = 'o', value_name = "FILE")]
    output: Option<PathBuf>,
}

/// Workloads, flows and exposures an SVG or HTML picture draws at most.
const MAX_DRAWN: usize = 20_000;

pub fn run(args: GraphArgs, stdout: &mut dyn Write) -> Result<ExitCode, String> {
    if !args.path.exists() {
        return Err(format!("`{}` does not exist", args.path.display()));
    }
    let loaded = vigie_net::load::load(&args.path);
    let graph = vigie_net::build_with_files(
        &loaded.projects,
        &loaded.objects,
        &loaded.pods.iter().collect::<Vec<_>>(),
        &loaded.roles,
        &loaded.files,
    );
    let judged = vigie_net::judge(&graph);
    // a picture has a size budget: beyond it, it is unreadable and its file enormous (2,000
    // workloads reaching each other wrote a 1 GB SVG); dot and mermaid stay available
    let drawn = graph.flow_pairs() + graph.workloads.len() + graph.exposures.len();
    if matches!(args.format.as_str(), "svg" | "html") && drawn > MAX_DRAWN {
        return Err(format!(
            "too many elements to draw as {}: {} workloads, {} flows, {} exposures (more than {MAX_DRAWN} in all); use --format dot or mermaid, or draw a sub-folder",
            args.format,
            graph.workloads.len(),
            graph.flow_pairs(),
            graph.exposures.len()
        ));
    }
    let view = vigie_net::render::View::new(&graph, &judged);
    let title = format!("vigie graph: {}", args.path.display());
    let text = match args.format.as_str() {
        "dot" => vigie_net::render::dot(&view),
        "mermaid" => vigie_net::render::mermaid(&view),
        "svg" => vigie_net::render::svg(&view),
        "html" => vigie_net::render::html(&view, &judged, &title),
        other => {
            return Err(format!(
                "unknown graph format `{other}` (dot, mermaid, svg, html)"
            ));
        }
    };
    let text = vigie_core::redact::credentials(&text).unwrap_or(text);
    for d in loaded.diagnostics.iter().chain(&graph.diagnostics) {
        let line = format!("vigie: {} {}: {}", d.code, d.location, d.message);
        eprintln!("{}", vigie_core::redact::credentials(&line).unwrap_or(line));
    }
    match &args.output {
        Some(p) => std::fs::write(p, text).map_err(|e| format!("{}: {e}", p.display()))?,
        None => stdout
            .write_all(text.as_bytes())
            .map_err(|e| e.to_string())?,
    }
    eprintln!(
        "vigie: {} workloads, {} flows, {} exposures",
        graph.workloads.len(),
        graph.flow_pairs(),
        graph.exposures.len()
    );
    Ok(ExitCode::SUCCESS)
}

/// The platform graph of a folder as SVG, for the HTML report.
pub fn svg_of(path: &std::path::Path) -> String {
    let loaded = vigie_net::load::load(path);
    let graph = vigie_net::build_with_files(
        &loaded.projects,
        &loaded.objects,
        &loaded.pods.iter().collect::<Vec<_>>(),
        &loaded.roles,
        &loaded.files,
    );
    let judged = vigie_net::judge(&graph);
    vigie_net::render::svg(&vigie_net::render::View::new(&graph, &judged))
}
