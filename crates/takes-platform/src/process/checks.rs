//! What a document must satisfy before anything is written, beyond
//! `takes_api::process::validate` (which the server runs too: a client is
//! never trusted): the limits of the schema and of common sense. Checks
//! that need the database (who a pool names) are made by `reconcile`,
//! inside the same transaction.

use std::collections::HashSet;

use takes_api::process::{validate, Invalid, ProcessDocument, ProcessQuestion, ProcessRole};

use crate::error::ApiError;

/// Positions 1 to 5: the CHECK of `questions.position` (0001), which
/// SQLite cannot alter.
pub const MAX_QUESTIONS: usize = 5;
/// One hour to 30 days: anything else is a mistake, not a policy (the lint
/// warns outside 48 h to 7 days).
pub const WINDOW_HOURS: std::ops::RangeInclusive<i64> = 1..=720;
const TEXT_MAX: usize = 200;
const MESSAGE_MAX: usize = 10_000;
const PROMPT_MAX: usize = 2_000;

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

fn text(out: &mut Vec<Invalid>, path: String, value: &str, max: usize) {
    let n = value.chars().count();
    if value.trim().is_empty() {
        out.push(Invalid {
            path,
            message: "must not be empty".into(),
        });
    } else if n > max {
        out.push(Invalid {
            path,
            message: format!("is {n} characters; the limit is {max}"),
        });
    } else if value.contains('\0') {
        out.push(Invalid {
            path,
            message: "contains a NUL character".into(),
        });
    }
}

fn email(out: &mut Vec<Invalid>, path: String, value: &str) {
    if let Some(problem) = crate::email::address_problem(value.trim()) {
        out.push(Invalid {
            path,
            message: format!("{value:?} {problem}"),
        });
    }
}

fn question(out: &mut Vec<Invalid>, at: &str, q: &ProcessQuestion) {
    text(out, format!("{at}.prompt"), &q.prompt, PROMPT_MAX);
    text(out, format!("{at}.competency"), &q.competency, TEXT_MAX);
    if !(1..=3_600).contains(&q.time_limit_s) {
        out.push(Invalid {
            path: format!("{at}.time_limit_s"),
            message: format!("must be 1 to 3600 seconds, got {}", q.time_limit_s),
        });
    }
    if !(0..=3_600).contains(&q.thinking_time_s) {
        out.push(Invalid {
            path: format!("{at}.thinking_time_s"),
            message: format!("must be 0 to 3600 seconds, got {}", q.thinking_time_s),
        });
    }
    let r = &q.rubric;
    if r.scale_min >= r.scale_max {
        out.push(Invalid {
            path: format!("{at}.rubric.scale"),
            message: format!("the scale [{}, {}] is empty", r.scale_min, r.scale_max),
        });
    } else if !(r.scale_min..=r.scale_max).contains(&r.pass_score) {
        out.push(Invalid {
            path: format!("{at}.rubric.pass"),
            message: format!(
                "pass {} is outside the scale [{}, {}]",
                r.pass_score, r.scale_min, r.scale_max
            ),
        });
    }
    for a in &r.anchors {
        if !(r.scale_min..=r.scale_max).contains(&a.score) {
            out.push(Invalid {
                path: format!("{at}.rubric.anchors"),
                message: format!(
                    "anchor {} is outside the scale [{}, {}]",
                    a.score, r.scale_min, r.scale_max
                ),
            });
        }
        if a.label.contains('\0') || a.description.contains('\0') {
            out.push(Invalid {
                path: format!("{at}.rubric.anchors"),
                message: "contains a NUL character".into(),
            });
        }
    }
}

/// The document's own problems, before the database is asked anything.
pub fn check(doc: &ProcessDocument) -> Result<(), ApiError> {
    let mut out = validate(doc);
    let mut emails = HashSet::new();
    for (i, u) in doc.users.iter().enumerate() {
        email(&mut out, format!("user[{i}].email"), &u.email);
        text(&mut out, format!("user[{i}].name"), &u.name, TEXT_MAX);
        if !emails.insert(u.email.trim().to_lowercase()) {
            out.push(Invalid {
                path: format!("user[{i}].email"),
                message: format!("{} is named twice", u.email),
            });
        }
    }
    let mut keys = HashSet::new();
    for (i, r) in doc.roles.iter().enumerate() {
        let at = format!("role[{i}]");
        text(&mut out, format!("{at}.key"), &r.key, TEXT_MAX);
        if !keys.insert(r.key.trim()) {
            out.push(Invalid {
                path: format!("{at}.key"),
                message: format!("{:?} is used twice", r.key),
            });
        }
        role_problems(&mut out, &at, r);
    }
    refuse(out)
}

/// The problems of one role's settings and questions; paths start with
/// `at` (`role[0]`), or are the bare field names when `at` is empty.
pub fn role_problems(out: &mut Vec<Invalid>, at: &str, r: &ProcessRole) {
    let at = if at.is_empty() {
        String::new()
    } else {
        format!("{at}.")
    };
    text(out, format!("{at}title"), &r.title, TEXT_MAX);
    text(out, format!("{at}department"), &r.department, TEXT_MAX);
    if !WINDOW_HOURS.contains(&r.completion_window_hours) {
        out.push(Invalid {
            path: format!("{at}completion_window_hours"),
            message: format!(
                "must be {} to {} hours, got {}",
                WINDOW_HOURS.start(),
                WINDOW_HOURS.end(),
                r.completion_window_hours
            ),
        });
    }
    if !(0..=10).contains(&r.retakes) {
        out.push(Invalid {
            path: format!("{at}retakes"),
            message: format!("must be 0 to 10, got {}", r.retakes),
        });
    }
    if !(1..=20).contains(&r.reviewers_per_interview) {
        out.push(Invalid {
            path: format!("{at}reviewers_per_interview"),
            message: format!("must be 1 to 20, got {}", r.reviewers_per_interview),
        });
    }
    for (field, value) in [
        ("hiring_manager", &r.hiring_manager),
        ("support_contact", &r.support_contact),
    ] {
        if let Some(v) = value {
            email(out, format!("{at}{field}"), v);
        }
    }
    if let Some(m) = &r.invitation_message {
        text(out, format!("{at}invitation_message"), m, MESSAGE_MAX);
    }
    if let Some(v) = &r.intro_video {
        let hex = v.sha256.len() == 64 && v.sha256.chars().all(|c| c.is_ascii_hexdigit());
        if !hex {
            out.push(Invalid {
                path: format!("{at}intro_video"),
                message: "sha256 must be 64 hex digits".into(),
            });
        }
    }
    if r.questions.is_empty() || r.questions.len() > MAX_QUESTIONS {
        out.push(Invalid {
            path: format!("{at}question"),
            message: format!(
                "a role has 1 to {MAX_QUESTIONS} questions on this server (the schema keeps \
                 positions 1 to {MAX_QUESTIONS}), got {}",
                r.questions.len()
            ),
        });
    }
    for (k, q) in r.questions.iter().enumerate() {
        question(out, &format!("{at}question[{k}]"), q);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use takes_api::process::ProcessUser;
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
        r.questions = (0..6).map(|_| q()).collect();
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
            Some("role[0].question[1].rubric.anchors")
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
