//! The demo data set: roles with structured question sets and rubrics,
//! candidates in every interview state, real clips with matching
//! transcripts, reviewers with queues, and some interviews already scored by
//! several reviewers so panels have something to show.

use anyhow::{bail, Context};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use takes_api::{Anchor, Cue, Rubric, UserRole};

use super::{demo_email, SeedReport, SeededUser};
use crate::auth::issue_token;
use crate::clock::{Millis, DAY, HOUR};
use crate::media::store::MediaStore;
use crate::state::AppState;
use crate::store::assignments;
use crate::store::audit;
use crate::store::interviews;
use crate::store::roles;
use crate::store::roles::set_hiring_manager_email;
use crate::store::users::user_count;

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/demo_clips.rs"));
}

const CONTENT: &str = include_str!("../../demo/content.json");

#[derive(Deserialize)]
struct Content {
    roles: Vec<RoleSpec>,
    candidates: Vec<CandidateSpec>,
}

#[derive(Deserialize)]
struct RoleSpec {
    key: String,
    title: String,
    department: String,
    question_set: QuestionSetSpec,
}

#[derive(Deserialize)]
struct QuestionSetSpec {
    name: String,
    retakes_allowed: i64,
    questions: Vec<QuestionSpec>,
}

#[derive(Deserialize)]
struct QuestionSpec {
    prompt: String,
    competency: String,
    time_limit_s: i64,
    rubric: RubricSpec,
}

#[derive(Deserialize)]
struct RubricSpec {
    scale_min: i64,
    scale_max: i64,
    pass_score: i64,
    anchors: Vec<Anchor>,
}

#[derive(Deserialize)]
struct CandidateSpec {
    key: String,
    name: String,
    email: String,
    role: String,
    status: String,
    responses: Vec<ResponseSpec>,
}

#[derive(Deserialize)]
struct ResponseSpec {
    question: usize,
    quality: String,
    retakes_used: i64,
    clip: String,
}

#[derive(Deserialize)]
struct Manifest {
    clips: Vec<ClipSpec>,
}

#[derive(Deserialize)]
struct ClipSpec {
    id: String,
    file: String,
    content_type: String,
    duration_s: f64,
    cues: Vec<Cue>,
}

/// The demo reviewers; the first is who `takes demo` signs in as.
pub const REVIEWERS: [&str; 3] = ["Riley Chen", "Sam Okoro", "Jordan Alvarez"];
pub const RECRUITER: &str = "Dana Brooks";
pub const ADMIN: &str = "Alex Kim";

/// How many completed interviews get scores from the second and third
/// reviewers before the demo starts.
const PRESCORED: usize = 6;
/// How many of those every reviewer, the first too, reviewed last week:
/// calibration takes its samples only from interviews whose review is
/// over, so a participant never sees others' ratings of a response they
/// still review.
const REVIEWED: usize = 3;

fn embedded_file(name: &str) -> Option<&'static [u8]> {
    embedded::FILES
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, b)| *b)
}

/// A deterministic number in `0..n` from a label, so the demo is the same
/// every time without a random seed to carry around.
fn pick(label: &str, n: u64) -> u64 {
    let d = Sha256::digest(label.as_bytes());
    u64::from_be_bytes([d[0], d[1], d[2], d[3], d[4], d[5], d[6], d[7]]) % n.max(1)
}

