//! What each command and action of a pipeline does, as far as the supply-chain checks care:
//! builds, pushes, deploys, scans, audits, SBOMs, provenance, signatures.

use crate::model::{Action, Command, Pipeline, Point, Step};

/// A flag's value: `--flag v`, `--flag=v`, or a short alias.
pub fn flag<'a>(args: &'a [String], names: &[&str]) -> Option<&'a str> {
    for (i, a) in args.iter().enumerate() {
        for n in names {
            if a == n {
                return args.get(i + 1).map(String::as_str);
            }
            if let Some(v) = a.strip_prefix(n).and_then(|r| r.strip_prefix('=')) {
                return Some(v);
            }
        }
    }
    None
}

pub fn has_flag(args: &[String], names: &[&str]) -> bool {
    args.iter().any(|a| {
        names
            .iter()
            .any(|n| a == n || a.starts_with(&format!("{n}=")))
    })
}

/// Positional arguments (skipping flags and, roughly, their values).
fn positionals(args: &[String]) -> Vec<&str> {
    args.iter()
        .filter(|a| !a.starts_with('-'))
        .map(String::as_str)
        .collect()
}

/// `docker run … aquasec/trivy:0.58 image …` runs `trivy image …`.
pub fn unwrap_docker_run(c: &Command) -> Option<(String, Vec<String>)> {
    let n = c.name();
    if !matches!(n, "docker" | "podman") || c.words.get(1).map(String::as_str) != Some("run") {
        return None;
    }
    const WITH_VALUE: &[&str] = &[
        "-v",
        "--volume",
        "-e",
        "--env",
        "-w",
        "--workdir",
        "--name",
        "--entrypoint",
        "--network",
        "-u",
        "--user",
        "--platform",
        "--mount",
        "-p",
        "--env-file",
        "--pull",
    ];
    let mut i = 2;
    while i < c.words.len() {
        let w = &c.words[i];
        if WITH_VALUE.contains(&w.as_str()) {
            i += 2;
            continue;
        }
        if w.starts_with('-') {
            i += 1;
            continue;
        }
        let tool = crate::cloudbuild::builder_tool(w);
        return Some((tool, c.words[i + 1..].to_vec()));
    }
    None
}

