//! Dockerfiles: stages, their instructions, and the precedence rules of the builder — a stage's
//! `USER` carries into stages built `FROM` it, `ARG` defaults (and build args) substitute into
//! `FROM` and `USER`, heredocs belong to their `RUN` (every one of them: see `dockerfile_heredoc`).

use crate::interp::{Dialect, substitute};
use parse_dockerfile::{Command, Instruction, Source};
use std::collections::BTreeMap;
use std::sync::Arc;
use vigie_core::model::At;
use vigie_core::{Location, SourceFile};

#[derive(Debug)]
pub struct Dockerfile {
    pub path: Arc<str>,
    pub source: Arc<SourceFile>,
    /// `ARG`s before the first `FROM`, with their defaults.
    pub global_args: Vec<(String, Option<String>)>,
    pub stages: Vec<Stage>,
    /// The command of the repository that builds it only to export files (`Makefile:379`
    /// running `docker build --output=DIR`), when that is the only way it is built: its final
    /// stage is copied out, never run as a container. Set by the scan, `None` from the parser.
    pub exported_by: Option<String>,
}

#[derive(Debug)]
pub struct Stage {
    pub index: usize,
    pub name: Option<String>,
    /// The `FROM` image reference as written.
    pub from_raw: String,
    /// Where the `FROM` instruction is.
    pub from_at: Location,
    /// The earlier stage this one is built from, if any.
    pub base_stage: Option<usize>,
    pub instructions: Vec<Instr>,
}

#[derive(Debug)]
pub struct Instr {
    pub at: Location,
    pub kind: InstrKind,
}

#[derive(Debug)]
pub enum InstrKind {
    User(String),
    Run {
        /// The shell command, or the exec form's words joined by spaces.
        command: String,
        /// `--mount=…` flag values.
        mounts: Vec<String>,
        heredocs: Vec<String>,
    },
    Add {
        sources: Vec<String>,
    },
    Copy {
        sources: Vec<String>,
        from: Option<String>,
    },
    Env(Vec<(String, String)>),
    Arg(String, Option<String>),
    Label(Vec<(String, String)>),
    Healthcheck {
        none: bool,
    },
    Other(&'static str),
}

/// A parse failure, with its 1-based position.
#[derive(Debug)]
pub struct DockerfileError {
    pub line: u32,
    pub column: u32,
    pub message: String,
}

/// Split `KEY=value KEY2="two words"` (or the legacy `KEY value`) into pairs.
pub fn split_pairs(args: &str) -> Vec<(String, String)> {
    let words = shell_words(args);
    if !words.is_empty() && !words[0].contains('=') {
        // legacy form: ENV KEY value with spaces
        let t = args.trim();
        let (k, v) = t.split_once(char::is_whitespace).unwrap_or((t, ""));
        return vec![(k.to_string(), unquote(v.trim()))];
    }
    words
        .into_iter()
        .filter_map(|w| {
            w.split_once('=')
                .map(|(k, v)| (k.to_string(), v.to_string()))
        })
        .collect()
}

fn unquote(s: &str) -> String {
    if s.len() >= 2
        && ((s.starts_with('"') && s.ends_with('"')) || (s.starts_with('\'') && s.ends_with('\'')))
    {
        s[1..s.len() - 1].to_string()
    } else {
        s.to_string()
    }
}

/// Split on whitespace, honouring quotes and backslash escapes; quotes are removed.
pub fn shell_words(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut has = false;
    let mut quote: Option<char> = None;
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match (quote, c) {
            (None, '"' | '\'') => {
                quote = Some(c);
                has = true;
            }
            (Some(q), c) if c == q => quote = None,
            (Some('"') | None, '\\') => {
                if let Some(n) = chars.next() {
                    if n != '\n' {
                        cur.push(n);
                    }
                    has = true;
                }
            }
            (None, c) if c.is_whitespace() => {
                if has {
                    out.push(std::mem::take(&mut cur));
                    has = false;
                }
            }
            (_, c) => {
                cur.push(c);
                has = true;
            }
        }
    }
    if has {
        out.push(cur);
    }
    out
}

