//! The images the repository's pipelines build from its own Dockerfiles, and the names they push
//! them under.
//!
//! A manifest that runs `ghcr.io/acme/api:1.4` says nothing of the image's user; when a workflow
//! of the same repository runs `docker build -t ghcr.io/acme/api:… -f api/Dockerfile api`, the
//! Dockerfile is what that container runs, and its `USER` is the container's user unless the
//! manifest sets one. This module reads, from the pipelines already lowered for the supply-chain
//! checks, each build whose image name and Dockerfile are both known:
//!
//! - `docker|podman|nerdctl build`, `docker image build`, `docker buildx build`, `buildah
//!   bud|build`: every `-t`/`--tag`, `-f`/`--file` (relative to where the command runs, as the
//!   CLI reads it; default `CONTEXT/Dockerfile`), `--target`, the context positional;
//! - Kaniko's executor: `--destination`, `--dockerfile`, `--context` (`dir://` or a path);
//! - `gcloud builds submit --tag NAME [SOURCE]` (the source's `Dockerfile`);
//! - the `docker/build-push-action` action (`context`, `file`, `target`, `tags`, including tags
//!   that come from a `docker/metadata-action` step's `images` in the same job) and
//!   `redhat-actions/buildah-build` (`image`, `containerfiles`, `context`).
//!
//! A name or path that still holds a variable vigie cannot resolve from the pipeline's own
//! `env`/`variables` is left out: a guess would give a container a user it may not run as.
//! Tags are irrelevant here (the name is what a manifest's reference is matched on).

use crate::model::{Action, Command, Job, Pipeline, Step};
use std::sync::Arc;
use vigie_core::Location;
use vigie_core::model::BuiltImage;

/// Every build of an image from a Dockerfile that [`exists`] says is in the repository.
pub fn built_images(pipelines: &[Pipeline], exists: &dyn Fn(&str) -> bool) -> Vec<BuiltImage> {
    let mut out = Vec::new();
    for p in pipelines {
        for job in &p.jobs {
            for step in &job.steps {
                let vars = Vars {
                    pipeline: p,
                    job,
                    step,
                };
                if let Some(a) = &step.action {
                    out.extend(action_builds(a, job, step, &vars));
                }
                for c in &step.commands {
                    out.extend(command_builds(c, step, &vars));
                }
            }
        }
    }
    out.retain(|b| exists(&b.dockerfile));
    out.sort_by(|a, b| (&a.name, &a.dockerfile).cmp(&(&b.name, &b.dockerfile)));
    out.dedup_by(|a, b| a.name == b.name && a.dockerfile == b.dockerfile);
    out
}

/// The variables a step sees: its own `env`, its job's, its pipeline's.
struct Vars<'a> {
    pipeline: &'a Pipeline,
    job: &'a Job,
    step: &'a Step,
}

impl<'a> Vars<'a> {
    fn get<'s>(&'s self, name: &str, command: Option<&'s Command>) -> Option<&'s str> {
        let lists = [
            command.map_or(&[][..], |c| &c.env[..]),
            &self.step.env[..],
            &self.job.variables[..],
            &self.pipeline.variables[..],
        ];
        lists
            .into_iter()
            .find_map(|l| l.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str()))
    }

    /// `text` with `$NAME`, `${NAME}` and `${{ env.NAME }}` replaced where the pipeline sets
    /// them; what is not set is left as written.
    fn expand(&self, text: &str, command: Option<&Command>) -> String {
        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        while let Some(i) = rest.find('$') {
            out.push_str(&rest[..i]);
            let after = &rest[i + 1..];
            let (name, len) = if let Some(expr) = after.strip_prefix("{{") {
                match expr.find("}}") {
                    Some(end) => {
                        let e = expr[..end].trim();
                        (e.strip_prefix("env.").unwrap_or(""), 2 + end + 2)
                    }
                    None => ("", 0),
                }
            } else if let Some(braced) = after.strip_prefix('{') {
                match braced.find('}') {
                    Some(end) => (&braced[..end], end + 2),
                    None => ("", 0),
                }
            } else {
                let end = after
                    .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                    .unwrap_or(after.len());
                (&after[..end], end)
            };
            match (!name.is_empty())
                .then(|| self.get(name, command))
                .flatten()
            {
                Some(v) => out.push_str(v),
                None => out.push_str(&rest[i..i + 1 + len]),
            }
            rest = &rest[i + 1 + len..];
        }
        out.push_str(rest);
        out
    }
}

