//! CycloneDX 1.6 JSON of every package of every lockfile: purls, versions, hashes, where each
//! is locked, and the dependency graph where the lockfile records it.

use crate::lockfile::Lockfile;
use serde::Serialize;
use serde::ser::{SerializeMap, SerializeSeq, Serializer};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::Write;
use std::sync::Arc;

/// One package (by purl), borrowing its strings from the lockfiles.
struct Component<'a> {
    name: &'a str,
    group: Option<&'a str>,
    version: &'a str,
    purl: Arc<str>,
    hashes: BTreeMap<&'static str, &'a str>,
    /// Lockfile and line, each place the package is locked.
    locations: Vec<(&'a str, u32)>,
    /// Indexes of the components it depends on, in the order first met.
    depends: Vec<usize>,
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

/// A CycloneDX 1.6 document of the packages of some lockfiles, written by [`Serialize`]
/// straight from the lockfiles' strings (no intermediate JSON tree).
pub struct Bom<'a> {
    components: Vec<Component<'a>>,
    /// Component indexes in purl order, the order they are written in.
    order: Vec<usize>,
    root_deps: Vec<usize>,
    root_name: &'a str,
    serial: String,
    timestamp: String,
}

const ROOT_REF: &str = "root-component";

/// The SBOM of `lockfiles` for the project `root_name`, stamped `timestamp`.
pub fn cyclonedx<'a>(
    lockfiles: &'a [Lockfile],
    root_name: &'a str,
    timestamp: time::OffsetDateTime,
) -> Bom<'a> {
    let mut comps: Vec<Component<'a>> = Vec::new();
    let mut by_purl: HashMap<Arc<str>, usize> = HashMap::new();
    let mut root_deps: Vec<usize> = Vec::new();
    let mut root_seen: HashSet<usize> = HashSet::new();
    for lf in lockfiles {
        let eco = lf.ecosystem;
        // each package of this lockfile as a component index
        let ids: Vec<usize> = lf
            .packages
            .iter()
            .map(|p| {
                let purl = eco.purl(&p.name, &p.version);
                if let Some(&i) = by_purl.get(purl.as_str()) {
                    return i;
                }
                let (group, name) = match (eco, p.name.split_once('/')) {
                    (crate::Ecosystem::Npm, Some((g, n))) if g.starts_with('@') => (Some(g), n),
                    _ => (None, p.name.as_str()),
                };
                let purl: Arc<str> = Arc::from(purl);
                comps.push(Component {
                    name,
                    group,
                    version: &p.version,
                    purl: purl.clone(),
                    hashes: BTreeMap::new(),
                    locations: Vec::new(),
                    depends: Vec::new(),
                });
                by_purl.insert(purl, comps.len() - 1);
                comps.len() - 1
            })
            .collect();
        for (i, p) in lf.packages.iter().enumerate() {
            let c = &mut comps[ids[i]];
            for h in &p.hashes {
                if valid_hex(h.alg, &h.hex) {
                    // One digest per algorithm (CycloneDX hashes are of the component's archive).
                    c.hashes.entry(h.alg).or_insert(&h.hex);
                }
            }
            c.locations.push((&lf.path, p.line));
            for &d in &p.deps {
                if let Some(&dp) = ids.get(d)
                    && dp != ids[i]
                    && !c.depends.contains(&dp)
                {
                    c.depends.push(dp);
                }
            }
        }
        for &r in &lf.roots {
            if let Some(&rp) = ids.get(r)
                && root_seen.insert(rp)
            {
                root_deps.push(rp);
            }
        }
    }
    drop(by_purl);
    let mut order: Vec<usize> = (0..comps.len()).collect();
    order.sort_unstable_by(|&a, &b| comps[a].purl.cmp(&comps[b].purl));
    let mut hasher = Sha256::new();
    for &i in &order {
        hasher.update(comps[i].purl.as_bytes());
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
    Bom {
        components: comps,
        order,
        root_deps,
        root_name,
        serial,
        timestamp: timestamp
            .replace_nanosecond(0)
            .unwrap_or(timestamp)
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default(),
    }
}