/// The tool a command runs and its arguments, looking through `docker run IMAGE`, `npx`.
pub fn tool(c: &Command) -> (String, Vec<String>) {
    if let Some(t) = unwrap_docker_run(c) {
        return t;
    }
    let n = c.name();
    if matches!(n, "npx" | "sudo" | "exec" | "env" | "time") && c.words.len() > 1 {
        let rest: Vec<String> = c.words[1..]
            .iter()
            .skip_while(|w| w.starts_with('-') || w.contains('='))
            .cloned()
            .collect();
        if let Some(first) = rest.first() {
            let first = first.rsplit('/').next().unwrap_or(first).to_string();
            return (first, rest[1..].to_vec());
        }
    }
    (n.to_string(), c.words.get(1..).unwrap_or(&[]).to_vec())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageOp {
    Build,
    Push,
    BuildPush,
    Deploy,
}

/// What a command does to container images.
pub fn image_op(c: &Command) -> Option<(ImageOp, Option<String>)> {
    let (t, a) = tool(c);
    let a0 = a.first().map(String::as_str).unwrap_or("");
    let a1 = a.get(1).map(String::as_str).unwrap_or("");
    let tag = || flag(&a, &["-t", "--tag"]).map(str::to_string);
    match t.as_str() {
        "docker" | "podman" | "nerdctl" => match (a0, a1) {
            ("build", _) | ("image", "build") => Some((ImageOp::Build, tag())),
            ("buildx", "build" | "b") | ("buildx", "bake") => {
                let push = has_flag(&a, &["--push"])
                    || flag(&a, &["--output", "-o"])
                        .is_some_and(|o| o.contains("type=registry") || o.contains("push=true"));
                Some((
                    if push {
                        ImageOp::BuildPush
                    } else {
                        ImageOp::Build
                    },
                    tag(),
                ))
            }
            ("push", _) => Some((
                ImageOp::Push,
                positionals(&a[1..]).first().map(|s| s.to_string()),
            )),
            ("image", "push") => Some((
                ImageOp::Push,
                positionals(&a[2..]).first().map(|s| s.to_string()),
            )),
            ("compose", _) => {
                const WITH_VALUE: &[&str] = &[
                    "-f",
                    "--file",
                    "-p",
                    "--project-name",
                    "--env-file",
                    "--profile",
                    "--project-directory",
                ];
                let mut i = 1;
                while i < a.len() && a[i].starts_with('-') {
                    i += if WITH_VALUE.contains(&a[i].as_str()) {
                        2
                    } else {
                        1
                    };
                }
                match a.get(i).map(String::as_str) {
                    Some("build") => Some((ImageOp::Build, None)),
                    Some("push") => Some((ImageOp::Push, None)),
                    Some("up") => Some((ImageOp::Deploy, None)),
                    _ => None,
                }
            }
            ("stack", "deploy") => Some((ImageOp::Deploy, None)),
            _ => None,
        },
        "buildah" => match a0 {
            "bud" | "build" => Some((ImageOp::Build, tag())),
            "push" => Some((
                ImageOp::Push,
                positionals(&a[1..]).first().map(|s| s.to_string()),
            )),
            _ => None,
        },
        "kaniko" | "executor" => {
            let d = flag(&a, &["--destination", "-d"]).map(str::to_string);
            Some((
                if has_flag(&a, &["--no-push"]) {
                    ImageOp::Build
                } else {
                    ImageOp::BuildPush
                },
                d,
            ))
        }
        "gcloud" => match (a0, a1) {
            ("builds", "submit") => Some((
                ImageOp::BuildPush,
                flag(&a, &["--tag", "-t"]).map(str::to_string),
            )),
            ("run", "deploy")
            | ("deploy", "releases")
            | ("app", "deploy")
            | ("functions", "deploy") => {
                Some((ImageOp::Deploy, flag(&a, &["--image"]).map(str::to_string)))
            }
            _ => None,
        },
        "ko" => match a0 {
            "build" | "publish" => Some((ImageOp::BuildPush, None)),
            "apply" | "resolve" => Some((ImageOp::Deploy, None)),
            _ => None,
        },
        "pack" if a0 == "build" => Some((
            if has_flag(&a, &["--publish"]) {
                ImageOp::BuildPush
            } else {
                ImageOp::Build
            },
            positionals(&a[1..]).first().map(|s| s.to_string()),
        )),
        "crane" | "skopeo" if matches!(a0, "push" | "copy" | "cp") => Some((ImageOp::Push, None)),
        "mvn" | "mvnw" | "./mvnw" | "gradle" | "gradlew" | "./gradlew"
            if a.iter().any(|w| w.contains("jib:build") || w == "jib") =>
        {
            Some((ImageOp::BuildPush, None))
        }
        "kubectl" | "oc"
            if matches!(
                a0,
                "apply" | "create" | "set" | "replace" | "rollout" | "patch"
            ) =>
        {
            Some((ImageOp::Deploy, None))
        }
        "helm" if matches!(a0, "upgrade" | "install") => Some((ImageOp::Deploy, None)),
        // `ssh deploy@host "docker compose pull && docker compose up -d"`: the remote command
        "ssh" => remote_deploy(c, &a),
        "skaffold" if matches!(a0, "run" | "deploy") => Some((ImageOp::Deploy, None)),
        "argocd" if a0 == "app" && a1 == "sync" => Some((ImageOp::Deploy, None)),
        "kustomize" if a0 == "edit" => None,
        _ => None,
    }
}

/// Options of `ssh` that take a value.
const SSH_WITH_VALUE: &[&str] = &[
    "-b", "-c", "-D", "-E", "-e", "-F", "-I", "-i", "-J", "-L", "-l", "-m", "-O", "-o", "-p", "-Q",
    "-R", "-S", "-W", "-w",
];

/// A deployment an `ssh` command runs on its host: the words after the destination, read as a
/// shell script (`"docker compose pull && docker compose up -d"`).
fn remote_deploy(c: &Command, args: &[String]) -> Option<(ImageOp, Option<String>)> {
    let mut i = 0;
    while i < args.len() && args[i].starts_with('-') {
        i += if SSH_WITH_VALUE.contains(&args[i].as_str()) {
            2
        } else {
            1
        };
    }
    let remote = args.get(i + 1..)?.join(" ");
    crate::shell::parse(&remote, crate::shell::ShellMode::LAX)
        .into_iter()
        .find_map(|sub| {
            let sub = Command {
                words: sub.words,
                ..c.clone()
            };
            image_op(&sub).filter(|(o, _)| *o == ImageOp::Deploy)
        })
}

fn truthy(v: Option<&str>) -> bool {
    v.is_some_and(|v| matches!(v.trim(), "true" | "True" | "TRUE" | "yes"))
}

/// What an action does to container images.
pub fn action_image_op(a: &Action) -> Option<(ImageOp, Option<String>)> {
    let r = a.repo();
    let input = |k: &str| a.input(k).map(|v| v.value.as_str());
    match r.as_str() {
        // `push: ${{ github.event_name != 'pull_request' }}` pushes on the runs that release
        "docker/build-push-action" => Some((
            if truthy(input("push")) || input("push").is_some_and(|v| v.contains("${{")) {
                ImageOp::BuildPush
            } else {
                ImageOp::Build
            },
            input("tags").map(|t| t.lines().next().unwrap_or(t).trim().to_string()),
        )),
        "redhat-actions/buildah-build" => {
            Some((ImageOp::Build, input("image").map(str::to_string)))
        }
        "redhat-actions/push-to-registry" => {
            Some((ImageOp::Push, input("image").map(str::to_string)))
        }
        "google-github-actions/deploy-cloudrun"
        | "azure/k8s-deploy"
        | "google-github-actions/deploy-cloud-functions" => {
            Some((ImageOp::Deploy, input("image").map(str::to_string)))
        }
        _ => None,
    }
}

/// Severity sets: does `list` (comma-separated) include CRITICAL and HIGH?
fn trivy_severity_ok(list: &str) -> bool {
    let up = list.to_ascii_uppercase();
    let set: Vec<&str> = up.split(',').map(str::trim).collect();
    set.contains(&"CRITICAL") && set.contains(&"HIGH")
}

/// A vulnerability scan and whether it gates (fails on CRITICAL and HIGH).
#[derive(Debug, Clone, PartialEq)]
pub struct Scan {
    pub tool: &'static str,
    /// Why it does not block CRITICAL/HIGH findings; `None` when it does.
    pub weak: Option<String>,
    pub what: String,
}

fn env_lookup<'a>(env: &'a [(String, String)], k: &str) -> Option<&'a str> {
    env.iter()
        .rev()
        .find(|(n, _)| n == k)
        .map(|(_, v)| v.as_str())
}

