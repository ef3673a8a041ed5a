//! Glob matching over repository paths, with the rules users expect from `.gitignore`-style
//! patterns: a pattern without `/` matches a file name at any depth; `**` crosses folders.

use globset::{Glob, GlobBuilder, GlobMatcher};

#[derive(Debug, Clone)]
pub struct PathGlob {
    pattern: String,
    matcher: GlobMatcher,
    /// Also matches `pattern/**`, so that a folder pattern excludes what it holds.
    under: GlobMatcher,
}

impl PathGlob {
    pub fn new(pattern: &str) -> Result<Self, String> {
        let p = pattern.trim_start_matches("./").trim_end_matches('/');
        let anchored = if p.contains('/') {
            p.trim_start_matches('/').to_string()
        } else {
            format!("**/{p}")
        };
        let build = |s: &str| -> Result<GlobMatcher, String> {
            GlobBuilder::new(s)
                .literal_separator(true)
                .build()
                .map(|g: Glob| g.compile_matcher())
                .map_err(|e| format!("invalid glob `{pattern}`: {e}"))
        };
        Ok(PathGlob {
            pattern: pattern.to_string(),
            matcher: build(&anchored)?,
            under: build(&format!("{anchored}/**"))?,
        })
    }

    pub fn pattern(&self) -> &str {
        &self.pattern
    }

    /// `path` is relative to the scan root, `/`-separated.
    pub fn is_match(&self, path: &str) -> bool {
        self.matcher.is_match(path) || self.under.is_match(path)
    }
}

/// A glob over any text (image references, subjects) where `*` crosses every character.
pub fn text_glob(pattern: &str) -> Result<GlobMatcher, String> {
    GlobBuilder::new(pattern)
        .literal_separator(false)
        .build()
        .map(|g| g.compile_matcher())
        .map_err(|e| format!("invalid pattern `{pattern}`: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bare_names_match_at_any_depth_and_folders_match_their_content() {
        let g = PathGlob::new("vendor").unwrap();
        assert!(g.is_match("vendor/a.yaml"));
        assert!(g.is_match("x/vendor/b/c.yaml"));
        assert!(!g.is_match("vendors/a.yaml"));
        let g = PathGlob::new("deploy/*.yml").unwrap();
        assert!(g.is_match("deploy/a.yml"));
        assert!(!g.is_match("deploy/x/a.yml"));
        assert!(!g.is_match("other/deploy/a.yml"));
        let g = PathGlob::new("**/test/**").unwrap();
        assert!(g.is_match("a/test/b.yaml"));
        let g = PathGlob::new("*.Dockerfile").unwrap();
        assert!(g.is_match("a/b/api.Dockerfile"));
    }
}
