//! The demo data set: roles with structured question sets and rubrics,
//! candidates in every interview state, real clips with matching
//! transcripts, reviewers with queues, and some interviews already scored by
//! several reviewers so panels have something to show.

use anyhow::{bail, Context};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use sqlx::Row;
use takes_api::{Anchor, Cue, UserRole};

use super::{SeedReport, SeededUser};
use crate::audit;
use crate::auth::issue_token;
use crate::clock::{Millis, DAY, HOUR};
use crate::ids::{new_id, sha256_hex};
use crate::media::store::MediaStore;
use crate::pseudonym;
use crate::state::AppState;

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

    let users: i64 = sqlx::query("SELECT COUNT(*) AS n FROM users")
        .fetch_one(&state.db.pool)
        .await?
        .try_get("n")?;
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
    let (_admin_id, token) = issue_token(&state.db, now, ADMIN, UserRole::Admin, "demo").await?;
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
        stored.insert(
            clip.id.clone(),
            (key, bytes.len() as i64, sha256_hex(bytes), clip),
        );
    }

    let mut w = state.db.begin_write().await?;
    let tx = &mut w.tx;
    let mut role_ids = std::collections::HashMap::new();
    for role in &content.roles {
        let role_id = new_id();
        let set_id = new_id();
        sqlx::query(
            "INSERT INTO job_roles (id, title, department, created_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(&role_id)
        .bind(&role.title)
        .bind(&role.department)
        .bind(now)
        .execute(&mut **tx)
        .await?;
        sqlx::query("INSERT INTO question_sets (id, job_role_id, name, retakes_allowed, created_at) VALUES ($1, $2, $3, $4, $5)")
            .bind(&set_id)
            .bind(&role_id)
            .bind(&role.question_set.name)
            .bind(role.question_set.retakes_allowed)
            .bind(now)
            .execute(&mut **tx)
            .await?;
        let mut question_ids = Vec::new();
        for (i, q) in role.question_set.questions.iter().enumerate() {
            let qid = new_id();
            sqlx::query(
                "INSERT INTO questions (id, question_set_id, position, prompt, competency, time_limit_s, \
                 scale_min, scale_max, pass_score, anchors_json) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            )
            .bind(&qid)
            .bind(&set_id)
            .bind(i as i64 + 1)
            .bind(&q.prompt)
            .bind(&q.competency)
            .bind(q.time_limit_s)
            .bind(q.rubric.scale_min)
            .bind(q.rubric.scale_max)
            .bind(q.rubric.pass_score)
            .bind(serde_json::to_string(&q.rubric.anchors)?)
            .execute(&mut **tx)
            .await?;
            question_ids.push(qid);
        }
        role_ids.insert(role.key.clone(), (role_id, set_id, question_ids));
    }

    let mut completed_index = 0usize;
    for (ci, cand) in content.candidates.iter().enumerate() {
        let (role_id, set_id, question_ids) = role_ids.get(&cand.role).with_context(|| {
            format!("candidate {} names unknown role {:?}", cand.key, cand.role)
        })?;
        let candidate_id = new_id();
        sqlx::query("INSERT INTO candidates (id, name, email, pseudonym, created_at) VALUES ($1, $2, $3, $4, $5)")
            .bind(&candidate_id)
            .bind(&cand.name)
            .bind(&cand.email)
            .bind(pseudonym::for_candidate(&candidate_id))
            .bind(now)
            .execute(&mut **tx)
            .await?;
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
        let interview_id = new_id();
        sqlx::query(
            "INSERT INTO interviews (id, candidate_id, job_role_id, question_set_id, status, invited_at, expires_at, \
             started_at, completed_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(&interview_id)
        .bind(&candidate_id)
        .bind(role_id)
        .bind(set_id)
        .bind(&cand.status)
        .bind(invited_at)
        .bind(expires_at)
        .bind(started_at)
        .bind(completed_at)
        .execute(&mut **tx)
        .await?;
        if cand.status != "completed" {
            continue;
        }
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
            let (key, bytes, sha, clip) = stored.get(&resp.clip).with_context(|| {
                format!(
                    "clip {} of candidate {} is not in the manifest",
                    resp.clip, cand.key
                )
            })?;
            let media_id = new_id();
            sqlx::query(
                "INSERT INTO media_objects (id, storage_key, content_type, bytes, sha256, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(&media_id)
            .bind(key)
            .bind(&clip.content_type)
            .bind(*bytes)
            .bind(sha)
            .bind(now)
            .execute(&mut **tx)
            .await?;
            sqlx::query(
                "INSERT INTO responses (id, interview_id, question_id, media_object_id, duration_ms, transcript_json, \
                 retakes_used, recorded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(new_id())
            .bind(&interview_id)
            .bind(qid)
            .bind(&media_id)
            .bind((clip.duration_s * 1000.0).round() as i64)
            .bind(serde_json::to_string(&clip.cues)?)
            .bind(resp.retakes_used)
            .bind(completed_at.unwrap_or(now))
            .execute(&mut **tx)
            .await?;
            qualities.push((qid.clone(), resp.quality.clone()));
        }

        // Review-by dates spread from overdue to next week, so the queue's
        // due-date colours all show.
        let due_at =
            now + (completed_index as i64 % 9 - 2) * 14 * HOUR + pick(&cand.key, 6) as i64 * HOUR;
        for (ri, reviewer_id) in reviewer_ids.iter().enumerate() {
            let assignment_id = new_id();
            let prescored = ri > 0 && completed_index < PRESCORED;
            let submitted_at = prescored.then_some(now - 2 * HOUR - ri as i64 * HOUR);
            sqlx::query(
                "INSERT INTO assignments (id, interview_id, reviewer_id, status, assigned_at, due_at, submitted_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(&assignment_id)
            .bind(&interview_id)
            .bind(reviewer_id)
            .bind(if prescored { "submitted" } else { "pending" })
            .bind(completed_at.unwrap_or(now))
            .bind(due_at + ri as i64 * 5 * 60_000)
            .bind(submitted_at)
            .execute(&mut **tx)
            .await?;
            if prescored {
                for (qid, quality) in &qualities {
                    write_demo_score(tx, &assignment_id, qid, quality, ri, now).await?;
                }
            }
        }
        if completed_index < PRESCORED {
            sqlx::query(
                "INSERT INTO assignments (id, interview_id, reviewer_id, status, assigned_at, due_at) VALUES ($1, $2, $3, 'pending', $4, $5)",
            )
            .bind(new_id())
            .bind(&interview_id)
            .bind(&recruiter_id)
            .bind(completed_at.unwrap_or(now))
            .bind(due_at + DAY)
            .execute(&mut **tx)
            .await?;
        }
        completed_index += 1;
    }
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
    Ok(report)
}

/// A plausible rating for a response of the given quality: reviewers differ
/// a little (the third is stricter), so panels show real spread.
async fn write_demo_score(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    assignment_id: &str,
    question_id: &str,
    quality: &str,
    reviewer: usize,
    now: Millis,
) -> anyhow::Result<()> {
    let base: i64 = match quality {
        "strong" => 5,
        "acceptable" => 3,
        _ => 2,
    };
    let wobble = pick(&format!("{assignment_id}{question_id}"), 3) as i64 - 1;
    let severity = if reviewer == 2 { 1 } else { 0 };
    let rating = (base + wobble - severity).clamp(1, 5);
    let muted = (rating + pick(question_id, 2) as i64 - 1).clamp(1, 5);
    sqlx::query(
        "INSERT INTO scores (assignment_id, question_id, rating, muted_rating, note, evidence_json, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, '[]', $6, $6)",
    )
    .bind(assignment_id)
    .bind(question_id)
    .bind(rating)
    .bind(muted)
    .bind(match quality {
        "strong" => Some("Concrete situation, clear actions, measurable outcome."),
        "weak" => Some("Generic; no specific example."),
        _ => None,
    })
    .bind(now - 3 * HOUR)
    .execute(&mut **tx)
    .await?;
    Ok(())
}