/// What a Trivy configuration file (`trivy.yaml`, Trivy's `--config`) sets that SUP-01 reads.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TrivyConfig {
    pub path: String,
    /// `severity:` as a comma-separated list.
    pub severity: Option<String>,
    /// `exit-code:`.
    pub exit_code: Option<String>,
    /// `scan.skip-dirs:`.
    pub skip_dirs: Vec<String>,
}

/// Read a Trivy configuration file; `None` when it is not valid YAML or not a mapping.
pub fn trivy_config(path: &str, text: &str) -> Option<TrivyConfig> {
    let stream = vigie_parse::yaml::parse(text);
    let root = &stream.documents.first()?.root;
    root.as_map()?;
    let list = |n: &vigie_parse::yaml::Node| -> Vec<String> {
        match n.as_seq() {
            Some(items) => items
                .iter()
                .filter_map(|i| i.as_str().map(str::to_string))
                .collect(),
            None => n
                .as_str()
                .map(|s| s.split(',').map(|x| x.trim().to_string()).collect())
                .unwrap_or_default(),
        }
    };
    Some(TrivyConfig {
        path: path.to_string(),
        severity: root
            .get("severity")
            .map(|n| list(n).join(","))
            .filter(|s| !s.is_empty()),
        exit_code: root
            .get("exit-code")
            .and_then(|n| n.as_str())
            .map(str::to_string),
        skip_dirs: root
            .path(&["scan", "skip-dirs"])
            .map(list)
            .unwrap_or_default(),
    })
}

/// The repository's files, for what a command reads beside its flags (Trivy's configuration).
#[derive(Clone, Copy)]
pub struct RepoFiles<'a> {
    pub read: &'a (dyn Fn(&str) -> Option<String> + Sync),
}

impl RepoFiles<'_> {
    /// The configuration a `trivy` command reads: `--config`/`-c` or `TRIVY_CONFIG`, else
    /// `trivy.yaml` in the folder it runs in (the repository root).
    fn trivy(&self, explicit: Option<&str>) -> Option<TrivyConfig> {
        let path = explicit.unwrap_or("trivy.yaml");
        let rel = path.trim_start_matches("./");
        (self.read)(rel).and_then(|t| trivy_config(rel, &t))
    }
}

/// [`scan_of_command`] with the repository's files, so that a Trivy configuration file is read.
pub fn scan_of_command_in(
    c: &Command,
    env: &[(String, String)],
    repo: Option<RepoFiles<'_>>,
) -> Option<Scan> {
    let (t, a) = tool(c);
    if t != "trivy" {
        return scan_of_command(c, env);
    }
    let explicit = flag(&a, &["--config", "-c"]).or_else(|| env_lookup(env, "TRIVY_CONFIG"));
    let config = repo.and_then(|r| r.trivy(explicit));
    trivy_scan(
        &a,
        env,
        config.as_ref(),
        repo.is_some() && explicit.is_none(),
    )
}

pub fn scan_of_command(c: &Command, env: &[(String, String)]) -> Option<Scan> {
    let (t, a) = tool(c);
    if t == "trivy" {
        return trivy_scan(&a, env, None, false);
    }

    let (t, a) = tool(c);
    match t.as_str() {
        "grype" => {
            let f = flag(&a, &["--fail-on", "-f"])
                .or_else(|| env_lookup(env, "GRYPE_FAIL_ON_SEVERITY"));
            let weak = match f.map(|s| s.to_ascii_lowercase()) {
                None => Some("it has no `--fail-on`, so findings never fail it".to_string()),
                Some(s) if matches!(s.as_str(), "negligible" | "low" | "medium" | "high") => None,
                Some(s) => Some(format!("`--fail-on {s}` lets HIGH findings through")),
            };
            Some(Scan {
                tool: "grype",
                weak,
                what: "grype".into(),
            })
        }
        _ => None,
    }
}