/// The image name of a reference, without tag or digest; `None` when it is not a literal name.
fn image_name(reference: &str) -> Option<String> {
    let r = reference.trim();
    let r = r.split_once('@').map_or(r, |(n, _)| n);
    let last_slash = r.rfind('/').map_or(0, |i| i + 1);
    let name = match r[last_slash..].rfind(':') {
        Some(i) => &r[..last_slash + i],
        None => r,
    };
    let literal = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | '/' | ':'));
    literal.then(|| name.to_ascii_lowercase())
}

/// `base/rel` with `.` and `..` resolved (the Compose reader's normalisation); `None` when it
/// leaves the repository, is absolute or still holds a variable. Paths a step names (a
/// Dockerfile, a script it runs) are resolved with it.
pub(crate) fn join(base: Option<&str>, rel: &str) -> Option<String> {
    if rel.contains('$') {
        return None;
    }
    match base {
        Some(b) if !rel.starts_with('/') => vigie_parse::compose::join(b, rel),
        _ => vigie_parse::compose::join("", rel),
    }
}

/// One build: the names it pushes and the Dockerfile, resolved against the step's folder.
fn builds(
    names: &[String],
    dockerfile: Option<String>,
    context: &str,
    target: Option<String>,
    workdir: Option<&str>,
    at: &Location,
) -> Vec<BuiltImage> {
    let Some(context) = join(workdir, context) else {
        return Vec::new();
    };
    let file = match dockerfile {
        Some(f) => join(workdir, &f),
        None => join(Some(&context), "Dockerfile"),
    };
    let Some(file) = file else {
        return Vec::new();
    };
    let file: Arc<str> = Arc::from(file.as_str());
    names
        .iter()
        .filter_map(|n| image_name(n))
        .map(|name| BuiltImage {
            name,
            dockerfile: file.clone(),
            target: target.clone(),
            at: at.clone(),
        })
        .collect()
}

/// Words of a command, with a GitHub expression split by the shell (`${{ github.sha }}`) put
/// back into one word.
fn words_of(c: &Command) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut open = false;
    for w in &c.words {
        if open && let Some(last) = out.last_mut() {
            last.push(' ');
            last.push_str(w);
        } else {
            out.push(w.clone());
        }
        if w.contains("${{") {
            open = true;
        }
        if w.contains("}}") {
            open = false;
        }
    }
    out
}

/// Flags of image builders that take a value (`--flag value` or `--flag=value`).
const BUILD_FLAGS_WITH_VALUE: &[&str] = &[
    "-t",
    "--tag",
    "-f",
    "--file",
    "--target",
    "--build-arg",
    "--platform",
    "--label",
    "--cache-from",
    "--cache-to",
    "--secret",
    "--ssh",
    "-o",
    "--output",
    "--progress",
    "--network",
    "--iidfile",
    "--metadata-file",
    "--builder",
    "--add-host",
    "--annotation",
    "--attest",
    "--build-context",
    "--ulimit",
    "--shm-size",
    "-m",
    "--memory",
    "--memory-swap",
    "--cpu-shares",
    "--cpuset-cpus",
    "--cpu-quota",
    "--cpu-period",
    "--isolation",
    "--cgroup-parent",
    "--security-opt",
    "--format",
    "--layers",
    "--authfile",
    "--creds",
    "--jobs",
    "--manifest",
    "--volume",
    "-v",
    "--allow",
    "--call",
    "--provenance",
    "--sbom",
];

