//! What `plan` and `apply` print: one line per change, then a summary.

use takes_api::process::{PlanChange, PlanSummary};

/// `+ riley@example.com: new reviewer`, one per change.
pub fn changes(changes: &[PlanChange]) -> Vec<String> {
    changes
        .iter()
        .map(|c| format!("{} {}", c.op.mark(), c.description))
        .collect()
}

fn counts(s: &PlanSummary, verbs: [&str; 6]) -> String {
    let [create, update, version, deactivate, archive, reactivate] = verbs;
    let versions = if s.new_version == 1 {
        version.to_string()
    } else {
        format!("{version}s")
    };
    let mut out = format!(
        "{} {create}, {} {update}, {} {versions}, {} {deactivate}, {} {archive}",
        s.create, s.update, s.new_version, s.deactivate, s.archive
    );
    // Rare enough that its column would be noise in every other summary.
    if s.reactivate > 0 {
        out.push_str(&format!(", {} {reactivate}", s.reactivate));
    }
    out
}

fn is_empty(s: &PlanSummary) -> bool {
    *s == PlanSummary::default()
}

/// `Plan: 2 to create, 1 to update, 1 new version, 0 to deactivate, 0 to
/// archive.`, or `No changes.`
pub fn plan_summary(s: &PlanSummary, changes: &[PlanChange]) -> String {
    if is_empty(s) && changes.is_empty() {
        return "No changes.".into();
    }
    let verbs = [
        "to create",
        "to update",
        "new version",
        "to deactivate",
        "to archive",
        "to reactivate",
    ];
    format!("Plan: {}.", counts(s, verbs))
}

/// `Applied: 2 created, …`, or `No changes.`
pub fn apply_summary(s: &PlanSummary, changes: &[PlanChange]) -> String {
    if is_empty(s) && changes.is_empty() {
        return "No changes.".into();
    }
    let verbs = [
        "created",
        "updated",
        "new version",
        "deactivated",
        "archived",
        "reactivated",
    ];
    format!("Applied: {}.", counts(s, verbs))
}

#[cfg(test)]
mod tests {
    use super::*;
    use takes_api::process::{ChangeOp, ChangeSubject};

    fn change(op: ChangeOp, description: &str) -> PlanChange {
        PlanChange {
            op,
            subject: ChangeSubject::Role,
            key: "backend-2027".into(),
            description: description.into(),
        }
    }

    #[test]
    fn a_plan_reads_one_line_per_change_then_its_counts() {
        let c = vec![
            change(ChangeOp::Create, "riley@example.com: new reviewer"),
            change(
                ChangeOp::NewVersion,
                "backend-2027: question set v2 (4 interviews in flight keep v1)",
            ),
            change(
                ChangeOp::Archive,
                "old-role: archived (2 interviews continue)",
            ),
        ];
        assert_eq!(
            changes(&c),
            vec![
                "+ riley@example.com: new reviewer",
                "~ backend-2027: question set v2 (4 interviews in flight keep v1)",
                "- old-role: archived (2 interviews continue)",
            ]
        );
        let s = PlanSummary {
            create: 2,
            update: 1,
            new_version: 1,
            ..Default::default()
        };
        assert_eq!(
            plan_summary(&s, &c),
            "Plan: 2 to create, 1 to update, 1 new version, 0 to deactivate, 0 to archive."
        );
        let s = PlanSummary {
            new_version: 2,
            reactivate: 1,
            ..Default::default()
        };
        assert_eq!(
            apply_summary(&s, &c),
            "Applied: 0 created, 0 updated, 2 new versions, 0 deactivated, 0 archived, 1 reactivated."
        );
        assert_eq!(plan_summary(&PlanSummary::default(), &[]), "No changes.");
    }
}