/// A `trivy` scan from its arguments, the job's environment and the configuration file it
/// reads; flags win over `TRIVY_*` variables, which win over the file (Trivy's precedence).
/// `default_config` says the file, when any, is the `trivy.yaml` read without `--config`.
fn trivy_scan(
    a: &[String],
    env: &[(String, String)],
    config: Option<&TrivyConfig>,
    default_config: bool,
) -> Option<Scan> {
    let config_value = flag(a, &["--config", "-c"]);
    let sub = positionals(a)
        .into_iter()
        .find(|p| Some(*p) != config_value)
        .unwrap_or("");
    let sub = match sub {
        "i" => "image",
        "filesystem" => "fs",
        "conf" => "config",
        "repository" => "repo",
        s => s,
    };
    if !matches!(sub, "image" | "fs" | "config" | "repo" | "rootfs") {
        return None;
    }
    let format = flag(a, &["--format", "-f"]).unwrap_or("table");
    if matches!(format, "cyclonedx" | "spdx" | "spdx-json") && !has_flag(a, &["--scanners"]) {
        return None; // an SBOM, not a scan
    }
    // each setting with where it comes from, for messages
    let pick = |flags: &[&str], var: &str, file: Option<&String>, key: &str| {
        if let Some(v) = flag(a, flags) {
            return Some((v.to_string(), format!("`{} {v}`", flags[0])));
        }
        if let Some(v) = env_lookup(env, var) {
            return Some((v.to_string(), format!("`{var}={v}`")));
        }
        let (v, c) = (file?, config?);
        Some((v.clone(), format!("`{key}: {v}` in {}", c.path)))
    };
    let sev = pick(
        &["--severity", "-s"],
        "TRIVY_SEVERITY",
        config.and_then(|c| c.severity.as_ref()),
        "severity",
    );
    let code = pick(
        &["--exit-code"],
        "TRIVY_EXIT_CODE",
        config.and_then(|c| c.exit_code.as_ref()),
        "exit-code",
    );
    let weak = match (&sev, &code) {
        (_, None) => Some(
            "it has no `--exit-code 1` (nor `exit-code: 1` in trivy.yaml), so findings never fail it"
                .to_string(),
        ),
        (_, Some((c, from))) if c.trim() == "0" => Some(format!("{from} never fails")),
        (Some((s, from)), _) if !trivy_severity_ok(s) => {
            Some(format!("{from} lets HIGH or CRITICAL findings through"))
        }
        _ => None,
    };
    let mut what = format!("trivy {sub}");
    if let Some(c) = config {
        let mut notes = Vec::new();
        if default_config {
            notes.push(format!("with {}", c.path));
        }
        if !c.skip_dirs.is_empty() && matches!(sub, "fs" | "repo" | "rootfs" | "config") {
            notes.push(format!("skipping {}", c.skip_dirs.join(", ")));
        }
        if !notes.is_empty() {
            what = format!("{what} ({})", notes.join(", "));
        }
    }
    // a filesystem scan told to skip the whole tree scans nothing
    let weak = weak.or_else(|| {
        let c = config?;
        (matches!(sub, "fs" | "repo" | "rootfs")
            && c.skip_dirs
                .iter()
                .any(|d| matches!(d.trim_end_matches('/'), "." | "" | "**" | "*")))
        .then(|| format!("`scan.skip-dirs` in {} skips the whole tree", c.path))
    });
    Some(Scan {
        tool: "trivy",
        weak,
        what,
    })
}

pub fn scan_of_action(a: &Action) -> Option<Scan> {
    let input = |k: &str| a.input(k).map(|v| v.value.as_str());
    match a.repo().as_str() {
        "aquasecurity/trivy-action" => {
            let format = input("format").unwrap_or("table");
            if matches!(format, "cyclonedx" | "spdx" | "spdx-json") {
                return None;
            }
            let code = input("exit-code").unwrap_or("0");
            let sev = input("severity").unwrap_or("UNKNOWN,LOW,MEDIUM,HIGH,CRITICAL");
            let weak = if code.trim() == "0" {
                Some(
                    "its `exit-code` input is 0 (the default), so findings never fail it"
                        .to_string(),
                )
            } else if !trivy_severity_ok(sev) {
                Some(format!(
                    "its `severity: {sev}` lets HIGH or CRITICAL findings through"
                ))
            } else {
                None
            };
            Some(Scan {
                tool: "trivy",
                weak,
                what: format!("trivy-action ({})", input("scan-type").unwrap_or("image")),
            })
        }
        "anchore/scan-action" => {
            let fail = input("fail-build").unwrap_or("true");
            let cut = input("severity-cutoff")
                .unwrap_or("medium")
                .to_ascii_lowercase();
            let weak = if fail.trim() == "false" {
                Some("`fail-build: false` never fails".to_string())
            } else if !matches!(cut.as_str(), "negligible" | "low" | "medium" | "high") {
                Some(format!(
                    "`severity-cutoff: {cut}` lets HIGH findings through"
                ))
            } else {
                None
            };
            Some(Scan {
                tool: "grype",
                weak,
                what: "anchore/scan-action".into(),
            })
        }
        _ => None,
    }
}