/// Flags of the Kaniko executor that take a value.
const KANIKO_FLAGS_WITH_VALUE: &[&str] = &[
    "-d",
    "--destination",
    "-f",
    "--dockerfile",
    "-c",
    "--context",
    "--target",
    "--build-arg",
    "--cache-repo",
    "--label",
    "--digest-file",
    "--image-name-with-digest-file",
    "--tar-path",
    "--verbosity",
    "--snapshot-mode",
    "--custom-platform",
    "--context-sub-path",
    "--registry-mirror",
];

/// The flags (with their values, `""` for a flag that takes none) and the words that are neither
/// flags nor their values.
fn parse_flags(args: &[String], with_value: &[&str]) -> (Vec<(String, String)>, Vec<String>) {
    let mut flags = Vec::new();
    let mut positionals = Vec::new();
    let mut i = 0;
    while i < args.len() {
        let a = &args[i];
        if let Some((k, v)) = a.split_once('=').filter(|_| a.starts_with('-')) {
            flags.push((k.to_string(), v.to_string()));
        } else if a.starts_with('-') && a.len() > 1 {
            if with_value.contains(&a.as_str())
                && let Some(v) = args.get(i + 1).filter(|v| !v.starts_with('-') || *v == "-")
            {
                flags.push((a.clone(), v.clone()));
                i += 1;
            } else {
                flags.push((a.clone(), String::new()));
            }
        } else {
            positionals.push(a.clone());
        }
        i += 1;
    }
    (flags, positionals)
}

fn values<'a>(flags: &'a [(String, String)], names: &[&str]) -> Vec<&'a str> {
    flags
        .iter()
        .filter(|(k, _)| names.contains(&k.as_str()))
        .map(|(_, v)| v.as_str())
        .collect()
}

/// The builds one command runs.
fn command_builds(c: &Command, step: &Step, vars: &Vars<'_>) -> Vec<BuiltImage> {
    let words: Vec<String> = words_of(c)
        .iter()
        .map(|w| vars.expand(w, Some(c)))
        .collect();
    let tool = words
        .first()
        .map(|w| w.rsplit('/').next().unwrap_or(w))
        .unwrap_or("");
    let sub: Vec<&str> = words.iter().skip(1).take(2).map(String::as_str).collect();
    let args_from = match (tool, sub.as_slice()) {
        ("docker" | "podman" | "nerdctl", ["build", ..]) => 2,
        ("docker" | "podman" | "nerdctl", ["image" | "buildx", "build", ..]) => 3,
        ("buildah", ["bud" | "build", ..]) => 2,
        ("executor" | "kaniko", _) => return kaniko_builds(&words[1..], step, c),
        ("gcloud", ["builds", "submit", ..]) => return gcloud_builds(&words[3..], step, c),
        _ => return Vec::new(),
    };
    let (flags, positionals) = parse_flags(&words[args_from..], BUILD_FLAGS_WITH_VALUE);
    let names: Vec<String> = values(&flags, &["-t", "--tag"])
        .into_iter()
        .map(str::to_string)
        .collect();
    let Some(context) = positionals
        .last()
        .filter(|p| *p != "-" && !p.contains("://"))
    else {
        return Vec::new();
    };
    builds(
        &names,
        values(&flags, &["-f", "--file"])
            .last()
            .map(|s| s.to_string()),
        context,
        values(&flags, &["--target"]).last().map(|s| s.to_string()),
        step.workdir.as_deref(),
        &c.at,
    )
}

