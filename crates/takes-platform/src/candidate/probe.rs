//! What an uploaded file really is, asked of `ffprobe` (JSON output): the
//! container, the codecs, the length measured from the packets, and any
//! damage ffprobe notices (a truncated file reports "ended prematurely").
//!
//! The file is the candidate's, so ffprobe is treated as parsing hostile
//! input: the container is recognised from its first bytes and forced with
//! `-f` (an HLS playlist or a concat list is never interpreted, so it cannot
//! make ffprobe open URLs or other files), `-protocol_whitelist file` stops
//! any protocol but the file itself, ffprobe gets a CPU-time limit and a
//! wall-clock limit, and its messages go to the log, never to the caller
//! (they name server paths and echo the file's contents).

use std::path::Path;
use std::time::Duration;

use serde::Deserialize;

/// An upload that passed.
#[derive(Debug, Clone, PartialEq)]
pub struct Probed {
    pub content_type: &'static str,
    pub extension: &'static str,
    /// Seconds, from the packets' timestamps.
    pub duration_s: f64,
    /// Whether the container's header states a length (MediaRecorder's
    /// WebM does not).
    pub declares_duration: bool,
}

const VIDEO_CODECS: &[&str] = &["vp8", "vp9", "av1", "h264", "hevc"];
const AUDIO_CODECS: &[&str] = &["opus", "vorbis", "aac", "mp3"];
/// Wall-clock limit of one probe (a stalled read, a pathological file).
const PROBE_TIMEOUT: Duration = Duration::from_secs(120);
/// CPU seconds ffprobe may use (`ulimit -t`): a file crafted to make the
/// demuxer spin is killed by the kernel even if the clock is generous.
const PROBE_CPU_SECONDS: u32 = 60;
/// How much of ffprobe's stderr is logged.
const LOG_STDERR_BYTES: usize = 2_000;

/// The demuxer for the container a file's first bytes announce, or `None`
/// when it is neither WebM/Matroska nor MP4/QuickTime.
pub fn container_of(head: &[u8]) -> Option<&'static str> {
    if head.starts_with(&[0x1a, 0x45, 0xdf, 0xa3]) {
        // The EBML magic: Matroska, of which WebM is a profile.
        Some("matroska")
    } else if head.len() >= 8
        && matches!(&head[4..8], b"ftyp" | b"moov" | b"mdat" | b"wide" | b"free")
    {
        // An ISO BMFF box: MP4 and QuickTime share the demuxer.
        Some("mov")
    } else {
        None
    }
}

async fn head_of(path: &Path) -> std::io::Result<Vec<u8>> {
    use tokio::io::AsyncReadExt;
    let mut f = tokio::fs::File::open(path).await?;
    let mut head = vec![0u8; 16];
    let mut n = 0;
    while n < head.len() {
        let got = f.read(&mut head[n..]).await?;
        if got == 0 {
            break;
        }
        n += got;
    }
    head.truncate(n);
    Ok(head)
}

#[derive(Deserialize)]
struct Output {
    #[serde(default)]
    streams: Vec<Stream>,
    format: Option<Format>,
    #[serde(default)]
    packets: Vec<Packet>,
}

#[derive(Deserialize)]
struct Stream {
    index: i64,
    codec_type: Option<String>,
    codec_name: Option<String>,
}

#[derive(Deserialize)]
struct Format {
    format_name: Option<String>,
    duration: Option<String>,
}

#[derive(Deserialize)]
struct Packet {
    stream_index: i64,
    pts_time: Option<String>,
    duration_time: Option<String>,
}

/// Checks `path`; `Err` is the reason to give the candidate. With
/// `audio_only` a recording without a picture is accepted too.
pub async fn probe(path: &Path, audio_only: bool) -> Result<Probed, String> {
    let head = head_of(path).await.map_err(|e| {
        tracing::error!(error = %e, "cannot read an upload back");
        "the server could not inspect the upload".to_string()
    })?;
    let Some(format) = container_of(&head) else {
        return Err("the upload is not a video file the server accepts: record WebM or MP4".into());
    };
    // `sh` sets the CPU limit for ffprobe alone (`exec`), without unsafe
    // code in this process; "$0" and "$@" pass the arguments untouched.
    let run = tokio::process::Command::new("sh")
        .arg("-c")
        .arg(format!(
            "ulimit -t {PROBE_CPU_SECONDS} && exec \"$0\" \"$@\""
        ))
        .arg("ffprobe")
        .args([
            "-protocol_whitelist",
            "file",
            "-f",
            format,
            "-v",
            "error",
            "-print_format",
            "json",
            "-show_format",
            "-show_streams",
            "-show_entries",
            "packet=stream_index,pts_time,duration_time",
            "-i",
        ])
        .arg(path)
        .stdin(std::process::Stdio::null())
        .kill_on_drop(true)
        .output();
    let out = match tokio::time::timeout(PROBE_TIMEOUT, run).await {
        Ok(Ok(out)) => out,
        Ok(Err(e)) => {
            tracing::error!(error = %e, "cannot run ffprobe");
            return Err("the server could not inspect the upload (ffprobe is unavailable)".into());
        }
        Err(_) => return Err("inspecting the upload took too long".into()),
    };
    let stderr = String::from_utf8_lossy(&out.stderr);
    let stderr = stderr.trim();
    if !stderr.is_empty() || !out.status.success() {
        // For operators only: it names server paths and quotes the file.
        let cut = stderr
            .char_indices()
            .nth(LOG_STDERR_BYTES)
            .map_or(stderr, |(i, _)| &stderr[..i]);
        tracing::info!(status = %out.status, stderr = %cut, "ffprobe refused an upload");
    }
    if !out.status.success() {
        return Err(
            "the upload is not a video file the server can read (damaged, incomplete or \
             not WebM or MP4)"
                .into(),
        );
    }
    if !stderr.is_empty() {
        return Err("the video is damaged or incomplete".into());
    }
    let parsed: Output = serde_json::from_slice(&out.stdout)
        .map_err(|_| "the upload is not a video file ffprobe can read".to_string())?;
    judge(&parsed, audio_only)
}

