//! The documentation of every check of this crate. For these repository-level checks,
//! `failing.0` / `passing.0` is the path (relative to the repository root) the example is
//! written to.

use vigie_core::{CheckDoc, Severity};

pub static LOG_01: CheckDoc = CheckDoc {
    id: "LOG-01",
    title: "Logs are shipped off the host",
    severity: Severity::Medium,
    applies_to: &["compose", "kubernetes", "logging", "terraform"],
    what: "Every Compose service sends its logs to a central store (a `logging:` driver that leaves \
           the host: gelf, syslog or fluentd to a remote address, awslogs, gcplogs, splunk, loki), \
           or a collector of the repository (Fluent Bit, Vector, Promtail, Fluentd) has an output \
           that leaves the host; a GKE cluster keeps Cloud Logging on.",
    why: "Logs kept on the machine that produced them disappear with it and can be altered by \
          whoever compromises it; centralised logs survive the host and feed detection.",
    fix: "Set a shipping `logging:` driver on each service (or an `x-logging` anchor merged into \
          all), or deploy a collector whose output is a remote store (Loki, Elasticsearch, \
          Cloud Logging, a syslog server).",
    failing: (
        "docker-compose.yml",
        "services:\n  api:\n    image: example/api:1.4\n    logging:\n      driver: json-file\n",
    ),
    passing: (
        "docker-compose.yml",
        "services:\n  api:\n    image: example/api:1.4\n    logging:\n      driver: gelf\n      options:\n        gelf-address: \"udp://graylog.internal.example.org:12201\"\n",
    ),
};

pub static LOG_03: CheckDoc = CheckDoc {
    id: "LOG-03",
    title: "An alert fires on repeated 401/403 responses",
    severity: Severity::Medium,
    applies_to: &["prometheus", "kubernetes", "terraform"],
    what: "A Prometheus alerting rule (rule file or PrometheusRule) counts responses with status \
           401 or 403 over time (`rate`/`increase`/`count_over_time` of a series selected with a \
           status-code label matcher) against a threshold, or a Cloud Logging log-based metric \
           filtering on those statuses feeds a monitoring alert policy.",
    why: "Bursts of refused authentications are the first sign of credential stuffing, token \
          theft or a probing attacker; without an alert they are only found after the fact.",
    fix: "Add an alerting rule such as `sum(rate(http_requests_total{status=~\"401|403\"}[5m])) > 1` \
          with a `for:` duration, routed by Alertmanager to the on-call receiver.",
    failing: (
        "prometheus/rules/alerts.yml",
        "groups:\n  - name: api\n    rules:\n      - alert: HighLatency\n        expr: histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket[5m]))) > 1\n        for: 10m\n",
    ),
    passing: (
        "prometheus/rules/alerts.yml",
        "groups:\n  - name: api\n    rules:\n      - alert: RepeatedAuthFailures\n        expr: sum by (service) (rate(http_requests_total{status=~\"401|403\"}[5m])) > 1\n        for: 5m\n        labels:\n          severity: page\n",
    ),
};

pub static LOG_04: CheckDoc = CheckDoc {
    id: "LOG-04",
    title: "Metrics are collected",
    severity: Severity::Low,
    applies_to: &["prometheus", "kubernetes", "grafana"],
    what: "A Prometheus configuration scrapes at least one target (`scrape_configs`), a \
           ServiceMonitor or PodMonitor selects the workloads, or Grafana is provisioned with a \
           data source.",
    why: "CPU, memory, latency and error-rate metrics are how a team sees an incident coming and \
          measures its impact; a Prometheus without targets collects nothing.",
    fix: "Add a `scrape_configs` job (or a ServiceMonitor) for each service exposing metrics, and \
          provision Grafana's data source from the repository.",
    failing: (
        "prometheus/prometheus.yml",
        "global:\n  scrape_interval: 30s\nrule_files:\n  - rules/*.yml\n",
    ),
    passing: (
        "prometheus/prometheus.yml",
        "global:\n  scrape_interval: 30s\nscrape_configs:\n  - job_name: api\n    static_configs:\n      - targets: [\"api:9100\"]\n",
    ),
};

