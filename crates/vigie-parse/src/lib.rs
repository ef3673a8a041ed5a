//! vigie-parse: discovery of the repository's files and one parser per format.

pub mod yaml;