/// An SBOM produced, and whether it is kept with the build (attached or uploaded).
#[derive(Debug, Clone, PartialEq)]
pub struct Sbom {
    pub what: String,
    /// The file it is written to, if any.
    pub output: Option<String>,
    /// Attached to the image or uploaded by the producing step itself.
    pub attached: bool,
}

pub fn sbom_of_command(c: &Command) -> Option<Sbom> {
    let (t, a) = tool(c);
    let redirected = c.stdout_captured;
    match t.as_str() {
        "trivy" => {
            let format = flag(&a, &["--format", "-f"])?;
            if !matches!(format, "cyclonedx" | "spdx" | "spdx-json") {
                return None;
            }
            Some(Sbom {
                what: format!("trivy --format {format}"),
                output: flag(&a, &["--output", "-o"])
                    .map(str::to_string)
                    .or(redirected.then(|| "stdout".into())),
                attached: false,
            })
        }
        "syft" => {
            let o = flag(&a, &["-o", "--output", "--file"]);
            let file = o
                .and_then(|o| o.split_once('=').map(|(_, f)| f.to_string()))
                .or_else(|| flag(&a, &["--file"]).map(str::to_string));
            Some(Sbom {
                what: "syft".into(),
                output: file.or(redirected.then(|| "stdout".into())),
                attached: false,
            })
        }
        "vigie" if a.first().map(String::as_str) == Some("sbom") => Some(Sbom {
            what: "vigie sbom".into(),
            output: flag(&a, &["--output", "-o"])
                .map(str::to_string)
                .or(redirected.then(|| "stdout".into())),
            attached: false,
        }),
        "cdxgen" | "cyclonedx-npm" | "cyclonedx-py" | "cyclonedx-gomod" => Some(Sbom {
            what: t.clone(),
            output: flag(&a, &["-o", "--output-file", "--output"]).map(str::to_string),
            attached: false,
        }),
        "docker" if a.first().map(String::as_str) == Some("buildx") => {
            let s = flag(&a, &["--sbom"])?;
            (s != "false").then(|| Sbom {
                what: "docker buildx --sbom".into(),
                output: None,
                attached: true,
            })
        }
        "cosign" if a.first().map(String::as_str) == Some("attest") => {
            let ty = flag(&a, &["--type"]).unwrap_or("");
            matches!(ty, "cyclonedx" | "spdx" | "spdxjson").then(|| Sbom {
                what: format!("cosign attest --type {ty}"),
                output: None,
                attached: true,
            })
        }
        _ => None,
    }
}

pub fn sbom_of_action(a: &Action) -> Option<Sbom> {
    let input = |k: &str| a.input(k).map(|v| v.value.as_str());
    match a.repo().as_str() {
        "anchore/sbom-action" => Some(Sbom {
            what: "anchore/sbom-action".into(),
            output: input("output-file").map(str::to_string),
            attached: input("upload-artifact") != Some("false"),
        }),
        "aquasecurity/trivy-action" => {
            let f = input("format")?;
            matches!(f, "cyclonedx" | "spdx" | "spdx-json").then(|| Sbom {
                what: format!("trivy-action (format {f})"),
                output: input("output").map(str::to_string),
                attached: false,
            })
        }
        "docker/build-push-action" => {
            let s = input("sbom")?;
            (s.trim() == "true").then(|| Sbom {
                what: "docker/build-push-action (sbom: true)".into(),
                output: None,
                attached: true,
            })
        }
        "actions/attest-sbom" => Some(Sbom {
            what: "actions/attest-sbom".into(),
            output: input("sbom-path").map(str::to_string),
            attached: true,
        }),
        _ => None,
    }
}

/// Does this command or action keep the file `f` (uploads, attaches, copies it to storage)?
pub fn keeps_file(step: &Step, f: &str) -> bool {
    let base = f.rsplit('/').next().unwrap_or(f);
    let mentions = |s: &str| s.contains(base) || s.contains('*');
    if let Some(a) = &step.action {
        let r = a.repo();
        if matches!(
            r.as_str(),
            "actions/upload-artifact"
                | "softprops/action-gh-release"
                | "actions/attest-sbom"
                | "google-github-actions/upload-cloud-storage"
        ) && a.with.iter().any(|(_, v)| mentions(&v.value))
        {
            return true;
        }
    }
    step.commands.iter().any(|c| {
        let (t, a) = tool(c);
        let a0 = a.first().map(String::as_str).unwrap_or("");
        let keeps = matches!(
            (t.as_str(), a0),
            ("gsutil", "cp")
                | ("gcloud", "storage")
                | ("aws", "s3")
                | ("cosign", "attest")
                | ("cosign", "attach")
                | ("oras", "push")
                | ("gh", "release")
                | ("curl", _)
        );
        keeps && a.iter().any(|w| mentions(w))
    })
}