pub static LOG_04_1: CheckDoc = CheckDoc {
    id: "LOG-04.1",
    title: "Failed builds are counted or alerted on",
    severity: Severity::Low,
    applies_to: &["prometheus", "kubernetes", "terraform", "github-actions"],
    what: "When the repository has build pipelines (GitHub workflows, `.gitlab-ci.yml`, Cloud Build \
           configurations or triggers), something watches their failures: a Cloud Logging metric or \
           alert policy whose filter selects failed Cloud Build builds (`resource.type=\"build\"` \
           with `FAILURE`), a Prometheus alerting rule on a failed-build, failed-pipeline or \
           failed-workflow series, or a GitHub workflow run on `workflow_run` for failed runs.",
    why: "A failing pipeline stops fixes and security updates from reaching production; unwatched, \
          it is found at the next urgent deployment, when it costs most.",
    fix: "Add a `google_logging_metric` with the filter `resource.type=\"build\" AND \
          jsonPayload.status=\"FAILURE\"` and an alert policy on it, or an alerting rule on your CI \
          exporter's failed-pipeline series.",
    failing: (
        "cloudbuild.yaml",
        "steps:\n  - name: gcr.io/cloud-builders/docker\n    args: [build, -t, europe-docker.pkg.dev/acme/app/api:$SHORT_SHA, .]\n",
    ),
    passing: (
        "infra/monitoring.tf",
        "resource \"google_cloudbuild_trigger\" \"api\" {\n  name     = \"api\"\n  filename = \"cloudbuild.yaml\"\n}\n\nresource \"google_logging_metric\" \"failed_builds\" {\n  name   = \"failed-builds\"\n  filter = \"resource.type=\\\"build\\\" AND jsonPayload.status=\\\"FAILURE\\\"\"\n  metric_descriptor {\n    metric_kind = \"DELTA\"\n    value_type  = \"INT64\"\n  }\n}\n",
    ),
};

pub static K8S_01_1: CheckDoc = CheckDoc {
    id: "K8S-01.1",
    title: "Namespaces with workloads enforce a Pod Security level",
    severity: Severity::High,
    applies_to: &["kubernetes"],
    what: "Every namespace the repository deploys workloads into is declared with the label \
           `pod-security.kubernetes.io/enforce` set to `baseline` or `restricted`, and with \
           `pod-security.kubernetes.io/enforce-version` pinning the policy version. A workload \
           that sets no namespace runs in the one it is applied to, which the repository does \
           not say: it is not judged (the check is reported not assessed when no workload names \
           its namespace).",
    why: "Pod Security Admission rejects pods that break the level a namespace enforces; without \
          the label any pod, privileged included, is admitted. An unpinned version changes \
          meaning at each cluster upgrade.",
    fix: "Declare the Namespace with `pod-security.kubernetes.io/enforce: restricted` (or \
          `baseline`) and `pod-security.kubernetes.io/enforce-version: v1.37`.",
    failing: (
        "k8s/app.yaml",
        "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: shop\nspec:\n  template:\n    spec:\n      containers:\n        - name: web\n          image: example/web:1.0\n",
    ),
    passing: (
        "k8s/app.yaml",
        "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n  labels:\n    pod-security.kubernetes.io/enforce: baseline\n    pod-security.kubernetes.io/enforce-version: v1.37\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: shop\nspec:\n  template:\n    spec:\n      containers:\n        - name: web\n          image: example/web:1.0\n",
    ),
};

pub static K8S_01_2: CheckDoc = CheckDoc {
    id: "K8S-01.2",
    title: "Workloads are admitted at their namespace's Pod Security level",
    severity: Severity::High,
    applies_to: &["kubernetes"],
    what: "Each workload in a namespace that enforces a Pod Security level meets that level \
           (the Pod Security Standards checks PSS-B* for baseline, PSS-B* and PSS-R* for \
           restricted), so the admission controller will not reject it at deploy time.",
    why: "A label that the workloads do not meet either blocks the deployment on the day it \
          matters or gets removed in a hurry; the repository should prove both agree.",
    fix: "Fix the workload (see the PSS check named in the message), or lower the namespace's \
          level knowingly.",
    failing: (
        "k8s/app.yaml",
        "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n  labels:\n    pod-security.kubernetes.io/enforce: restricted\n    pod-security.kubernetes.io/enforce-version: v1.37\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: shop\nspec:\n  template:\n    spec:\n      containers:\n        - name: web\n          image: example/web:1.0\n",
    ),
    passing: (
        "k8s/app.yaml",
        "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n  labels:\n    pod-security.kubernetes.io/enforce: baseline\n    pod-security.kubernetes.io/enforce-version: v1.37\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: shop\nspec:\n  template:\n    spec:\n      containers:\n        - name: web\n          image: example/web:1.0\n",
    ),
};

