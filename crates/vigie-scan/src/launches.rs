//! How the repository starts its Compose projects: the `docker compose -f A -f B up` commands
//! of its Makefiles, shell scripts, justfiles and CI workflows.
//!
//! A repository that keeps `compose.yaml` beside layers such as `compose.full.yaml` and
//! `compose.observability.yaml` runs them together (`make start` merges four files); pairing
//! each layer with the base alone, as `docker compose` would read the folder without `-f`,
//! judges projects nobody starts and misses the one that runs (a service of one layer patched by
//! another). When such commands exist, the projects they start are the Compose units, and the
//! folder pairing is kept only for files no command names.
//!
//! Make variables (`FILES = -f a.yml`, `?=`, `:=`, `+=`, `$(FILES)` and `${FILES}` in recipes)
//! and plain shell assignments (`FILES="-f a.yml"`) are expanded; what remains unresolved
//! (a variable set by the caller's environment) drops the command rather than guessing. The
//! words of each command come from the pipeline crate's shell reader, so Compose commands and
//! CI steps are split the same way. Written here because no crate reads Makefiles as text with
//! their variables: `make -pn` would run the repository's code.

use std::collections::HashMap;
use std::sync::Arc;
use vigie_core::{DiagKind, Diagnostic, Location, Severity};
use vigie_parse::discover::Found;
use vigie_pipeline::shell::{self, ShellMode};

/// One Compose project the repository starts: its files in `-f` order, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Started {
    pub files: Vec<String>,
    /// `Makefile:280`: the command that starts it (the first one, when several do).
    pub by: String,
}

/// Subcommands that create a project's containers.
const STARTS: &[&str] = &["up", "create"];

/// Global options of `docker compose` that take a value (other than `-f`).
const WITH_VALUE: &[&str] = &[
    "--env-file",
    "-p",
    "--project-name",
    "--profile",
    "--project-directory",
    "--ansi",
    "--progress",
    "--parallel",
];

/// Whether `rel` is a file whose commands may start Compose projects.
fn is_launcher(rel: &str) -> bool {
    let name = rel.rsplit('/').next().unwrap_or(rel);
    let lower = name.to_ascii_lowercase();
    matches!(lower.as_str(), "makefile" | "gnumakefile" | "justfile")
        || lower.ends_with(".mk")
        || lower.ends_with(".sh")
        || lower.ends_with(".bash")
        || ((rel.starts_with(".github/workflows/") || rel.starts_with(".gitlab-ci"))
            && (lower.ends_with(".yml") || lower.ends_with(".yaml")))
}

/// The Compose projects the repository's Makefiles, scripts and workflows start, each once, in
/// the order first met; `exists` says whether a file is in the scan.
/// A command that starts a Compose project whose files cannot be told (`-f $ENV_FILE`, a file
/// that is not in the scan) is an info note at its line: the folder's pairing is judged in its
/// place.
pub(crate) fn compose_projects(
    files: &[Found],
    read: &dyn Fn(&str) -> Option<String>,
    exists: &dyn Fn(&str) -> bool,
    notes: &mut Vec<Diagnostic>,
) -> Vec<Started> {
    let mut out: Vec<Started> = Vec::new();
    for f in files.iter().filter(|f| is_launcher(&f.rel)) {
        let Some(text) = read(&f.rel) else { continue };
        if !text.contains("compose") {
            continue;
        }
        for (line, words) in commands_of(&f.rel, &text, "compose") {
            let Some(list) = started_files(&words) else {
                continue;
            };
            let Some(files) = resolve(&f.rel, &list, exists) else {
                let mut d = Diagnostic::new(
                    DiagKind::Skipped,
                    Location::new(Arc::from(f.rel.as_str()), line, 1),
                    format!(
                        "this command starts a Compose project of `{}`, files vigie cannot resolve (a variable of the caller's environment, or a file outside the scan): the projects of those files are formed from their folder instead",
                        list.join("`, `")
                    ),
                );
                d.severity = Severity::Info;
                notes.push(d);
                continue;
            };
            if !out.iter().any(|s| s.files == files) {
                out.push(Started {
                    files,
                    by: format!("{}:{}", f.rel, line),
                });
            }
        }
    }
    out
}