fn judge(o: &Output, audio_only: bool) -> Result<Probed, String> {
    let format = o
        .format
        .as_ref()
        .and_then(|f| f.format_name.clone())
        .unwrap_or_default();
    let names: Vec<&str> = format.split(',').collect();
    let webm = names.contains(&"webm") || names.contains(&"matroska");
    if !webm && !names.contains(&"mp4") && !names.contains(&"mov") {
        return Err(format!(
            "container {format:?} is not accepted; record WebM or MP4"
        ));
    }
    let video = o
        .streams
        .iter()
        .find(|s| s.codec_type.as_deref() == Some("video"));
    let audio = o
        .streams
        .iter()
        .find(|s| s.codec_type.as_deref() == Some("audio"));
    // The stream whose packets measure the answer's length.
    let timed =
        match (video, audio) {
            (Some(v), _) => {
                let vcodec = v.codec_name.clone().unwrap_or_default();
                if !VIDEO_CODECS.contains(&vcodec.as_str()) {
                    return Err(format!(
                        "video codec {vcodec:?} is not accepted (use one of {})",
                        VIDEO_CODECS.join(", ")
                    ));
                }
                v
            }
            (None, Some(a)) if audio_only => a,
            (None, Some(_)) => return Err(
                "the file has no video stream: this role does not allow answering with sound only, and no accommodation grants it"
                    .into(),
            ),
            (None, None) => return Err("the file has no video stream".into()),
        };
    let (content_type, extension) = match (webm, video.is_some()) {
        (true, true) => ("video/webm", "webm"),
        (true, false) => ("audio/webm", "webm"),
        (false, true) => ("video/mp4", "mp4"),
        (false, false) => ("audio/mp4", "mp4"),
    };
    for a in o
        .streams
        .iter()
        .filter(|s| s.codec_type.as_deref() == Some("audio"))
    {
        let acodec = a.codec_name.clone().unwrap_or_default();
        if !AUDIO_CODECS.contains(&acodec.as_str()) {
            return Err(format!(
                "audio codec {acodec:?} is not accepted (use one of {})",
                AUDIO_CODECS.join(", ")
            ));
        }
    }
    let num = |s: &Option<String>| s.as_deref().and_then(|t| t.parse::<f64>().ok());
    let mut first = f64::INFINITY;
    let mut last = f64::NEG_INFINITY;
    let mut frames = 0usize;
    for p in o.packets.iter().filter(|p| p.stream_index == timed.index) {
        if let Some(t) = num(&p.pts_time) {
            frames += 1;
            first = first.min(t);
            last = last.max(t + num(&p.duration_time).unwrap_or(0.0));
        }
    }
    if frames == 0 {
        return Err(if video.is_some() {
            "the video stream holds no frames".into()
        } else {
            "the recording holds no sound".into()
        });
    }
    let measured = (last - first).max(0.0);
    // A header that promises much more than the packets hold means the file
    // was cut off (browsers' recordings often have no header length at all).
    let declared_duration = o.format.as_ref().and_then(|f| num(&f.duration));
    if let Some(declared) = declared_duration {
        if declared > 1.0 && measured < declared * 0.8 {
            return Err(format!(
                "the video is incomplete: it declares {declared:.1} s but holds {measured:.1} s"
            ));
        }
    }
    if !measured.is_finite() || measured <= 0.0 {
        return Err("the video has no measurable length".into());
    }
    Ok(Probed {
        content_type,
        extension,
        duration_s: measured,
        declares_duration: declared_duration.is_some_and(|d| d > 0.0),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_matroska_and_iso_media_reach_ffprobe() {
        assert_eq!(
            container_of(&[0x1a, 0x45, 0xdf, 0xa3, 1, 0]),
            Some("matroska")
        );
        assert_eq!(container_of(b"\0\0\0\x20ftypisom"), Some("mov"));
        for other in [
            &b"#EXTM3U\n#EXTINF"[..],
            b"ffconcat version 1.0",
            b"v=0\r\n",
            b"",
            b"\x1a\x45",
        ] {
            assert_eq!(container_of(other), None, "{other:?}");
        }
    }
}