pub static K8S_02_1: CheckDoc = CheckDoc {
    id: "K8S-02.1",
    title: "No workload is bound to cluster-admin or wildcard RBAC",
    severity: Severity::High,
    applies_to: &["kubernetes"],
    what: "No RoleBinding or ClusterRoleBinding grants a service account (or all service \
           accounts) `cluster-admin`, `admin`, or a Role/ClusterRole whose rules use `*` for \
           verbs, resources or API groups.",
    why: "A pod's service account token is readable by anything that runs in the pod: a \
          wildcard grant turns one compromised container into control of the cluster.",
    fix: "Bind the service account to a Role listing the verbs and resources it needs, in its \
          own namespace.",
    failing: (
        "k8s/rbac.yaml",
        "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata:\n  name: deployer\nroleRef:\n  apiGroup: rbac.authorization.k8s.io\n  kind: ClusterRole\n  name: cluster-admin\nsubjects:\n  - kind: ServiceAccount\n    name: deployer\n    namespace: ci\n",
    ),
    passing: (
        "k8s/rbac.yaml",
        "apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata:\n  name: read-config\n  namespace: shop\nrules:\n  - apiGroups: [\"\"]\n    resources: [\"configmaps\"]\n    verbs: [\"get\", \"list\"]\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata:\n  name: web-read-config\n  namespace: shop\nroleRef:\n  apiGroup: rbac.authorization.k8s.io\n  kind: Role\n  name: read-config\nsubjects:\n  - kind: ServiceAccount\n    name: web\n    namespace: shop\n",
    ),
};

pub static K8S_02_2: CheckDoc = CheckDoc {
    id: "K8S-02.2",
    title: "Service-account tokens are not mounted by default",
    severity: Severity::Medium,
    applies_to: &["kubernetes"],
    what: "Each workload sets `automountServiceAccountToken: false` in its pod spec, or runs \
           under a ServiceAccount that does (a pod-level value wins over the account's).",
    why: "Most applications never call the Kubernetes API, yet every pod gets a token by \
          default; an attacker in the container can use it against the API server.",
    fix: "Set `automountServiceAccountToken: false` on the pod spec or on its ServiceAccount, \
          and mount a projected token only where the API is really used.",
    failing: (
        "k8s/web.yaml",
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: shop\nspec:\n  template:\n    spec:\n      containers:\n        - name: web\n          image: example/web:1.0\n",
    ),
    passing: (
        "k8s/web.yaml",
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: shop\nspec:\n  template:\n    spec:\n      automountServiceAccountToken: false\n      containers:\n        - name: web\n          image: example/web:1.0\n",
    ),
};

pub static SEC_02_1: CheckDoc = CheckDoc {
    id: "SEC-02.1",
    title: "No plain Kubernetes Secret carries data in the repository",
    severity: Severity::High,
    applies_to: &["kubernetes"],
    what: "No `kind: Secret` manifest has `data` or `stringData`; secrets reach the cluster \
           encrypted (SealedSecret) or from a store (ExternalSecret, Secrets Store CSI driver, \
           Vault).",
    why: "Base64 is an encoding, not encryption: a Secret manifest in Git is a secret published \
          to everyone who can read the repository, forever, in its history.",
    fix: "Remove the Secret (and rotate what it held), then deliver it with an ExternalSecret \
          from the secret manager or commit a SealedSecret instead.",
    failing: (
        "k8s/secret.yaml",
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: db-credentials\n  namespace: shop\ntype: Opaque\nstringData:\n  password: not-a-real-password\n",
    ),
    passing: (
        "k8s/secret.yaml",
        "apiVersion: external-secrets.io/v1\nkind: ExternalSecret\nmetadata:\n  name: db-credentials\n  namespace: shop\nspec:\n  secretStoreRef:\n    kind: ClusterSecretStore\n    name: gcp-secret-manager\n  target:\n    name: db-credentials\n  data:\n    - secretKey: password\n      remoteRef:\n        key: shop-db-password\n",
    ),
};

