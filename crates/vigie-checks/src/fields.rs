//! The container field each check judges, where one field decides it.
//!
//! Two consumers need it: a rendered Helm chart's values provenance names the values key
//! behind the field a failure is about, and the roll-up recognises one gap judged by two
//! checks (a container check and a Pod Security check on the same `securityContext` field of
//! the same container) so that listings show it once. Declared here, beside the checks, so
//! that a new check judging a field says so in one place.

/// The field of a container a check judges, as a path under the container
/// (`securityContext/allowPrivilegeEscalation`). Checks that judge the same field of the same
/// container name the same path.
pub fn container_field(check: &str) -> Option<&'static str> {
    Some(match check {
        "CNT-01" | "PSS-R03" => "securityContext/runAsNonRoot",
        "CNT-02" | "PSS-R06" => "securityContext/capabilities/drop",
        "CNT-03" | "PSS-R02" => "securityContext/allowPrivilegeEscalation",
        "CNT-04" => "securityContext/readOnlyRootFilesystem",
        "CNT-05.2" | "PSS-R05" => "securityContext/seccompProfile",
        "CNT-06.1" | "PSS-B03" => "securityContext/privileged",
        "PSS-B04" => "securityContext/capabilities/add",
        "PSS-B09" | "PSS-R07" => "securityContext/procMount",
        "CNT-08.1" => "resources/limits/memory",
        "CNT-08.2" => "resources/limits/cpu",
        "CNT-10.1" | "CNT-10.2" => "image",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::container_field;

    #[test]
    fn every_named_check_exists_and_pairs_share_a_field() {
        let ids: Vec<&str> = crate::registry().iter().map(|c| c.doc.id).collect();
        for id in [
            "CNT-01", "PSS-R03", "CNT-02", "PSS-R06", "CNT-03", "PSS-R02", "CNT-04", "CNT-05.2",
            "PSS-R05", "CNT-06.1", "PSS-B03", "PSS-B04", "PSS-B09", "PSS-R07", "CNT-08.1",
            "CNT-08.2", "CNT-10.1", "CNT-10.2",
        ] {
            assert!(ids.contains(&id), "{id} is no registered check");
            assert!(container_field(id).is_some(), "{id}");
        }
        assert_eq!(container_field("CNT-03"), container_field("PSS-R02"));
        assert_ne!(container_field("CNT-02"), container_field("PSS-B04"));
        assert_eq!(container_field("NET-01"), None);
    }
}
