//! CNT-06.2: no host devices.

use super::{RUNTIME, by_platform};
use crate::Context;
use vigie_core::model::Workload;
use vigie_core::{CheckDoc, Severity, Verdict};

pub static DOC: CheckDoc = CheckDoc {
    id: "CNT-06.2",
    title: "No host devices mapped into containers",
    severity: Severity::High,
    applies_to: RUNTIME,
    what: "No container maps a host device into itself (Compose `devices:`).",
    why: "A device node gives the container a direct line to a kernel driver and to the \
          hardware behind it: block devices expose host disks, others expose drivers that were \
          never written to face hostile input. Each mapping is an exception to container \
          isolation that must be justified, kept minimal and read-only where it can be.",
    fix: "Remove the device mapping. When a device is truly needed (a GPU, a serial port), map \
          only that device, with the narrowest permissions (`:r` rather than `:rwm`), and \
          record the reason as a waiver.",
    failing: (
        "compose",
        "services:\n  backup:\n    image: registry.example.org/backup:1.3.0\n    devices:\n      - /dev/sda:/dev/sda\n",
    ),
    passing: (
        "compose",
        "services:\n  backup:\n    image: registry.example.org/backup:1.3.0\n    volumes:\n      - backups:/backups\nvolumes:\n  backups: {}\n",
    ),
};

fn judge(w: &Workload, out: &mut Vec<Verdict>) {
    for d in &w.devices {
        let host = d.value.split(':').next().unwrap_or(&d.value);
        out.push(Verdict::fail(
            &DOC,
            &w.subject,
            d.at.clone(),
            format!("maps the host device `{host}` into the container"),
            by_platform(
                w,
                &format!("remove \"{}\" from devices", d.value),
                "remove the host device from the pod",
            ),
        ));
    }
    if w.devices.is_empty() {
        out.push(Verdict::pass(
            &DOC,
            &w.subject,
            w.origin.clone(),
            "no host device is mapped",
        ));
    }
}

pub fn run(cx: &Context<'_>, out: &mut Vec<Verdict>) {
    for w in cx.workloads {
        judge(w, out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::container::testing::{Fixture, assert_examples};

    #[test]
    fn examples() {
        assert_examples(&DOC, run, &[], &[]);
        let vs = Fixture::new(DOC.failing.0, DOC.failing.1, &[]).run(run);
        assert_eq!(
            &*vs[0].message,
            "maps the host device `/dev/sda` into the container"
        );
        assert_eq!(vs[0].location.line, 5);
    }
}
