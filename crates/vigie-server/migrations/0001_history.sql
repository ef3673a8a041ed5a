-- One schema for SQLite and PostgreSQL: only types both engines read alike (BIGINT, TEXT,
-- BYTEA, DOUBLE PRECISION), identifiers chosen by vigie (no engine-specific auto-increment),
-- times as Unix seconds (microseconds for the audit log).

CREATE TABLE repositories (
    id BIGINT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    default_branch TEXT NOT NULL,
    evidence_url TEXT,
    created_at BIGINT NOT NULL,
    -- the hash chain's head: the last entry's position and hash
    head_seq BIGINT NOT NULL,
    head_hash TEXT NOT NULL,
    -- the next number given to a verdict never seen in this repository
    next_vid BIGINT NOT NULL,
    -- the newest scan of the default branch, what the overview shows
    latest_scan_id BIGINT,
    latest_scanned_at BIGINT
);

CREATE TABLE scans (
    id BIGINT PRIMARY KEY,
    repository_id BIGINT NOT NULL REFERENCES repositories (id),
    -- the chain entry
    seq BIGINT NOT NULL,
    branch TEXT NOT NULL,
    commit_sha TEXT NOT NULL,
    pipeline_url TEXT,
    scanned_at BIGINT NOT NULL,
    received_at BIGINT NOT NULL,
    report_digest TEXT NOT NULL,
    attestations TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    entry_hash TEXT NOT NULL,
    -- what the pages show without opening the report
    uploaded_by TEXT NOT NULL,
    vigie_version TEXT NOT NULL,
    result TEXT NOT NULL,
    failures BIGINT NOT NULL,
    passes BIGINT NOT NULL,
    waived BIGINT NOT NULL,
    attested BIGINT NOT NULL,
    ratio DOUBLE PRECISION,
    report_bytes BIGINT NOT NULL,
    -- the report itself: small fields inline, large ones as shared blobs, verdicts as
    -- numbers into the repository's verdict packs; NULL once retention has pruned it
    meta BYTEA,
    parts TEXT,
    verdict_ids BYTEA,
    packs TEXT,
    pruned_at BIGINT,
    UNIQUE (repository_id, seq),
    UNIQUE (repository_id, commit_sha, report_digest)
);
CREATE INDEX scans_by_branch ON scans (repository_id, branch, scanned_at);
CREATE INDEX scans_by_time ON scans (scanned_at);

-- a large report field (checks, controls, framework results…), stored once whoever uses it
CREATE TABLE blobs (
    digest TEXT PRIMARY KEY,
    data BYTEA NOT NULL,
    created_at BIGINT NOT NULL
);

-- the verdicts a scan brought that its repository had not seen, compressed together
CREATE TABLE verdict_packs (
    repository_id BIGINT NOT NULL REFERENCES repositories (id),
    first_vid BIGINT NOT NULL,
    n_verdicts BIGINT NOT NULL,
    data BYTEA NOT NULL,
    PRIMARY KEY (repository_id, first_vid)
);

CREATE TABLE scan_frameworks (
    scan_id BIGINT NOT NULL REFERENCES scans (id),
    framework TEXT NOT NULL,
    title TEXT NOT NULL,
    compliant BIGINT NOT NULL,
    partially_compliant BIGINT NOT NULL,
    non_compliant BIGINT NOT NULL,
    not_applicable BIGINT NOT NULL,
    not_assessed BIGINT NOT NULL,
    PRIMARY KEY (scan_id, framework)
);

-- controls a scan finds non-compliant or partially compliant
CREATE TABLE scan_controls (
    scan_id BIGINT NOT NULL REFERENCES scans (id),
    control TEXT NOT NULL,
    status TEXT NOT NULL,
    failed BIGINT NOT NULL,
    PRIMARY KEY (scan_id, control)
);
CREATE INDEX scan_controls_by_control ON scan_controls (control, scan_id);

-- attestations and waivers of a scan that have an expiry date
CREATE TABLE scan_expiries (
    scan_id BIGINT NOT NULL REFERENCES scans (id),
    kind TEXT NOT NULL,
    item TEXT NOT NULL,
    subject TEXT NOT NULL,
    owner TEXT,
    expires TEXT NOT NULL,
    path TEXT NOT NULL,
    line BIGINT NOT NULL
);
CREATE INDEX scan_expiries_by_scan ON scan_expiries (scan_id);

CREATE TABLE users (
    id BIGINT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    role TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    disabled_at BIGINT
);

CREATE TABLE sessions (
    id_hash TEXT PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users (id),
    csrf TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);

CREATE TABLE tokens (
    id BIGINT PRIMARY KEY,
    repository_id BIGINT NOT NULL REFERENCES repositories (id),
    name TEXT NOT NULL,
    secret_hash TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    created_by TEXT NOT NULL,
    revoked_at BIGINT,
    last_used_at BIGINT
);

CREATE TABLE audit_log (
    id BIGINT PRIMARY KEY,
    at_us BIGINT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    target TEXT NOT NULL,
    detail TEXT NOT NULL,
    address TEXT
);
CREATE INDEX audit_log_by_time ON audit_log (at_us);

CREATE TABLE login_failures (
    attempt_key TEXT NOT NULL,
    at BIGINT NOT NULL
);
CREATE INDEX login_failures_by_key ON login_failures (attempt_key, at);
