//! Source files and locations.
//!
//! Every parser reports positions as byte offsets (or, for YAML, as the parser's own line and
//! character column); a [`SourceFile`] turns offsets into 1-based lines and columns once, with a
//! line index built on first use.

use serde::Serialize;
use std::fmt;
use std::sync::{Arc, OnceLock};

/// A file of the scanned repository, its path relative to the scan root with `/` separators.
#[derive(Debug)]
pub struct SourceFile {
    pub path: Arc<str>,
    pub text: String,
    line_starts: OnceLock<Vec<usize>>,
}

impl SourceFile {
    pub fn new(path: impl Into<Arc<str>>, text: String) -> Self {
        SourceFile {
            path: path.into(),
            text,
            line_starts: OnceLock::new(),
        }
    }

    fn line_starts(&self) -> &[usize] {
        self.line_starts.get_or_init(|| {
            let mut starts = vec![0];
            starts.extend(memchr::memchr_iter(b'\n', self.text.as_bytes()).map(|i| i + 1));
            starts
        })
    }

    /// 1-based line and column (in characters) of a byte offset. Offsets past the end or inside
    /// a character are clamped to a valid position.
    pub fn line_col(&self, offset: usize) -> (u32, u32) {
        let offset = offset.min(self.text.len());
        let starts = self.line_starts();
        let line = match starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i - 1,
        };
        let start = starts[line];
        let mut end = offset;
        while end > start && !self.text.is_char_boundary(end) {
            end -= 1;
        }
        let col = self.text[start..end].chars().count();
        (line as u32 + 1, col as u32 + 1)
    }

    /// The location of a byte offset in this file.
    pub fn location(&self, offset: usize) -> Location {
        let (line, column) = self.line_col(offset);
        Location::new(self.path.clone(), line, column)
    }

    /// The text of a 1-based line, without its line break.
    pub fn line_text(&self, line: u32) -> Option<&str> {
        let starts = self.line_starts();
        let i = (line as usize).checked_sub(1)?;
        let start = *starts.get(i)?;
        let end = starts.get(i + 1).copied().unwrap_or(self.text.len());
        Some(self.text[start..end].trim_end_matches(['\n', '\r']))
    }

    pub fn line_count(&self) -> u32 {
        self.line_starts().len() as u32
    }
}

/// A position in a file of the scanned repository: path relative to the scan root, 1-based line
/// and column. Line 0 means "the file as a whole".
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Location {
    pub path: Arc<str>,
    pub line: u32,
    pub column: u32,
}

impl Location {
    pub fn new(path: Arc<str>, line: u32, column: u32) -> Self {
        Location { path, line, column }
    }

    /// The file as a whole (no line).
    pub fn file(path: Arc<str>) -> Self {
        Location {
            path,
            line: 0,
            column: 0,
        }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            write!(f, "{}", self.path)
        } else {
            write!(f, "{}:{}:{}", self.path, self.line, self.column)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_characters_and_lines_from_one() {
        let f = SourceFile::new("a", "ab\né€x\n\nz".to_string());
        assert_eq!(f.line_col(0), (1, 1));
        assert_eq!(f.line_col(1), (1, 2));
        assert_eq!(f.line_col(3), (2, 1));
        // 'x' comes after two multi-byte characters
        let x = f.text.find('x').unwrap();
        assert_eq!(f.line_col(x), (2, 3));
        assert_eq!(f.line_col(f.text.len()), (4, 2));
        assert_eq!(f.line_text(2), Some("é€x"));
        assert_eq!(f.line_text(3), Some(""));
        assert_eq!(f.line_text(9), None);
    }

    #[test]
    fn offsets_inside_a_character_do_not_panic() {
        let f = SourceFile::new("a", "é".to_string());
        assert_eq!(f.line_col(1), (1, 1));
        assert_eq!(f.line_col(99), (1, 2));
    }
}