/// Build provenance produced.
pub fn provenance_of_command(c: &Command) -> Option<String> {
    let (t, a) = tool(c);
    let a0 = a.first().map(String::as_str).unwrap_or("");
    match t.as_str() {
        "docker" if a0 == "buildx" => {
            let p = flag(&a, &["--provenance"])?;
            (p != "false" && p != "0").then(|| format!("docker buildx --provenance={p}"))
        }
        "cosign" if a0 == "attest" => {
            let ty = flag(&a, &["--type"]).unwrap_or("");
            matches!(
                ty,
                "slsaprovenance" | "slsaprovenance02" | "slsaprovenance1"
            )
            .then(|| format!("cosign attest --type {ty}"))
        }
        _ => None,
    }
}

pub fn provenance_of_action(a: &Action) -> Option<String> {
    let r = a.repo();
    let input = |k: &str| a.input(k).map(|v| v.value.as_str());
    if r == "slsa-framework/slsa-github-generator" {
        return Some(format!("SLSA generator ({})", a.uses));
    }
    if r == "actions/attest-build-provenance"
        || (r == "actions/attest" && input("predicate-type").is_some_and(|p| p.contains("slsa")))
    {
        return Some(a.uses.split('@').next().unwrap_or("").to_string());
    }
    if r == "docker/build-push-action" {
        match input("provenance").map(str::trim) {
            Some("false") => return None,
            Some(p) => return Some(format!("docker/build-push-action (provenance: {p})")),
            None => {}
        }
        // since v4 the action attests provenance by default (`mode=max` in a public
        // repository, `mode=min` in a private one), except when the image is loaded into the
        // runner's daemon or exported with the `docker` exporter, which cannot carry it
        let loads = input("load").is_some_and(|l| l.trim() == "true")
            || input("outputs").is_some_and(|o| o.contains("type=docker"));
        if a.major_version().is_some_and(|m| m >= 4) && !loads {
            return Some(format!(
                "{} (provenance attested by default since v4)",
                a.uses.split('@').next().unwrap_or("")
            ));
        }
    }
    None
}

/// A signature made on a pushed image.
pub fn sign_of_command(c: &Command) -> Option<String> {
    let (t, a) = tool(c);
    let a0 = a.first().map(String::as_str).unwrap_or("");
    match t.as_str() {
        "cosign" if a0 == "sign" => Some(
            if has_flag(&a, &["--key"]) {
                "cosign sign --key"
            } else {
                "cosign sign (keyless)"
            }
            .into(),
        ),
        "notation" if a0 == "sign" => Some("notation sign".into()),
        "gcloud" if a.iter().any(|w| w == "sign-and-create") => {
            Some("gcloud binauthz attestations sign-and-create".into())
        }
        _ => None,
    }
}

pub fn sign_of_action(a: &Action) -> Option<String> {
    match a.repo().as_str() {
        "sigstore/gh-action-sigstore-python" => Some(a.repo()),
        _ => None,
    }
}

/// A signature verification run by the pipeline itself.
pub fn verify_of_command(c: &Command) -> Option<String> {
    let (t, a) = tool(c);
    let a0 = a.first().map(String::as_str).unwrap_or("");
    match (t.as_str(), a0) {
        ("cosign", "verify" | "verify-attestation") => Some(format!("cosign {a0}")),
        ("notation", "verify") => Some("notation verify".into()),
        _ => None,
    }
}

/// A dependency audit and why it does not gate, if it does not.
pub fn audit_of_command(c: &Command) -> Option<(String, Option<String>)> {
    let (t, a) = tool(c);
    let a0 = a.first().map(String::as_str).unwrap_or("");
    let ok_npm = |l: &str| matches!(l, "info" | "low" | "moderate" | "high");
    match (t.as_str(), a0) {
        ("npm", "audit") | ("pnpm", "audit") => {
            if a.get(1).map(String::as_str) == Some("fix")
                || a.get(1).map(String::as_str) == Some("signatures")
            {
                return None;
            }
            let lvl = flag(&a, &["--audit-level"]);
            let weak = match lvl {
                None => Some(format!(
                    "`{t} audit` has no `--audit-level`: the level it blocks on is not stated in the pipeline"
                )),
                Some(l) if ok_npm(l) => None,
                Some(l) => Some(format!("`--audit-level={l}` lets HIGH findings through")),
            };
            Some((format!("{t} audit"), weak))
        }
        ("yarn", "audit") => {
            let lvl = flag(&a, &["--level", "--groups"]).filter(|_| has_flag(&a, &["--level"]));
            let weak = match lvl {
                None => Some("`yarn audit` has no `--level`: the level it blocks on is not stated in the pipeline".into()),
                Some(l) if ok_npm(l) => None,
                Some(l) => Some(format!("`--level {l}` lets HIGH findings through")),
            };
            Some(("yarn audit".into(), weak))
        }
        ("yarn", "npm") if a.get(1).map(String::as_str) == Some("audit") => {
            let lvl = flag(&a, &["--severity"]);
            let weak = match lvl {
                None => Some("`yarn npm audit` has no `--severity`: the level it blocks on is not stated in the pipeline".into()),
                Some(l) if ok_npm(l) => None,
                Some(l) => Some(format!("`--severity {l}` lets HIGH findings through")),
            };
            Some(("yarn npm audit".into(), weak))
        }
        _ => None,
    }
}