/// The Dockerfile a `docker|podman build` command (`docker buildx build`, `docker image build`)
/// builds only to export files: `-o`/`--output` to a folder, `type=local` or `type=tar` (a
/// root filesystem or build artifacts copied out), and no `--push`, `--load` or image output.
/// `words` start at the tool; the path is relative to the root, `workdir` being where the
/// command runs.
pub fn exported_dockerfile(words: &[String], workdir: Option<&str>) -> Option<String> {
    let tool = words.first()?.rsplit('/').next()?;
    let sub: Vec<&str> = words.iter().skip(1).take(2).map(String::as_str).collect();
    let args_from = match (tool, sub.as_slice()) {
        ("docker" | "podman" | "nerdctl", ["build", ..]) => 2,
        ("docker" | "podman" | "nerdctl", ["image" | "buildx", "build", ..]) => 3,
        _ => return None,
    };
    let (flags, positionals) = parse_flags(&words[args_from..], BUILD_FLAGS_WITH_VALUE);
    let outputs = values(&flags, &["-o", "--output"]);
    let exports_files = |o: &str| {
        let kind = o
            .split(',')
            .find_map(|kv| kv.strip_prefix("type="))
            .unwrap_or("local");
        matches!(kind, "local" | "tar")
    };
    let loads = flags.iter().any(|(k, _)| k == "--push" || k == "--load");
    if outputs.is_empty() || !outputs.iter().all(|o| exports_files(o)) || loads {
        return None;
    }
    let context = positionals
        .last()
        .filter(|p| *p != "-" && !p.contains("://"))?;
    let context = join(workdir, context)?;
    match values(&flags, &["-f", "--file"]).last() {
        Some(f) => join(workdir, f),
        None => join(Some(&context), "Dockerfile"),
    }
}

fn kaniko_builds(args: &[String], step: &Step, c: &Command) -> Vec<BuiltImage> {
    let (flags, _) = parse_flags(args, KANIKO_FLAGS_WITH_VALUE);
    let names: Vec<String> = values(&flags, &["-d", "--destination"])
        .into_iter()
        .map(str::to_string)
        .collect();
    let context = values(&flags, &["-c", "--context"])
        .last()
        .map_or(".", |c| c.strip_prefix("dir://").unwrap_or(c))
        .to_string();
    // Kaniko reads `--dockerfile` relative to the context
    let dockerfile = values(&flags, &["-f", "--dockerfile"])
        .last()
        .and_then(|f| join(Some(&context), f));
    builds(
        &names,
        dockerfile,
        &context,
        values(&flags, &["--target"]).last().map(|s| s.to_string()),
        step.workdir.as_deref(),
        &c.at,
    )
}

fn gcloud_builds(args: &[String], step: &Step, c: &Command) -> Vec<BuiltImage> {
    let (flags, positionals) = parse_flags(
        args,
        &[
            "--tag",
            "-t",
            "--config",
            "--project",
            "--region",
            "--substitutions",
            "--timeout",
            "--machine-type",
            "--service-account",
            "--worker-pool",
            "--gcs-source-staging-dir",
            "--gcs-log-dir",
            "--ignore-file",
        ],
    );
    let names: Vec<String> = values(&flags, &["--tag", "-t"])
        .into_iter()
        .map(str::to_string)
        .collect();
    let source = positionals.first().map_or(".", String::as_str);
    if source.starts_with("gs://") {
        return Vec::new();
    }
    builds(&names, None, source, None, step.workdir.as_deref(), &c.at)
}

/// The builds an action runs.
fn action_builds(a: &Action, job: &Job, step: &Step, vars: &Vars<'_>) -> Vec<BuiltImage> {
    let input = |k: &str| a.input(k).map(|v| vars.expand(&v.value, None));
    let list = |v: &str| -> Vec<String> {
        v.split(['\n', ','])
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect()
    };
    match a.repo().as_str() {
        "docker/build-push-action" => {
            let context = input("context").unwrap_or_else(|| ".".into());
            // `{{defaultContext}}:sub` is the checkout's folder `sub`
            let context = match context.strip_prefix("{{defaultContext}}") {
                Some(rest) => rest.strip_prefix(':').unwrap_or(".").to_string(),
                None => context,
            };
            let names: Vec<String> = input("tags")
                .map(|t| {
                    list(&t)
                        .into_iter()
                        .flat_map(|t| metadata_images(&t, job, vars).unwrap_or_else(|| vec![t]))
                        .collect()
                })
                .unwrap_or_default();
            builds(
                &names,
                input("file"),
                &context,
                input("target"),
                None,
                &a.at,
            )
        }
        "redhat-actions/buildah-build" => {
            let Some(image) = input("image") else {
                return Vec::new();
            };
            let context = input("context").unwrap_or_else(|| ".".into());
            let file = input("containerfiles").or_else(|| input("dockerfiles"));
            let file = file.and_then(|f| list(&f).into_iter().next());
            builds(
                &[image],
                file,
                &context,
                None,
                step.workdir.as_deref(),
                &a.at,
            )
        }
        _ => Vec::new(),
    }
}

