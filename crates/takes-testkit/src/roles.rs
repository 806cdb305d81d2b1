//! Role-browser fixtures: the roles list and one role with two question-set
//! versions, as `GET /v1/roles` and `GET /v1/roles/{id}` would send them.

use takes_api::roles::*;
use takes_api::{Anchor, Rubric, UserRole};

use takes::app::action::Action;
use takes::app::state::App;
use takes::app::update;

use crate::wire::{rfc, HOUR, NOW_MS};

pub fn role_summaries() -> Vec<RoleSummary> {
    let role = |i: usize, title: &str, dept: &str, key: Option<&str>| RoleSummary {
        id: format!("role-{i}"),
        key: key.map(str::to_string),
        title: title.into(),
        department: dept.into(),
        archived: false,
        question_set_version: Some(1),
        question_count: 4,
        interviews_in_flight: i as i64 * 3,
    };
    vec![
        RoleSummary {
            question_set_version: Some(2),
            ..role(1, "Backend Engineer", "Engineering", Some("backend-2027"))
        },
        role(
            2,
            "Customer Success Engineer",
            "Customer Success",
            Some("cse-2027"),
        ),
        RoleSummary {
            question_count: 3,
            ..role(3, "Account Executive", "Sales", None)
        },
        RoleSummary {
            archived: true,
            interviews_in_flight: 1,
            ..role(
                4,
                "Site Reliability Engineer",
                "Engineering",
                Some("sre-2026"),
            )
        },
    ]
}

fn rubric(pass: i64) -> Rubric {
    let anchor = |score: i64, label: &str, description: &str| Anchor {
        score,
        label: label.into(),
        description: description.into(),
    };
    Rubric {
        scale_min: 1,
        scale_max: 5,
        pass_score: pass,
        anchors: vec![
            anchor(1, "Weak", "No concrete example; generic claims."),
            anchor(
                3,
                "Acceptable",
                "A real situation with a clear approach and a plausible outcome.",
            ),
            anchor(
                5,
                "Strong",
                "Specific situation, deliberate actions, measurable outcome and reflection.",
            ),
        ],
    }
}

const QUESTIONS: [(&str, &str, i64); 4] = [
    ("Describe a time when you had to deliver a project under significant time pressure. What was your approach, and what was the outcome?", "Delivery under pressure", 120),
    ("Tell us about a bug that took you a long time to find. How did you narrow it down?", "Debugging", 150),
    ("Describe a disagreement with a colleague about a technical decision. How was it resolved?", "Collaboration", 120),
    ("How do you leave code better than you found it? Give an example.", "Code ownership", 90),
];

fn version(version: i64, current: bool, questions: usize, pass: i64) -> QuestionSetVersion {
    QuestionSetVersion {
        id: format!("qsv-{version}"),
        version,
        created_at: rfc(NOW_MS - (30 - version * 10) * 24 * HOUR),
        retakes: 1,
        current,
        interviews: if current { 5 } else { 9 },
        interviews_in_flight: if current { 4 } else { 2 },
        questions: QUESTIONS
            .iter()
            .take(questions)
            .enumerate()
            .map(|(i, (prompt, competency, limit))| RoleQuestion {
                id: format!("v{version}-q{}", i + 1),
                position: i as i64 + 1,
                prompt: prompt.to_string(),
                competency: competency.to_string(),
                time_limit_s: *limit,
                thinking_time_s: 30,
                rubric: rubric(pass),
            })
            .collect(),
    }
}

/// `role-1` of [`role_summaries`]: v2 (current, 4 questions, pass 3) and
/// v1 (3 questions, pass 4, interviews still in flight).
pub fn role_detail() -> RoleDetail {
    let member = |name: &str, email: &str, active: bool, open: i64| PoolMember {
        user_id: format!("u-{}", name.to_lowercase().replace(' ', "-")),
        name: name.into(),
        email: Some(email.into()),
        active,
        open_assignments: open,
    };
    RoleDetail {
        id: "role-1".into(),
        key: Some("backend-2027".into()),
        title: "Backend Engineer".into(),
        department: "Engineering".into(),
        archived: false,
        completion_window_hours: 72,
        reviewers_per_interview: 2,
        hiring_manager: Some("hm@example.com".into()),
        support_contact: Some("talent@example.com".into()),
        invitation_message: Some(
            "Hi, thanks for applying to the Backend Engineer role.\n\nWe use a short recorded interview so you can answer when it suits you.\nEach question shows a short thinking time first.\nTwo engineers review every interview independently.\nYou hear from us within five working days."
                .into(),
        ),
        intro_video_url: Some("/v1/media/intro-role-1".into()),
        versions: vec![version(2, true, 4, 3), version(1, false, 3, 4)],
        pool: vec![
            member("Riley Chen", "riley@example.com", true, 3),
            member("Sam Okafor", "sam@example.com", true, 1),
            member("Alex Morgan", "alex@example.com", false, 0),
        ],
        recruiters: vec![RoleUser {
            user_id: "u-jordan".into(),
            name: "Jordan Lee".into(),
            email: Some("jordan@example.com".into()),
        }],
    }
}

/// The role browser's list, loaded, as `role` opened it from the queue.
pub fn app_in_roles(role: UserRole) -> App {
    let mut app = crate::app_with_queue(role, 40);
    crate::ch(&mut app, 'o');
    update::update(
        &mut app,
        Action::RolesLoaded(Ok(RolePage {
            items: role_summaries(),
        })),
    );
    app.status = None;
    app
}

/// The first role of the browser, loaded.
pub fn app_in_role() -> App {
    let mut app = app_in_roles(UserRole::Recruiter);
    crate::key(&mut app, crossterm::event::KeyCode::Enter);
    update::update(
        &mut app,
        Action::RoleLoaded {
            id: "role-1".into(),
            result: Ok(role_detail()),
        },
    );
    app.status = None;
    app
}