pub static SEC_02_2: CheckDoc = CheckDoc {
    id: "SEC-02.2",
    title: "Workload secrets are delivered by a vault or an operator",
    severity: Severity::Medium,
    applies_to: &["kubernetes"],
    what: "Each Secret a workload reads (env `secretKeyRef`, `envFrom.secretRef`, `secret` \
           volumes) is produced by an ExternalSecret, a SealedSecret or a Vault operator object \
           of the repository, or the workload takes its secrets from the Secrets Store CSI \
           driver or the Vault agent injector.",
    why: "A Secret that nothing in the repository produces was created by hand: nobody knows \
          where its value lives, who can read it, or how it is rotated.",
    fix: "Declare an ExternalSecret (or SealedSecret) producing the Secret, or mount it with a \
          SecretProviderClass of the Secrets Store CSI driver.",
    failing: (
        "k8s/web.yaml",
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: shop\nspec:\n  template:\n    spec:\n      containers:\n        - name: web\n          image: example/web:1.0\n          env:\n            - name: DB_PASSWORD\n              valueFrom:\n                secretKeyRef:\n                  name: db-credentials\n                  key: password\n",
    ),
    passing: (
        "k8s/web.yaml",
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: shop\nspec:\n  template:\n    spec:\n      containers:\n        - name: web\n          image: example/web:1.0\n          env:\n            - name: DB_PASSWORD\n              valueFrom:\n                secretKeyRef:\n                  name: db-credentials\n                  key: password\n---\napiVersion: external-secrets.io/v1\nkind: ExternalSecret\nmetadata:\n  name: db-credentials\n  namespace: shop\nspec:\n  secretStoreRef:\n    kind: ClusterSecretStore\n    name: gcp-secret-manager\n  target:\n    name: db-credentials\n  data:\n    - secretKey: password\n      remoteRef:\n        key: shop-db-password\n",
    ),
};

pub static SEC_02_4: CheckDoc = CheckDoc {
    id: "SEC-02.4",
    title: "Compose services take their secrets from Compose secrets or a vault, not variables",
    severity: Severity::Medium,
    applies_to: &["compose"],
    what: "No Compose service sets a secret-named variable (containing PASSWORD, PASSWD, SECRET, \
           TOKEN, API_KEY, APIKEY, PRIVATE_KEY, ACCESS_KEY or CREDENTIAL) in `environment:` or \
           in one of its `env_file:` files; services read secrets from files delivered by \
           Compose `secrets:` (`…_FILE: /run/secrets/…`) or by a vault agent. A service with \
           `secrets:` and no such variable passes.",
    why: "A variable's value sits in the Compose file, a `.env` file or the shell of whoever \
          deploys: copied to every host, readable by `docker inspect`, inherited by every child \
          process, and never rotated by a secret store.",
    fix: "Declare the secret under top-level `secrets:` (fed from your vault at deployment), grant \
          it to the service with `secrets:`, and point the image at the file (`POSTGRES_PASSWORD_FILE: \
          /run/secrets/db_password`).",
    failing: (
        "docker-compose.yml",
        "services:\n  db:\n    image: postgres:17.2\n    environment:\n      POSTGRES_PASSWORD: ${POSTGRES_PASSWORD}\n",
    ),
    passing: (
        "docker-compose.yml",
        "services:\n  db:\n    image: postgres:17.2\n    environment:\n      POSTGRES_PASSWORD_FILE: /run/secrets/db_password\n    secrets: [db_password]\nsecrets:\n  db_password:\n    environment: DB_PASSWORD\n",
    ),
};

pub static SEC_02_3: CheckDoc = CheckDoc {
    id: "SEC-02.3",
    title: "Secret Manager secrets rotate",
    severity: Severity::Low,
    applies_to: &["terraform"],
    what: "Each `google_secret_manager_secret` has a `rotation` block (a `rotation_period`, \
           with the `topics` that notify the rotation job).",
    why: "A secret that never changes stays valid for whoever copied it once; scheduled \
          rotation bounds how long a leak is useful.",
    fix: "Add `rotation { rotation_period = \"7776000s\" next_rotation_time = \"…\" }` and a \
          `topics` entry whose subscriber rotates the value.",
    failing: (
        "main.tf",
        "resource \"google_secret_manager_secret\" \"db\" {\n  secret_id = \"db-password\"\n  replication {\n    auto {}\n  }\n}\n",
    ),
    passing: (
        "main.tf",
        "resource \"google_secret_manager_secret\" \"db\" {\n  secret_id = \"db-password\"\n  replication {\n    auto {}\n  }\n  topics {\n    name = google_pubsub_topic.rotation.id\n  }\n  rotation {\n    rotation_period    = \"7776000s\"\n    next_rotation_time = \"2027-01-01T00:00:00Z\"\n  }\n}\n",
    ),
};

