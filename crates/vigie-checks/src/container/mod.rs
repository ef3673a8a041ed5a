//! Container hardening: CNT-01 to CNT-10.
//!
//! Runtime checks judge every [`Workload`] (a Compose service or a Kubernetes container, after
//! the platform's own precedence rules were applied by lowering): the same code serves both
//! platforms, only the fix is written in each platform's own syntax. Image checks judge the
//! Dockerfiles of the repository (subject: the Dockerfile path, or `path › stage NAME` for a
//! finding about one stage) and the image references of workloads that are not built here.
//!
//! Every check records a pass per subject that meets it, with the line that proves it, and a
//! failure per problem, at the offending line (or at the container's declaration when the fix is
//! to add something).
//!
//! Each check is one file (`cntNN_*.rs`) holding its `DOC` beside its judge, `run`, declared
//! below by its `mod` line and its name in the `checks!` list (CONTRIBUTING.md, "Adding a
//! check").

pub mod cnt01_non_root;
pub mod cnt02_capabilities;
pub mod cnt03_no_new_privileges;
pub mod cnt04_read_only_rootfs;
pub mod cnt05_1_not_unconfined;
pub mod cnt05_2_seccomp_profile;
pub mod cnt05_3_seccomp_file;
pub mod cnt06_1_not_privileged;
pub mod cnt06_2_no_devices;
pub mod cnt07_host_namespaces;
pub mod cnt08_1_memory_limit;
pub mod cnt08_2_cpu_limit;
pub mod cnt08_3_pids_limit;
pub mod cnt08_4_cgroup_parent;
pub mod cnt09_host_mounts;
pub mod cnt10_1_image_tag;
pub mod cnt10_2_image_digest;
pub mod cnt10_3_healthcheck;
pub mod cnt10_4_copy_not_add;
pub mod cnt10_5_build_secrets;
pub mod cnt10_6_download_to_shell;
pub mod cnt10_7_index_update_alone;
pub mod image_ref;
pub mod shell;

use vigie_core::Location;
use vigie_core::model::{Platform, Workload};
use vigie_parse::dockerfile::{Dockerfile, Stage};

