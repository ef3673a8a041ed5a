//! CycloneDX 1.6 JSON of every package of every lockfile: purls, versions, hashes, where each
//! is locked, and the dependency graph where the lockfile records it.

use crate::lockfile::Lockfile;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

struct Component {
    name: String,
    group: Option<String>,
    version: String,
    purl: String,
    hashes: BTreeMap<&'static str, String>,
    locations: Vec<String>,
    depends: Vec<String>,
}

fn valid_hex(alg: &str, hex: &str) -> bool {
    let want = match alg {
        "MD5" => 32,
        "SHA-1" => 40,
        "SHA-256" => 64,
        "SHA-384" => 96,
        "SHA-512" => 128,
        _ => return false,
    };
    hex.len() == want && hex.bytes().all(|b| b.is_ascii_hexdigit())
}

/// The SBOM of `lockfiles` for the project `root_name`, stamped `timestamp`.
pub fn cyclonedx(
    lockfiles: &[Lockfile],
    root_name: &str,
    timestamp: time::OffsetDateTime,
) -> Value {
    let mut comps: BTreeMap<String, Component> = BTreeMap::new();
    let mut root_deps: Vec<String> = Vec::new();
    for lf in lockfiles {
        let eco = lf.ecosystem;
        let purls: Vec<String> = lf
            .packages
            .iter()
            .map(|p| eco.purl(&p.name, &p.version))
            .collect();
        for (i, p) in lf.packages.iter().enumerate() {
            let purl = &purls[i];
            let (group, name) = match (eco, p.name.split_once('/')) {
                (crate::Ecosystem::Npm, Some((g, n))) if g.starts_with('@') => {
                    (Some(g.to_string()), n.to_string())
                }
                _ => (None, p.name.clone()),
            };
            let c = comps.entry(purl.clone()).or_insert_with(|| Component {
                name,
                group,
                version: p.version.clone(),
                purl: purl.clone(),
                hashes: BTreeMap::new(),
                locations: Vec::new(),
                depends: Vec::new(),
            });
            for h in &p.hashes {
                if valid_hex(h.alg, &h.hex) {
                    // One digest per algorithm (CycloneDX hashes are of the component's archive).
                    c.hashes.entry(h.alg).or_insert_with(|| h.hex.clone());
                }
            }
            c.locations.push(format!("{}:{}", lf.path, p.line));
            for &d in &p.deps {
                if let Some(dp) = purls.get(d)
                    && dp != purl
                    && !c.depends.contains(dp)
                {
                    c.depends.push(dp.clone());
                }
            }
        }
        for &r in &lf.roots {
            if let Some(rp) = purls.get(r)
                && !root_deps.contains(rp)
            {
                root_deps.push(rp.clone());
            }
        }
    }
    let mut hasher = Sha256::new();
    for k in comps.keys() {
        hasher.update(k.as_bytes());
        hasher.update(b"\n");
    }
    hasher.update(root_name.as_bytes());
    let d = hasher.finalize();
    // A name-based UUID (version 5 layout) from the content, so the same tree gives the same BOM.
    let mut b: [u8; 16] = d[..16].try_into().unwrap_or([0; 16]);
    b[6] = (b[6] & 0x0f) | 0x50;
    b[8] = (b[8] & 0x3f) | 0x80;
    let hex = data_encoding::HEXLOWER.encode(&b);
    let serial = format!(
        "urn:uuid:{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    );
    let root_ref = "root-component";
    let components: Vec<Value> = comps
        .values()
        .map(|c| {
            let mut o = json!({
                "type": "library",
                "bom-ref": c.purl,
                "name": c.name,
                "version": c.version,
                "purl": c.purl,
            });
            if let Some(g) = &c.group {
                o["group"] = json!(g);
            }
            if !c.hashes.is_empty() {
                o["hashes"] = c
                    .hashes
                    .iter()
                    .map(|(alg, hex)| json!({"alg": alg, "content": hex}))
                    .collect();
            }
            o["properties"] = c
                .locations
                .iter()
                .map(|l| json!({"name": "vigie:lockfile", "value": l}))
                .collect();
            o
        })
        .collect();
    let mut deps = vec![json!({"ref": root_ref, "dependsOn": root_deps})];
    deps.extend(
        comps
            .values()
            .map(|c| json!({"ref": c.purl, "dependsOn": c.depends})),
    );
    json!({
        "$schema": "http://cyclonedx.org/schema/bom-1.6.schema.json",
        "bomFormat": "CycloneDX",
        "specVersion": "1.6",
        "serialNumber": serial,
        "version": 1,
        "metadata": {
            "timestamp": timestamp
                .replace_nanosecond(0)
                .unwrap_or(timestamp)
                .format(&time::format_description::well_known::Rfc3339)
                .unwrap_or_default(),
            "tools": {
                "components": [{
                    "type": "application",
                    "name": "vigie",
                    "version": env!("CARGO_PKG_VERSION"),
                }]
            },
            "component": {
                "type": "application",
                "bom-ref": root_ref,
                "name": root_name,
            }
        },
        "components": components,
        "dependencies": deps,
    })
}