pub static SCM_01: CheckDoc = CheckDoc {
    id: "SCM-01",
    title: "Commits on the default branch are signed",
    severity: Severity::Medium,
    applies_to: &["git"],
    what: "The share of commits reachable from the default branch that carry a signature \
           header (`gpgsig`, OpenPGP or SSH), overall and since `[scm] signed_since`, is at \
           least `[scm] min_signed_share` (default 1.0 since the date, 0.0 before it). \
           Without `[scm] allowed_signers` signatures are read, not verified against keys: they \
           are reported as present. With it (git's `gpg.ssh.allowedSignersFile` format), only \
           SSH signatures in the `git` namespace that verify over the commit, by a key the file \
           lists for that namespace and date, count; the commits whose signature does not \
           verify, whose key is not listed, or that are signed with OpenPGP or X.509 are named.",
    why: "Without signatures anyone who can push (or who steals a token) can author commits \
          under a maintainer's name; signed commits tie each change to a key.",
    fix: "Configure signing (`git config commit.gpgsign true` with `gpg.format ssh` and \
          `user.signingkey`) for every maintainer, and require signed commits on the protected \
          branch.",
    failing: (
        "vigie.toml",
        "# a repository whose commits since 2026-01-01 are not all signed\n[scm]\nsigned_since = 2026-01-01\nmin_signed_share = 1.0\n",
    ),
    passing: (
        "vigie.toml",
        "# a repository whose commits since 2026-01-01 are all signed\n[scm]\nsigned_since = 2026-01-01\nmin_signed_share = 1.0\n",
    ),
};

pub static SCM_02: CheckDoc = CheckDoc {
    id: "SCM-02",
    title: "A secret-scanning pre-commit hook is configured",
    severity: Severity::Medium,
    applies_to: &["pre-commit", "husky", "lefthook"],
    what: "`.pre-commit-config.yaml` runs a secret scanner (vigie, gitleaks, trufflehog, \
           detect-secrets, git-secrets, ggshield), or a husky or lefthook pre-commit hook does.",
    why: "A secret caught before the commit never reaches the history, where it would have to \
          be rotated and purged.",
    fix: "Add the gitleaks (or trufflehog, detect-secrets) hook to `.pre-commit-config.yaml` and \
          have every developer run `pre-commit install`.",
    failing: (
        ".pre-commit-config.yaml",
        "repos:\n  - repo: https://github.com/pre-commit/pre-commit-hooks\n    rev: v5.0.0\n    hooks:\n      - id: trailing-whitespace\n",
    ),
    passing: (
        ".pre-commit-config.yaml",
        "repos:\n  - repo: https://github.com/gitleaks/gitleaks\n    rev: v8.21.2\n    hooks:\n      - id: gitleaks\n",
    ),
};

pub static SCM_03: CheckDoc = CheckDoc {
    id: "SCM-03",
    title: "CODEOWNERS covers the infrastructure and CI paths",
    severity: Severity::Low,
    applies_to: &["codeowners"],
    what: "A CODEOWNERS file (root, `.github/`, `.gitlab/` or `docs/`) exists and names owners \
           for every file that changes what is deployed or how: CI pipelines, Dockerfiles, \
           Compose files, Kubernetes manifests, Terraform, the CODEOWNERS file itself and vigie's \
           own configuration. Branch protection, being server-side, is an attestation.",
    why: "With owners on these paths, a change to the pipeline or the infrastructure cannot be \
          merged without review by the people accountable for it.",
    fix: "Add lines such as `/.github/ @org/platform`, `*.tf @org/platform`, `/k8s/ @org/platform` \
          (later lines win), and require code-owner review in branch protection.",
    failing: ("CODEOWNERS", "/docs/ @example/writers\n"),
    passing: (
        "CODEOWNERS",
        "* @example/platform\n/docs/ @example/writers\n",
    ),
};

pub static SCM_04: CheckDoc = CheckDoc {
    id: "SCM-04",
    title: "Releases are tagged v*",
    severity: Severity::Low,
    applies_to: &["git"],
    what: "The repository has tags matching `v*`; the latest one is reported with the commit it \
           names.",
    why: "A tagged release is what a rollback returns to: without tags, nobody can say which \
          commit is in production or redeploy the previous one.",
    fix: "Tag each release (`git tag -s v1.4.0 && git push --tags`), ideally from the release \
          pipeline.",
    failing: (
        "vigie.toml",
        "# a git repository without any v* tag\n[scm]\n",
    ),
    passing: (
        "vigie.toml",
        "# a git repository with a v1.0.0 tag\n[scm]\n",
    ),
};

