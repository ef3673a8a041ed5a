//! SUP-02.3: pipelines and Dockerfiles install Node packages from the lockfile (`npm ci`).

use crate::analyze::{Analysis, Found};
use crate::facts::{self};
use crate::model::Pipeline;
use vigie_core::{CheckDoc, Severity, Verdict};

pub(crate) static DOC: CheckDoc = CheckDoc {
    id: "SUP-02.3",
    title: "CI and Dockerfiles install exactly what is locked",
    severity: Severity::Medium,
    applies_to: &["github-actions", "gitlab-ci", "cloudbuild", "dockerfile"],
    what: "Node dependencies are installed with `npm ci` (or `yarn install --frozen-lockfile`/\
           `--immutable`, `pnpm install --frozen-lockfile`) in pipelines and Dockerfiles, never \
           with a plain `npm install`.",
    why: "`npm install` may rewrite the lockfile and resolve newer versions than those reviewed; \
          `npm ci` installs the lockfile exactly and fails when it disagrees with package.json.",
    fix: "Replace `npm install` by `npm ci` (copy the lockfile into the image before it).",
    failing: (
        "Dockerfile",
        "FROM node:22-alpine\nWORKDIR /app\nCOPY package.json ./\nRUN npm install\nCOPY . .\n",
    ),
    passing: (
        "Dockerfile",
        "FROM node:22-alpine\nWORKDIR /app\nCOPY package.json package-lock.json ./\nRUN npm ci\nCOPY . .\n",
    ),
};

fn sup02_dockerfiles(dfs: &[vigie_parse::dockerfile::Dockerfile], out: &mut Vec<Verdict>) {
    use vigie_parse::dockerfile::InstrKind;
    for df in dfs {
        for (si, st) in df.stages.iter().enumerate() {
            for ins in &st.instructions {
                let InstrKind::Run { command, .. } = &ins.kind else {
                    continue;
                };
                for c in crate::shell::parse(command, crate::shell::ShellMode::ERREXIT) {
                    let Some(res) = facts::node_install(&c.words) else {
                        continue;
                    };
                    let subject = format!(
                        "{} › stage {}",
                        df.path,
                        st.name.clone().unwrap_or_else(|| si.to_string())
                    );
                    match res {
                        Ok(w) => out.push(Verdict::pass(&DOC, subject, ins.at.clone(), format!("`{w}` installs exactly what the lockfile records"))),
                        Err(w) => out.push(Verdict::fail(
                            &DOC,
                            subject,
                            ins.at.clone(),
                            format!("`RUN {w}` may resolve versions anew instead of installing the lockfile"),
                            "copy the lockfile into the image and use `RUN npm ci`",
                        )),
                    }
                }
            }
        }
    }
}

/// Node installs in a pipeline's commands.
fn installs_in(p: &Pipeline, out: &mut Vec<Verdict>) {
    for (pt, res) in facts::find(p, |c, _, _| facts::node_install(&c.words), |_| None) {
        let subject = p.subject(pt.job, Some(pt.step));
        let at = facts::point_loc(p, pt);
        match res {
            Ok(w) => out.push(Verdict::pass(
                &DOC,
                subject,
                at,
                format!("`{w}` installs exactly what the lockfile records"),
            )),
            Err(w) => out.push(Verdict::fail(
                &DOC,
                subject,
                at,
                format!("`{w}` may resolve versions anew and rewrite the lockfile"),
                "use `npm ci` (or `yarn install --immutable`, `pnpm install --frozen-lockfile`)",
            )),
        }
    }
}

pub(crate) fn judge(m: &Analysis<'_>, out: &mut Found) {
    for l in m.pipelines.iter().filter(|l| l.judged()) {
        installs_in(&l.pipeline, &mut out.verdicts);
    }
    sup02_dockerfiles(m.repo.dockerfiles, &mut out.verdicts);
}