impl Bom<'_> {
    /// Write the document as indented JSON, followed by a newline.
    pub fn write_json(&self, w: impl Write) -> std::io::Result<()> {
        let mut w = std::io::BufWriter::with_capacity(1 << 16, w);
        serde_json::to_writer_pretty(&mut w, self)?;
        w.write_all(b"\n")?;
        w.flush()
    }
}

#[derive(Serialize)]
struct Tool {
    #[serde(rename = "type")]
    kind: &'static str,
    name: &'static str,
    version: &'static str,
}

#[derive(Serialize)]
struct Tools {
    components: [Tool; 1],
}

#[derive(Serialize)]
struct RootComponent<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    #[serde(rename = "bom-ref")]
    bom_ref: &'static str,
    name: &'a str,
}

#[derive(Serialize)]
struct Metadata<'a> {
    timestamp: &'a str,
    tools: Tools,
    component: RootComponent<'a>,
}

#[derive(Serialize)]
struct HashOut<'a> {
    alg: &'static str,
    content: &'a str,
}

/// `vigie:lockfile` = `path:line`.
struct Location<'a>(&'a str, u32);

impl Serialize for Location<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(2))?;
        m.serialize_entry("name", "vigie:lockfile")?;
        m.serialize_entry("value", &format_args!("{}:{}", self.0, self.1))?;
        m.end()
    }
}

/// A sequence written from an iterator, without collecting it.
struct Seq<F>(F);

impl<F, I> Serialize for Seq<F>
where
    F: Fn() -> I,
    I: Iterator,
    I::Item: Serialize,
{
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let it = (self.0)();
        let mut seq = s.serialize_seq(it.size_hint().1)?;
        for x in it {
            seq.serialize_element(&x)?;
        }
        seq.end()
    }
}

struct ComponentOut<'b, 'a>(&'b Component<'a>);

impl Serialize for ComponentOut<'_, '_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let c = self.0;
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("type", "library")?;
        m.serialize_entry("bom-ref", &*c.purl)?;
        if let Some(g) = c.group {
            m.serialize_entry("group", g)?;
        }
        m.serialize_entry("name", c.name)?;
        m.serialize_entry("version", c.version)?;
        m.serialize_entry("purl", &*c.purl)?;
        if !c.hashes.is_empty() {
            m.serialize_entry(
                "hashes",
                &Seq(|| {
                    c.hashes
                        .iter()
                        .map(|(alg, hex)| HashOut { alg, content: hex })
                }),
            )?;
        }
        m.serialize_entry(
            "properties",
            &Seq(|| c.locations.iter().map(|(p, l)| Location(p, *l))),
        )?;
        m.end()
    }
}

struct Dependency<'b, 'a> {
    reference: &'b str,
    ids: &'b [usize],
    comps: &'b [Component<'a>],
}

impl Serialize for Dependency<'_, '_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(2))?;
        m.serialize_entry("ref", self.reference)?;
        m.serialize_entry(
            "dependsOn",
            &Seq(|| self.ids.iter().map(|&i| &*self.comps[i].purl)),
        )?;
        m.end()
    }
}

impl Serialize for Bom<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let comps = &self.components;
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("$schema", "http://cyclonedx.org/schema/bom-1.6.schema.json")?;
        m.serialize_entry("bomFormat", "CycloneDX")?;
        m.serialize_entry("specVersion", "1.6")?;
        m.serialize_entry("serialNumber", &self.serial)?;
        m.serialize_entry("version", &1)?;
        m.serialize_entry(
            "metadata",
            &Metadata {
                timestamp: &self.timestamp,
                tools: Tools {
                    components: [Tool {
                        kind: "application",
                        name: "vigie",
                        version: env!("CARGO_PKG_VERSION"),
                    }],
                },
                component: RootComponent {
                    kind: "application",
                    bom_ref: ROOT_REF,
                    name: self.root_name,
                },
            },
        )?;
        m.serialize_entry(
            "components",
            &Seq(|| self.order.iter().map(|&i| ComponentOut(&comps[i]))),
        )?;
        m.serialize_entry(
            "dependencies",
            &Seq(|| {
                std::iter::once(Dependency {
                    reference: ROOT_REF,
                    ids: &self.root_deps,
                    comps,
                })
                .chain(self.order.iter().map(|&i| Dependency {
                    reference: &comps[i].purl,
                    ids: &comps[i].depends,
                    comps,
                }))
            }),
        )?;
        m.end()
    }
}
