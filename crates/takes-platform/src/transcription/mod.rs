//! The transcription stage: every accepted answer (queued by
//! [`crate::store::transcripts::enqueue`] in the upload's transaction) is
//! turned into WebVTT cues in the background. Each job is claimed under a
//! lease, its audio extracted with ffmpeg (16 kHz mono WAV), handed to the
//! configured engine, and the cues stored with the response. A failure is
//! retried with a doubling delay; after `max_attempts` the job is `failed`
//! and its reason is what reviewers and admins see. The candidate never
//! waits for any of this.

pub mod config;
pub mod engines;
pub mod segments;

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Context;
use tokio::process::Command;

use crate::clock::{Millis, HOUR, SECOND};
use crate::state::AppState;
use crate::store::transcripts as store;
use crate::worker::{Schedule, Worker, WorkerHandle};

const BATCH: i64 = 10;
/// Longest gap between two attempts.
pub const MAX_RETRY_GAP: Millis = HOUR;

/// Delay before the attempt after `attempts` failed ones.
pub fn retry_delay(first_retry: Millis, attempts: i64) -> Millis {
    let doublings = attempts.clamp(1, 20) - 1;
    first_retry
        .max(1)
        .saturating_mul(1 << doublings)
        .min(MAX_RETRY_GAP)
}

/// The transcription worker of `state`.
pub fn spawn(state: AppState) -> WorkerHandle {
    let poll = Duration::from_millis(state.config.transcription.poll_interval_ms.max(50));
    // Waits first, so a test that starts a server drives the first passes.
    WorkerHandle::spawn(
        Transcriber {
            state,
            http: reqwest::Client::new(),
        },
        Schedule::every(poll).waiting_first(),
    )
}

struct Transcriber {
    state: AppState,
    http: reqwest::Client,
}

impl Worker for Transcriber {
    const NAME: &'static str = "transcription";

    /// One job per pass: stopping the server waits for the pass in flight,
    /// so it waits for one answer, never a whole batch.
    async fn tick(&mut self) -> anyhow::Result<bool> {
        let pass = run_batch(&self.state, &self.http, 1).await?;
        Ok(pass.attempted > 0)
    }
}

/// Attempts every due job once; returns how many transcripts were stored.
pub async fn run_due(state: &AppState) -> anyhow::Result<usize> {
    Ok(run_batch(state, &reqwest::Client::new(), BATCH)
        .await?
        .stored)
}

struct Pass {
    attempted: usize,
    stored: usize,
}

async fn run_batch(state: &AppState, http: &reqwest::Client, batch: i64) -> anyhow::Result<Pass> {
    let config = &state.config.transcription;
    let timeout = Duration::from_secs(config.timeout_seconds.max(1));
    // The lease outlives the attempt, so no other worker starts it twice.
    let lease = (config.timeout_seconds.max(1) as Millis + 60) * SECOND;
    let engine = config.engine.as_str();
    let now = state.clock.now();
    let mut pass = Pass {
        attempted: 0,
        stored: 0,
    };
    for job in store::due(&state.db, now, batch).await? {
        let claimed = {
            let mut w = state.db.begin_write().await?;
            let claimed = store::claim(&mut w.tx, &job.response_id, now + lease, now).await?;
            w.commit().await?;
            claimed
        };
        if !claimed {
            continue;
        }
        let attempts = job.attempts + 1;
        pass.attempted += 1;
        let outcome = attempt(state, http, &job.storage_key, timeout).await;
        let at = state.clock.now();
        let mut w = state.db.begin_write().await?;
        match outcome {
            Ok(cues) => {
                let json = serde_json::to_string(&cues)?;
                if store::mark_done(
                    &mut w.tx,
                    &job.response_id,
                    &job.storage_key,
                    &json,
                    engine,
                    at,
                )
                .await?
                {
                    pass.stored += 1;
                }
            }
            Err(e) => {
                let error: String = format!("{e:#}").chars().take(1000).collect();
                let retry_at = (attempts < config.max_attempts).then(|| {
                    at + retry_delay(config.first_retry_seconds as Millis * SECOND, attempts)
                });
                if retry_at.is_some() {
                    tracing::warn!(response = %job.response_id, attempts, %error, "transcription failed; will retry");
                } else {
                    tracing::error!(response = %job.response_id, attempts, %error, "transcription failed for good");
                }
                store::mark_failed(
                    &mut w.tx,
                    &job.response_id,
                    attempts,
                    retry_at,
                    &error,
                    engine,
                    at,
                )
                .await?;
            }
        }
        w.commit().await?;
    }
    Ok(pass)
}

/// One attempt: extract the audio, run the engine, clean up.
async fn attempt(
    state: &AppState,
    http: &reqwest::Client,
    storage_key: &str,
    timeout: Duration,
) -> anyhow::Result<Vec<takes_api::Cue>> {
    let media = state
        .media
        .path_of(storage_key)
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let work = WorkDir::create()?;
    let wav = work.0.join("answer.wav");
    let out_dir = work.0.join("out");
    std::fs::create_dir(&out_dir).context("creating the engine's output directory")?;
    extract_audio(&state.config.transcription.ffmpeg, &media, &wav, timeout).await?;
    engines::transcribe(&state.config.transcription, http, &wav, &out_dir, timeout).await
}

/// Writes the 16 kHz mono 16-bit WAV every engine reads.
pub async fn extract_audio(
    ffmpeg: &str,
    input: &Path,
    wav: &Path,
    timeout: Duration,
) -> anyhow::Result<()> {
    let mut cmd = Command::new(ffmpeg);
    cmd.args(["-nostdin", "-loglevel", "error", "-y", "-i"])
        .arg(input)
        .args(["-vn", "-ac", "1", "-ar", "16000", "-c:a", "pcm_s16le"])
        .arg(wav);
    engines::run(cmd, timeout, ffmpeg)
        .await?
        .check("ffmpeg (extracting the answer's audio)")
}

/// A private scratch directory, removed when dropped.
struct WorkDir(PathBuf);

impl WorkDir {
    fn create() -> anyhow::Result<WorkDir> {
        let dir = std::env::temp_dir().join(format!("takes-transcribe-{}", crate::ids::new_id()));
        std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
        Ok(WorkDir(dir))
    }
}

impl Drop for WorkDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_back_off_to_a_cap() {
        assert_eq!(retry_delay(30 * SECOND, 1), 30 * SECOND);
        assert_eq!(retry_delay(30 * SECOND, 2), 60 * SECOND);
        assert_eq!(retry_delay(30 * SECOND, 40), MAX_RETRY_GAP);
    }
}
