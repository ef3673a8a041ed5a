//! A plain textual look at Terraform (`*.tf`) with hcl-edit: top-level blocks with their type,
//! labels and spans, attribute values as written. Nothing is resolved (variables, modules,
//! `for_each`): a value that is an expression is judged by its text.

use crate::Repo;
use hcl_edit::Span;
use hcl_edit::structure::{Block, Body};
use std::sync::Arc;
use vigie_core::{Location, SourceFile};

pub struct TfFile {
    pub src: SourceFile,
    pub body: Body,
}

pub struct Resource<'a> {
    pub file: &'a TfFile,
    pub block: &'a Block,
    pub kind: &'a str,
    pub name: &'a str,
}

impl<'a> Resource<'a> {
    pub fn id(&self) -> String {
        format!("{}.{}", self.kind, self.name)
    }

    pub fn at(&self) -> Location {
        self.file.at(self.block.span())
    }
}

impl TfFile {
    pub fn at(&self, span: Option<std::ops::Range<usize>>) -> Location {
        match span {
            Some(s) => self.src.location(s.start),
            None => Location::file(self.src.path.clone()),
        }
    }

    /// An attribute's value as written, and where.
    pub fn attr(&self, body: &Body, key: &str) -> Option<(String, Location)> {
        let a = body.get_attribute(key)?;
        let text = a
            .value
            .span()
            .and_then(|s| self.src.text.get(s))
            .map(str::to_string)
            .unwrap_or_else(|| a.value.to_string());
        Some((text.trim().to_string(), self.at(a.span())))
    }
}

/// A string attribute without its quotes.
pub fn unquote(s: &str) -> &str {
    s.trim().trim_matches('"')
}

/// The nested blocks of a body named `name`.
pub fn blocks<'b>(body: &'b Body, name: &'b str) -> impl Iterator<Item = &'b Block> + 'b {
    body.blocks().filter(move |b| b.ident.as_str() == name)
}

#[derive(Default)]
pub struct Terraform {
    pub files: Vec<TfFile>,
}

impl Terraform {
    pub fn resources<'a>(&'a self, kind: &'a str) -> impl Iterator<Item = Resource<'a>> + 'a {
        self.files.iter().flat_map(move |f| {
            blocks(&f.body, "resource").filter_map(move |b| {
                let mut labels = b.labels.iter().map(|l| l.as_str());
                let k = labels.next()?;
                let n = labels.next().unwrap_or("");
                (k == kind).then_some(Resource {
                    file: f,
                    block: b,
                    kind: k,
                    name: n,
                })
            })
        })
    }
}

/// Read and parse every `*.tf` file of the repository. A file that is not valid HCL is left
/// out silently: the Terraform analysis (vigie-terraform) reads the same files and reports the
/// parse error once, with its location.
pub fn read(repo: &Repo<'_>) -> Terraform {
    let mut tf = Terraform::default();
    for rel in repo.files.iter().filter(|f| f.ends_with(".tf")) {
        let Some(text) = (repo.read)(rel) else {
            continue;
        };
        if let Ok(body) = hcl_edit::parser::parse_body(&text) {
            tf.files.push(TfFile {
                src: SourceFile::new(Arc::<str>::from(*rel), text),
                body,
            });
        }
    }
    tf
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_resources_and_attributes_with_lines() {
        let f = TfFile {
            src: SourceFile::new(
                "main.tf",
                "provider \"google\" {}\n\nresource \"google_sql_database_instance\" \"db\" {\n  settings {\n    backup_configuration {\n      enabled = true\n    }\n  }\n}\n".to_string(),
            ),
            body: hcl_edit::parser::parse_body("provider \"google\" {}\n\nresource \"google_sql_database_instance\" \"db\" {\n  settings {\n    backup_configuration {\n      enabled = true\n    }\n  }\n}\n").unwrap(),
        };
        let tf = Terraform { files: vec![f] };
        let r: Vec<_> = tf.resources("google_sql_database_instance").collect();
        assert_eq!(r.len(), 1);
        assert_eq!(r[0].id(), "google_sql_database_instance.db");
        assert_eq!(r[0].at().line, 3);
        let s = blocks(&r[0].block.body, "settings").next().unwrap();
        let b = blocks(&s.body, "backup_configuration").next().unwrap();
        let (v, at) = r[0].file.attr(&b.body, "enabled").unwrap();
        assert_eq!(v, "true");
        assert_eq!(at.line, 6);
    }
}
