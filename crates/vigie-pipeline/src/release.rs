//! The supply-chain checks on the pipeline model (SUP-01, SUP-02, SUP-04, SUP-05, SUP-06).

use crate::facts::{self, ImageOp};
use crate::model::{Pipeline, Point, System};
use vigie_core::{CheckDoc, Location, Severity, Verdict};

const WF_FAIL_SCAN: &str = "on: push\npermissions:\n  contents: read\n  packages: write\njobs:\n  image:\n    runs-on: ubuntu-24.04\n    steps:\n      - run: docker build -t ghcr.io/acme/api:${{ github.sha }} .\n      - run: docker push ghcr.io/acme/api:${{ github.sha }}\n      - run: trivy image --severity CRITICAL,HIGH --exit-code 1 ghcr.io/acme/api:${{ github.sha }} || true\n";
const WF_PASS_SCAN: &str = "on: push\npermissions:\n  contents: read\n  packages: write\njobs:\n  image:\n    runs-on: ubuntu-24.04\n    steps:\n      - run: docker build -t ghcr.io/acme/api:${{ github.sha }} .\n      - run: trivy image --severity CRITICAL,HIGH --exit-code 1 ghcr.io/acme/api:${{ github.sha }}\n      - run: docker push ghcr.io/acme/api:${{ github.sha }}\n";

pub static SUP01: CheckDoc = CheckDoc {
    id: "SUP-01",
    title: "Every image build is gated by a vulnerability scan",
    severity: Severity::High,
    applies_to: &["github-actions", "gitlab-ci", "cloudbuild"],
    what: "In a pipeline that publishes images (pushes them or deploys; a build that does neither \
           is a test, not a release), every job or build step that builds or pushes a container image is preceded by a \
           vulnerability scan (Trivy `image`/`fs`/`config` with `--severity` including CRITICAL and \
           HIGH and `--exit-code 1` — given as flags, `TRIVY_*` variables or in the `trivy.yaml` \
           at the root or named by `--config`, with Trivy's precedence —, the Trivy action with the \
           same inputs, or Grype with `--fail-on high` or lower) that runs before the push (or before every deployment), and whose failure \
           is not swallowed by `|| true`, `set +e`, a pipe without `pipefail`, `continue-on-error` \
           or `allow_failure`.",
    why: "A scan that reports but never fails, or runs after the image is already pushed and \
          deployed, documents vulnerabilities instead of stopping them: the image with a known \
          critical flaw still reaches production.",
    fix: "Run `trivy image --severity CRITICAL,HIGH --exit-code 1 IMAGE` between the build and the \
          push, and remove whatever swallows its exit code.",
    failing: (".github/workflows/build.yml", WF_FAIL_SCAN),
    passing: (".github/workflows/build.yml", WF_PASS_SCAN),
};

pub static SUP02_AUDIT: CheckDoc = CheckDoc {
    id: "SUP-02.1",
    title: "Node dependencies are audited in CI and the audit gates",
    severity: Severity::Medium,
    applies_to: &["github-actions", "gitlab-ci", "cloudbuild"],
    what: "A pipeline that installs or builds Node packages runs `npm audit` (or `pnpm audit`, \
           `yarn npm audit`, `yarn audit`) with `--audit-level=high` or lower, and nothing swallows \
           its failure.",
    why: "An audit whose failure is ignored, or that blocks on nothing stated, lets a dependency \
          with a published HIGH vulnerability ship.",
    fix: "Add `npm audit --audit-level=high` after `npm ci`, without `|| true` or `continue-on-error`.",
    failing: (
        ".github/workflows/node.yml",
        "on: push\npermissions:\n  contents: read\njobs:\n  test:\n    runs-on: ubuntu-24.04\n    steps:\n      - run: npm ci\n      - run: npm audit || true\n",
    ),
    passing: (
        ".github/workflows/node.yml",
        "on: push\npermissions:\n  contents: read\njobs:\n  test:\n    runs-on: ubuntu-24.04\n    steps:\n      - run: npm ci\n      - run: npm audit --audit-level=high\n",
    ),
};

pub static SUP02_LOCK: CheckDoc = CheckDoc {
    id: "SUP-02.2",
    title: "A lockfile is committed beside every package.json",
    severity: Severity::Medium,
    applies_to: &["package.json"],
    what: "Every `package.json` that declares dependencies has a lockfile beside it \
           (`package-lock.json`, `npm-shrinkwrap.json`, `yarn.lock`, `pnpm-lock.yaml`, `bun.lock`), \
           or belongs to a workspace whose root has one.",
    why: "Without a lockfile every install resolves version ranges anew: what is built is not \
          what was reviewed, and a compromised new release is picked up silently.",
    fix: "Run `npm install` once locally and commit the `package-lock.json` it writes.",
    failing: (
        "package.json",
        "{\n  \"name\": \"api\",\n  \"dependencies\": {\n    \"express\": \"^4.19.2\"\n  }\n}\n",
    ),
    passing: (
        "package.json",
        "{\n  \"name\": \"tools\",\n  \"private\": true\n}\n",
    ),
};

