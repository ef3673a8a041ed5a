//! `helmCharts`: charts kept in the repository (under `helmGlobals.chartHome`, `charts/` by
//! default) are rendered in-process by [`vigie_helm`], as Kustomize's Helm inflation generator
//! runs `helm template`: release name, namespace, `valuesFile` then `valuesInline` (overriding),
//! `includeCRDs`, `skipHooks`, `skipTests`, `kubeVersion`, `apiVersions`. The objects keep their template lines. A chart
//! that is not in the repository would be downloaded by Kustomize: it is reported, not pulled.

use crate::accumulate::{Ctx, Kustomization, Obj, normalize};
use crate::tree;
use vigie_core::DiagKind;
use vigie_parse::yaml::{Node, Pos, Value};

pub(crate) fn run(cx: &mut Ctx, k: &Kustomization, objs: &mut Vec<Obj>) {
    let Some(charts) = k.get("helmCharts") else {
        return;
    };
    let home = k
        .get("helmGlobals")
        .and_then(|g| g.get("chartHome"))
        .and_then(Node::as_str)
        .unwrap_or("charts")
        .to_string();
    for c in charts.items().to_vec() {
        inflate(cx, k, &home, &c, objs);
    }
}

/// Values given inline, served to the renderer as one more values file.
struct WithInline {
    dir: vigie_helm::DirFs,
    path: String,
    data: Vec<u8>,
}

impl vigie_helm::Fs for WithInline {
    fn read(&self, path: &str) -> std::io::Result<Vec<u8>> {
        if path == self.path {
            return Ok(self.data.clone());
        }
        self.dir.read(path)
    }
    fn list(&self, dir: &str) -> std::io::Result<Vec<(String, bool)>> {
        self.dir.list(dir)
    }
}

fn inflate(cx: &mut Ctx, k: &Kustomization, home: &str, c: &Node, objs: &mut Vec<Obj>) {
    let text = |key: &str| tree::str_at(c, &[key]).to_string();
    let name = text("name");
    let version = text("version");
    let candidates = [
        format!("{home}/{name}-{version}/{name}"),
        format!("{home}/{name}"),
    ];
    let Some(chart_dir) = candidates
        .iter()
        .find(|d| !name.is_empty() && k.dir.join(d).join("Chart.yaml").is_file())
        .cloned()
    else {
        cx.error(
            DiagKind::Reference,
            c.pos,
            format!(
                "helm chart {name:?} is not in {home}/ of the kustomization; Kustomize would download it, vigie does not"
            ),
        );
        return;
    };
    let chart_path = normalize(&k.dir.join(&chart_dir));
    if !cx.inside_repository(&chart_path) {
        cx.error(
            DiagKind::Reference,
            c.pos,
            format!(
                "{} is outside the repository; it was not read",
                chart_path.display()
            ),
        );
        return;
    }
    cx.include(&chart_path);
    let mut release = vigie_helm::Release::default();
    let release_name = text("releaseName");
    if !release_name.is_empty() {
        release.name = release_name;
    }
    let ns = text("namespace");
    if !ns.is_empty() {
        release.namespace = ns;
    }
    let kube = text("kubeVersion");
    if !kube.is_empty() {
        release.kube_version = Some(kube);
    }
    release.api_versions = c
        .get("apiVersions")
        .map(|l| {
            l.items()
                .iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    let values_file = text("valuesFile");
    if !values_file.is_empty() {
        release.values_files.push(values_file);
    }
    let inline_path = "<valuesInline>".to_string();
    let inline = c.get("valuesInline").filter(|v| v.as_map().is_some());
    let data = inline
        .map(|v| serde_json::to_vec(&v.to_json()).unwrap_or_default())
        .unwrap_or_default();
    if inline.is_some() {
        release.values_files.push(inline_path.clone());
    }
    let fs = WithInline {
        dir: vigie_helm::DirFs::new(k.dir.clone()),
        path: inline_path.clone(),
        data,
    };
    let rendered = vigie_helm::render(&fs, &chart_dir, &release);
    let ids: Vec<u16> = rendered
        .files
        .iter()
        .map(|f| {
            if *f == inline_path {
                k.src
            } else {
                let p = normalize(&k.dir.join(f));
                cx.include(&p);
                cx.file_id(&p)
            }
        })
        .collect();
    for d in &rendered.diagnostics {
        let p = Pos {
            line: d.location.line,
            col: d.location.column,
            src: ids
                .get(
                    rendered
                        .files
                        .iter()
                        .position(|f| **f == *d.location.path)
                        .unwrap_or(usize::MAX),
                )
                .copied()
                .unwrap_or(k.src),
        };
        cx.warn(d.kind, p, format!("helm chart {name}: {}", d.message));
    }
    if let Some(f) = &rendered.failure {
        cx.error(DiagKind::Render, c.pos, format!("helm chart {name}: {f}"));
    }
    if c.get("includeCRDs")
        .and_then(Node::as_bool)
        .unwrap_or(false)
    {
        for m in &rendered.crds {
            let stream = vigie_parse::yaml::parse(&m.content);
            let src = cx.file_id(&normalize(&k.dir.join(&m.source)));
            for d in stream.documents {
                let mut n = d.root;
                n.retag(src);
                if n.as_map().is_some() {
                    objs.push(Obj::new(n));
                }
            }
        }
    }
    let flag = |key: &str| c.get(key).and_then(Node::as_bool).unwrap_or(false);
    let (skip_hooks, skip_tests) = (flag("skipHooks"), flag("skipTests"));
    for o in rendered.objects {
        let skipped = rendered
            .manifests
            .get(o.manifest)
            .is_some_and(|m| (skip_hooks && m.hook) || (skip_tests && is_test_hook(&m.content)));
        if skipped {
            continue;
        }
        let mut n = o.node;
        remap(&mut n, &ids, k.src);
        if n.as_map().is_some() {
            objs.push(Obj::new(n));
        }
    }
}

/// `helm.sh/hook: test` objects, which `skipTests` leaves out as `helm template --skip-tests`.
fn is_test_hook(content: &str) -> bool {
    content.contains("helm.sh/hook: test") || content.contains("\"helm.sh/hook\": test")
}

fn remap(n: &mut Node, ids: &[u16], fallback: u16) {
    n.pos.src = ids.get(n.pos.src as usize).copied().unwrap_or(fallback);
    match &mut n.value {
        Value::Scalar { .. } => {}
        Value::Seq(v) => v.iter_mut().for_each(|c| remap(c, ids, fallback)),
        Value::Map(v) => v.iter_mut().for_each(|e| {
            e.key_pos.src = ids.get(e.key_pos.src as usize).copied().unwrap_or(fallback);
            remap(&mut e.value, ids, fallback);
        }),
    }
}