impl Dockerfile {
    pub fn parse(source: Arc<SourceFile>) -> Result<Dockerfile, DockerfileError> {
        let text = source.text.as_str();
        let scanned = crate::dockerfile_heredoc::scan(text).map_err(|e| DockerfileError {
            line: e.line,
            column: 1,
            message: e.message,
        })?;
        let mut run_heredocs: BTreeMap<usize, Vec<String>> = scanned
            .runs
            .into_iter()
            .map(|r| (r.keyword, r.bodies))
            .collect();
        let parsed =
            parse_dockerfile::parse(scanned.masked.as_deref().unwrap_or(text)).map_err(|e| {
                DockerfileError {
                    line: e.line() as u32,
                    column: e.column() as u32,
                    message: e.to_string(),
                }
            })?;
        let path = source.path.clone();
        let src = source.clone();
        let at = |offset: usize| src.location(offset);
        let mut global_args = Vec::new();
        let mut stages: Vec<Stage> = Vec::new();
        for ins in &parsed.instructions {
            if let Instruction::From(f) = ins {
                let from_raw = f.image.value.to_string();
                let name = f.as_.as_ref().map(|(_, n)| n.value.to_string());
                let base_stage = stages.iter().position(|s| {
                    s.name
                        .as_deref()
                        .is_some_and(|n| n.eq_ignore_ascii_case(&from_raw))
                        || from_raw.parse::<usize>().is_ok_and(|i| i == s.index)
                });
                stages.push(Stage {
                    index: stages.len(),
                    name,
                    from_raw,
                    from_at: at(f.from.span.start),
                    base_stage,
                    instructions: Vec::new(),
                });
                continue;
            }
            let Some((mut kind, start)) = lower(ins) else {
                continue;
            };
            if let (
                Instruction::Run(r),
                InstrKind::Run {
                    command, heredocs, ..
                },
            ) = (ins, &mut kind)
                && let Some(bodies) = run_heredocs.remove(&r.run.span.start)
            {
                {
                    // the crate read the blanked line: the command as written is at the same span
                    if let Command::Shell(s) = &r.arguments {
                        // the crate's span starts after the blanks that stood for a leading `<<`
                        let masked = scanned.masked.as_deref().unwrap_or(text).as_bytes();
                        let mut from = s.span.start;
                        while from > 0
                            && masked[from - 1] == b' '
                            && !text.as_bytes()[from - 1].is_ascii_whitespace()
                        {
                            from -= 1;
                        }
                        *command = text.get(from..s.span.end).unwrap_or_default().to_string();
                    }
                    *heredocs = bodies;
                }
            }
            match stages.last_mut() {
                Some(stage) => stage.instructions.push(Instr {
                    at: at(start),
                    kind,
                }),
                None => {
                    if let InstrKind::Arg(n, d) = kind {
                        global_args.push((n, d));
                    }
                }
            }
        }
        Ok(Dockerfile {
            path,
            source: Arc::clone(&source),
            global_args,
            stages,
            exported_by: None,
        })
    }

    /// The stage a build targets: the named one, else the last.
    pub fn target_stage(&self, target: Option<&str>) -> Option<usize> {
        match target {
            Some(t) => self
                .stages
                .iter()
                .position(|s| s.name.as_deref().is_some_and(|n| n.eq_ignore_ascii_case(t))),
            None => self.stages.len().checked_sub(1),
        }
    }

    /// Global `ARG` values (defaults, overridden by build args).
    pub fn global_vars(&self, build_args: &BTreeMap<String, String>) -> BTreeMap<String, String> {
        let mut vars = BTreeMap::new();
        for (k, d) in &self.global_args {
            if let Some(v) = build_args.get(k).or(d.as_ref()) {
                vars.insert(k.clone(), v.clone());
            }
        }
        vars
    }

    /// The base image a stage finally builds on (following `FROM <stage>`), ARGs substituted.
    pub fn base_image(
        &self,
        idx: usize,
        build_args: &BTreeMap<String, String>,
    ) -> Option<At<String>> {
        let mut i = idx;
        for _ in 0..=self.stages.len() {
            let s = self.stages.get(i)?;
            match s.base_stage {
                Some(b) if b < i => i = b,
                _ => {
                    let v = substitute(
                        &s.from_raw,
                        &self.global_vars(build_args),
                        Dialect::Dockerfile,
                    );
                    // an unset variable keeps its reference, so nothing reads it as a real value
                    let text = if v.unresolved.is_empty() {
                        v.text
                    } else {
                        s.from_raw.clone()
                    };
                    return Some(At::new(text, s.from_at.clone()));
                }
            }
        }
        None
    }

