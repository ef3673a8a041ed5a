//! The TLS checks, one file per check: its documentation beside its judge, a function of the
//! endpoints found and of each endpoint's offer of suites, judged once (`crate::judge`).
//!
//! Adding a check: a file here with `pub(crate) static DOC` and `pub(crate) fn judge`, its `mod`
//! line and its name in the `checks!` list below, and its entry in the catalogue (see
//! `vigie_core::check`).

use crate::judge::Judged;
use vigie_core::Verdict;

/// An nginx configuration that fails every TLS check (the failing example of each).
const NGINX_WEAK: &str = "http {\n  server {\n    listen 443 ssl;\n    server_name shop.example;\n    ssl_certificate /etc/nginx/certs/fullchain.pem;\n    ssl_certificate_key /etc/nginx/certs/privkey.pem;\n    ssl_protocols TLSv1 TLSv1.1 TLSv1.2;\n    ssl_ciphers HIGH:MEDIUM:AES128-SHA:!aNULL;\n    ssl_session_timeout 2d;\n    ssl_early_data on;\n  }\n  server {\n    listen 80;\n    location / { proxy_pass http://app:3000; }\n  }\n}\n";
/// The same configuration, fixed.
const NGINX_GOOD: &str = "http {\n  server {\n    listen 443 ssl;\n    server_name shop.example;\n    ssl_certificate /etc/nginx/certs/fullchain.pem;\n    ssl_certificate_key /etc/nginx/certs/privkey.pem;\n    ssl_protocols TLSv1.2 TLSv1.3;\n    ssl_ciphers ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256;\n    ssl_ecdh_curve X25519:secp256r1:secp384r1;\n    ssl_session_timeout 1d;\n    ssl_session_tickets off;\n    ssl_early_data off;\n    ssl_stapling on;\n    ssl_stapling_verify on;\n    add_header Strict-Transport-Security \"max-age=63072000; includeSubDomains\" always;\n  }\n  server {\n    listen 80;\n    return 301 https://$host$request_uri;\n  }\n}\n";
/// The configurations the TLS checks read.
const APPLIES: &[&str] = &["nginx", "traefik", "caddy", "haproxy", "kubernetes"];

mod cry01_versions;
mod cry02_1_recommended_suites;
mod cry02_forbidden_suites;
mod cry03_1_https_redirect;
mod cry03_2_hsts;
mod cry03_3_session_tickets;
mod cry03_4_early_data;
mod cry03_5_ocsp_stapling;

vigie_core::checks! {
    pub(crate) judge: fn(&Judged<'_>, &mut Vec<Verdict>);
    cry01_versions,
    cry02_forbidden_suites,
    cry02_1_recommended_suites,
    cry03_1_https_redirect,
    cry03_2_hsts,
    cry03_3_session_tickets,
    cry03_4_early_data,
    cry03_5_ocsp_stapling,
}