/// Loads the demo data set into an empty platform.
pub async fn load(state: &AppState) -> anyhow::Result<SeedReport> {
    let content: Content =
        serde_json::from_str(CONTENT).context("demo/content.json is malformed")?;
    let manifest_bytes = embedded_file("manifest.json").context(
        "the demo clips were not built into this binary (demo/clips/manifest.json missing)",
    )?;
    let manifest: Manifest =
        serde_json::from_slice(manifest_bytes).context("demo/clips/manifest.json is malformed")?;

    let users = {
        let mut conn = state.db.pool.acquire().await?;
        user_count(&mut conn).await?
    };
    if users > 0 {
        bail!("this database already holds {users} users; seed the demo into a fresh database (--database sqlite://NEW_FILE)");
    }

    let now = state.clock.now();
    let mut report = SeedReport { users: Vec::new() };
    let mut reviewer_ids = Vec::new();
    for name in REVIEWERS {
        let (id, token) = issue_token(&state.db, now, name, UserRole::Reviewer, "demo").await?;
        reviewer_ids.push(id);
        report.users.push(SeededUser {
            name: name.into(),
            role: "reviewer".into(),
            token,
        });
    }
    let (recruiter_id, token) =
        issue_token(&state.db, now, RECRUITER, UserRole::Recruiter, "demo").await?;
    report.users.push(SeededUser {
        name: RECRUITER.into(),
        role: "recruiter".into(),
        token,
    });
    let (admin_id, token) = issue_token(&state.db, now, ADMIN, UserRole::Admin, "demo").await?;
    report.users.push(SeededUser {
        name: ADMIN.into(),
        role: "admin".into(),
        token,
    });

    // Media first: files are written before the rows that point at them.
    let mut stored = std::collections::HashMap::new();
    for clip in &manifest.clips {
        let bytes = embedded_file(&clip.file)
            .with_context(|| format!("demo clip {} is not embedded", clip.file))?;
        let key = MediaStore::new_key("webm");
        state.media.put(&key, bytes).await?;
        stored.insert(clip.id.clone(), (key, bytes, clip));
    }

    let mut w = state.db.begin_write().await?;
    let tx = &mut w.tx;
    // Everyone has an email and every role a key and an owner, so that
    // `takes process export` and `plan` work on the demo.
    let people = REVIEWERS
        .iter()
        .zip(&reviewer_ids)
        .map(|(n, id)| (*n, id.as_str(), UserRole::Reviewer))
        .chain([
            (RECRUITER, recruiter_id.as_str(), UserRole::Recruiter),
            (ADMIN, admin_id.as_str(), UserRole::Admin),
        ]);
    for (name, id, role) in people {
        crate::store::users::update(tx, id, name, role.as_str(), Some(&demo_email(name))).await?;
    }
    let mut role_ids = std::collections::HashMap::new();
    for role in &content.roles {
        let role_id = roles::role(tx, now, &role.title, &role.department).await?;
        roles::write::set_key(tx, &role_id, &role.key).await?;
        roles::write::replace_recruiters(tx, now, &role_id, std::slice::from_ref(&recruiter_id))
            .await?;
        let set = &role.question_set;
        let set_id = roles::question_set(tx, now, &role_id, &set.name, set.retakes_allowed).await?;
        let mut question_ids = Vec::new();
        for (i, q) in set.questions.iter().enumerate() {
            let rubric = Rubric {
                scale_min: q.rubric.scale_min,
                scale_max: q.rubric.scale_max,
                pass_score: q.rubric.pass_score,
                anchors: q.rubric.anchors.clone(),
            };
            let question = roles::NewQuestion {
                position: i as i64 + 1,
                prompt: &q.prompt,
                competency: &q.competency,
                time_limit_s: q.time_limit_s,
                rubric: &rubric,
            };
            question_ids.push(roles::question(tx, &set_id, question).await?);
        }
        // Every demo reviewer is in every role's pool, so completed demo
        // interviews route to whoever has least open work.
        for reviewer_id in &reviewer_ids {
            roles::role_reviewer(tx, now, &role_id, reviewer_id).await?;
        }
        // The demo recruiter recruits for every role (the triage board).
        crate::store::board::writes::add_recruiter(tx, now, &role_id, &recruiter_id).await?;
        let manager = format!("hiring-{}@example.com", role.key);
        set_hiring_manager_email(tx, &role_id, &manager).await?;
        role_ids.insert(role.key.clone(), (role_id, set_id, question_ids));
    }

    let mut completed_index = 0usize;
    for (ci, cand) in content.candidates.iter().enumerate() {
        let (role_id, set_id, question_ids) = role_ids.get(&cand.role).with_context(|| {
            format!("candidate {} names unknown role {:?}", cand.key, cand.role)
        })?;
        let candidate_id = interviews::candidate(tx, now, &cand.name, &cand.email).await?;
        let age = (ci as i64 % 7) * 6 * HOUR;
        let (invited_at, expires_at, started_at, completed_at) = match cand.status.as_str() {
            "invited" => (now - age, now - age + 72 * HOUR, None, None),
            "started" => (
                now - DAY - age,
                now - DAY - age + 72 * HOUR,
                Some(now - DAY / 2),
                None,
            ),
            "completed" => {
                let invited = now - 4 * DAY - age;
                (
                    invited,
                    invited + 72 * HOUR,
                    Some(invited + 20 * HOUR),
                    Some(invited + 30 * HOUR),
                )
            }
            "expired" => (now - 6 * DAY - age, now - 3 * DAY - age, None, None),
            other => bail!("candidate {} has unknown status {other:?}", cand.key),
        };
        let interview = interviews::NewInterview {
            candidate_id: &candidate_id,
            role_id,
            question_set_id: set_id,
            status: &cand.status,
            invited_at,
            expires_at,
            started_at,
            completed_at,
        };
        let interview_id = interviews::interview(tx, interview).await?;
        let (Some(completed_at), "completed") = (completed_at, cand.status.as_str()) else {
            continue;
        };
        if cand.responses.len() != question_ids.len() {
            bail!(
                "completed candidate {} has {} responses for {} questions",
                cand.key,
                cand.responses.len(),
                question_ids.len()
            );
        }
        let mut qualities = Vec::new();
        for resp in &cand.responses {
            let qid = question_ids.get(resp.question).with_context(|| {
                format!(
                    "candidate {} answers question {} that does not exist",
                    cand.key, resp.question
                )
            })?;
            let (key, bytes, clip) = stored.get(&resp.clip).with_context(|| {
                format!(
                    "clip {} of candidate {} is not in the manifest",
                    resp.clip, cand.key
                )
            })?;
            let media_id =
                interviews::media_object(tx, now, key, &clip.content_type, bytes).await?;
            let response = interviews::NewResponse {
                interview_id: &interview_id,
                question_id: qid,
                media_object_id: &media_id,
                duration_ms: (clip.duration_s * 1000.0).round() as i64,
                cues: &clip.cues,
                retakes_used: resp.retakes_used,
                recorded_at: completed_at,
            };
            interviews::response(tx, response).await?;
            qualities.push((qid.clone(), resp.quality.clone()));
        }

        // Review-by dates spread from overdue to next week, so the queue's
        // due-date colours all show.
        let due_at =
            now + (completed_index as i64 % 9 - 2) * 14 * HOUR + pick(&cand.key, 6) as i64 * HOUR;
        for (ri, reviewer_id) in reviewer_ids.iter().enumerate() {
            let reviewed = completed_index < REVIEWED;
            let prescored = reviewed || (ri > 0 && completed_index < PRESCORED);
            let submitted_at = prescored.then_some(now - 2 * HOUR - ri as i64 * HOUR);
            let due = due_at + ri as i64 * 5 * 60_000;
            let assignment_id = assignments::assignment(
                tx,
                &interview_id,
                reviewer_id,
                completed_at,
                due,
                submitted_at,
            )
            .await?;
            if prescored {
                for (qid, quality) in &qualities {
                    assignments::score(tx, demo_score(&assignment_id, qid, quality, ri, now))
                        .await?;
                }
            }
        }
        if (REVIEWED..PRESCORED).contains(&completed_index) {
            // The recruiter reviews the interviews that already have a
            // panel and are still under review.
            assignments::assignment(
                tx,
                &interview_id,
                &recruiter_id,
                completed_at,
                due_at + DAY,
                None,
            )
            .await?;
        }
        completed_index += 1;
    }
    super::calibration::demo_session(tx, now, &reviewer_ids, &admin_id).await?;
    super::self_identification::demo_self_identification(tx, now).await?;
    audit::record(
        tx,
        now,
        audit::Entry {
            actor_id: None,
            action: "demo.seeded",
            entity_type: "platform",
            entity_id: "demo",
            detail: serde_json::json!({"roles": content.roles.len(), "candidates": content.candidates.len(), "clips": manifest.clips.len()}),
        },
    )
    .await?;
    w.commit().await?;
    super::insights::demo(state, &role_ids, &recruiter_id).await?;
    Ok(report)
}

/// A plausible rating for a response of the given quality: reviewers differ
/// a little (the third is stricter), so panels show real spread.
fn demo_score<'a>(
    assignment_id: &'a str,
    question_id: &'a str,
    quality: &str,
    reviewer: usize,
    now: Millis,
) -> assignments::NewScore<'a> {
    let base: i64 = match quality {
        "strong" => 5,
        "acceptable" => 3,
        _ => 2,
    };
    let wobble = pick(&format!("{assignment_id}{question_id}"), 3) as i64 - 1;
    let severity = if reviewer == 2 { 1 } else { 0 };
    let rating = (base + wobble - severity).clamp(1, 5);
    assignments::NewScore {
        assignment_id,
        question_id,
        rating,
        muted_rating: Some((rating + pick(question_id, 2) as i64 - 1).clamp(1, 5)),
        note: match quality {
            "strong" => Some("Concrete situation, clear actions, measurable outcome."),
            "weak" => Some("Generic; no specific example."),
            _ => None,
        },
        at: now - 3 * HOUR,
    }
}
