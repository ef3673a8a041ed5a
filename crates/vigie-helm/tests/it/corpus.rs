//! Every chart of the test corpus, with its default values and each value set under
//! `tests/it/sets/CHART/` (`.yaml`: a values file; `.set`: `--set` expressions, one a line),
//! rendered by vigie and by Helm's engine: the outputs must be byte-identical, template by
//! template, and where Helm refuses to render vigie must refuse with Helm's message.

use crate::support;
use vigie_helm::{DirFs, Release};

struct Job {
    label: String,
    chart: std::path::PathBuf,
    values_files: Vec<String>,
    set: Vec<String>,
}

fn jobs(dirs: &mut Vec<tempfile::TempDir>) -> Vec<Job> {
    let mut out = Vec::new();
    let mut names: Vec<String> = std::fs::read_dir(support::corpus_dir().join("charts"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    for name in names {
        let (tmp, dir) = support::chart(&name);
        dirs.push(tmp);
        out.push(Job {
            label: format!("{name} (defaults)"),
            chart: dir.clone(),
            values_files: Vec::new(),
            set: Vec::new(),
        });
        let sets = support::corpus_dir().join("sets").join(&name);
        let Ok(entries) = std::fs::read_dir(&sets) else {
            continue;
        };
        let mut files: Vec<_> = entries.map(|e| e.unwrap().path()).collect();
        files.sort();
        for f in files {
            let label = format!("{name} -f {}", f.file_name().unwrap().to_string_lossy());
            if f.extension().is_some_and(|e| e == "set") {
                let text = std::fs::read_to_string(&f).unwrap();
                out.push(Job {
                    label,
                    chart: dir.clone(),
                    values_files: Vec::new(),
                    set: text
                        .lines()
                        .filter(|l| !l.trim().is_empty())
                        .map(String::from)
                        .collect(),
                });
            } else {
                out.push(Job {
                    label,
                    chart: dir.clone(),
                    values_files: vec![f.to_string_lossy().into_owned()],
                    set: Vec::new(),
                });
            }
        }
    }
    out
}

#[test]
fn every_render_of_the_corpus_equals_helms() {
    let mut dirs = Vec::new();
    let jobs = jobs(&mut dirs);
    let oracle_jobs = serde_json::Value::Array(
        jobs.iter()
            .map(|j| {
                serde_json::json!({
                    "chart": j.chart.to_string_lossy(),
                    "values_files": j.values_files,
                    "set": j.set,
                })
            })
            .collect(),
    );
    let helm = support::helm(&oracle_jobs);
    let mut problems = Vec::new();
    let mut identical = 0;
    for (job, h) in jobs.iter().zip(helm) {
        let release = Release {
            values_files: job.values_files.clone(),
            set: job.set.clone(),
            ..Release::default()
        };
        let fs = DirFs::new("/");
        let r = vigie_helm::render(&fs, &job.chart.to_string_lossy(), &release);
        match h {
            Err(msg) => match &r.failure {
                Some(f) if f.trim() == msg.trim() => identical += 1,
                Some(f)
                    if msg.starts_with("values don't meet the specifications")
                        && f.starts_with("values don't meet the specifications") =>
                {
                    // Both refuse; the violation's wording is each JSON Schema library's own.
                    identical += 1;
                }
                Some(f) => problems.push(format!(
                    "{}: messages differ:\n  helm:  {msg}\n  vigie: {f}",
                    job.label
                )),
                None => problems.push(format!(
                    "{}: Helm refuses ({msg}), vigie renders",
                    job.label
                )),
            },
            Ok(templates) => {
                if let Some(f) = &r.failure {
                    // Helm's engine does not read its output as YAML; `helm template` does and
                    // refuses the same way vigie does.
                    if !f.starts_with("YAML parse error") {
                        problems.push(format!("{}: vigie refuses ({f}), Helm renders", job.label));
                        continue;
                    }
                }
                let mut same = true;
                for (path, text) in &templates {
                    let text = text.as_str().unwrap_or("");
                    match r.templates.get(path) {
                        Some(v) if v == text => {}
                        Some(v) => {
                            same = false;
                            let (hl, vl) = first_line_diff(text, v);
                            problems.push(format!(
                                "{}: {path} differs:\n  helm:  {hl:?}\n  vigie: {vl:?}",
                                job.label
                            ));
                        }
                        None => {
                            same = false;
                            problems
                                .push(format!("{}: {path} missing from vigie's output", job.label));
                        }
                    }
                }
                for path in r.templates.keys() {
                    if !templates.contains_key(path) {
                        same = false;
                        problems.push(format!("{}: {path} rendered by vigie only", job.label));
                    }
                }
                if same {
                    identical += 1;
                }
            }
        }
    }
    eprintln!("{identical}/{} renders identical to Helm's", jobs.len());
    assert!(
        problems.is_empty(),
        "{} differences:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

fn first_line_diff(a: &str, b: &str) -> (String, String) {
    for (x, y) in a.lines().zip(b.lines()) {
        if x != y {
            return (x.to_string(), y.to_string());
        }
    }
    (
        format!("({} lines)", a.lines().count()),
        format!("({} lines)", b.lines().count()),
    )
}
