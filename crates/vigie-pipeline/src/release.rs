//! What a pipeline releases: its image build and push paths and its deployments (read by SUP-01,
//! SUP-04 and SUP-05), and where deployment enforces image signatures (SUP-05.2).

use crate::facts::{self, ImageOp};
use crate::model::{Pipeline, Point, System};
use vigie_core::Location;

/// An image build or push path: the job, its first push (else its first build).
#[derive(Debug, Clone)]
pub struct BuildPath {
    pub point: Point,
    pub op: ImageOp,
    pub image: Option<String>,
    /// Cloud Build `images:` (pushed after every step).
    pub end_of_build: bool,
    pub at: Location,
    pub subject: String,
}

pub(crate) fn pushes(op: ImageOp) -> bool {
    matches!(op, ImageOp::Push | ImageOp::BuildPush)
}

/// The image release paths of a pipeline (the builds that publish an image, with the push that
/// matters for each job) and its deployments.
///
/// A pipeline that builds images but neither pushes them nor deploys anything releases nothing:
/// a `docker build` in a pull-request check tests the Dockerfile, and the image dies with the
/// runner. The release gates (SUP-01 scan before the push, SUP-04 SBOM and provenance, SUP-05
/// signature) concern published images, so such builds are not release paths.
pub fn build_paths(p: &Pipeline) -> (Vec<BuildPath>, Vec<Point>) {
    let ops = facts::find(p, |c, _, _| facts::image_op(c), facts::action_image_op);
    let deploys: Vec<Point> = ops
        .iter()
        .filter(|(_, (o, _))| *o == ImageOp::Deploy)
        .map(|(pt, _)| *pt)
        .collect();
    let publishes = ops.iter().any(|(_, (o, _))| pushes(*o))
        || !deploys.is_empty()
        || (p.system == System::CloudBuild && !p.images.is_empty());
    if !publishes {
        return (Vec::new(), deploys);
    }
    let mut paths: Vec<BuildPath> = Vec::new();
    for j in 0..p.jobs.len() {
        let mine: Vec<&(Point, (ImageOp, Option<String>))> = ops
            .iter()
            .filter(|(pt, (o, _))| pt.job == j && *o != ImageOp::Deploy)
            .collect();
        let chosen = mine.iter().find(|(_, (o, _))| pushes(*o)).or(mine.first());
        // a job that only builds, when another job pushes: the push is the path that matters
        if chosen.is_some_and(|(_, (o, _))| !pushes(*o)) && ops.iter().any(|(_, (o, _))| pushes(*o))
        {
            continue;
        }
        if let Some((pt, (op, img))) = chosen {
            let img = img
                .clone()
                .or_else(|| mine.iter().find_map(|(_, (_, i))| i.clone()));
            paths.push(BuildPath {
                point: *pt,
                op: *op,
                image: img,
                end_of_build: false,
                at: facts::point_loc(p, *pt),
                subject: p.subject(pt.job, Some(pt.step)),
            });
        }
    }
    let explicit_push = paths.iter().any(|bp| pushes(bp.op));
    if p.system == System::CloudBuild
        && !p.images.is_empty()
        && !p.jobs.is_empty()
        && !explicit_push
    {
        // the images are pushed by the service after every step succeeded (a step that already
        // pushed them is the path that matters when there is one)
        let steps = p.jobs[0].steps.len();
        paths.clear();
        paths.push(BuildPath {
            point: Point {
                job: 0,
                step: steps,
                cmd: 0,
            },
            op: ImageOp::Push,
            image: p.images.first().map(|i| i.value.clone()),
            end_of_build: true,
            at: p.images[0].at.clone(),
            subject: format!("{} › images", p.file),
        });
    }
    (paths, deploys)
}

/// Why a failure at `a` is swallowed by its own command, step or job.
pub(crate) fn own_swallow(p: &Pipeline, a: Point) -> Option<String> {
    let job = &p.jobs[a.job];
    let st = &job.steps[a.step];
    st.commands
        .get(a.cmd)
        .and_then(|c| c.swallowed.clone())
        .or_else(|| {
            st.allow_failure
                .as_ref()
                .map(|_| "its step may fail without failing the job".into())
        })
        .or_else(|| {
            job.allow_failure
                .as_ref()
                .map(|_| format!("job `{}` may fail without failing the pipeline", job.id))
        })
        .or_else(|| {
            st.after
                .then(|| "it runs in `after_script`, whose failures never fail the job".into())
        })
}