pub static GOV_01_1: CheckDoc = CheckDoc {
    id: "GOV-01.1",
    title: "A deployment and rollback runbook exists",
    severity: Severity::Low,
    applies_to: &["docs"],
    what: "A document at the root or in `docs/` (`deployment.md`, `runbook.md`, \
           `déploiement.md`, `exploitation.md`…) describes how to deploy and has a heading on \
           rolling back (`Rollback`, `Roll back`, `Retour arrière`, `Revenir à la version \
           précédente`).",
    why: "During an incident there is no time to rediscover how to redeploy the previous \
          release; a written, reviewed procedure is what makes rollback quick and safe.",
    fix: "Write `docs/deployment.md` with the deploy steps and a `## Rollback` section naming \
          the command and the tag to return to.",
    failing: (
        "docs/deployment.md",
        "# Deployment\n\n## Steps\n\n1. Merge to main.\n2. The pipeline builds and deploys.\n",
    ),
    passing: (
        "docs/deployment.md",
        "# Deployment\n\n## Steps\n\n1. Merge to main.\n2. The pipeline builds and deploys.\n\n## Rollback\n\nRedeploy the previous tag: `kubectl rollout undo deployment/web`.\n",
    ),
};

pub static GOV_01_2: CheckDoc = CheckDoc {
    id: "GOV-01.2",
    title: "An incident-response procedure exists",
    severity: Severity::Low,
    applies_to: &["docs"],
    what: "A document at the root or in `docs/` is about incident response (`incident*.md`, \
           `SECURITY.md` with an incident heading, `réponse-incident.md`, `gestion-des-incidents.md`, \
           or a heading such as `Incident response`, `Gestion des incidents`, `Post-mortem`). \
           Writing the root cause within 48 h is an attestation.",
    why: "Who is called, who decides, how evidence is kept and when a post-mortem is written \
          must be settled before the incident, not during it.",
    fix: "Write `docs/incident-response.md`: contacts, severity levels, first actions, evidence \
          preservation, and the post-mortem with its root cause within 48 hours.",
    failing: (
        "docs/deployment.md",
        "# Deployment\n\n## Steps\n\nMerge to main.\n\n## Rollback\n\n`kubectl rollout undo deployment/web`.\n",
    ),
    passing: (
        "docs/incident-response.md",
        "# Incident response\n\n## Contacts\n\nOn call: ops@example.org.\n\n## Post-mortem\n\nRoot cause written within 48 hours.\n",
    ),
};

pub static GOV_02: CheckDoc = CheckDoc {
    id: "GOV-02",
    title: "Backups are scheduled",
    severity: Severity::Medium,
    applies_to: &["kubernetes", "compose", "terraform"],
    what: "The data stores of the repository are backed up on a schedule: a CronJob (or a \
           Compose service) running a backup tool (pg_dump, mysqldump, mongodump, velero, \
           restic, borg, kopia, barman, pgbackrest, wal-g), a Velero `Schedule`, or provider \
           backup configuration in Terraform (Cloud SQL `backup_configuration`, GKE Backup \
           plans). Restore tests are an attestation.",
    why: "Without a scheduled backup, a bad migration, ransomware or a deleted volume loses the \
          data for good.",
    fix: "Schedule a backup (Velero Schedule, a pg_dump CronJob to object storage, or \
          `backup_configuration { enabled = true }`) and record restore tests with `vigie attest \
          GOV-02`.",
    failing: (
        "docker-compose.yml",
        "services:\n  db:\n    image: postgres:17.2\n    volumes:\n      - db-data:/var/lib/postgresql/data\nvolumes:\n  db-data: {}\n",
    ),
    passing: (
        "k8s/backup.yaml",
        "apiVersion: batch/v1\nkind: CronJob\nmetadata:\n  name: db-backup\n  namespace: shop\nspec:\n  schedule: \"0 3 * * *\"\n  jobTemplate:\n    spec:\n      template:\n        spec:\n          restartPolicy: OnFailure\n          containers:\n            - name: dump\n              image: postgres:17.2\n              command: [\"sh\", \"-c\", \"pg_dump -h db -U app app | gzip > /backup/app.sql.gz\"]\n",
    ),
};

/// Every check of this crate, in id order.
pub static ALL: &[&CheckDoc] = &[
    &GOV_01_1, &GOV_01_2, &GOV_02, &K8S_01_1, &K8S_01_2, &K8S_02_1, &K8S_02_2, &LOG_01, &LOG_03,
    &LOG_04, &LOG_04_1, &SCM_01, &SCM_02, &SCM_03, &SCM_04, &SEC_02_1, &SEC_02_2, &SEC_02_3,
    &SEC_02_4,
];
