//! `[terraform]` in vigie.toml.
//!
//! ```toml
//! [terraform]
//! var_files = ["envs/prod.tfvars"]   # what `terraform plan -var-file=…` is given
//! exclude = ["examples/**"]           # Terraform files vigie does not read
//! ```

use globset::{Glob, GlobSet, GlobSetBuilder};

/// What `[terraform]` says.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    /// Variable files given with `-var-file`, relative to the scanned folder. Each applies to
    /// the root module of its own folder, else of the nearest folder above it, after
    /// `terraform.tfvars` and `*.auto.tfvars` (so its values win), later files winning.
    pub var_files: Vec<String>,
    /// Globs (relative to the scanned folder) of `.tf`/`.tfvars` files not read.
    pub exclude: Vec<String>,
    exclude_set: Option<GlobSet>,
}

impl Settings {
    /// Read the table; each problem is a message naming the key (the rest still applies).
    pub fn from_table(t: &toml::Table) -> (Settings, Vec<String>) {
        let mut s = Settings::default();
        let mut errors = Vec::new();
        let strings = |key: &str, v: &toml::Value, errors: &mut Vec<String>| -> Vec<String> {
            match v.as_array() {
                Some(a) => a
                    .iter()
                    .filter_map(|x| {
                        let s = x.as_str().map(str::to_string);
                        if s.is_none() {
                            errors.push(format!("terraform.{key}: `{x}` is not a string"));
                        }
                        s
                    })
                    .collect(),
                None => {
                    errors.push(format!("terraform.{key}: expected a list of paths"));
                    Vec::new()
                }
            }
        };
        for (k, v) in t {
            match k.as_str() {
                "var_files" => s.var_files = strings(k, v, &mut errors),
                "exclude" => s.exclude = strings(k, v, &mut errors),
                other => errors.push(format!(
                    "terraform: unknown key `{other}` (expected var_files, exclude)"
                )),
            }
        }
        let mut b = GlobSetBuilder::new();
        for g in &s.exclude {
            let pattern = g.trim_start_matches("./").trim_end_matches('/');
            // a folder excludes what is under it
            for p in [pattern.to_string(), format!("{pattern}/**")] {
                match Glob::new(&p) {
                    Ok(g) => {
                        b.add(g);
                    }
                    Err(e) => {
                        errors.push(format!("terraform.exclude: `{g}` is not a glob ({e})"));
                        break;
                    }
                }
            }
        }
        s.exclude_set = b.build().ok().filter(|_| !s.exclude.is_empty());
        (s, errors)
    }

    /// Whether a file is left out by `exclude`.
    pub fn excluded(&self, rel: &str) -> bool {
        self.exclude_set.as_ref().is_some_and(|g| g.is_match(rel))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_read_and_checked() {
        let t: toml::Table =
            "var_files = [\"envs/prod.tfvars\"]\nexclude = [\"examples\", \"**/test/*.tf\"]\nvars = 1\n"
                .parse()
                .unwrap();
        let (s, errors) = Settings::from_table(&t);
        assert_eq!(s.var_files, vec!["envs/prod.tfvars"]);
        assert!(s.excluded("examples/a/main.tf"));
        assert!(s.excluded("mod/test/x.tf"));
        assert!(!s.excluded("main.tf"));
        assert_eq!(errors.len(), 1);
        assert!(errors[0].contains("unknown key `vars`"));
        let t: toml::Table = "var_files = \"prod.tfvars\"\n".parse().unwrap();
        assert!(Settings::from_table(&t).1[0].contains("list of paths"));
    }
}