/// Tags written `${{ steps.ID.outputs.tags }}`: the names a `docker/metadata-action` step `ID`
/// of the same job makes tags for (its `images` input, one per line, `name=` form included).
fn metadata_images(tag: &str, job: &Job, vars: &Vars<'_>) -> Option<Vec<String>> {
    let expr = tag.strip_prefix("${{")?.strip_suffix("}}")?.trim();
    let id = expr.strip_prefix("steps.")?.strip_suffix(".outputs.tags")?;
    let step = job.steps.iter().find(|s| s.id.as_deref() == Some(id))?;
    let a = step
        .action
        .as_ref()
        .filter(|a| a.repo() == "docker/metadata-action")?;
    let images = vars.expand(&a.input("images")?.value, None);
    Some(
        images
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .filter_map(|l| {
                let first = l.split(',').next()?.trim();
                let name = first.strip_prefix("name=").unwrap_or(first);
                // a name the run decides (`enable=` set to false) still names the image
                Some(name.to_string())
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyze::{Repo, lower_all};
    use std::collections::BTreeMap;

    #[test]
    fn builds_that_only_export_files() {
        let w = |s: &str| s.split_whitespace().map(str::to_string).collect::<Vec<_>>();
        let cases = [
            (
                "docker build -f src/app/android.Dockerfile --platform=linux/amd64 --output=. src/app",
                Some("src/app/android.Dockerfile"),
            ),
            (
                "docker buildx build -o type=tar,dest=out.tar .",
                Some("Dockerfile"),
            ),
            ("podman build --output ./dist web", Some("web/Dockerfile")),
            // an image is produced, pushed or loaded: it may run
            ("docker buildx build -o type=image,push=true -t x/y .", None),
            ("docker buildx build --output=./dist --push -t x/y .", None),
            ("docker buildx build --output type=docker .", None),
            ("docker build -t x/y .", None),
            ("docker run --output x alpine", None),
        ];
        for (cmd, want) in cases {
            assert_eq!(exported_dockerfile(&w(cmd), None).as_deref(), want, "{cmd}");
        }
        assert_eq!(
            exported_dockerfile(&w("docker build -o out ."), Some("tools")).as_deref(),
            Some("tools/Dockerfile")
        );
    }

    /// The builds of the pipelines written in `files`, for the Dockerfiles listed.
    fn built(files: &[(&str, &str)], dockerfiles: &[&str]) -> Vec<(String, String, u32)> {
        let map: BTreeMap<&str, &str> = files.iter().copied().collect();
        let read = |p: &str| map.get(p).map(|t| t.to_string());
        let repo = Repo {
            root: std::path::Path::new("."),
            files: map.keys().copied().collect(),
            read: &read,
            dockerfiles: &[],
            objects: &[],
            runs_workloads: false,
            since: None,
        };
        let (pipelines, _) = lower_all(&repo);
        built_images(&pipelines, &|p| dockerfiles.contains(&p))
            .into_iter()
            .map(|b| (b.name, b.dockerfile.to_string(), b.at.line))
            .collect()
    }

    #[test]
    fn docker_build_in_a_workflow_names_its_dockerfile() {
        let wf = "on: push\njobs:\n  b:\n    runs-on: ubuntu-latest\n    env:\n      REGISTRY: ghcr.io/acme\n    steps:\n    - run: docker build -t $REGISTRY/api:${{ github.sha }} -t ghcr.io/acme/api:latest --build-arg X=1 -f api/Dockerfile.prod api\n    - run: docker buildx build --push --tag ghcr.io/acme/web:1 .\n      working-directory: web\n    - run: docker build -t ghcr.io/acme/$UNKNOWN:1 .\n    - run: docker build -t ghcr.io/acme/root:1 .\n";
        let b = built(
            &[(".github/workflows/b.yml", wf)],
            &["api/Dockerfile.prod", "web/Dockerfile", "Dockerfile"],
        );
        assert_eq!(
            b,
            vec![
                ("ghcr.io/acme/api".into(), "api/Dockerfile.prod".into(), 8),
                // the repository's root as the context: its `Dockerfile`
                ("ghcr.io/acme/root".into(), "Dockerfile".into(), 12),
                ("ghcr.io/acme/web".into(), "web/Dockerfile".into(), 9),
            ]
        );
    }

    #[test]
    fn build_push_action_tags_from_metadata_action() {
        let wf = "on: push\njobs:\n  release:\n    runs-on: ubuntu-latest\n    steps:\n    - uses: docker/metadata-action@v5\n      id: meta\n      with:\n        images: |\n          docker.io/acme/podinfo\n          name=ghcr.io/acme/podinfo,enable=true\n    - uses: docker/build-push-action@v6\n      with:\n        context: .\n        file: ./build/Dockerfile\n        tags: ${{ steps.meta.outputs.tags }}\n";
        let b = built(&[(".github/workflows/r.yml", wf)], &["build/Dockerfile"]);
        let names: Vec<&str> = b.iter().map(|b| b.0.as_str()).collect();
        assert_eq!(names, ["docker.io/acme/podinfo", "ghcr.io/acme/podinfo"]);
        assert!(b.iter().all(|b| b.1 == "build/Dockerfile"));
    }

    #[test]
    fn cloud_build_steps_build_in_their_dir() {
        let cb = "steps:\n- name: gcr.io/cloud-builders/docker\n  args: ['build', '-t', 'us-docker.pkg.dev/p/r/hello:v1', '-t', 'gcr.io/p/hello:${SHORT_SHA}', '.']\n  dir: quickstarts/hello\n";
        let b = built(
            &[("quickstarts/hello/cloudbuild.yaml", cb)],
            &["quickstarts/hello/Dockerfile"],
        );
        let names: Vec<&str> = b.iter().map(|b| b.0.as_str()).collect();
        assert_eq!(names, ["gcr.io/p/hello", "us-docker.pkg.dev/p/r/hello"]);
    }

    #[test]
    fn kaniko_and_paths_that_leave_the_repository() {
        let gl = "build:\n  image: gcr.io/kaniko-project/executor:debug\n  script:\n    - /kaniko/executor --context dir://svc --dockerfile Dockerfile --destination registry.example.org/team/svc:1\n    - docker build -t registry.example.org/team/out:1 ../elsewhere\n";
        let b = built(
            &[(".gitlab-ci.yml", gl)],
            &["svc/Dockerfile", "../elsewhere/Dockerfile"],
        );
        assert_eq!(
            b,
            vec![(
                "registry.example.org/team/svc".into(),
                "svc/Dockerfile".into(),
                4
            )]
        );
    }

    #[test]
    fn names_are_literal_image_names() {
        assert_eq!(
            image_name("ghcr.io/a/b:1@sha256:00").as_deref(),
            Some("ghcr.io/a/b")
        );
        assert_eq!(
            image_name("localhost:5000/app").as_deref(),
            Some("localhost:5000/app")
        );
        assert_eq!(image_name("ghcr.io/a/${NAME}:1"), None);
        assert_eq!(join(Some("a/b"), "../c"), Some("a/c".into()));
        assert_eq!(join(None, "../c"), None);
    }
}
