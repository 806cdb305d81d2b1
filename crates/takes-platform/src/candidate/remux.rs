//! MediaRecorder writes WebM as a live stream: no duration in the header
//! and no cue (seek) index, so players cannot seek or show the length.
//! `ffmpeg -c copy` rewrites the container around the same packets (no
//! re-encoding), which adds both. The input is the candidate's, so ffmpeg
//! gets the same fences as ffprobe: a forced demuxer, the file protocol
//! only, and time limits.

use std::path::Path;
use std::time::Duration;

/// The EBML id of a Matroska Cues element (the seek index).
const CUES_ID: [u8; 4] = [0x1C, 0x53, 0xBB, 0x6B];

const REMUX_TIMEOUT: Duration = Duration::from_secs(300);
const REMUX_CPU_SECONDS: u32 = 120;

/// Rewrites the WebM at `input` to `output`; `Err` is the reason to give
/// the candidate.
pub async fn webm(input: &Path, output: &Path) -> Result<(), String> {
    let run = tokio::process::Command::new("sh")
        .arg("-c")
        .arg(format!(
            "ulimit -t {REMUX_CPU_SECONDS} && exec \"$0\" \"$@\""
        ))
        .arg("ffmpeg")
        .args([
            "-nostdin",
            "-y",
            "-v",
            "error",
            "-protocol_whitelist",
            "file",
            "-f",
            "webm",
            "-i",
        ])
        .arg(input)
        .args(["-map", "0", "-c", "copy", "-f", "webm"])
        .arg(output)
        .stdin(std::process::Stdio::null())
        .kill_on_drop(true)
        .output();
    let out = match tokio::time::timeout(REMUX_TIMEOUT, run).await {
        Ok(Ok(out)) => out,
        Ok(Err(e)) => {
            tracing::error!(error = %e, "cannot run ffmpeg");
            return Err(
                "the server could not process the recording (ffmpeg is unavailable)".into(),
            );
        }
        Err(_) => return Err("processing the recording took too long".into()),
    };
    if !out.status.success() {
        let stderr = String::from_utf8_lossy(&out.stderr);
        tracing::warn!(stderr = %stderr.chars().take(2_000).collect::<String>(), "remux failed");
        return Err(
            "the recording is damaged and could not be processed; please record it again".into(),
        );
    }
    Ok(())
}

/// Whether a WebM needs the remux: it lacks a stated length or a seek
/// index. A file that has both (a file made by a muxer rather than a live
/// recorder) is kept byte for byte.
pub async fn needed(path: &Path, declares_duration: bool) -> bool {
    if !declares_duration {
        return true;
    }
    match has_cues(path).await {
        Ok(found) => !found,
        // Unreadable here means the remux will say what is wrong.
        Err(_) => true,
    }
}

async fn has_cues(path: &Path) -> std::io::Result<bool> {
    use tokio::io::AsyncReadExt;
    let mut file = tokio::fs::File::open(path).await?;
    let mut buf = vec![0u8; 256 * 1024];
    // The last bytes of the previous read, so an id split across reads is
    // still seen.
    let mut carry: Vec<u8> = Vec::new();
    loop {
        let n = file.read(&mut buf).await?;
        if n == 0 {
            return Ok(false);
        }
        carry.extend_from_slice(&buf[..n]);
        if carry.windows(CUES_ID.len()).any(|w| w == CUES_ID) {
            return Ok(true);
        }
        let keep = carry.len().min(CUES_ID.len() - 1);
        carry.drain(..carry.len() - keep);
    }
}
