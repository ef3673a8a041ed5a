//! Whatever the input, reading and judging TLS configurations never panics.

use proptest::prelude::*;
use vigie_tls::{MemFiles, cipher, judge, scan};

fn run(name: &str, text: &str) {
    let found = scan(&MemFiles::new(&[(name, text)]), &[]);
    let mut out = Vec::new();
    let mut notes = Vec::new();
    judge::judge(&found, &mut out, &mut notes);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn cipher_strings(s in "[A-Za-z0-9+!@:,; =.*-]{0,60}") {
        let e = cipher::expand(&s);
        prop_assert!(e.rejected || !e.suites.is_empty());
    }

    #[test]
    fn nginx(s in "(server|http|listen|ssl_protocols|ssl_ciphers|include|add_header|location|return|[{};\"'#$ \n]|TLSv1|443|ssl|\\*|/|x){0,80}") {
        run("nginx.conf", &format!("http {{ {s}"));
        run("conf.d/a.conf", &s);
    }

    #[test]
    fn other_formats(s in "(frontend|bind|ssl|global|tls|protocols|ciphers|\\{|\\}|\n| |:443|entryPoints|address|options|minVersion|=|\\[|\\]|\"|x){0,80}") {
        run("haproxy.cfg", &s);
        run("Caddyfile", &s);
        run("traefik.toml", &format!("entryPoints address tls options minVersion\n{s}"));
        run("traefik.yml", &format!("# entryPoints address\n{s}"));
    }

    #[test]
    fn caddy_json(s in "(\"apps\"|\"http\"|\"servers\"|\"tls\"|\"listen\"|\":443\"|\":80\"|\"tls_connection_policies\"|\"protocol_min\"|\"tls1.0\"|\"routes\"|\"Strict-Transport-Security\"|\"static_response\"|\"handler\"|\"Location\"|\\{|\\}|\\[|\\]|:|,|1|x){0,80}") {
        run("caddy/caddy.json", &format!("{{\"apps\": {{\"servers\": {s}"));
        run("caddy.json", &s);
    }
}
