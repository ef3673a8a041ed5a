//! TLS configurations that terminate TLS in a platform (nginx, Traefik, Caddy, HAProxy,
//! ingress-nginx), read with locations and judged against the ANSSI TLS guide (CRY-01..CRY-03).

pub mod anssi;
pub mod cipher;