/// The Dockerfiles the repository's Makefiles, scripts and workflows build only to export files
/// (`docker build --output=DIR`, see [`vigie_pipeline::built::exported_dockerfile`]), each with
/// the first command that does (`Makefile:379`); paths are read from the launcher's folder,
/// else from the root.
pub(crate) fn exported_dockerfiles(
    files: &[Found],
    read: &dyn Fn(&str) -> Option<String>,
    exists: &dyn Fn(&str) -> bool,
) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for f in files.iter().filter(|f| is_launcher(&f.rel)) {
        let Some(text) = read(&f.rel) else { continue };
        if !text.contains("build") || !(text.contains("--output") || text.contains("-o")) {
            continue;
        }
        let dir = f.rel.rsplit_once('/').map_or("", |(d, _)| d);
        for (line, words) in commands_of(&f.rel, &text, "build") {
            let Some(at) = words
                .iter()
                .position(|w| matches!(w.as_str(), "docker" | "podman" | "nerdctl"))
            else {
                continue;
            };
            let found = [Some(dir).filter(|d| !d.is_empty()), None]
                .into_iter()
                .filter_map(|wd| vigie_pipeline::built::exported_dockerfile(&words[at..], wd))
                .find(|p| exists(p));
            if let Some(p) = found
                && !out.iter().any(|(q, _)| *q == p)
            {
                out.push((p, format!("{}:{}", f.rel, line)));
            }
        }
    }
    out
}

/// The commands of a launcher file that hold `keyword`, with their 1-based lines, variables
/// expanded.
fn commands_of(rel: &str, text: &str, keyword: &str) -> Vec<(u32, Vec<String>)> {
    let lower = rel.to_ascii_lowercase();
    let is_make = lower.ends_with("makefile") || lower.ends_with(".mk");
    let vars = if is_make {
        make_variables(text)
    } else {
        HashMap::new()
    };
    let mut out = Vec::new();
    let mut shell_vars: HashMap<String, String> = HashMap::new();
    for (start, logical) in logical_lines(text) {
        let body = if is_make {
            match logical.strip_prefix('\t') {
                Some(recipe) => recipe.trim_start_matches(['@', '-', '+']).to_string(),
                None => continue,
            }
        } else {
            logical
        };
        let expanded = expand(&body, &vars, 0);
        if !expanded.contains(keyword) && !expanded.contains('=') {
            continue;
        }
        for cmd in shell::parse(&expanded, ShellMode::LAX) {
            // `FILES="-f a.yml"` alone on its line sets a variable of the script
            let assignments: Vec<(&str, &str)> =
                cmd.words.iter().map_while(|w| assignment(w)).collect();
            if assignments.len() == cmd.words.len() {
                for (k, v) in assignments {
                    shell_vars.insert(k.to_string(), v.to_string());
                }
                continue;
            }
            let words: Vec<String> = cmd
                .words
                .iter()
                .flat_map(|w| {
                    let e = expand(w, &shell_vars, 0);
                    if e == *w {
                        vec![e]
                    } else {
                        e.split_whitespace().map(str::to_string).collect()
                    }
                })
                .collect();
            out.push((start + cmd.line, words));
        }
    }
    out
}

/// `NAME=value` as (name, value), when the word is an assignment.
fn assignment(word: &str) -> Option<(&str, &str)> {
    let (name, value) = word.split_once('=')?;
    let valid = !name.is_empty()
        && !name.starts_with(|c: char| c.is_ascii_digit())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    valid.then_some((name, value))
}

/// Lines joined across `\` continuations, each with its 1-based first line.
fn logical_lines(text: &str) -> Vec<(u32, String)> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut start = 0u32;
    for (i, line) in text.lines().enumerate() {
        if cur.is_empty() {
            start = i as u32 + 1;
        }
        match line.strip_suffix('\\') {
            Some(head) => {
                cur.push_str(head);
                cur.push(' ');
            }
            None => {
                cur.push_str(line);
                out.push((start, std::mem::take(&mut cur)));
            }
        }
    }
    if !cur.is_empty() {
        out.push((start, cur));
    }
    out
}

