//! Secrets baked into images (SEC-04): a secret-named `ENV`, `ARG` or `LABEL` with a value that
//! passes the randomness gate, and `COPY`/`ADD` of key, credential or `.env` files. Anything written
//! into a layer can be read by whoever pulls the image; build secrets belong in
//! `RUN --mount=type=secret`.

use crate::gate;
use regex::Regex;
use std::sync::{Arc, LazyLock};
use vigie_core::SourceFile;
use vigie_parse::dockerfile::{Dockerfile, InstrKind};

pub const ENV_RULE: &str = "dockerfile-secret-in-env";
pub const COPY_RULE: &str = "dockerfile-copies-secret-file";

static DOCKERFILE_NAME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(^|/)((docker|container)file([._-][^/]*)?|[^/]+\.(docker|container)file)$")
        .expect("valid")
});

static SECRET_KEY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)(passw(or)?d|passwd|pwd|secret|token|api[_-]?key|access[_-]?key|private[_-]?key|credential|auth[_-]?key|client[_-]?secret)",
    )
    .expect("valid")
});

static SECRET_FILE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)(^|/)(id_(rsa|dsa|ecdsa|ed25519)|\.env(\.(local|dev|development|prod|production|staging|test))?|[^/]*\.(pem|key|p12|pfx|jks|keystore)|\.npmrc|\.pypirc|\.netrc|\.git-credentials|\.aws/credentials|\.docker/config\.json|kubeconfig|\.kube/config|credentials\.json|service-account[^/]*\.json)$",
    )
    .expect("valid")
});

/// Whether `path` names a Dockerfile or Containerfile.
pub fn is_dockerfile(path: &str) -> bool {
    DOCKERFILE_NAME.is_match(path)
}

/// A finding in a Dockerfile: (rule id, the value or file, line, column).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DockerMatch {
    pub rule: &'static str,
    pub value: String,
    pub line: u32,
    pub column: u32,
}

/// Analyse a Dockerfile's text. A file that does not parse gives an error message.
pub fn analyse(path: &str, text: &str) -> Result<Vec<DockerMatch>, String> {
    let source = Arc::new(SourceFile::new(path, text.to_string()));
    let df = Dockerfile::parse(source.clone())
        .map_err(|e| format!("{}:{}: {}", e.line, e.column, e.message))?;
    let mut out = Vec::new();
    for stage in &df.stages {
        for instr in &stage.instructions {
            let pairs: Vec<(&str, &str)> = match &instr.kind {
                InstrKind::Env(p) | InstrKind::Label(p) => {
                    p.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect()
                }
                InstrKind::Arg(k, Some(v)) => vec![(k.as_str(), v.as_str())],
                InstrKind::Copy {
                    sources,
                    from: None,
                }
                | InstrKind::Add { sources } => {
                    for s in sources {
                        let s = s.trim_start_matches("./");
                        if SECRET_FILE.is_match(s) && !is_remote(s) && !is_certificate(s) {
                            out.push(DockerMatch {
                                rule: COPY_RULE,
                                value: s.to_string(),
                                line: instr.at.line,
                                column: instr.at.column,
                            });
                        }
                    }
                    continue;
                }
                _ => continue,
            };
            for (k, v) in pairs {
                if SECRET_KEY.is_match(k)
                    && !names_a_path(k, v)
                    && gate::plausible_secret(v.as_bytes()).is_ok()
                {
                    out.push(DockerMatch {
                        rule: ENV_RULE,
                        value: v.to_string(),
                        line: instr.at.line,
                        column: instr.at.column,
                    });
                }
            }
        }
    }
    Ok(out)
}

/// `ADD https://…/ca.pem`: a download, not a file of the build context.
fn is_remote(source: &str) -> bool {
    source.contains("://") || source.starts_with("git@")
}

/// A `.pem` named as a certificate (`ca.pem`, `fullchain.pem`, `server-cert.pem`): public, not a key.
fn is_certificate(source: &str) -> bool {
    let name = source
        .rsplit('/')
        .next()
        .unwrap_or(source)
        .to_ascii_lowercase();
    let Some(stem) = name.strip_suffix(".pem") else {
        return false;
    };
    stem.split(['-', '_', '.']).any(|w| {
        matches!(
            w,
            "ca" | "cacert"
                | "cert"
                | "certificate"
                | "chain"
                | "fullchain"
                | "bundle"
                | "pub"
                | "public"
        )
    })
}

/// `ENV API_TOKEN_FILE=/run/secrets/api_token`: the variable names where the secret is mounted,
/// the value is a path.
fn names_a_path(key: &str, value: &str) -> bool {
    let k = key.to_ascii_uppercase();
    k.ends_with("_FILE")
        || k.ends_with("_PATH")
        || k.ends_with("_DIR")
        || value.starts_with('/')
        || value.starts_with("./")
        || value.starts_with("~/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn env_arg_label_and_copy() {
        let m = analyse(
            "Dockerfile",
            "FROM alpine:3.20\nARG NPM_TOKEN=npm_Zt4qRm81pLw3Xn9kQ2\nENV DB_PASSWORD=Tq8vLz2Wp5kXm1Rq APP_ENV=prod\nENV API_KEY=${API_KEY}\nLABEL secret=changeme\nCOPY .env /app/.env\nCOPY id_rsa /root/.ssh/id_rsa\nCOPY src/ /app/\nCOPY .env.example /app/\n",
        )
        .unwrap();
        let got: Vec<_> = m.iter().map(|d| (d.rule, d.line)).collect();
        assert_eq!(
            got,
            vec![(ENV_RULE, 2), (ENV_RULE, 3), (COPY_RULE, 6), (COPY_RULE, 7)]
        );
    }

    #[test]
    fn paths_downloads_and_certificates_are_not_secrets() {
        let m = analyse(
            "Dockerfile",
            "FROM alpine:3.20\nENV API_TOKEN_FILE=/run/secrets/api_token\nENV DB_PASSWORD=/run/secrets/db\nADD https://certs.example.eu/ca.pem /usr/local/share/ca-certificates/\nCOPY certs/fullchain.pem /etc/ssl/\nCOPY certs/server-key.pem /etc/ssl/private/\nENV SESSION_SECRET=Tq8vLz2Wp5kXm1RqZ3\n",
        )
        .unwrap();
        let got: Vec<_> = m.iter().map(|d| (d.rule, d.line)).collect();
        // the private key and the literal secret only
        assert_eq!(got, vec![(COPY_RULE, 6), (ENV_RULE, 7)]);
    }

    #[test]
    fn names() {
        assert!(is_dockerfile("Dockerfile"));
        assert!(is_dockerfile("api/Dockerfile.prod"));
        assert!(is_dockerfile("build/app.dockerfile"));
        assert!(is_dockerfile("Containerfile"));
        assert!(!is_dockerfile("docs/Dockerfile.md/x"));
        assert!(!is_dockerfile("dockerfiles.txt"));
    }
}
