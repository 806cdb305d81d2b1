//! The authorization matrix: every endpoint, every kind of caller.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::both_backends;
use crate::support::TestPlatform;

#[derive(Clone, Copy, Debug)]
enum Who {
    Nobody,
    BadToken,
    /// Reviewer 0, who owns the assignment in the path.
    Owner,
    /// Reviewer 1: assigned to the same interview, not to this assignment.
    Colleague,
    Outsider,
    Recruiter,
    Admin,
}

fn token(p: &TestPlatform, who: Who) -> Option<String> {
    match who {
        Who::Nobody => None,
        Who::BadToken => Some("tk_not-a-real-token".into()),
        Who::Owner => Some(p.f.reviewers[0].clone()),
        Who::Colleague => Some(p.f.reviewers[1].clone()),
        Who::Outsider => Some(p.f.outsider.clone()),
        Who::Recruiter => Some(p.f.recruiter.clone()),
        Who::Admin => Some(p.f.admin.clone()),
    }
}

/// (method, path template, body, [(caller, expected status)]) — rows run in
/// order, so a row may rely on the writes of the rows above it.
type Row = (
    Method,
    &'static str,
    Option<serde_json::Value>,
    Vec<(Who, u16)>,
);

/// Admins get `ok`; everyone else signed in 403.
fn only_admin(ok: u16) -> Vec<(Who, u16)> {
    use Who::*;
    vec![
        (Nobody, 401),
        (BadToken, 401),
        (Owner, 403),
        (Outsider, 403),
        (Recruiter, 403),
        (Admin, ok),
    ]
}

/// Recruiters and admins get `ok`; reviewers 403.
fn staff(ok: u16) -> Vec<(Who, u16)> {
    use Who::*;
    vec![
        (Nobody, 401),
        (BadToken, 401),
        (Owner, 403),
        (Outsider, 403),
        (Recruiter, ok),
        (Admin, ok),
    ]
}

fn authz_role() -> serde_json::Value {
    let q = |prompt: &str| {
        json!({"prompt": prompt, "competency": "Ownership", "time_limit_s": 120,
            "rubric": {"scale_min": 1, "scale_max": 5, "pass_score": 3, "anchors": [
                {"score": 1, "label": "Weak", "description": "w"},
                {"score": 3, "label": "Acceptable", "description": "a"},
                {"score": 5, "label": "Strong", "description": "s"}]}})
    };
    json!({"key": "authz-role", "title": "Authz", "department": "Security",
        "completion_window_hours": 72, "retakes": 1, "reviewers_per_interview": 2,
        "questions": [q("Describe a time A."), q("Describe a time B."), q("Describe a time C.")]})
}