pub static SUP02_CI: CheckDoc = CheckDoc {
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

pub static SUP04_SBOM: CheckDoc = CheckDoc {
    id: "SUP-04.1",
    title: "Image builds produce and keep an SBOM",
    severity: Severity::Medium,
    applies_to: &["github-actions", "gitlab-ci", "cloudbuild"],
    what: "A pipeline that builds and publishes images (pushes them or deploys) produces a bill of materials (Trivy `--format cyclonedx`, \
           Syft, `vigie sbom`, `docker buildx --sbom`, the SBOM actions) and keeps it: attached to \
           the image, attested, or uploaded as an artifact.",
    why: "When the next critical vulnerability is published, the SBOMs of what was shipped answer \
          \"are we affected, and where\" in minutes instead of days.",
    fix: "Add `trivy image --format cyclonedx --output sbom.cdx.json IMAGE` and upload the file \
          (`actions/upload-artifact`, GitLab `artifacts:paths`, Cloud Build `artifacts`) or attest \
          it with `cosign attest --type cyclonedx`.",
    failing: (".github/workflows/build.yml", WF_PASS_SCAN),
    passing: (
        ".github/workflows/build.yml",
        "on: push\npermissions:\n  contents: read\njobs:\n  image:\n    runs-on: ubuntu-24.04\n    steps:\n      - run: docker build -t ghcr.io/acme/api:${{ github.sha }} .\n      - run: trivy image --format cyclonedx --output sbom.cdx.json ghcr.io/acme/api:${{ github.sha }}\n      - run: docker push ghcr.io/acme/api:${{ github.sha }}\n      - uses: actions/upload-artifact@ea165f8d65b6e75b540449e92b4886f43607fa02 # v4.6.2\n        with:\n          name: sbom\n          path: sbom.cdx.json\n",
    ),
};

pub static SUP04_PROV: CheckDoc = CheckDoc {
    id: "SUP-04.2",
    title: "Image builds produce provenance",
    severity: Severity::Medium,
    applies_to: &["github-actions", "gitlab-ci", "cloudbuild"],
    what: "A pipeline that builds and publishes images (pushes them or deploys) produces build provenance: the SLSA GitHub generator, \
           `actions/attest-build-provenance`, `docker buildx build --provenance=mode=max`, \
           `cosign attest --type slsaprovenance`, or Cloud Build `options.requestedVerifyOption: VERIFIED`.",
    why: "Provenance is a signed statement of which source, builder and parameters produced an \
          artifact; without it nobody can show that the deployed image came from the reviewed code.",
    fix: "Add `--provenance=mode=max` to `docker buildx build`, or `requestedVerifyOption: VERIFIED` \
          to the Cloud Build options.",
    failing: (
        "cloudbuild.yaml",
        "steps:\n  - name: gcr.io/cloud-builders/docker\n    args: [build, -t, europe-docker.pkg.dev/acme/app/api:$SHORT_SHA, .]\nimages:\n  - europe-docker.pkg.dev/acme/app/api:$SHORT_SHA\n",
    ),
    passing: (
        "cloudbuild.yaml",
        "steps:\n  - name: gcr.io/cloud-builders/docker\n    args: [build, -t, europe-docker.pkg.dev/acme/app/api:$SHORT_SHA, .]\nimages:\n  - europe-docker.pkg.dev/acme/app/api:$SHORT_SHA\noptions:\n  requestedVerifyOption: VERIFIED\n",
    ),
};

pub static SUP04_VERIFIED: CheckDoc = CheckDoc {
    id: "SUP-04.3",
    title: "Cloud Build enforces requestedVerifyOption: VERIFIED",
    severity: Severity::Medium,
    applies_to: &["cloudbuild"],
    what: "Every Cloud Build configuration sets `options.requestedVerifyOption: VERIFIED`, so that \
           Cloud Build verifies the build's sources and records signed SLSA provenance for the \
           images it pushes, whatever the configuration builds.",
    why: "Without it Cloud Build neither checks where the build's sources came from nor vouches \
          for them: an image built from an unverified source is indistinguishable from one built \
          from the reviewed repository.",
    fix: "Add `options:` `requestedVerifyOption: VERIFIED` to the build configuration.",
    failing: (
        "cloudbuild.yaml",
        "steps:\n  - name: gcr.io/cloud-builders/docker\n    args: [build, -t, europe-docker.pkg.dev/acme/app/api:$SHORT_SHA, .]\noptions:\n  requestedVerifyOption: NOT_VERIFIED\n",
    ),
    passing: (
        "cloudbuild.yaml",
        "steps:\n  - name: gcr.io/cloud-builders/docker\n    args: [build, -t, europe-docker.pkg.dev/acme/app/api:$SHORT_SHA, .]\noptions:\n  requestedVerifyOption: VERIFIED\n",
    ),
};

pub static SUP05_SIGN: CheckDoc = CheckDoc {
    id: "SUP-05.1",
    title: "Pushed images are signed",
    severity: Severity::High,
    applies_to: &["github-actions", "gitlab-ci", "cloudbuild"],
    what: "Every push of an image is followed by a signature of it (`cosign sign`, keyless or with \
           a key, `notation sign`, or a Binary Authorization attestation).",
    why: "A signature binds the image digest to the pipeline that built it, so the cluster can \
          refuse an image pushed by anyone else.",
    fix: "After the push, run `cosign sign --yes IMAGE@DIGEST` (keyless with the CI's OIDC token).",
    failing: (".github/workflows/build.yml", WF_PASS_SCAN),
    passing: (
        ".github/workflows/build.yml",
        "on: push\npermissions:\n  contents: read\n  packages: write\n  id-token: write\njobs:\n  image:\n    runs-on: ubuntu-24.04\n    steps:\n      - run: docker build -t ghcr.io/acme/api:${{ github.sha }} .\n      - run: docker push ghcr.io/acme/api:${{ github.sha }}\n      - run: cosign sign --yes ghcr.io/acme/api:${{ github.sha }}\n",
    ),
};

pub static SUP05_VERIFY: CheckDoc = CheckDoc {
    id: "SUP-05.2",
    title: "Image signatures are verified where images are deployed",
    severity: Severity::High,
    applies_to: &[
        "kubernetes",
        "terraform",
        "github-actions",
        "gitlab-ci",
        "cloudbuild",
    ],
    what: "When the repository pushes or deploys images, an admission policy enforces their \
           signatures: a Kyverno policy with `verifyImages` (not in Audit mode), a Sigstore \
           policy-controller `ClusterImagePolicy` (not in warn mode), or GKE Binary Authorization \
           requiring attestations (Terraform `google_binary_authorization_policy` with \
           `REQUIRE_ATTESTATION`, or a cluster with `PROJECT_SINGLETON_POLICY_ENFORCE`).",
    why: "Signing without verification protects nothing: only the admission check turns \"this \
          image was signed by our pipeline\" into \"nothing else runs\".",
    fix: "Deploy a Kyverno ClusterPolicy with a `verifyImages` rule for your registry (keyless: \
          the CI's OIDC issuer and subject), or enable Binary Authorization on the GKE cluster.",
    failing: (".github/workflows/build.yml", WF_PASS_SCAN),
    passing: (
        "policy/verify-images.yaml",
        "apiVersion: kyverno.io/v1\nkind: ClusterPolicy\nmetadata:\n  name: verify-images\nspec:\n  validationFailureAction: Enforce\n  rules:\n    - name: signed-by-ci\n      match:\n        any:\n          - resources:\n              kinds: [Pod]\n      verifyImages:\n        - imageReferences: [\"ghcr.io/acme/*\"]\n          attestors:\n            - entries:\n                - keyless:\n                    issuer: https://token.actions.githubusercontent.com\n                    subject: https://github.com/acme/*\n",
    ),
};

pub static SUP06_PERMS: CheckDoc = CheckDoc {
    id: "SUP-06.1",
    title: "GitHub workflow token permissions are set and minimal",
    severity: Severity::High,
    applies_to: &["github-actions"],
    what: "Every job of a GitHub workflow runs with an explicit `permissions:` (its own or the \
           workflow's), never `write-all`, and holds no `write` scope that none of its steps uses \
           (`packages: write` without a push, `contents: write` without a release or commit, \
           `id-token: write` without OIDC authentication or signing…).",
    why: "The `GITHUB_TOKEN` is available to every step and every action a job runs; a compromised \
          dependency with a write token can push code, publish packages or rewrite releases.",
    fix: "Set `permissions: contents: read` at the workflow level and grant each job only the \
          write scopes its steps use.",
    failing: (
        ".github/workflows/ci.yml",
        "on: push\njobs:\n  test:\n    runs-on: ubuntu-24.04\n    steps:\n      - run: make test\n",
    ),
    passing: (
        ".github/workflows/ci.yml",
        "on: push\npermissions:\n  contents: read\njobs:\n  test:\n    runs-on: ubuntu-24.04\n    steps:\n      - run: make test\n",
    ),
};

pub static SUP06_PIN: CheckDoc = CheckDoc {
    id: "SUP-06.2",
    title: "Actions and reusable workflows are pinned by commit SHA",
    severity: Severity::Medium,
    applies_to: &["github-actions"],
    what: "Every action or reusable workflow used from another repository is referenced by a full \
           40-character commit SHA (`uses: owner/repo@<sha> # v4.2.0`), and `docker://` actions by \
           digest. The SLSA generator, which must be called by tag to verify itself, is the \
           exception.",
    why: "A tag or branch is moved by whoever controls the action's repository: a compromised \
          action (tj-actions/changed-files, 2025) ran in every workflow that followed a tag.",
    fix: "Replace the tag by the commit it points to and keep the tag as a comment \
          (`uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2`); let \
          Dependabot or Renovate update both.",
    failing: (
        ".github/workflows/ci.yml",
        "on: push\npermissions:\n  contents: read\njobs:\n  test:\n    runs-on: ubuntu-24.04\n    steps:\n      - uses: actions/checkout@v4\n",
    ),
    passing: (
        ".github/workflows/ci.yml",
        "on: push\npermissions:\n  contents: read\njobs:\n  test:\n    runs-on: ubuntu-24.04\n    steps:\n      - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2\n",
    ),
};

pub static SUP06_PRT: CheckDoc = CheckDoc {
    id: "SUP-06.3",
    title: "pull_request_target never checks out the pull request's code",
    severity: Severity::Critical,
    applies_to: &["github-actions"],
    what: "A workflow triggered by `pull_request_target` (which runs with the base repository's \
           secrets and a write token) does not check out the pull request's head \
           (`ref: ${{ github.event.pull_request.head.sha }}`, `head.ref`, `github.head_ref`, \
           `refs/pull/…`).",
    why: "Checking out and building a fork's code in a privileged context hands the repository's \
          secrets and token to anyone who opens a pull request (\"pwn request\").",
    fix: "Use the `pull_request` trigger to build untrusted code, and keep `pull_request_target` for \
          labelling or commenting without checking out the head.",
    failing: (
        ".github/workflows/pr.yml",
        "on: pull_request_target\npermissions:\n  contents: read\njobs:\n  test:\n    runs-on: ubuntu-24.04\n    steps:\n      - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683\n        with:\n          ref: ${{ github.event.pull_request.head.sha }}\n      - run: npm test\n",
    ),
    passing: (
        ".github/workflows/pr.yml",
        "on: pull_request_target\npermissions:\n  contents: read\n  pull-requests: write\njobs:\n  label:\n    runs-on: ubuntu-24.04\n    steps:\n      - uses: actions/labeler@8558fd74291d67161a8a78ce36a881fa63b766a9 # v5.0.0\n",
    ),
};

pub static SUP06_ECHO: CheckDoc = CheckDoc {
    id: "SUP-06.4",
    title: "Pipelines never print secrets",
    severity: Severity::High,
    applies_to: &["github-actions", "gitlab-ci", "cloudbuild"],
    what: "No `echo`/`printf` in a pipeline writes a secret (`${{ secrets.X }}`, an environment \
           variable bound to a secret, a Cloud Build `secretEnv`, GitLab's registry password or \
           job token) to the log; piping it into a command (`| docker login --password-stdin`) or a \
           file is fine.",
    why: "Log masking is best effort (it misses transformed, split or multi-line values) and build \
          logs are read by far more people than the secret's owners.",
    fix: "Pass the secret through an environment variable or stdin to the command that needs it \
          and never print it.",
    failing: (
        ".github/workflows/deploy.yml",
        "on: push\npermissions:\n  contents: read\njobs:\n  deploy:\n    runs-on: ubuntu-24.04\n    steps:\n      - run: echo \"token is ${{ secrets.DEPLOY_TOKEN }}\"\n",
    ),
    passing: (
        ".github/workflows/deploy.yml",
        "on: push\npermissions:\n  contents: read\njobs:\n  deploy:\n    runs-on: ubuntu-24.04\n    steps:\n      - run: echo \"${{ secrets.REGISTRY_TOKEN }}\" | docker login ghcr.io -u acme --password-stdin\n",
    ),
};

pub static SUP06_CBSA: CheckDoc = CheckDoc {
    id: "SUP-06.5",
    title: "Cloud Build runs as a dedicated service account",
    severity: Severity::Medium,
    applies_to: &["cloudbuild"],
    what: "Every Cloud Build configuration sets `serviceAccount:` to a dedicated, least-privilege \
           service account.",
    why: "Without it the build runs as the default Cloud Build (or Compute Engine) service account, \
          which holds broad project roles: any build step can modify the project.",
    fix: "Create a service account with only the roles the build needs and set \
          `serviceAccount: projects/PROJECT/serviceAccounts/builder@PROJECT.iam.gserviceaccount.com` \
          (with `options.logging: CLOUD_LOGGING_ONLY`).",
    failing: (
        "cloudbuild.yaml",
        "steps:\n  - name: gcr.io/cloud-builders/npm\n    args: [ci]\n",
    ),
    passing: (
        "cloudbuild.yaml",
        "steps:\n  - name: gcr.io/cloud-builders/npm\n    args: [ci]\nserviceAccount: projects/acme/serviceAccounts/builder@acme.iam.gserviceaccount.com\noptions:\n  logging: CLOUD_LOGGING_ONLY\n",
    ),
};

pub static SUP06_KEYS: CheckDoc = CheckDoc {
    id: "SUP-06.6",
    title: "No long-lived service-account keys",
    severity: Severity::High,
    applies_to: &["json", "terraform", "github-actions", "gitlab-ci"],
    what: "The repository holds no Google service-account key file (JSON with `\"type\": \
           \"service_account\"` and a `private_key`), creates no `google_service_account_key` in \
           Terraform, and pipelines authenticate to Google Cloud with Workload Identity Federation \
           (`google-github-actions/auth` with `workload_identity_provider`), not `credentials_json` \
           or `--key-file`.",
    why: "A key file never expires and works from anywhere; once copied from a repository, a log or \
          a CI variable it gives the attacker the service account until someone notices.",
    fix: "Delete the key (and revoke it in IAM), and configure Workload Identity Federation for the \
          CI provider.",
    failing: (
        "deploy/sa.json",
        "{\n  \"type\": \"service_account\",\n  \"project_id\": \"acme\",\n  \"private_key_id\": \"0000\",\n  \"private_key\": \"-----BEGIN PRIVATE KEY-----\\nMIIEv...\\n-----END PRIVATE KEY-----\\n\",\n  \"client_email\": \"ci@acme.iam.gserviceaccount.com\"\n}\n",
    ),
    passing: (
        ".github/workflows/deploy.yml",
        "on: push\npermissions:\n  contents: read\n  id-token: write\njobs:\n  deploy:\n    runs-on: ubuntu-24.04\n    steps:\n      - uses: google-github-actions/auth@6fc4af4b145ae7821d527454aa9bd537d1f2dc5f # v2.1.7\n        with:\n          workload_identity_provider: projects/1/locations/global/workloadIdentityPools/ci/providers/github\n          service_account: deployer@acme.iam.gserviceaccount.com\n",
    ),
};

pub static SUP07: CheckDoc = CheckDoc {
    id: "SUP-07",
    title: "Prisma schema changes come with a migration",
    severity: Severity::Medium,
    applies_to: &["prisma", "git"],
    what: "Every `schema.prisma` has a `migrations/` folder beside it (Prisma Migrate, not \
           `db push`), and with `vigie scan --since REV`, every change to a `schema.prisma` between \
           REV and HEAD comes with a new folder under its `migrations/`.",
    why: "A schema change without its migration is applied by hand or by `db push`, differently in \
          each environment and without review; the next deployment then drifts or loses data.",
    fix: "Run `npx prisma migrate dev --name <change>` and commit the folder it writes under \
          `prisma/migrations/` with the schema change.",
    failing: (
        "prisma/schema.prisma",
        "datasource db {\n  provider = \"postgresql\"\n  url      = env(\"DATABASE_URL\")\n}\n\nmodel User {\n  id    Int    @id @default(autoincrement())\n  email String @unique\n}\n",
    ),
    passing: (
        "prisma/migrations/20250101000000_init/migration.sql",
        "CREATE TABLE \"User\" (\"id\" SERIAL PRIMARY KEY, \"email\" TEXT NOT NULL);\n",
    ),
};

pub static CHECKS: &[&CheckDoc] = &[
    &SUP01,
    &SUP02_AUDIT,
    &SUP02_LOCK,
    &SUP02_CI,
    &crate::sup02_cadence::SUP02_CADENCE,
    &SUP04_SBOM,
    &SUP04_PROV,
    &SUP04_VERIFIED,
    &SUP05_SIGN,
    &SUP05_VERIFY,
    &SUP06_PERMS,
    &SUP06_PIN,
    &SUP06_PRT,
    &SUP06_ECHO,
    &SUP06_CBSA,
    &SUP06_KEYS,
    &SUP07,
];

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

fn pushes(op: ImageOp) -> bool {
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

/// Why a failure at `a` does not stop the build path `bp` (None: it does).
fn gates_path(p: &Pipeline, a: Point, bp: &BuildPath) -> Option<String> {
    if bp.end_of_build {
        let st = &p.jobs[a.job].steps[a.step];
        if let Some(s) = st.commands.get(a.cmd).and_then(|c| c.swallowed.clone()) {
            // the last command of a Cloud Build step decides its status
            return Some(s);
        }
        if st.allow_failure.is_some() {
            return Some("its step is allowed to fail (`allowFailure`/`allowExitCodes`)".into());
        }
        return None;
    }
    p.gates(a, bp.point)
}

/// Why a failure at `a` is swallowed by its own command, step or job.
fn own_swallow(p: &Pipeline, a: Point) -> Option<String> {
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

fn image_desc(bp: &BuildPath) -> String {
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

pub fn sup01(p: &Pipeline, out: &mut Vec<Verdict>) {
    sup01_in(p, None, out)
}

/// SUP-01 with the repository's files, so that a `trivy.yaml` beside the pipeline is read.
pub fn sup01_in(p: &Pipeline, repo: Option<facts::RepoFiles<'_>>, out: &mut Vec<Verdict>) {
    let (paths, deploys) = build_paths(p);
    if paths.is_empty() {
        return;
    }
    let scans = facts::find(
        p,
        |c, _, env| facts::scan_of_command_in(c, env, repo),
        facts::scan_of_action,
    );
    for bp in &paths {
        let mut reasons: Vec<String> = Vec::new();
        let mut passed = None;
        for (pt, s) in &scans {
            let at = facts::point_loc(p, *pt);
            if let Some(w) = &s.weak {
                reasons.push(format!("{} (line {}) does not gate: {w}", s.what, at.line));
                continue;
            }
            let verdict = if bp.op == ImageOp::Build {
                // nothing is pushed: the scan must not be swallowed, wherever it runs
                own_swallow(p, *pt)
            } else {
                gates_path(p, *pt, bp)
            };
            match verdict {
                None => {
                    passed = Some((
                        at,
                        format!(
                            "{} (line {}) runs before it and fails on CRITICAL/HIGH",
                            s.what,
                            facts::point_loc(p, *pt).line
                        ),
                    ));
                    break;
                }
                Some(why) => {
                    // after the push, but before every deployment?
                    if !deploys.is_empty() && deploys.iter().all(|d| p.gates(*pt, *d).is_none()) {
                        passed = Some((
                            at,
                            format!(
                                "{} runs after the push but before every deployment and fails on CRITICAL/HIGH",
                                s.what
                            ),
                        ));
                        break;
                    }
                    let mut r = format!("{} (line {}) does not stop it: {why}", s.what, at.line);
                    if let Some(d) = deploys
                        .iter()
                        .find_map(|d| p.gates(*pt, *d))
                        .filter(|_| !deploys.is_empty())
                    {
                        r.push_str(&format!(", nor the deployment: {d}"));
                    }
                    reasons.push(r);
                }
            }
        }
        match passed {
            Some((at, msg)) => out.push(
                Verdict::pass(
                    &SUP01,
                    &bp.subject,
                    at,
                    format!("{}; {msg}", capital(&image_desc(bp))),
                )
                .with_related(Some(bp.at.clone())),
            ),
            None => {
                let msg = if reasons.is_empty() {
                    format!(
                        "this build path {} with no vulnerability scan before the push or the deployment",
                        image_desc(bp)
                    )
                } else {
                    format!(
                        "this build path {}, but {}",
                        image_desc(bp),
                        reasons.join("; ")
                    )
                };
                out.push(Verdict::fail(
                    &SUP01,
                    &bp.subject,
                    bp.at.clone(),
                    msg,
                    "run `trivy image --severity CRITICAL,HIGH --exit-code 1 IMAGE` before the push, and let its failure fail the job",
                ));
            }
        }
    }
}

fn capital(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

/// SUP-02.1 and the pipeline half of SUP-02.3.
pub fn sup02_pipeline(p: &Pipeline, out: &mut Vec<Verdict>) {
    let node: Vec<(Point, ())> =
        facts::find(p, |c, _, _| facts::uses_node(c).then_some(()), |_| None);
    let audits = facts::find(p, |c, _, _| facts::audit_of_command(c), |_| None);
    for (pt, res) in facts::find(p, |c, _, _| facts::node_install(&c.words), |_| None) {
        let subject = p.subject(pt.job, Some(pt.step));
        let at = facts::point_loc(p, pt);
        match res {
            Ok(w) => out.push(Verdict::pass(
                &SUP02_CI,
                subject,
                at,
                format!("`{w}` installs exactly what the lockfile records"),
            )),
            Err(w) => out.push(Verdict::fail(
                &SUP02_CI,
                subject,
                at,
                format!("`{w}` may resolve versions anew and rewrite the lockfile"),
                "use `npm ci` (or `yarn install --immutable`, `pnpm install --frozen-lockfile`)",
            )),
        }
    }
    if node.is_empty() {
        return;
    }
    let subject = format!("{} › dependency audit", p.file);
    let mut reasons = Vec::new();
    for (pt, (what, weak)) in &audits {
        let at = facts::point_loc(p, *pt);
        let c = p.command(*pt);
        let swallowed = own_swallow(p, *pt);
        match (weak, swallowed) {
            (None, None) => {
                out.push(Verdict::pass(
                    &SUP02_AUDIT,
                    subject,
                    at,
                    format!(
                        "`{}` gates the pipeline on HIGH findings",
                        c.map_or(what.clone(), |c| c.text())
                    ),
                ));
                return;
            }
            (w, s) => {
                let mut r = Vec::new();
                if let Some(w) = w {
                    r.push(w.clone());
                }
                if let Some(s) = s {
                    r.push(format!("its failure is swallowed: {s}"));
                }
                reasons.push(format!("line {}: {}", at.line, r.join(", and ")));
            }
        }
    }
    let first = facts::point_loc(p, node[0].0);
    out.push(Verdict::fail(
        &SUP02_AUDIT,
        subject,
        audits
            .first()
            .map_or(first, |(pt, _)| facts::point_loc(p, *pt)),
        if reasons.is_empty() {
            "this pipeline installs or builds Node packages but never runs `npm audit`".to_string()
        } else {
            format!(
                "no dependency audit gates this pipeline: {}",
                reasons.join("; ")
            )
        },
        "run `npm audit --audit-level=high` and let its failure fail the job",
    ));
}

/// SUP-02.3 on Dockerfiles.
/// SUP-02.1 where no pipeline runs Node: a `package.json` with dependencies is audited by no CI
/// at all, which fails the measure rather than leaving it without a subject.
pub fn sup02_unaudited(
    files: &[&str],
    read: &dyn Fn(&str) -> Option<String>,
    no_pipeline: bool,
    out: &mut Vec<Verdict>,
) {
    for f in files {
        if !(*f == "package.json" || f.ends_with("/package.json"))
            || f.split('/').any(|c| c == "node_modules")
        {
            continue;
        }
        let Some(json) = read(f).and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
        else {
            continue;
        };
        let deps = ["dependencies", "devDependencies", "optionalDependencies"]
            .iter()
            .any(|k| {
                json.get(k)
                    .and_then(|v| v.as_object())
                    .is_some_and(|m| !m.is_empty())
            });
        if !deps {
            continue;
        }
        out.push(Verdict::fail(
            &SUP02_AUDIT,
            format!("{f} › dependency audit"),
            Location::new((*f).into(), 1, 1),
            if no_pipeline {
                "the repository has no CI pipeline, so nothing audits these dependencies"
            } else {
                "no CI pipeline of the repository installs or audits these dependencies"
            },
            "add a CI job that runs `npm ci` then `npm audit --audit-level=high` and fails on its findings",
        ));
    }
}

pub fn sup02_dockerfiles(dfs: &[vigie_parse::dockerfile::Dockerfile], out: &mut Vec<Verdict>) {
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
                        Ok(w) => out.push(Verdict::pass(&SUP02_CI, subject, ins.at.clone(), format!("`{w}` installs exactly what the lockfile records"))),
                        Err(w) => out.push(Verdict::fail(
                            &SUP02_CI,
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

const LOCKFILES: &[&str] = &[
    "package-lock.json",
    "npm-shrinkwrap.json",
    "yarn.lock",
    "pnpm-lock.yaml",
    "bun.lock",
    "bun.lockb",
];

/// SUP-02.2: a lockfile beside every package.json.
pub fn sup02_lockfiles(
    files: &[&str],
    read: &dyn Fn(&str) -> Option<String>,
    out: &mut Vec<Verdict>,
) {
    let set: std::collections::HashSet<&str> = files.iter().copied().collect();
    let dir_of = |f: &str| {
        f.rsplit_once('/')
            .map_or(String::new(), |(d, _)| d.to_string())
    };
    let join = |d: &str, n: &str| {
        if d.is_empty() {
            n.to_string()
        } else {
            format!("{d}/{n}")
        }
    };
    let lock_in = |d: &str| {
        LOCKFILES
            .iter()
            .map(|l| join(d, l))
            .find(|p| set.contains(p.as_str()))
    };
    for f in files {
        if !(*f == "package.json" || f.ends_with("/package.json"))
            || f.split('/').any(|c| c == "node_modules")
        {
            continue;
        }
        let Some(text) = read(f) else { continue };
        let Ok(json) = serde_json::from_str::<serde_json::Value>(&text) else {
            continue;
        };
        let deps = ["dependencies", "devDependencies", "optionalDependencies"]
            .iter()
            .any(|k| {
                json.get(k)
                    .and_then(|v| v.as_object())
                    .is_some_and(|m| !m.is_empty())
            });
        let at = Location::new((*f).into(), 1, 1);
        let dir = dir_of(f);
        if let Some(l) = lock_in(&dir) {
            out.push(Verdict::pass(
                &SUP02_LOCK,
                *f,
                Location::file(l.as_str().into()),
                format!("`{l}` is committed beside it"),
            ));
            continue;
        }
        if !deps {
            out.push(Verdict::pass(
                &SUP02_LOCK,
                *f,
                at,
                "it declares no dependencies: there is nothing to lock",
            ));
            continue;
        }
        // a workspace member: the root of the workspace holds the lockfile
        let mut d = dir.clone();
        let mut found = None;
        while !d.is_empty() {
            d = dir_of(&d);
            let pj = join(&d, "package.json");
            if set.contains(pj.as_str())
                && let Some(l) = lock_in(&d)
            {
                found = Some(l);
                break;
            }
        }
        match found {
            Some(l) => out.push(Verdict::pass(
                &SUP02_LOCK,
                *f,
                Location::file(l.as_str().into()),
                format!("the workspace lockfile `{l}` covers it"),
            )),
            None => out.push(Verdict::fail(
                &SUP02_LOCK,
                *f,
                at,
                "it declares dependencies but no lockfile is committed beside it",
                "run `npm install` and commit `package-lock.json`",
            )),
        }
    }
}

pub fn sup04(p: &Pipeline, out: &mut Vec<Verdict>) {
    let (paths, _) = build_paths(p);
    if paths.is_empty() {
        return;
    }
    let subject = format!("{} › image builds", p.file);
    let first = paths[0].at.clone();
    // SBOM
    let sboms = facts::find(
        p,
        |c, _, _| facts::sbom_of_command(c),
        facts::sbom_of_action,
    );
    let mut kept = None;
    let mut unkept = Vec::new();
    for (pt, s) in &sboms {
        let at = facts::point_loc(p, *pt);
        if s.attached {
            kept = Some((at, format!("{} attaches or uploads the SBOM", s.what)));
            break;
        }
        let Some(file) = &s.output else {
            unkept.push(format!(
                "{} (line {}) prints it to the log only",
                s.what, at.line
            ));
            continue;
        };
        let job = &p.jobs[pt.job];
        let in_artifacts = p.artifacts.iter().chain(&job.artifacts).any(|a| {
            let base = file.rsplit('/').next().unwrap_or(file);
            a.value.contains(base)
                || a.value.contains('*')
                || file.starts_with(a.value.trim_end_matches('/'))
        });
        let later = p.jobs.iter().enumerate().any(|(j, jb)| {
            jb.steps.iter().enumerate().any(|(s, st)| {
                let after = (j == pt.job && s >= pt.step) || p.job_before(pt.job, j);
                after && facts::keeps_file(st, file)
            })
        });
        if in_artifacts || later {
            kept = Some((
                at,
                format!("{} writes `{file}`, which the pipeline keeps", s.what),
            ));
            break;
        }
        unkept.push(format!(
            "{} (line {}) writes `{file}` but nothing uploads or attests it",
            s.what, at.line
        ));
    }
    match kept {
        Some((at, m)) => out.push(Verdict::pass(&SUP04_SBOM, subject.as_str(), at, m)),
        None => out.push(Verdict::fail(
            &SUP04_SBOM,
            subject.as_str(),
            first.clone(),
            if unkept.is_empty() {
                "this pipeline builds images but produces no SBOM".to_string()
            } else {
                format!("the SBOM is produced but not kept: {}", unkept.join("; "))
            },
            "produce a CycloneDX SBOM (`trivy image --format cyclonedx --output sbom.cdx.json`) and upload or attest it",
        )),
    }
    // provenance
    let mut prov = facts::find(
        p,
        |c, _, _| facts::provenance_of_command(c),
        facts::provenance_of_action,
    )
    .into_iter()
    .map(|(pt, w)| (facts::point_loc(p, pt), w))
    .collect::<Vec<_>>();
    for j in &p.jobs {
        if let Some(c) = &j.calls
            && c.value.starts_with("slsa-framework/slsa-github-generator/")
        {
            prov.push((
                c.at.clone(),
                format!(
                    "the SLSA generator ({})",
                    c.value.split('@').next().unwrap_or("")
                ),
            ));
        }
    }
    if let Some(v) = &p.verify_option
        && v.value == "VERIFIED"
    {
        prov.push((
            v.at.clone(),
            "Cloud Build `requestedVerifyOption: VERIFIED` (SLSA provenance)".into(),
        ));
    }
    if p.variables
        .iter()
        .any(|(k, v)| k == "RUNNER_GENERATE_ARTIFACTS_METADATA" && v == "true")
    {
        prov.push((
            p.at.clone(),
            "GitLab `RUNNER_GENERATE_ARTIFACTS_METADATA` (SLSA provenance)".into(),
        ));
    }
    match prov.into_iter().next() {
        Some((at, w)) => out.push(Verdict::pass(&SUP04_PROV, subject, at, format!("{w} produces build provenance"))),
        None => out.push(Verdict::fail(
            &SUP04_PROV,
            subject,
            match &p.verify_option {
                Some(v) => v.at.clone(),
                None => first,
            },
            match &p.verify_option {
                Some(v) => format!("`requestedVerifyOption: {}` produces no provenance, and nothing else does", v.value),
                None => "this pipeline builds images but produces no build provenance".to_string(),
            },
            match p.system {
                System::CloudBuild => "set `options.requestedVerifyOption: VERIFIED`",
                System::GitHub => "use `actions/attest-build-provenance` or `docker buildx build --provenance=mode=max`",
                System::GitLab => "set `RUNNER_GENERATE_ARTIFACTS_METADATA: \"true\"` or build with `--provenance=mode=max`",
            },
        )),
    }
}

/// SUP-04.3: a Cloud Build configuration asks for verified sources and provenance. Every Cloud
/// Build configuration is judged, not only those that build images: the option is what makes
/// Cloud Build check the sources of any build.
pub fn sup04_verified(p: &Pipeline, out: &mut Vec<Verdict>) {
    if p.system != System::CloudBuild {
        return;
    }
    let subject = format!("{} › options.requestedVerifyOption", p.file);
    match &p.verify_option {
        Some(v) if v.value == "VERIFIED" => out.push(Verdict::pass(
            &SUP04_VERIFIED,
            subject,
            v.at.clone(),
            "`requestedVerifyOption: VERIFIED`: Cloud Build verifies the sources and records provenance",
        )),
        Some(v) => out.push(Verdict::fail(
            &SUP04_VERIFIED,
            subject,
            v.at.clone(),
            format!("`requestedVerifyOption: {}` lets unverified sources be built", v.value),
            "set `requestedVerifyOption: VERIFIED`",
        )),
        None => out.push(Verdict::fail(
            &SUP04_VERIFIED,
            subject,
            p.at.clone(),
            "no `options.requestedVerifyOption`: Cloud Build builds unverified sources",
            "add `options:` `requestedVerifyOption: VERIFIED`",
        )),
    }
}

/// SUP-05.1: every push followed by a signature. Returns the pushes (for SUP-05.2).
pub fn sup05_sign(p: &Pipeline, out: &mut Vec<Verdict>) -> Vec<Location> {
    let (paths, _) = build_paths(p);
    let signs = facts::find(
        p,
        |c, _, _| facts::sign_of_command(c),
        facts::sign_of_action,
    );
    let mut pushed = Vec::new();
    for bp in paths.iter().filter(|b| pushes(b.op)) {
        pushed.push(bp.at.clone());
        let after = signs.iter().find(|(pt, _)| {
            if bp.end_of_build {
                return false;
            }
            let a = bp.point;
            let b = *pt;
            if a.job == b.job {
                if a.step == b.step {
                    a.cmd < b.cmd
                } else {
                    p.step_before(a.job, a.step, b.step)
                }
            } else {
                p.job_before(a.job, b.job)
            }
        });
        match after {
            Some((pt, w)) => out.push(Verdict::pass(
                &SUP05_SIGN,
                &bp.subject,
                facts::point_loc(p, *pt),
                format!("{}; `{w}` signs it after the push", capital(&image_desc(bp))),
            )),
            None => out.push(Verdict::fail(
                &SUP05_SIGN,
                &bp.subject,
                bp.at.clone(),
                if bp.end_of_build {
                    "the images listed under `images:` are pushed after every step, so no step signs them".to_string()
                } else if signs.is_empty() {
                    format!("this build path {} and nothing signs it", image_desc(bp))
                } else {
                    format!("this build path {}, but the signature in this pipeline does not run after its push", image_desc(bp))
                },
                if bp.end_of_build {
                    "push the image in a step (`docker push`) and sign it in a later step with `cosign sign`"
                } else {
                    "after the push, run `cosign sign --yes IMAGE@DIGEST`"
                },
            )),
        }
    }
    pushed
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

pub fn sup05_verify(
    pushes: &[Location],
    deploys: &[Location],
    enf: &[Enforcement],
    out: &mut Vec<Verdict>,
) {
    if pushes.is_empty() && deploys.is_empty() && enf.is_empty() {
        return;
    }
    let subject = "deployment › signature verification";
    if let Some(e) = enf.iter().find(|e| e.weak.is_none()) {
        out.push(Verdict::pass(
            &SUP05_VERIFY,
            subject,
            e.at.clone(),
            format!("{} refuses images whose signature does not verify", e.what),
        ));
        return;
    }
    let at = enf
        .first()
        .map(|e| e.at.clone())
        .or_else(|| deploys.first().cloned())
        .or_else(|| pushes.first().cloned())
        .unwrap_or_else(|| Location::file("".into()));
    let msg = match enf.first() {
        Some(e) => format!("{} does not enforce: {}", e.what, e.weak.clone().unwrap_or_default()),
        None => "images are pushed or deployed but no admission policy in the repository verifies their signatures (Kyverno verifyImages, Sigstore policy-controller, Binary Authorization)".into(),
    };
    out.push(Verdict::fail(
        &SUP05_VERIFY,
        subject,
        at,
        msg,
        "enforce signatures at admission: a Kyverno `verifyImages` policy in Enforce mode, or Binary Authorization on the cluster",
    ));
}