    /// The user a container of the image built from stage `idx` runs as when nothing at run
    /// time sets one: the stage's effective `USER`, else the user the catalogue knows its base
    /// image to run as, else root (`DockerfileDefault`, located at the base's `FROM`, or at
    /// `fallback` when the stage has none).
    pub fn image_user(
        &self,
        idx: usize,
        build_args: &BTreeMap<String, String>,
        catalog: &vigie_core::catalog::Catalog,
        fallback: &Location,
    ) -> vigie_core::model::UserSource {
        use vigie_core::model::UserSource;
        if let Some(u) = self.stage_user(idx, build_args) {
            return UserSource::Dockerfile(u);
        }
        let base = self.base_image(idx, build_args);
        match base
            .as_ref()
            .and_then(|b| catalog.nonroot_image(&b.value).map(|k| (b, k)))
        {
            Some((b, k)) => UserSource::KnownImage {
                image: b.clone(),
                user: k.user.clone(),
            },
            None => UserSource::DockerfileDefault {
                from: base.unwrap_or_else(|| At::new(String::new(), fallback.clone())),
            },
        }
    }

    /// The effective `USER` of a stage: the last `USER` of the stage, else of the stage it is
    /// built from, recursively. Variables from `ARG` (with build args) and `ENV` are substituted.
    pub fn stage_user(
        &self,
        idx: usize,
        build_args: &BTreeMap<String, String>,
    ) -> Option<At<String>> {
        // the chain of stages from the root to idx
        let mut chain = Vec::new();
        let mut i = Some(idx);
        while let Some(k) = i {
            if chain.contains(&k) || chain.len() > self.stages.len() {
                break;
            }
            chain.push(k);
            i = self
                .stages
                .get(k)
                .and_then(|s| s.base_stage)
                .filter(|b| *b < k);
        }
        chain.reverse();
        let globals = self.global_vars(build_args);
        let mut user: Option<At<String>> = None;
        let mut vars: BTreeMap<String, String> = BTreeMap::new();
        for k in chain {
            let Some(stage) = self.stages.get(k) else {
                continue;
            };
            for ins in &stage.instructions {
                match &ins.kind {
                    InstrKind::Arg(n, d) => {
                        let v = build_args.get(n).or(d.as_ref()).or(globals.get(n)).cloned();
                        if let Some(v) = v {
                            vars.insert(n.clone(), v);
                        }
                    }
                    InstrKind::Env(pairs) => {
                        for (k2, v) in pairs {
                            let v = substitute(v, &vars, Dialect::Dockerfile).text;
                            vars.insert(k2.clone(), v);
                        }
                    }
                    InstrKind::User(u) => {
                        let v = substitute(u, &vars, Dialect::Dockerfile);
                        let text = if v.unresolved.is_empty() {
                            v.text
                        } else {
                            u.clone()
                        };
                        user = Some(At::new(text, ins.at.clone()));
                    }
                    _ => {}
                }
            }
        }
        user
    }
}

fn command_text(c: &Command<'_>) -> String {
    match c {
        Command::Shell(s) => s.value.to_string(),
        Command::Exec(words) => words
            .value
            .iter()
            .map(|w| w.value.as_ref())
            .collect::<Vec<_>>()
            .join(" "),
        _ => String::new(),
    }
}