fn matrix() -> Vec<Row> {
    use Who::*;
    let all_ok = vec![
        (Nobody, 200),
        (BadToken, 200),
        (Owner, 200),
        (Outsider, 200),
        (Recruiter, 200),
        (Admin, 200),
    ];
    let ats_off = vec![
        (Nobody, 404),
        (BadToken, 404),
        (Owner, 404),
        (Recruiter, 404),
        (Admin, 404),
    ];
    vec![
        (Method::GET, "/v1/health", None, all_ok.clone()),
        (Method::GET, "/v1/openapi.json", None, all_ok.clone()),
        (
            Method::GET,
            "/v1/me",
            None,
            vec![
                (Nobody, 401),
                (BadToken, 401),
                (Owner, 200),
                (Outsider, 200),
                (Recruiter, 200),
                (Admin, 200),
            ],
        ),
        (
            Method::GET,
            "/v1/queue",
            None,
            vec![
                (Nobody, 401),
                (BadToken, 401),
                (Owner, 200),
                (Outsider, 200),
                (Recruiter, 200),
                (Admin, 200),
            ],
        ),
        (
            Method::GET,
            "/v1/assignments/{a}",
            None,
            vec![
                (Nobody, 401),
                (BadToken, 401),
                (Colleague, 404),
                (Outsider, 404),
                (Recruiter, 404),
                (Admin, 404),
                (Owner, 200),
            ],
        ),
        (
            Method::PUT,
            "/v1/assignments/{a}/scores/{q}",
            Some(json!({"rating": 4})),
            vec![
                (Nobody, 401),
                (BadToken, 401),
                (Colleague, 404),
                (Outsider, 404),
                (Recruiter, 404),
                (Admin, 404),
                (Owner, 200),
            ],
        ),
        (
            Method::POST,
            "/v1/assignments/{a}/submit",
            None,
            vec![
                (Nobody, 401),
                (BadToken, 401),
                (Colleague, 404),
                (Outsider, 404),
                (Recruiter, 404),
                (Admin, 404),
                // Two questions are still unscored.
                (Owner, 409),
            ],
        ),
        (
            Method::GET,
            "/v1/assignments/{a}/panel",
            None,
            vec![
                (Nobody, 401),
                (BadToken, 401),
                (Colleague, 404),
                (Outsider, 404),
                (Recruiter, 404),
                (Admin, 404),
                (Owner, 403),
            ],
        ),
        (
            Method::GET,
            "/v1/interviews",
            None,
            vec![
                (Nobody, 401),
                (BadToken, 401),
                (Owner, 403),
                (Outsider, 403),
                (Recruiter, 200),
                (Admin, 200),
            ],
        ),
        (
            Method::POST,
            "/v1/interviews/{i}/decision",
            Some(json!({"action": "hold", "reason": "waiting on references"})),
            // Rita does not recruit for the fixture's role.
            vec![
                (Nobody, 401),
                (BadToken, 401),
                (Owner, 403),
                (Outsider, 403),
                (Recruiter, 403),
                (Admin, 201),
            ],
        ),
        (
            Method::GET,
            "/v1/media/{r}",
            None,
            vec![
                (Nobody, 401),
                (BadToken, 401),
                (Outsider, 404),
                (Owner, 200),
                (Colleague, 200),
                (Recruiter, 200),
                (Admin, 200),
            ],
        ),
        (
            Method::GET,
            "/v1/responses/{r}/transcript",
            None,
            vec![
                (Nobody, 401),
                (BadToken, 401),
                (Outsider, 404),
                (Owner, 200),
                (Colleague, 200),
                (Recruiter, 200),
                (Admin, 200),
            ],
        ),
        (
            Method::GET,
            "/v1/transcripts/failures",
            None,
            vec![
                (Nobody, 401),
                (BadToken, 401),
                (Owner, 403),
                (Outsider, 403),
                (Recruiter, 200),
                (Admin, 200),
            ],
        ),
        // Calibration: session {c} (deadline tomorrow) has reviewers 0
        // (Owner) and 1 (Colleague) as participants; the admin created it
        // and does not take part.
        (
            Method::GET,
            "/v1/calibration",
            None,
            vec![
                (Nobody, 401),
                (BadToken, 401),
                (Owner, 200),
                (Outsider, 200),
                (Recruiter, 200),
                (Admin, 200),
            ],
        ),
        (
            Method::POST,
            "/v1/calibration",
            Some(
                json!({"title": "Matrix", "deadline_at": "2999-01-01T00:00:00Z",
                        "participant_ids": ["{u0}", "{u1}"], "response_ids": ["{sr}"]}),
            ),
            vec![
                (Nobody, 401),
                (BadToken, 401),
                (Owner, 403),
                (Outsider, 403),
                (Recruiter, 403),
                (Admin, 201),
            ],
        ),
        (
            Method::GET,
            "/v1/calibration/{c}",
            None,
            vec![
                (Nobody, 401),
                (BadToken, 401),
                (Outsider, 404),
                (Recruiter, 404),
                (Admin, 200),
                (Owner, 200),
                (Colleague, 200),
            ],
        ),
        (
            Method::PUT,
            "/v1/calibration/{c}/items/{ci}/score",
            Some(json!({"rating": 4})),
            vec![
                (Nobody, 401),
                (BadToken, 401),
                (Outsider, 404),
                (Recruiter, 404),
                // Sees the session, but only participants score.
                (Admin, 403),
                (Owner, 200),
                (Colleague, 200),
            ],
        ),
        (
            Method::POST,
            "/v1/calibration/{c}/submit",
            None,
            vec![
                (Nobody, 401),
                (BadToken, 401),
                (Outsider, 404),
                (Recruiter, 404),
                (Admin, 403),
                // Two items are still unscored.
                (Owner, 409),
            ],
        ),
        (
            Method::GET,
            "/v1/calibration/{c}/results",
            None,
            vec![
                (Nobody, 401),
                (BadToken, 401),
                (Outsider, 404),
                (Recruiter, 404),
                // Before the deadline, and nobody has submitted.
                (Admin, 403),
                (Owner, 403),
                (Colleague, 403),
            ],
        ),
        (
            Method::POST,
            "/v1/calibration/{c}/reveal",
            None,
            vec![
                (Nobody, 401),
                (BadToken, 401),
                (Outsider, 404),
                (Recruiter, 404),
                (Owner, 403),
                (Colleague, 403),
                // Before the deadline.
                (Admin, 409),
            ],
        ),
        (
            Method::POST,
            "/v1/calibration/{c}/items/{ci}/notes",
            Some(json!({"text": "Too early to discuss"})),
            vec![
                (Nobody, 401),
                (BadToken, 401),
                (Outsider, 404),
                (Recruiter, 404),
                (Owner, 403),
                (Admin, 403),
            ],
        ),
        (
            Method::GET,
            "/v1/reliability",
            None,
            vec![
                (Nobody, 401),
                (BadToken, 401),
                (Owner, 403),
                (Outsider, 403),
                (Recruiter, 200),
                (Admin, 200),
            ],
        ),
        // Process insights (issue 15): staff only, but everyone's own figures.
        (
            Method::GET,
            "/v1/insights/funnel",
            None,
            vec![
                (Nobody, 401),
                (BadToken, 401),
                (Owner, 403),
                (Outsider, 403),
                (Recruiter, 200),
                (Admin, 200),
            ],
        ),
        (
            Method::GET,
            "/v1/insights/turnaround",
            None,
            vec![
                (Nobody, 401),
                (BadToken, 401),
                (Owner, 403),
                (Outsider, 403),
                (Recruiter, 200),
                (Admin, 200),
            ],
        ),
        (
            Method::GET,
            "/v1/insights/scores",
            None,
            vec![
                (Nobody, 401),
                (BadToken, 401),
                (Owner, 403),
                (Outsider, 403),
                (Recruiter, 200),
                (Admin, 200),
            ],
        ),
        (
            Method::GET,
            "/v1/insights/shift",
            None,
            vec![
                (Nobody, 401),
                (BadToken, 401),
                (Owner, 403),
                (Outsider, 403),
                (Recruiter, 200),
                (Admin, 200),
            ],
        ),
        (
            Method::GET,
            "/v1/insights/reliability",
            None,
            vec![
                (Nobody, 401),
                (BadToken, 401),
                (Owner, 403),
                (Outsider, 403),
                (Recruiter, 200),
                (Admin, 200),
            ],
        ),
        (
            Method::GET,
            "/v1/insights/validity",
            None,
            vec![
                (Nobody, 401),
                (BadToken, 401),
                (Owner, 403),
                (Outsider, 403),
                (Recruiter, 200),
                (Admin, 200),
            ],
        ),
        (
            Method::PUT,
            "/v1/outcomes/{i}",
            Some(json!({"hired": true, "performance_12m": 4.0})),
            // Rita does not recruit for the fixture's role.
            vec![
                (Nobody, 401),
                (BadToken, 401),
                (Owner, 403),
                (Outsider, 403),
                (Recruiter, 403),
                (Admin, 204),
            ],
        ),
        (
            Method::POST,
            "/v1/outcomes/import",
            Some(json!({"items": [{"interview_id": "{i}", "hired": true}]})),
            // Rita does not recruit for the fixture's role.
            vec![
                (Nobody, 401),
                (BadToken, 401),
                (Owner, 403),
                (Outsider, 403),
                (Recruiter, 403),
                (Admin, 200),
            ],
        ),
        (
            Method::GET,
            "/v1/insights/alerts",
            None,
            vec![
                (Nobody, 401),
                (BadToken, 401),
                (Owner, 403),
                (Outsider, 403),
                (Recruiter, 200),
                (Admin, 200),
            ],
        ),
        // Adverse impact (issue 15 point 8): never to a reviewer.
        (
            Method::GET,
            "/v1/insights/adverse-impact",
            None,
            vec![
                (Nobody, 401),
                (BadToken, 401),
                (Owner, 403),
                (Outsider, 403),
                (Recruiter, 200),
                (Admin, 200),
            ],
        ),
        (
            Method::PUT,
            "/v1/candidate/self-identification",
            None,
            vec![
                (Nobody, 401),
                (BadToken, 401),
                (Owner, 401),
                (Recruiter, 401),
                (Admin, 401),
            ],
        ),
        (
            Method::GET,
            "/v1/insights/me",
            None,
            vec![
                (Nobody, 401),
                (BadToken, 401),
                (Owner, 200),
                (Outsider, 200),
                (Recruiter, 200),
                (Admin, 200),
            ],
        ),
        (
            Method::GET,
            "/v1/interviews/{i}/scorecard",
            None,
            vec![
                (Nobody, 401),
                (BadToken, 401),
                (Owner, 403),
                (Outsider, 403),
                (Recruiter, 200),
                (Admin, 200),
            ],
        ),
        // Invitations: recruiters and admins. The matrix's role id is
        // unknown, so passing authorization ends in validation (422).
        (
            Method::POST,
            "/v1/invitations",
            Some(
                json!({"role_id": "matrix-role", "candidate_name": "M", "candidate_email": "m@example.org"}),
            ),
            vec![
                (Nobody, 401),
                (BadToken, 401),
                (Owner, 403),
                (Outsider, 403),
                (Recruiter, 422),
                (Admin, 422),
            ],
        ),
        // The fixture's interview was not made by an invitation.
        (
            Method::GET,
            "/v1/invitations/{i}",
            None,
            vec![
                (Nobody, 401),
                (BadToken, 401),
                (Owner, 403),
                (Outsider, 403),
                (Recruiter, 404),
                (Admin, 404),
            ],
        ),
        // Accommodations: admins, and recruiters of the interview's role
        // only (Rita does not recruit for the fixture's role). The
        // fixture's interview is completed: a grant changes nothing (409).
        (
            Method::GET,
            "/v1/invitations/{i}/accommodations",
            None,
            vec![
                (Nobody, 401),
                (BadToken, 401),
                (Owner, 403),
                (Outsider, 403),
                (Recruiter, 403),
                (Admin, 200),
            ],
        ),
        (
            Method::PUT,
            "/v1/invitations/{i}/accommodations",
            Some(json!({"extra_retakes": 1})),
            vec![
                (Nobody, 401),
                (BadToken, 401),
                (Owner, 403),
                (Outsider, 403),
                (Recruiter, 403),
                (Admin, 409),
            ],
        ),
        // A job role's invitation settings; {i} names no role.
        (
            Method::GET,
            "/v1/roles/{i}/invitation-settings",
            None,
            vec![
                (Nobody, 401),
                (BadToken, 401),
                (Owner, 403),
                (Outsider, 403),
                (Recruiter, 404),
                (Admin, 404),
            ],
        ),
        (
            Method::PATCH,
            "/v1/roles/{i}/invitation-settings",
            Some(json!({"completion_window_hours": 60})),
            vec![
                (Nobody, 401),
                (BadToken, 401),
                (Owner, 403),
                (Outsider, 403),
                (Recruiter, 404),
                (Admin, 404),
            ],
        ),
        // The candidate's API takes the invitation's secret, never a user
        // token, whatever the user's role.
        (
            Method::GET,
            "/v1/candidate/interview",
            None,
            vec![
                (Nobody, 401),
                (BadToken, 401),
                (Owner, 401),
                (Recruiter, 401),
                (Admin, 401),
            ],
        ),
        (
            Method::PUT,
            "/v1/candidate/responses/{q}",
            None,
            vec![
                (Nobody, 401),
                (BadToken, 401),
                (Owner, 401),
                (Recruiter, 401),
                (Admin, 401),
            ],
        ),
        (
            Method::PUT,
            "/v1/candidate/consent",
            None,
            vec![
                (Nobody, 401),
                (BadToken, 401),
                (Owner, 401),
                (Recruiter, 401),
                (Admin, 401),
            ],
        ),
        (
            Method::POST,
            "/v1/candidate/responses/{q}/uploads",
            None,
            vec![
                (Nobody, 401),
                (BadToken, 401),
                (Owner, 401),
                (Recruiter, 401),
                (Admin, 401),
            ],
        ),
        (
            Method::POST,
            "/v1/candidate/responses/{q}/takes",
            None,
            vec![
                (Nobody, 401),
                (BadToken, 401),
                (Owner, 401),
                (Recruiter, 401),
                (Admin, 401),
            ],
        ),
        (
            Method::PATCH,
            "/v1/candidate/responses/{q}/uploads/{up}",
            None,
            vec![
                (Nobody, 401),
                (BadToken, 401),
                (Owner, 401),
                (Recruiter, 401),
                (Admin, 401),
            ],
        ),
        (
            Method::POST,
            "/v1/candidate/speed-test",
            None,
            vec![
                (Nobody, 401),
                (BadToken, 401),
                (Owner, 401),
                (Recruiter, 401),
                (Admin, 401),
            ],
        ),
        // The candidate page is public: the secret stays in the fragment.
        (Method::GET, "/candidate", None, all_ok.clone()),
        (Method::GET, "/candidate/assets/{n}", None, all_ok.clone()),
        // Webhooks, admins only. {w} is an endpoint (unreachable URL),
        // {d} a dead-lettered delivery to it of event {e}.
        (
            Method::POST,
            "/v1/webhooks/endpoints",
            Some(json!({"url": "http://127.0.0.1:1/matrix"})),
            vec![
                (Nobody, 401),
                (BadToken, 401),
                (Owner, 403),
                (Outsider, 403),
                (Recruiter, 403),
                (Admin, 201),
            ],
        ),
        (
            Method::GET,
            "/v1/webhooks/endpoints",
            None,
            vec![
                (Nobody, 401),
                (BadToken, 401),
                (Owner, 403),
                (Outsider, 403),
                (Recruiter, 403),
                (Admin, 200),
            ],
        ),
        (
            Method::GET,
            "/v1/webhooks/endpoints/{w}",
            None,
            vec![
                (Nobody, 401),
                (BadToken, 401),
                (Owner, 403),
                (Outsider, 403),
                (Recruiter, 403),
                (Admin, 200),
            ],
        ),
        (
            Method::PATCH,
            "/v1/webhooks/endpoints/{w}",
            Some(json!({"description": "matrix"})),
            vec![
                (Nobody, 401),
                (BadToken, 401),
                (Owner, 403),
                (Outsider, 403),
                (Recruiter, 403),
                (Admin, 200),
            ],
        ),
        (
            Method::POST,
            "/v1/webhooks/endpoints/{w}/rotate-secret",
            None,
            vec![
                (Nobody, 401),
                (BadToken, 401),
                (Owner, 403),
                (Outsider, 403),
                (Recruiter, 403),
                (Admin, 200),
            ],
        ),
        (
            Method::GET,
            "/v1/webhooks/deliveries",
            None,
            vec![
                (Nobody, 401),
                (BadToken, 401),
                (Owner, 403),
                (Outsider, 403),
                (Recruiter, 403),
                (Admin, 200),
            ],
        ),
        (
            Method::GET,
            "/v1/webhooks/deliveries/{d}",
            None,
            vec![
                (Nobody, 401),
                (BadToken, 401),
                (Owner, 403),
                (Outsider, 403),
                (Recruiter, 403),
                (Admin, 200),
            ],
        ),
        (
            Method::POST,
            "/v1/webhooks/deliveries/{d}/replay",
            None,
            vec![
                (Nobody, 401),
                (BadToken, 401),
                (Owner, 403),
                (Outsider, 403),
                (Recruiter, 403),
                (Admin, 202),
            ],
        ),
        // To every subscribed endpoint where it is not pending: the one the
        // POST row above registered.
        (
            Method::POST,
            "/v1/webhooks/events/{e}/replay",
            None,
            vec![
                (Nobody, 401),
                (BadToken, 401),
                (Owner, 403),
                (Outsider, 403),
                (Recruiter, 403),
                (Admin, 202),
            ],
        ),
        (
            Method::DELETE,
            "/v1/webhooks/endpoints/{w}",
            None,
            vec![
                (Nobody, 401),
                (BadToken, 401),
                (Owner, 403),
                (Outsider, 403),
                (Recruiter, 403),
                (Admin, 204),
            ],
        ),
        // Inbound ATS integrations: no bearer token opens them (each has
        // its own proof: a signature or Greenhouse's key, covered in
        // ats_generic.rs, greenhouse.rs and lever.rs), and here, with no
        // [ats] tables configured, each answers 404 for everyone.
        (
            Method::POST,
            "/v1/ats/inbound",
            Some(json!({})),
            ats_off.clone(),
        ),
        (
            Method::GET,
            "/v1/ats/greenhouse/list_tests",
            None,
            ats_off.clone(),
        ),
        (
            Method::POST,
            "/v1/ats/greenhouse/send_test",
            Some(json!({})),
            ats_off.clone(),
        ),
        (
            Method::GET,
            "/v1/ats/greenhouse/test_status",
            None,
            ats_off.clone(),
        ),
        (
            Method::POST,
            "/v1/ats/greenhouse/response_error",
            Some(json!({})),
            ats_off.clone(),
        ),
        (
            Method::POST,
            "/v1/ats/lever/webhook",
            Some(json!({})),
            ats_off,
        ),
        // What we owe Greenhouse, as admins see it (a bearer token, unlike
        // the endpoints Greenhouse calls).
        (
            Method::GET,
            "/v1/ats/greenhouse/notices",
            None,
            only_admin(200),
        ),
        // What we owe Lever (write-backs): admins list them and retry a
        // failed one (`{t}` is no write-back: 404 once the caller may ask).
        (
            Method::GET,
            "/v1/ats/lever/writebacks",
            None,
            only_admin(200),
        ),
        (
            Method::POST,
            "/v1/ats/lever/writebacks/{t}/retry",
            None,
            only_admin(404),
        ),
        // Everyone lists their own tokens; a token id that is not yours
        // (here: none at all) is not found, for admins too.
        // The process (issue 11): the document is the admins'; a role's
        // settings are its owning recruiters' too (the fixture's `{i}` is no
        // role: 404 once the caller may ask); intro videos are public.
        (Method::GET, "/v1/process", None, only_admin(200)),
        (
            Method::POST,
            "/v1/process/plan",
            Some(json!({"document": {"users": [], "roles": []}})),
            only_admin(200),
        ),
        (
            Method::PUT,
            "/v1/process",
            Some(json!({"document": {"users": [], "roles": []}})),
            only_admin(200),
        ),
        (
            Method::PUT,
            "/v1/process/intro-videos",
            Some(json!({})),
            staff(422),
        ),
        (
            Method::PUT,
            "/v1/process/intro-captions",
            Some(json!({})),
            staff(422),
        ),
        (
            Method::GET,
            "/v1/media/intro-captions/{t}",
            None,
            vec![
                (Nobody, 404),
                (BadToken, 404),
                (Owner, 404),
                (Recruiter, 404),
                (Admin, 404),
            ],
        ),
        (
            Method::GET,
            "/v1/media/intro-videos/{t}",
            None,
            vec![
                (Nobody, 404),
                (BadToken, 404),
                (Owner, 404),
                (Recruiter, 404),
                (Admin, 404),
            ],
        ),
        (
            Method::GET,
            "/v1/roles",
            None,
            vec![
                (Nobody, 401),
                (BadToken, 401),
                (Owner, 200),
                (Outsider, 200),
                (Recruiter, 200),
                (Admin, 200),
            ],
        ),
        (
            Method::POST,
            "/v1/roles",
            Some(authz_role()),
            only_admin(201),
        ),
        (Method::GET, "/v1/roles/{i}", None, staff(404)),
        (
            Method::PATCH,
            "/v1/roles/{i}",
            Some(json!({"title": "X"})),
            staff(404),
        ),
        (
            Method::POST,
            "/v1/roles/{i}/question-sets",
            Some(json!({"retakes": 1, "questions": authz_role()["questions"]})),
            staff(404),
        ),
        (
            Method::PUT,
            "/v1/roles/{i}/reviewers",
            Some(json!({"user_ids": []})),
            staff(404),
        ),
        (
            Method::PUT,
            "/v1/roles/{i}/recruiters",
            Some(json!({"user_ids": []})),
            staff(404),
        ),
        (Method::GET, "/v1/users", None, only_admin(200)),
        (
            Method::POST,
            "/v1/users",
            Some(json!({"email": "authz@example.com", "name": "Authz User", "role": "reviewer"})),
            only_admin(201),
        ),
        (
            Method::PATCH,
            "/v1/users/{t}",
            Some(json!({"name": "Nobody Here"})),
            only_admin(404),
        ),
        (Method::POST, "/v1/users/{t}/tokens", None, only_admin(404)),
        (
            Method::GET,
            "/v1/tokens",
            None,
            vec![
                (Nobody, 401),
                (BadToken, 401),
                (Owner, 200),
                (Outsider, 200),
                (Recruiter, 200),
                (Admin, 200),
            ],
        ),
        (
            Method::DELETE,
            "/v1/tokens/{t}",
            None,
            vec![
                (Nobody, 401),
                (BadToken, 401),
                (Owner, 404),
                (Recruiter, 404),
                (Admin, 404),
            ],
        ),
        // Share links to the results page: recruiters of the interview's
        // role and admins. Rita does not recruit for the fixture's role.
        (
            Method::POST,
            "/v1/interviews/{i}/share-links",
            Some(json!({"days": 7})),
            vec![
                (Nobody, 401),
                (BadToken, 401),
                (Owner, 403),
                (Outsider, 403),
                (Recruiter, 403),
                (Admin, 201),
            ],
        ),
        (
            Method::GET,
            "/v1/interviews/{i}/share-links",
            None,
            vec![
                (Nobody, 401),
                (BadToken, 401),
                (Owner, 403),
                (Outsider, 403),
                (Recruiter, 403),
                (Admin, 200),
            ],
        ),
        // The results page: the link is the credential, whoever calls.
        (Method::GET, "/results/{lt}", None, all_ok.clone()),
        (
            Method::DELETE,
            "/v1/share-links/{t}",
            None,
            vec![
                (Nobody, 401),
                (BadToken, 401),
                (Owner, 403),
                (Outsider, 403),
                (Recruiter, 404),
                (Admin, 404),
            ],
        ),
        // The triage board, last: its bulk decision records one. Rita does
        // not recruit for the fixture's role, so she sees an empty board
        // and is refused its interviews (tests/api/board.rs covers her
        // own roles).
        (
            Method::GET,
            "/v1/board",
            None,
            vec![
                (Nobody, 401),
                (BadToken, 401),
                (Owner, 403),
                (Outsider, 403),
                (Recruiter, 200),
                (Admin, 200),
            ],
        ),
        // Without `ids` a recruiter is told what is missing (422); the
        // reviewers are refused before that.
        (
            Method::GET,
            "/v1/board/sync",
            None,
            vec![
                (Nobody, 401),
                (BadToken, 401),
                (Owner, 403),
                (Outsider, 403),
                (Recruiter, 422),
                (Admin, 422),
            ],
        ),
        (
            Method::GET,
            "/v1/board/{i}",
            None,
            vec![
                (Nobody, 401),
                (BadToken, 401),
                (Owner, 403),
                (Outsider, 403),
                (Recruiter, 403),
                (Admin, 200),
            ],
        ),
        (
            Method::POST,
            "/v1/board/{i}/remind",
            None,
            vec![
                (Nobody, 401),
                (BadToken, 401),
                (Owner, 403),
                (Recruiter, 403),
                (Admin, 409),
            ],
        ),
        (
            Method::POST,
            "/v1/board/{i}/retry-sync",
            None,
            vec![
                (Nobody, 401),
                (BadToken, 401),
                (Owner, 403),
                (Recruiter, 403),
                (Admin, 409),
            ],
        ),
        (
            Method::POST,
            "/v1/board/{i}/reassign",
            Some(json!({"assignment_id": "{a}", "reviewer_id": "{u1}"})),
            vec![
                (Nobody, 401),
                (BadToken, 401),
                (Owner, 403),
                (Outsider, 403),
                (Recruiter, 403),
                (Admin, 422),
            ],
        ),
        (
            Method::POST,
            "/v1/board/decisions",
            Some(json!({"interview_ids": ["{i}"], "action": "hold"})),
            vec![
                (Nobody, 401),
                (BadToken, 401),
                (Owner, 403),
                (Outsider, 403),
                (Recruiter, 403),
                (Admin, 200),
            ],
        ),
    ]
}