/// An install of Node dependencies: `Ok(what)` when it installs exactly what is locked,
/// `Err(what)` when it may resolve anew.
pub fn node_install(words: &[String]) -> Option<Result<String, String>> {
    let t = words.first().map(|w| w.rsplit('/').next().unwrap_or(w))?;
    let a = &words[1..];
    let a0 = a.first().map(String::as_str).unwrap_or("");
    let packages = positionals(&a[1.min(a.len())..]);
    match (t, a0) {
        ("npm", "ci" | "clean-install" | "ic" | "install-clean") => Some(Ok("npm ci".into())),
        ("npm", "install" | "i" | "add" | "isntall" | "in") => {
            if has_flag(a, &["-g", "--global"]) || !packages.is_empty() {
                return None; // installs a tool or adds a package, not the project's dependencies
            }
            Some(Err(format!("npm {a0}")))
        }
        ("yarn", "install") | ("yarn", "") => {
            if has_flag(a, &["--frozen-lockfile", "--immutable"]) {
                Some(Ok(format!("yarn {}", a.join(" ")).trim().to_string()))
            } else {
                Some(Err("yarn install".into()))
            }
        }
        ("pnpm", "install" | "i") => {
            if has_flag(a, &["--frozen-lockfile"]) {
                Some(Ok("pnpm install --frozen-lockfile".into()))
            } else {
                Some(Err("pnpm install".into()))
            }
        }
        _ => None,
    }
}

/// Does the step's command line touch Node packages?
pub fn uses_node(c: &Command) -> bool {
    matches!(c.name(), "npm" | "pnpm" | "yarn" | "npx")
}

/// Every point of a pipeline whose action or commands match, with the value.
pub fn find<T>(
    p: &Pipeline,
    mut on_cmd: impl FnMut(&Command, &Step, &[(String, String)]) -> Option<T>,
    mut on_action: impl FnMut(&Action) -> Option<T>,
) -> Vec<(Point, T)> {
    let mut out = Vec::new();
    for (j, job) in p.jobs.iter().enumerate() {
        for (s, st) in job.steps.iter().enumerate() {
            if let Some(a) = &st.action
                && let Some(v) = on_action(a)
            {
                out.push((
                    Point {
                        job: j,
                        step: s,
                        cmd: 0,
                    },
                    v,
                ));
            }
            if st.commands.is_empty() {
                continue;
            }
            let env: Vec<(String, String)> = p
                .variables
                .iter()
                .chain(&job.variables)
                .chain(&st.env)
                .cloned()
                .collect();
            for (c, cmd) in st.commands.iter().enumerate() {
                let with_own;
                let env = if cmd.env.is_empty() {
                    &env
                } else {
                    with_own = env.iter().chain(&cmd.env).cloned().collect::<Vec<_>>();
                    &with_own
                };
                if let Some(v) = on_cmd(cmd, st, env) {
                    out.push((
                        Point {
                            job: j,
                            step: s,
                            cmd: c,
                        },
                        v,
                    ));
                }
            }
        }
    }
    out
}