pub(crate) fn image_desc(bp: &BuildPath) -> String {
    let what = match bp.op {
        ImageOp::Build => "builds",
        ImageOp::Push => "pushes",
        ImageOp::BuildPush => "builds and pushes",
        ImageOp::Deploy => "deploys",
    };
    match &bp.image {
        Some(i) => format!("{what} the image `{i}`"),
        None => format!("{what} an image"),
    }
}

pub(crate) fn capital(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

/// Where deployment is enforced to verify signatures: Kubernetes policies and Terraform.
#[derive(Debug, Clone)]
pub struct Enforcement {
    pub at: Location,
    pub what: String,
    /// Why it does not enforce (audit mode…); None when it enforces.
    pub weak: Option<String>,
}

pub fn enforcement_of_object(o: &vigie_parse::kubernetes::Object) -> Option<Enforcement> {
    let api = o.api_version.as_str();
    if api.starts_with("kyverno.io/") && matches!(o.kind.as_str(), "ClusterPolicy" | "Policy") {
        let spec = o.node.get("spec")?;
        let rules = spec.get("rules")?.items();
        let rule = rules.iter().find(|r| r.get("verifyImages").is_some())?;
        let global = spec
            .get("validationFailureAction")
            .and_then(|n| n.as_str())
            .map(str::to_ascii_lowercase);
        let per = rule
            .get("verifyImages")
            .and_then(|v| v.items().first())
            .and_then(|v| v.get("failureAction"))
            .and_then(|n| n.as_str())
            .map(str::to_ascii_lowercase);
        let mode = per.or(global);
        return Some(Enforcement {
            at: o.at.clone(),
            what: format!("Kyverno {} `{}` (verifyImages)", o.kind, o.name),
            weak: (mode.as_deref() == Some("audit"))
                .then(|| "it is in Audit mode: unsigned images are only reported".to_string()),
        });
    }
    if api.starts_with("policy.sigstore.dev/") && o.kind == "ClusterImagePolicy" {
        let mode = o
            .node
            .path(&["spec", "mode"])
            .and_then(|n| n.as_str())
            .map(str::to_ascii_lowercase);
        return Some(Enforcement {
            at: o.at.clone(),
            what: format!("Sigstore ClusterImagePolicy `{}`", o.name),
            weak: (mode.as_deref() == Some("warn")).then(|| "`mode: warn` only warns".to_string()),
        });
    }
    None
}

/// A pipeline that verifies signatures before every deployment it makes (the enforcement point
/// for platforms without admission control, such as Compose hosts).
pub fn enforcement_in_pipeline(p: &Pipeline, deploys: &[Point]) -> Option<Enforcement> {
    if deploys.is_empty() {
        return None;
    }
    let verifies = facts::find(p, |c, _, _| facts::verify_of_command(c), |_| None);
    let first = verifies.first()?;
    let all = deploys
        .iter()
        .all(|d| verifies.iter().any(|(v, _)| p.gates(*v, *d).is_none()));
    Some(Enforcement {
        at: facts::point_loc(p, first.0),
        what: format!("`{}` in {}", first.1, p.file),
        weak: (!all).then(|| "it does not run (or its failure is swallowed) before every deployment of the pipeline".to_string()),
    })
}

/// Binary Authorization in Terraform (a textual look: the Terraform model is separate).
pub fn enforcement_in_terraform(rel: &str, text: &str) -> Vec<Enforcement> {
    let mut out = Vec::new();
    let mut in_policy: Option<u32> = None;
    for (i, line) in text.lines().enumerate() {
        let l = line.trim();
        let n = i as u32 + 1;
        if l.starts_with("resource") && l.contains("\"google_binary_authorization_policy\"") {
            in_policy = Some(n);
        }
        if let Some(start) = in_policy
            && l.contains("evaluation_mode")
            && l.contains("REQUIRE_ATTESTATION")
        {
            let weak = text
                .lines()
                .skip(start as usize - 1)
                .take(60)
                .find(|x| x.contains("enforcement_mode"))
                .filter(|x| x.contains("DRYRUN"))
                .map(|_| "its enforcement mode is DRYRUN_AUDIT_LOG_ONLY".to_string());
            out.push(Enforcement {
                at: Location::new(rel.into(), start, 1),
                what: "Binary Authorization policy requiring attestations".into(),
                weak,
            });
            in_policy = None;
        }
        if l.contains("PROJECT_SINGLETON_POLICY_ENFORCE") {
            out.push(Enforcement {
                at: Location::new(rel.into(), n, 1),
                what: "GKE cluster enforcing the Binary Authorization policy".into(),
                weak: None,
            });
        }
    }
    out
}
