//! What a document must satisfy before anything is written:
//! `takes_api::process::validate` (the same checks the CLI makes, run again
//! here because a client is never trusted), plus what only the server can
//! judge: that every address is one its mailer can send to (lettre's
//! parser, stricter than `validate`'s plausibility check). Checks that need
//! the database (who a pool names) are made by `reconcile`, inside the same
//! transaction.

use takes_api::process::{validate, Invalid, ProcessDocument, ProcessRole};

use crate::error::ApiError;

/// One hour to 30 days: anything else is a mistake, not a policy (the lint
/// warns outside 48 h to 7 days). `validate` enforces the same bounds.
pub const WINDOW_HOURS: std::ops::RangeInclusive<i64> = 1..=720;

/// Every problem of the document as one 422 naming the first path.
pub fn refuse(problems: Vec<Invalid>) -> Result<(), ApiError> {
    let Some(first) = problems.first() else {
        return Ok(());
    };
    let detail = problems
        .iter()
        .map(|p| format!("{}: {}", p.path, p.message))
        .collect::<Vec<_>>()
        .join("; ");
    Err(ApiError::invalid(&first.path, detail))
}

/// The document's own problems, before the database is asked anything.
pub fn check(doc: &ProcessDocument) -> Result<(), ApiError> {
    let mut out = validate(doc);
    for (i, u) in doc.users.iter().enumerate() {
        deliverable(&mut out, format!("user[{i}].email"), &u.email);
    }
    for (i, r) in doc.roles.iter().enumerate() {
        role_addresses(&mut out, &format!("role[{i}]."), r);
    }
    refuse(out)
}

/// The problems of one role's settings and questions, for the endpoints
/// that change one role: `validate` on a document of that role alone, with
/// paths that start with `at` (`role[0]`), or bare field names when `at` is
/// empty.
pub fn role_problems(out: &mut Vec<Invalid>, at: &str, r: &ProcessRole) {
    let at = if at.is_empty() {
        String::new()
    } else {
        format!("{at}.")
    };
    let alone = ProcessDocument {
        users: vec![],
        roles: vec![r.clone()],
    };
    for p in validate(&alone) {
        let rest = p.path.strip_prefix("role[0].").unwrap_or(&p.path);
        out.push(Invalid {
            path: format!("{at}{rest}"),
            message: p.message,
        });
    }
    role_addresses(out, &at, r);
}

fn role_addresses(out: &mut Vec<Invalid>, at: &str, r: &ProcessRole) {
    let named = r
        .reviewers
        .iter()
        .enumerate()
        .map(|(k, e)| (format!("reviewers[{k}]"), e))
        .chain(
            r.recruiters
                .iter()
                .enumerate()
                .map(|(k, e)| (format!("recruiters[{k}]"), e)),
        )
        .chain(
            r.hiring_manager
                .iter()
                .map(|e| ("hiring_manager".into(), e)),
        )
        .chain(
            r.support_contact
                .iter()
                .map(|e| ("support_contact".into(), e)),
        );
    for (field, email) in named {
        deliverable(out, format!("{at}{field}"), email);
    }
}

/// An address `validate` accepted that the mailer would refuse.
fn deliverable(out: &mut Vec<Invalid>, path: String, email: &str) {
    if takes_api::process::is_email(email) {
        if let Some(problem) = crate::email::address_problem(email.trim()) {
            out.push(Invalid {
                path,
                message: format!("{email:?} {problem}"),
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use takes_api::process::{ProcessQuestion, ProcessUser};
    use takes_api::{Anchor, Rubric, UserRole};

    fn q() -> ProcessQuestion {
        ProcessQuestion {
            prompt: "Describe a time.".into(),
            competency: "Ownership".into(),
            time_limit_s: 120,
            thinking_time_s: 0,
            rubric: Rubric {
                scale_min: 1,
                scale_max: 5,
                pass_score: 3,
                anchors: vec![Anchor {
                    score: 1,
                    label: "Weak".into(),
                    description: "w".into(),
                }],
            },
        }
    }

    fn role() -> ProcessRole {
        ProcessRole {
            key: "k".into(),
            title: "T".into(),
            department: "D".into(),
            completion_window_hours: 72,
            retakes: 1,
            reviewers_per_interview: 2,
            reviewers: vec![],
            recruiters: vec![],
            hiring_manager: None,
            support_contact: None,
            intro_video: None,
            invitation_message: None,
            allow_audio_only: false,
            allow_low_resolution: true,
            questions: vec![q(), q(), q()],
        }
    }

    fn field(doc: &ProcessDocument) -> Option<String> {
        check(doc).err().and_then(|e| e.field)
    }

    #[test]
    fn names_the_first_bad_path() {
        let ok = ProcessDocument {
            users: vec![],
            roles: vec![role()],
        };
        assert!(check(&ok).is_ok());
        let mut r = role();
        r.questions = (0..11).map(|_| q()).collect();
        assert_eq!(
            field(&ProcessDocument {
                users: vec![],
                roles: vec![r]
            })
            .as_deref(),
            Some("role[0].question")
        );
        let mut r = role();
        r.completion_window_hours = 24 * 31;
        assert_eq!(
            field(&ProcessDocument {
                users: vec![],
                roles: vec![r]
            })
            .as_deref(),
            Some("role[0].completion_window_hours")
        );
        let mut r = role();
        r.questions[1].rubric.anchors[0].score = 9;
        assert_eq!(
            field(&ProcessDocument {
                users: vec![],
                roles: vec![r]
            })
            .as_deref(),
            Some("role[0].question[1].rubric.anchors.9")
        );
        let user = |email: &str| ProcessUser {
            email: email.into(),
            name: "N".into(),
            role: UserRole::Reviewer,
        };
        let twice = ProcessDocument {
            users: vec![user("a@example.com"), user("A@example.com")],
            roles: vec![],
        };
        assert_eq!(field(&twice).as_deref(), Some("user[1].email"));
        let bad = ProcessDocument {
            users: vec![user("nope")],
            roles: vec![],
        };
        assert_eq!(field(&bad).as_deref(), Some("user[0].email"));
    }
}