/// Where a point is written.
pub fn point_loc(p: &Pipeline, pt: Point) -> vigie_core::Location {
    let st = &p.jobs[pt.job].steps[pt.step];
    match st.commands.get(pt.cmd) {
        Some(c) if st.action.is_none() || pt.cmd > 0 => c.at.clone(),
        _ => st.action.as_ref().map_or(st.at.clone(), |a| a.at.clone()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::shell::ShellMode;
    use vigie_core::Location;

    fn cmd(s: &str) -> Command {
        crate::model::commands(s, Location::new("x".into(), 1, 1), ShellMode::STRICT).remove(0)
    }

    fn w(s: &str) -> Vec<String> {
        s.split_whitespace().map(str::to_string).collect()
    }

    #[test]
    fn installs() {
        assert_eq!(node_install(&w("npm ci")), Some(Ok("npm ci".into())));
        assert!(matches!(node_install(&w("npm install")), Some(Err(_))));
        assert!(matches!(node_install(&w("npm i --omit=dev")), Some(Err(_))));
        assert_eq!(node_install(&w("npm install -g pnpm")), None);
        assert_eq!(node_install(&w("npm install left-pad")), None);
        assert!(matches!(
            node_install(&w("yarn install --immutable")),
            Some(Ok(_))
        ));
        assert!(matches!(node_install(&w("yarn")), Some(Err(_))));
        assert!(matches!(
            node_install(&w("pnpm install --frozen-lockfile")),
            Some(Ok(_))
        ));
    }

    #[test]
    fn audits() {
        assert_eq!(
            audit_of_command(&cmd("npm audit --audit-level=high"))
                .unwrap()
                .1,
            None
        );
        assert_eq!(
            audit_of_command(&cmd("npm audit --audit-level moderate"))
                .unwrap()
                .1,
            None
        );
        assert!(
            audit_of_command(&cmd("npm audit --audit-level=critical"))
                .unwrap()
                .1
                .is_some()
        );
        assert!(audit_of_command(&cmd("npm audit")).unwrap().1.is_some());
        assert_eq!(
            audit_of_command(&cmd("pnpm audit --audit-level high"))
                .unwrap()
                .1,
            None
        );
        assert_eq!(
            audit_of_command(&cmd("yarn npm audit --severity high"))
                .unwrap()
                .1,
            None
        );
        assert!(audit_of_command(&cmd("npm audit fix")).is_none());
    }

    #[test]
    fn image_ops() {
        assert_eq!(
            image_op(&cmd("docker build -t a/b:1 .")),
            Some((ImageOp::Build, Some("a/b:1".into())))
        );
        assert_eq!(
            image_op(&cmd("docker buildx build --push -t a/b:1 ."))
                .unwrap()
                .0,
            ImageOp::BuildPush
        );
        assert_eq!(
            image_op(&cmd("docker buildx build --output type=registry -t a ."))
                .unwrap()
                .0,
            ImageOp::BuildPush
        );
        assert_eq!(
            image_op(&cmd("docker push a/b:1")),
            Some((ImageOp::Push, Some("a/b:1".into())))
        );
        assert_eq!(
            image_op(&cmd("/kaniko/executor --destination a/b:1"))
                .unwrap()
                .0,
            ImageOp::BuildPush
        );
        assert_eq!(
            image_op(&cmd("/kaniko/executor --no-push")).unwrap().0,
            ImageOp::Build
        );
        assert_eq!(
            image_op(&cmd("gcloud builds submit --tag a/b:1"))
                .unwrap()
                .0,
            ImageOp::BuildPush
        );
        assert_eq!(
            image_op(&cmd("gcloud run deploy api --image a/b:1"))
                .unwrap()
                .0,
            ImageOp::Deploy
        );
        assert_eq!(
            image_op(&cmd("docker compose -f c.yml up -d")).unwrap().0,
            ImageOp::Deploy
        );
        assert_eq!(
            image_op(&cmd("helm upgrade --install api chart/"))
                .unwrap()
                .0,
            ImageOp::Deploy
        );
        assert_eq!(image_op(&cmd("docker run --rm alpine echo")), None);
    }

    #[test]
    fn scans_and_sboms() {
        let env = vec![];
        let s = scan_of_command(&cmd("trivy i -s HIGH,CRITICAL --exit-code=1 x"), &env).unwrap();
        assert_eq!(s.weak, None);
        let s = scan_of_command(&cmd("trivy image --exit-code 0 x"), &env).unwrap();
        assert!(s.weak.unwrap().contains("exit-code 0"));
        let env = vec![
            ("TRIVY_EXIT_CODE".to_string(), "1".to_string()),
            ("TRIVY_SEVERITY".to_string(), "CRITICAL".to_string()),
        ];
        let s = scan_of_command(&cmd("trivy image x"), &env).unwrap();
        assert!(s.weak.unwrap().contains("`TRIVY_SEVERITY=CRITICAL`"));
        assert!(scan_of_command(&cmd("trivy image --format cyclonedx -o s.json x"), &[]).is_none());
        let b = sbom_of_command(&cmd("trivy image --format cyclonedx -o s.json x")).unwrap();
        assert_eq!(b.output.as_deref(), Some("s.json"));
        let b = sbom_of_command(&cmd("syft dir:. -o cyclonedx-json=sbom.json")).unwrap();
        assert_eq!(b.output.as_deref(), Some("sbom.json"));
        let b = sbom_of_command(&cmd(
            "vigie sbom . --format cyclonedx-json --output bom.json",
        ))
        .unwrap();
        assert_eq!(b.output.as_deref(), Some("bom.json"));
        assert!(
            sbom_of_command(&cmd("docker buildx build --sbom=true --push -t a ."))
                .unwrap()
                .attached
        );
        assert!(
            provenance_of_command(&cmd("docker buildx build --provenance=mode=max -t a ."))
                .is_some()
        );
        assert!(
            provenance_of_command(&cmd("docker buildx build --provenance=false -t a .")).is_none()
        );
        assert!(sign_of_command(&cmd("cosign sign --yes a@sha256:x")).is_some());
        assert!(verify_of_command(&cmd("cosign verify a")).is_some());
    }
}