vigie_core::checks! {
    pub judge: fn(&crate::Context<'_>, &mut Vec<vigie_core::Verdict>) = run;
    cnt01_non_root,
    cnt02_capabilities,
    cnt03_no_new_privileges,
    cnt04_read_only_rootfs,
    cnt05_1_not_unconfined,
    cnt05_2_seccomp_profile,
    cnt05_3_seccomp_file,
    cnt06_1_not_privileged,
    cnt06_2_no_devices,
    cnt07_host_namespaces,
    cnt08_1_memory_limit,
    cnt08_2_cpu_limit,
    cnt08_3_pids_limit,
    cnt08_4_cgroup_parent,
    cnt09_host_mounts,
    cnt10_1_image_tag,
    cnt10_2_image_digest,
    cnt10_3_healthcheck,
    cnt10_4_copy_not_add,
    cnt10_5_build_secrets,
    cnt10_6_download_to_shell,
    cnt10_7_index_update_alone,
}

/// The inputs of runtime checks.
pub(crate) const RUNTIME: &[&str] = &["compose", "kubernetes"];
/// The inputs of image checks.
pub(crate) const DOCKERFILE: &[&str] = &["dockerfile"];

/// A location as people write it in a sentence: `api/Dockerfile:14`, or the path alone.
pub(crate) fn short(at: &Location) -> String {
    if at.line == 0 {
        at.path.to_string()
    } else {
        format!("{}:{}", at.path, at.line)
    }
}

/// The fix (or any text) in the workload's platform syntax.
pub(crate) fn by_platform(w: &Workload, compose: &str, kubernetes: &str) -> String {
    match w.platform {
        Platform::Compose => compose.to_string(),
        Platform::Kubernetes => kubernetes.to_string(),
    }
}

/// The subject of a finding about one stage: `api/Dockerfile › stage build` (or the stage's
/// 0-based index when it has no name, as `COPY --from=0` names it).
pub(crate) fn stage_subject(d: &Dockerfile, s: &Stage) -> String {
    match &s.name {
        Some(n) => format!("{} › stage {n}", d.path),
        None => format!("{} › stage {}", d.path, s.index),
    }
}

/// The whole text of the instruction starting at `at`, continuation lines (`\` at the end of a
/// line) joined. Bounded, so a pathological file cannot make it quadratic.
pub(crate) fn instruction_text(d: &Dockerfile, at: &Location) -> String {
    let mut out = String::new();
    let mut line = at.line;
    for _ in 0..256 {
        let Some(t) = d.source.line_text(line) else {
            break;
        };
        let t = t.trim_end();
        match t.strip_suffix('\\') {
            Some(head) => {
                out.push_str(head);
                out.push(' ');
                line += 1;
            }
            None => {
                out.push_str(t);
                break;
            }
        }
    }
    out
}

/// Whether a Dockerfile is built by a Compose service (its image is then judged through the
/// service, whose settings may override the Dockerfile's).
pub(crate) fn built_by_compose(cx: &crate::Context<'_>, d: &Dockerfile) -> bool {
    cx.built_by_compose.contains(&*d.path)
}

/// Whether a Skaffold artifact of the repository builds a Dockerfile (its image is then run by
/// Kubernetes, and judged through the containers that run it, whose settings may override the
/// Dockerfile's).
pub(crate) fn built_by_skaffold(cx: &crate::Context<'_>, d: &Dockerfile) -> bool {
    cx.artifacts
        .iter()
        .any(|a| a.dockerfile.as_deref() == Some(&*d.path))
}

/// The failure of a container setting that privileged mode overrides, when the container is
/// privileged: at its `privileged: true`, with the fix in the order that works (stop being
/// privileged, then set what the check asks: `then` for Compose and for Kubernetes).
pub(crate) fn privileged_first(
    doc: &'static vigie_core::CheckDoc,
    w: &Workload,
    message: &str,
    then: (&str, &str),
) -> Option<vigie_core::Verdict> {
    let p = w.privileged.as_ref().filter(|p| p.value)?;
    Some(vigie_core::Verdict::fail(
        doc,
        &w.subject,
        p.at.clone(),
        message,
        by_platform(
            w,
            &format!("remove \"privileged: true\" (CNT-06.1), then {}", then.0),
            &format!(
                "remove securityContext.privileged: true (CNT-06.1), then {}",
                then.1
            ),
        ),
    ))
}

/// A resource limit as the runtime reads it: `0` and negative numbers mean no limit.
pub(crate) fn limit_is_set(value: &str) -> bool {
    let v = value.trim();
    if v.is_empty() {
        return false;
    }
    match v.parse::<f64>() {
        Ok(n) => n > 0.0,
        Err(_) => true,
    }
}

/// One resource-limit check on one workload: a pass at the limit, a failure at the limit when
/// it disables limiting, a failure at the container's declaration when it is missing.
pub(crate) fn judge_limit(
    doc: &'static vigie_core::CheckDoc,
    w: &Workload,
    limit: Option<&vigie_core::model::At<String>>,
    what: &str,
    fix_compose: &str,
    fix_kubernetes: &str,
    out: &mut Vec<vigie_core::Verdict>,
) {
    use vigie_core::Verdict;
    match limit {
        Some(l) if limit_is_set(&l.value) => out.push(Verdict::pass(
            doc,
            &w.subject,
            l.at.clone(),
            format!("{what} limited to {} ({})", l.value.trim(), short(&l.at)),
        )),
        Some(l) => out.push(Verdict::fail(
            doc,
            &w.subject,
            l.at.clone(),
            format!("the {what} limit `{}` means no limit", l.value.trim()),
            by_platform(w, fix_compose, fix_kubernetes),
        )),
        None => out.push(Verdict::fail(
            doc,
            &w.subject,
            w.origin.clone(),
            format!("no {what} limit"),
            by_platform(w, fix_compose, fix_kubernetes),
        )),
    }
}

#[cfg(test)]
pub(crate) mod testing {
    //! Contexts built from example text, for the checks' unit tests.

    use crate::{Context, FileLookup};
    use std::collections::{BTreeMap, BTreeSet, HashMap};
    use std::sync::Arc;
    use vigie_core::catalog::Catalog;
    use vigie_core::model::Workload;
    use vigie_core::{CheckDoc, SourceFile, Verdict};
    use vigie_parse::dockerfile::Dockerfile;
    use vigie_parse::kubernetes::{self, Object};
    use vigie_parse::{compose, yaml};

    pub(crate) type Run = fn(&Context<'_>, &mut Vec<Verdict>);

    pub(crate) struct MemFiles(pub BTreeMap<String, String>);

    impl FileLookup for MemFiles {
        fn exists(&self, path: &str) -> bool {
            self.0.contains_key(path)
        }
        fn read(&self, path: &str) -> Option<String> {
            self.0.get(path).cloned()
        }
    }

    pub(crate) struct Fixture {
        pub dockerfiles: Vec<Dockerfile>,
        pub workloads: Vec<Workload>,
        pub objects: Vec<Object>,
        pub files: MemFiles,
        pub built: BTreeSet<String>,
        /// The artifacts of the Skaffold configurations among the files.
        pub artifacts: Vec<vigie_parse::skaffold::Artifact>,
    }

    fn is_dockerfile(path: &str) -> bool {
        let name = path.rsplit('/').next().unwrap_or(path);
        name == "Dockerfile" || name.ends_with(".Dockerfile") || name.starts_with("Dockerfile.")
    }

    impl Fixture {
        /// The example's text as the one file of its kind (`Dockerfile`, `k8s.yaml` or
        /// `docker-compose.yml`), with further files of the repository beside it.
        pub(crate) fn new(kind: &str, text: &str, extra: &[(&str, &str)]) -> Fixture {
            let main = match kind {
                "dockerfile" => "Dockerfile",
                "kubernetes" => "k8s.yaml",
                "compose" => "docker-compose.yml",
                other => panic!("unknown example kind {other}"),
            };
            let mut files: BTreeMap<String, String> = extra
                .iter()
                .map(|(p, t)| (p.to_string(), t.to_string()))
                .collect();
            files.insert(main.to_string(), text.to_string());
            let dockerfiles: Vec<Dockerfile> = files
                .iter()
                .filter(|(p, _)| is_dockerfile(p))
                .map(|(p, t)| {
                    Dockerfile::parse(Arc::new(SourceFile::new(p.as_str(), t.clone())))
                        .unwrap_or_else(|e| panic!("{p}:{}: {}", e.line, e.message))
                })
                .collect();
            let artifacts: Vec<vigie_parse::skaffold::Artifact> = files
                .iter()
                .filter(|(p, _)| vigie_parse::skaffold::is_config(p))
                .flat_map(|(p, t)| {
                    let (a, d) = vigie_parse::skaffold::artifacts(&Arc::from(p.as_str()), t);
                    assert!(d.is_empty(), "{d:?}");
                    a
                })
                .collect();
            let catalog = Catalog::embedded();
            let mut workloads = Vec::new();
            let mut objects = Vec::new();
            let mut built = BTreeSet::new();
            match kind {
                "kubernetes" => {
                    let s = yaml::parse(text);
                    assert!(s.error.is_none(), "{:?}", s.error);
                    objects = kubernetes::objects(
                        &Arc::from(main),
                        s.documents.into_iter().map(|d| d.root).collect(),
                    );
                    for o in &objects {
                        workloads.extend(kubernetes::workloads(o, catalog));
                    }
                    super::image_ref::join_artifacts(
                        &mut workloads,
                        &artifacts,
                        &dockerfiles,
                        catalog,
                    );
                }
                "compose" => {
                    let read = |p: &str| files.get(p).cloned();
                    let project = compose::load(&[main.to_string()], &read);
                    assert!(project.diagnostics.is_empty(), "{:?}", project.diagnostics);
                    let map: HashMap<&str, &Dockerfile> =
                        dockerfiles.iter().map(|d| (&*d.path, d)).collect();
                    let lowered = compose::lower(&project, &map, catalog);
                    assert!(lowered.diagnostics.is_empty(), "{:?}", lowered.diagnostics);
                    workloads = lowered.workloads;
                    built = lowered.builds.into_iter().collect();
                }
                _ => {}
            }
            Fixture {
                dockerfiles,
                workloads,
                objects,
                files: MemFiles(files),
                built,
                artifacts,
            }
        }

        pub(crate) fn cx(&self) -> Context<'_> {
            Context {
                catalog: Catalog::embedded(),
                dockerfiles: &self.dockerfiles,
                workloads: &self.workloads,
                objects: &self.objects,
                files: &self.files,
                built_by_compose: &self.built,
                artifacts: &self.artifacts,
                cache: Default::default(),
            }
        }

        pub(crate) fn run(&self, run: Run) -> Vec<Verdict> {
            let mut out = Vec::new();
            run(&self.cx(), &mut out);
            out
        }
    }

    /// Run one example through a check.
    pub(crate) fn run_example(
        run: Run,
        example: (&str, &str),
        extra: &[(&str, &str)],
    ) -> Vec<Verdict> {
        Fixture::new(example.0, example.1, extra).run(run)
    }

    /// The failing example fails (and every verdict is the check's), the passing example passes
    /// with no failure.
    pub(crate) fn assert_examples(
        doc: &CheckDoc,
        run: Run,
        extra_failing: &[(&str, &str)],
        extra_passing: &[(&str, &str)],
    ) {
        assert!(
            doc.applies_to.contains(&doc.failing.0) && doc.applies_to.contains(&doc.passing.0),
            "{}: example kinds must be among applies_to",
            doc.id
        );
        let bad = run_example(run, doc.failing, extra_failing);
        assert!(bad.iter().all(|v| v.check == doc.id));
        assert!(
            bad.iter().any(Verdict::is_fail),
            "{}: the failing example does not fail: {bad:#?}",
            doc.id
        );
        for v in bad.iter().filter(|v| v.is_fail()) {
            assert!(v.fix().is_some_and(|f| !f.is_empty()));
            assert!(
                v.location.line > 0,
                "{}: failure without a line: {v:?}",
                doc.id
            );
        }
        let good = run_example(run, doc.passing, extra_passing);
        assert!(
            !good.is_empty() && good.iter().all(Verdict::is_pass),
            "{}: the passing example does not pass: {good:#?}",
            doc.id
        );
    }

    /// The verdicts of a check on a subject, as (pass?, line, message).
    pub(crate) fn summary(vs: &[Verdict]) -> Vec<(bool, u32, String)> {
        vs.iter()
            .map(|v| (v.is_pass(), v.location.line, v.message.to_string()))
            .collect()
    }
}

#[cfg(test)]
mod never_panic {
    use super::testing::MemFiles;
    use super::*;
    use proptest::prelude::*;
    use std::collections::{BTreeMap, BTreeSet};
    use std::sync::Arc;
    use vigie_core::SourceFile;
    use vigie_core::catalog::Catalog;

    fn dockerfile_text() -> impl Strategy<Value = String> {
        let line = prop_oneof![
            Just("FROM node:22 AS build".to_string()),
            Just("FROM build".to_string()),
            Just("FROM ${BASE}".to_string()),
            Just("ARG BASE=alpine@sha256:é".to_string()),
            Just("USER ${U}".to_string()),
            Just("ADD --checksum=x https://e/x /x".to_string()),
            Just("HEALTHCHECK NONE".to_string()),
            "RUN [ -~é|&;$()`<]{0,40}".prop_map(|s| s),
            "ENV [A-Z_]{1,8}=[ -~é]{0,12}".prop_map(|s| s),
            "LABEL [a-z.]{1,8}=[ -~]{0,12}".prop_map(|s| s),
        ];
        prop::collection::vec(line, 1..8).prop_map(|ls| ls.join("\n"))
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn helpers_take_any_text(s in "[ -~é\n\\\\|&;$()`<]{0,80}") {
            let _ = shell::download_into_interpreter(&s);
            let _ = cnt10_7_index_update_alone::lone_refresh(&s);
            let r = image_ref::ImageRef::parse(&s);
            let _ = (r.pinned(), r.explicit_tag(), image_ref::short_digest(&s));
            let _ = (cnt10_5_build_secrets::is_literal(&s), cnt10_5_build_secrets::secret_name(&s));
            let red = cnt10_5_build_secrets::redact(&s);
            if s.chars().count() > 1 {
                prop_assert!(!red.starts_with(&s));
            }
            let _ = cnt09_host_mounts::sensitive(&s);
            let _ = cnt05_3_seccomp_file::validate(&s);
        }

        #[test]
        fn checks_take_any_dockerfile(text in dockerfile_text()) {
            let Ok(d) = Dockerfile::parse(Arc::new(SourceFile::new("Dockerfile", text))) else {
                return Ok(());
            };
            let files = MemFiles(BTreeMap::new());
            let built = BTreeSet::new();
            let dockerfiles = [d];
            let cx = crate::Context {
                catalog: Catalog::embedded(),
                dockerfiles: &dockerfiles,
                workloads: &[],
                objects: &[],
                files: &files,
                built_by_compose: &built,
                artifacts: &[],
                cache: Default::default(),
            };
            for c in CHECKS {
                let mut out = Vec::new();
                (c.judge)(&cx, &mut out);
                for v in &out {
                    prop_assert_eq!(v.check, c.doc.id);
                }
            }
        }
    }
}