/// The variables a Makefile assigns outside recipes (`=`, `:=`, `::=`, `?=`, `+=`); a later
/// assignment replaces an earlier one, `?=` only sets what is unset.
fn make_variables(text: &str) -> HashMap<String, String> {
    let mut vars: HashMap<String, String> = HashMap::new();
    for (_, line) in logical_lines(text) {
        if line.starts_with('\t') || line.trim_start().starts_with('#') {
            continue;
        }
        let line = line.strip_prefix("export ").unwrap_or(&line);
        let Some(eq) = line.find('=') else { continue };
        let (head, value) = (&line[..eq], line[eq + 1..].trim());
        let (name, op) = match head.trim_end().strip_suffix(['?', ':', '+']) {
            Some(n) => (
                n.trim_end_matches(':').trim(),
                head.trim_end().chars().last(),
            ),
            None => (head.trim(), None),
        };
        if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            continue;
        }
        match op {
            Some('?') => {
                vars.entry(name.to_string())
                    .or_insert_with(|| value.to_string());
            }
            Some('+') => {
                let v = vars.entry(name.to_string()).or_default();
                if !v.is_empty() {
                    v.push(' ');
                }
                v.push_str(value);
            }
            _ => {
                vars.insert(name.to_string(), value.to_string());
            }
        }
    }
    vars
}

