//! Integration tests of vigie-kustomize: one binary.