fn lower(ins: &Instruction<'_>) -> Option<(InstrKind, usize)> {
    Some(match ins {
        Instruction::User(u) => (
            InstrKind::User(u.arguments.value.trim().to_string()),
            u.user.span.start,
        ),
        Instruction::Run(r) => {
            let mounts = r
                .options
                .iter()
                .filter(|f| f.name.value == "mount")
                .filter_map(|f| f.value.as_ref().map(|v| v.value.to_string()))
                .collect();
            (
                InstrKind::Run {
                    command: command_text(&r.arguments),
                    mounts,
                    heredocs: r.here_docs.iter().map(|h| h.value.to_string()).collect(),
                },
                r.run.span.start,
            )
        }
        Instruction::Add(a) => (
            InstrKind::Add {
                sources: a.src.iter().map(source_text).collect(),
            },
            a.add.span.start,
        ),
        Instruction::Copy(c) => (
            InstrKind::Copy {
                sources: c.src.iter().map(source_text).collect(),
                from: c
                    .options
                    .iter()
                    .find(|f| f.name.value == "from")
                    .and_then(|f| f.value.as_ref().map(|v| v.value.to_string())),
            },
            c.copy.span.start,
        ),
        Instruction::Env(e) => (
            InstrKind::Env(split_pairs(&e.arguments.value)),
            e.env.span.start,
        ),
        Instruction::Label(l) => (
            InstrKind::Label(split_pairs(&l.arguments.value)),
            l.label.span.start,
        ),
        Instruction::Arg(a) => {
            let t = a.arguments.value.trim();
            let (n, d) = match t.split_once('=') {
                Some((n, d)) => (n.trim().to_string(), Some(unquote(d.trim()))),
                None => (t.to_string(), None),
            };
            (InstrKind::Arg(n, d), a.arg.span.start)
        }
        Instruction::Healthcheck(h) => (
            InstrKind::Healthcheck {
                none: matches!(
                    h.arguments,
                    parse_dockerfile::HealthcheckArguments::None { .. }
                ),
            },
            h.healthcheck.span.start,
        ),
        Instruction::Cmd(c) => (InstrKind::Other("CMD"), c.cmd.span.start),
        Instruction::Entrypoint(c) => (InstrKind::Other("ENTRYPOINT"), c.entrypoint.span.start),
        Instruction::Expose(c) => (InstrKind::Other("EXPOSE"), c.expose.span.start),
        Instruction::Maintainer(c) => (InstrKind::Other("MAINTAINER"), c.maintainer.span.start),
        Instruction::Onbuild(c) => (InstrKind::Other("ONBUILD"), c.onbuild.span.start),
        Instruction::Shell(c) => (InstrKind::Other("SHELL"), c.shell.span.start),
        Instruction::Stopsignal(c) => (InstrKind::Other("STOPSIGNAL"), c.stopsignal.span.start),
        Instruction::Volume(c) => (InstrKind::Other("VOLUME"), c.volume.span.start),
        Instruction::Workdir(c) => (InstrKind::Other("WORKDIR"), c.workdir.span.start),
        _ => return None,
    })
}