/// `text` with `$(NAME)`, `${NAME}` and `$NAME` replaced by their values where `vars` has
/// them; anything else is kept as written.
fn expand(text: &str, vars: &HashMap<String, String>, depth: u32) -> String {
    if depth > 8 || !text.contains('$') {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find('$') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        let (name, used) = match after.chars().next() {
            Some(open @ ('(' | '{')) => {
                let close = if open == '(' { ')' } else { '}' };
                match after.find(close) {
                    Some(j) => (&after[1..j], j + 1),
                    None => ("", 0),
                }
            }
            Some(c) if c.is_ascii_alphabetic() || c == '_' => {
                let n = after
                    .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                    .unwrap_or(after.len());
                (&after[..n], n)
            }
            _ => ("", 0),
        };
        match vars.get(name) {
            Some(v) if used > 0 => {
                out.push_str(&expand(v, vars, depth + 1));
                rest = &after[used..];
            }
            _ => {
                out.push('$');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// The `-f` files of a `docker compose … up` (or `docker-compose … up`) command, in order;
/// `None` when the command is not one, or names no file.
fn started_files(words: &[String]) -> Option<Vec<String>> {
    let at = words
        .iter()
        .position(|w| w == "docker-compose")
        .map(|i| i + 1)
        .or_else(|| {
            words
                .windows(2)
                .position(|w| w[0] == "docker" && w[1] == "compose")
                .map(|i| i + 2)
        })?;
    let mut files = Vec::new();
    let mut i = at;
    while let Some(w) = words.get(i) {
        if w == "-f" || w == "--file" {
            files.push(words.get(i + 1)?.clone());
            i += 2;
        } else if let Some(v) = w.strip_prefix("--file=") {
            files.push(v.to_string());
            i += 1;
        } else if WITH_VALUE.contains(&w.as_str()) {
            i += 2;
        } else if w.starts_with('-') {
            i += 1;
        } else {
            return (STARTS.contains(&w.as_str()) && !files.is_empty()).then_some(files);
        }
    }
    None
}

/// The repository paths of a command's `-f` files, read from the launcher's folder or else from
/// the repository root (scripts run from either); `None` when one is unresolved or absent.
fn resolve(launcher: &str, list: &[String], exists: &dyn Fn(&str) -> bool) -> Option<Vec<String>> {
    if list.iter().any(|f| f.contains('$')) {
        return None;
    }
    let dir = launcher.rsplit_once('/').map_or("", |(d, _)| d);
    let from = |base: &str| -> Option<Vec<String>> {
        list.iter()
            .map(|f| vigie_parse::compose::join(base, f).filter(|p| exists(p)))
            .collect()
    };
    from(dir).or_else(|| from(""))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(s: &str) -> Vec<String> {
        s.split_whitespace().map(str::to_string).collect()
    }

    #[test]
    fn make_variables_expand_into_the_files_a_recipe_starts() {
        let mk = "DC ?= docker compose\nCORE=-f compose.yaml\nFULL=$(CORE) -f compose.full.yaml\nOBS = -f compose.observability.yaml\nFILES=$(FULL) $(OBS)\n\nstart:\n\t$(DC) --env-file .env $(FILES) up --detach\n\nbuild:\n\t$(DC) $(FILES) build\nminimal:\n\t@$(DC) $(CORE) \\\n\t\t$(OBS) up -d\n";
        let got: Vec<Vec<String>> = commands_of("Makefile", mk, "compose")
            .into_iter()
            .filter_map(|(_, w)| started_files(&w))
            .collect();
        assert_eq!(
            got,
            vec![
                words("compose.yaml compose.full.yaml compose.observability.yaml"),
                words("compose.yaml compose.observability.yaml"),
            ]
        );
    }

    #[test]
    fn shell_assignments_expand_and_unresolved_variables_drop_the_command() {
        let sh = "FILES=\"-f a.yml -f b.yml\"\ndocker compose $FILES up -d\ndocker-compose -f $ENV_FILE up\n";
        let got: Vec<Vec<String>> = commands_of("deploy.sh", sh, "compose")
            .into_iter()
            .filter_map(|(_, w)| started_files(&w))
            .collect();
        assert_eq!(got, vec![words("a.yml b.yml"), words("$ENV_FILE")]);
        assert_eq!(resolve("deploy.sh", &words("$ENV_FILE"), &|_| true), None);
    }

    #[test]
    fn only_commands_that_start_containers_count() {
        assert_eq!(started_files(&words("docker compose -f a.yml build")), None);
        assert_eq!(started_files(&words("docker compose -f a.yml down")), None);
        assert_eq!(started_files(&words("docker compose up -d")), None);
        assert_eq!(
            started_files(&words(
                "docker compose -p shop --file=a.yml -f b.yml create"
            )),
            Some(words("a.yml b.yml"))
        );
    }

    #[test]
    fn dockerfiles_built_only_to_export_files() {
        let mk = "DOCKER_CMD ?= docker\n\napk:\n\t$(DOCKER_CMD) build -f app/android.Dockerfile --output=. app\nimage:\n\t$(DOCKER_CMD) build -t web ./web\n";
        let sh = "#!/bin/sh\ndocker buildx build -o type=local,dest=out .\n";
        let files: Vec<Found> = ["Makefile", "tools/export.sh"]
            .iter()
            .map(|p| Found {
                rel: p.to_string(),
                abs: p.into(),
                kind: vigie_parse::discover::FileKind::Other,
                size: 0,
            })
            .collect();
        let read = |p: &str| match p {
            "Makefile" => Some(mk.to_string()),
            "tools/export.sh" => Some(sh.to_string()),
            _ => None,
        };
        let have = [
            "app/android.Dockerfile",
            "web/Dockerfile",
            "tools/Dockerfile",
        ];
        let exists = |p: &str| have.contains(&p);
        assert_eq!(
            exported_dockerfiles(&files, &read, &exists),
            vec![
                (
                    "app/android.Dockerfile".to_string(),
                    "Makefile:4".to_string()
                ),
                (
                    "tools/Dockerfile".to_string(),
                    "tools/export.sh:2".to_string()
                ),
            ]
        );
    }

    #[test]
    fn files_are_read_from_the_launcher_folder_first_then_the_root() {
        let have = ["deploy/compose.yaml", "compose.yaml", "ops/x.yaml"];
        let exists = |p: &str| have.contains(&p);
        assert_eq!(
            resolve("deploy/run.sh", &words("compose.yaml"), &exists),
            Some(words("deploy/compose.yaml"))
        );
        assert_eq!(
            resolve("scripts/run.sh", &words("ops/x.yaml"), &exists),
            Some(words("ops/x.yaml"))
        );
        assert_eq!(resolve("run.sh", &words("nope.yaml"), &exists), None);
    }
}