/// The calibration session and item the matrix's `{c}` and `{ci}` name.
pub(crate) struct Calibration {
    pub(crate) session: String,
    pub(crate) item: String,
    /// Responses of an interview nobody reviews (`{sr}`): calibration
    /// refuses the fixture's, whose reviews are still open.
    pub(crate) samples: Vec<String>,
}

pub(crate) async fn calibration_session(p: &TestPlatform) -> Calibration {
    let samples = p.unreviewed_responses().await;
    let (s, body) = p
        .call(
            p.request(Method::POST, "/v1/calibration", Some(&p.f.admin))
                .json(&json!({
                    "title": "Authorization matrix",
                    "deadline_at": "2999-01-01T00:00:00Z",
                    "participant_ids": [p.f.reviewer_ids[0], p.f.reviewer_ids[1]],
                    "response_ids": samples,
                })),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{body}");
    Calibration {
        session: body["id"].as_str().expect("id").to_string(),
        item: body["items"][0]["id"].as_str().expect("item").to_string(),
        samples,
    }
}

/// The webhook endpoint, delivery and event the matrix's `{w}`, `{d}` and
/// `{e}` name: the delivery is dead-lettered so that replaying it is
/// allowed.
pub(crate) struct Hooks {
    pub(crate) endpoint: String,
    pub(crate) delivery: String,
    pub(crate) event: String,
}

pub(crate) async fn webhook_setup(p: &TestPlatform) -> Hooks {
    use sqlx::Row;
    let (s, body) = p
        .call(
            p.request(Method::POST, "/v1/webhooks/endpoints", Some(&p.f.admin))
                .json(&json!({"url": "http://127.0.0.1:1/matrix"})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{body}");
    let endpoint = body["id"].as_str().expect("id").to_string();
    let (s, body) = p
        .call(
            p.request(
                Method::POST,
                &format!("/v1/interviews/{}/decision", p.f.interview),
                Some(&p.f.admin),
            )
            .json(&json!({"action": "hold"})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{body}");
    // Dead-lettered directly: a real dead letter takes a day of retries
    // (tests/api/webhooks.rs drives that with a manual clock).
    sqlx::query(
        "UPDATE webhook_deliveries SET state = 'dead', finished_at = 1 WHERE endpoint_id = $1",
    )
    .bind(&endpoint)
    .execute(&p.state.db.pool)
    .await
    .expect("dead-letter");
    let row = sqlx::query("SELECT id, event_id FROM webhook_deliveries WHERE endpoint_id = $1")
        .bind(&endpoint)
        .fetch_one(&p.state.db.pool)
        .await
        .expect("delivery");
    Hooks {
        endpoint,
        delivery: row.get("id"),
        event: row.get("event_id"),
    }
}

/// The token of the share link the matrix's `{lt}` names.
const MATRIX_LINK: &str = "sl_matrix-link";

async fn matrix_link(p: &TestPlatform) {
    let now = p.state.clock.now();
    let mut conn = p.state.db.pool.acquire().await.expect("connection");
    takes_platform::store::share_links::insert(
        &mut conn,
        takes_platform::store::share_links::NewLink {
            id: &takes_platform::ids::new_id(),
            interview_id: &p.f.interview,
            token_hash: &takes_platform::ids::hash_token(MATRIX_LINK),
            created_by: None,
            created_at: now,
            expires_at: now + 24 * 3_600_000,
        },
    )
    .await
    .expect("share link");
}

fn fill(p: &TestPlatform, cal: &Calibration, hooks: &Hooks, template: &str) -> String {
    template
        .replace("{w}", &hooks.endpoint)
        .replace("{d}", &hooks.delivery)
        .replace("{e}", &hooks.event)
        .replace("{ci}", &cal.item)
        .replace("{sr}", &cal.samples[0])
        .replace("{c}", &cal.session)
        .replace("{u0}", &p.f.reviewer_ids[0])
        .replace("{u1}", &p.f.reviewer_ids[1])
        .replace("{a}", &p.f.assignments[0])
        .replace("{q}", &p.f.questions[0])
        .replace("{i}", &p.f.interview)
        .replace("{r}", &p.f.responses[0])
        .replace("{lt}", MATRIX_LINK)
        .replace("{t}", "no-such-token")
        .replace("{up}", "0123456789abcdef0123456789abcdef")
        .replace("{n}", "app.js")
}

both_backends!(
    every_endpoint_for_every_caller,
    |p: TestPlatform| async move {
        let cal = calibration_session(&p).await;
        let hooks = webhook_setup(&p).await;
        matrix_link(&p).await;
        for (method, template, body, expectations) in matrix() {
            let path = fill(&p, &cal, &hooks, template);
            let body: Option<serde_json::Value> = body.map(|b| {
                serde_json::from_str(&fill(&p, &cal, &hooks, &b.to_string())).expect("filled body")
            });
            for (who, expected) in expectations {
                let mut rb = p.request(method.clone(), &path, token(&p, who).as_deref());
                if let Some(b) = &body {
                    rb = rb.json(b);
                }
                let (status, body) = p.call(rb).await;
                assert_eq!(
                    status,
                    StatusCode::from_u16(expected).expect("status"),
                    "{method} {template} as {who:?}: {body}"
                );
                if expected == 401 {
                    assert!(
                        body["detail"]
                            .as_str()
                            .is_some_and(|d| d.contains("token") || d.contains("Authorization")),
                        "{body}"
                    );
                }
            }
        }
    }
);

both_backends!(
    the_matrix_covers_every_documented_route,
    |p: TestPlatform| async move {
        let (_, doc) = p.get("/v1/openapi.json", &p.f.admin).await;
        let mut documented: Vec<String> = Vec::new();
        for (path, item) in doc["paths"].as_object().expect("paths") {
            for method in ["get", "put", "post", "delete", "patch"] {
                if item.get(method).is_some() {
                    documented.push(format!("{} {}", method.to_uppercase(), path));
                }
            }
        }
        let normalise = |t: &str| {
            t.replace("{a}", "{id}")
                .replace("{q}", "{question_id}")
                .replace("{i}", "{id}")
                .replace("{r}", "{response_id}")
                .replace("{ci}", "{item_id}")
                .replace("{c}", "{id}")
                .replace("{w}", "{id}")
                .replace("{d}", "{id}")
                .replace("{e}", "{id}")
                .replace("{lt}", "{token}")
                .replace("{t}", "{id}")
                .replace("{up}", "{upload_id}")
                .replace("{n}", "{name}")
        };
        let covered: Vec<String> = matrix()
            .iter()
            .map(|(m, t, _, _)| format!("{m} {}", normalise(t)))
            .collect();
        for route in &documented {
            assert!(
                covered.contains(route),
                "{route} is documented but missing from the authorization matrix"
            );
        }
        assert_eq!(
            documented.len(),
            covered.len(),
            "documented: {documented:?}"
        );
    }
);

both_backends!(
    reviewers_see_only_their_own_queue,
    |p: TestPlatform| async move {
        let (_, q0) = p.get("/v1/queue", &p.f.reviewers[0]).await;
        let ids: Vec<&str> = q0["items"]
            .as_array()
            .expect("items")
            .iter()
            .filter_map(|i| i["id"].as_str())
            .collect();
        assert_eq!(ids.len(), 2);
        assert!(
            ids.contains(&p.f.assignments[0].as_str())
                && ids.contains(&p.f.other_assignment.as_str())
        );
        let (_, q1) = p.get("/v1/queue", &p.f.reviewers[1]).await;
        let ids1: Vec<&str> = q1["items"]
            .as_array()
            .expect("items")
            .iter()
            .filter_map(|i| i["id"].as_str())
            .collect();
        assert_eq!(ids1, vec![p.f.assignments[1].as_str()]);
        let (_, qo) = p.get("/v1/queue", &p.f.outsider).await;
        assert_eq!(qo["items"].as_array().map(Vec::len), Some(0));
        assert_eq!(qo["total"], 0);
    }
);

both_backends!(revoked_tokens_are_refused, |p: TestPlatform| async move {
    let (s, _) = p.get("/v1/me", &p.f.reviewers[2]).await;
    assert_eq!(s, StatusCode::OK);
    sqlx::query("UPDATE api_tokens SET revoked_at = 1 WHERE user_id = $1")
        .bind(&p.f.reviewer_ids[2])
        .execute(&p.state.db.pool)
        .await
        .expect("revoke");
    let (s, body) = p.get("/v1/me", &p.f.reviewers[2]).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED, "{body}");
    // Only hashes are stored: the token itself appears nowhere in the table.
    let plain = p
        .count(&format!(
            "SELECT COUNT(*) FROM api_tokens WHERE token_hash = '{}'",
            p.f.reviewers[0]
        ))
        .await;
    assert_eq!(plain, 0);
});