fn source_text(s: &Source<'_>) -> String {
    match s {
        Source::Path(p) => p.value.to_string(),
        Source::HereDoc(h) => h.value.to_string(),
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn df(text: &str) -> Dockerfile {
        Dockerfile::parse(Arc::new(SourceFile::new("Dockerfile", text.to_string()))).unwrap()
    }

    #[test]
    fn user_carries_into_stages_built_from_a_stage() {
        let d = df(
            "FROM node:20 AS base\nUSER node\nFROM base AS app\nRUN echo hi\nFROM base AS root\nUSER root\n",
        );
        let none = BTreeMap::new();
        let app = d.target_stage(Some("app")).unwrap();
        let u = d.stage_user(app, &none).unwrap();
        assert_eq!(u.value, "node");
        assert_eq!(u.at.line, 2);
        assert_eq!(d.stage_user(2, &none).unwrap().value, "root");
        assert_eq!(d.base_image(app, &none).unwrap().value, "node:20");
    }

    #[test]
    fn a_fresh_stage_does_not_inherit_user() {
        let d = df("FROM node:20 AS build\nUSER node\nFROM nginx:1.27\nCOPY --from=build /a /b\n");
        assert!(d.stage_user(1, &BTreeMap::new()).is_none());
        assert_eq!(d.target_stage(None), Some(1));
    }

    #[test]
    fn args_substitute_into_from_and_user() {
        let d = df(
            "ARG BASE=alpine:3.20\nFROM ${BASE}\nARG UID=10001\nENV HOME_UID=${UID}\nUSER ${HOME_UID}:${UID}\n",
        );
        let mut args = BTreeMap::new();
        assert_eq!(d.base_image(0, &args).unwrap().value, "alpine:3.20");
        assert_eq!(d.stage_user(0, &args).unwrap().value, "10001:10001");
        args.insert("UID".to_string(), "0".to_string());
        assert_eq!(d.stage_user(0, &args).unwrap().value, "0:0");
        args.insert("BASE".to_string(), "debian:12".to_string());
        assert_eq!(d.base_image(0, &args).unwrap().value, "debian:12");
        let d = df("FROM alpine:3.20\nUSER ${APP_UID}\n");
        assert_eq!(
            d.stage_user(0, &BTreeMap::new()).unwrap().value,
            "${APP_UID}"
        );
    }

    #[test]
    fn heredocs_and_pairs() {
        let d = df(
            "FROM alpine:3.20\nRUN <<EOF\ncurl -fsSL https://x | sh\nEOF\nENV A=1 B=\"two words\"\nENV LEGACY some value\nLABEL org.x=y\n",
        );
        let ins = &d.stages[0].instructions;
        match &ins[0].kind {
            InstrKind::Run { heredocs, .. } => assert!(heredocs[0].contains("curl")),
            k => panic!("{k:?}"),
        }
        match &ins[1].kind {
            InstrKind::Env(p) => assert_eq!(
                p,
                &vec![("A".into(), "1".into()), ("B".into(), "two words".into())]
            ),
            k => panic!("{k:?}"),
        }
        match &ins[2].kind {
            InstrKind::Env(p) => assert_eq!(p, &vec![("LEGACY".into(), "some value".into())]),
            k => panic!("{k:?}"),
        }
        assert_eq!(ins[1].at.line, 5);
    }

    #[test]
    fn errors_have_positions() {
        let e = Dockerfile::parse(Arc::new(SourceFile::new(
            "D",
            "FROM alpine\nBOGUS x\n".into(),
        )))
        .unwrap_err();
        assert_eq!(e.line, 2);
    }
}

#[cfg(test)]
mod heredoc_tests {
    use super::*;

    fn runs(text: &str) -> Vec<(String, Vec<String>, u32)> {
        let d = Dockerfile::parse(Arc::new(SourceFile::new("Dockerfile", text.to_string())))
            .unwrap_or_else(|e| panic!("{e:?}"));
        d.stages
            .iter()
            .flat_map(|s| &s.instructions)
            .filter_map(|i| match &i.kind {
                InstrKind::Run {
                    command, heredocs, ..
                } => Some((command.clone(), heredocs.clone(), i.at.line)),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn two_heredocs_on_one_run() {
        let r = runs(
            "FROM alpine:3.20\nRUN <<A cat > /a && <<B cat > /b\nfirst\nA\nsecond\nB\nUSER app\n",
        );
        assert_eq!(
            r,
            [(
                "<<A cat > /a && <<B cat > /b".to_string(),
                vec!["first\n".to_string(), "second\n".to_string()],
                2
            )]
        );
        let d = Dockerfile::parse(Arc::new(SourceFile::new(
            "Dockerfile",
            "FROM alpine:3.20\nRUN <<A cat > /a && <<B cat > /b\nfirst\nA\nsecond\nB\nUSER app\n"
                .into(),
        )))
        .unwrap();
        let user = d.stage_user(0, &BTreeMap::new()).unwrap();
        assert_eq!((user.value.as_str(), user.at.line), ("app", 7));
    }

    #[test]
    fn chomped_quoted_and_not_first() {
        let r = runs(
            "FROM alpine:3.20\nRUN python3 <<-\"PY\" && 2<<'SH' sh \\\n  -e\n\tprint(1)\n\tPY\necho $HOME\nSH\nRUN echo done\n",
        );
        assert_eq!(r.len(), 2);
        assert_eq!(
            r[0].1,
            vec!["print(1)\n".to_string(), "echo $HOME\n".to_string()]
        );
        assert_eq!(r[0].0, "python3 <<-\"PY\" && 2<<'SH' sh \\\n  -e");
        assert_eq!((r[1].0.as_str(), r[1].2), ("echo done", 8));
    }

    #[test]
    fn no_heredoc_where_the_builder_sees_none() {
        // glued to a word, quoted, or in exec form: not a here-document
        let r = runs(
            "FROM alpine:3.20\nRUN cat<<EOF\nRUN echo \"<<EOF\" '<<X'\nRUN [\"sh\", \"-c\", \"cat <<EOF\"]\n",
        );
        assert_eq!(r.len(), 3);
        assert!(r.iter().all(|x| x.1.is_empty()));
    }

    #[test]
    fn copy_bodies_are_stepped_over_and_escape_directive_honoured() {
        let r = runs(
            "# escape=`\nFROM alpine:3.20\nCOPY <<A <<B /dst/\nRUN <<X\nA\nRUN <<Y\nB\nRUN echo a `\n  && <<Z sh\necho z\nZ\n",
        );
        assert_eq!(r.len(), 1);
        assert_eq!(r[0].1, vec!["echo z\n".to_string()]);
        assert_eq!(r[0].2, 8);
    }

    #[test]
    fn unterminated_heredoc_is_located() {
        let e = Dockerfile::parse(Arc::new(SourceFile::new(
            "D",
            "FROM alpine\nRUN <<A cat && <<B cat\none\nA\ntwo\n".into(),
        )))
        .unwrap_err();
        assert_eq!(e.line, 2);
        assert!(e.message.contains("`B`"), "{}", e.message);
    }
}
