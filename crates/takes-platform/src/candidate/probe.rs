//! What an uploaded file really is, asked of `ffprobe` (JSON output): the
//! container, the codecs, the length measured from the packets, and any
//! damage ffprobe notices (a truncated file reports "ended prematurely").

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
}

const VIDEO_CODECS: &[&str] = &["vp8", "vp9", "av1", "h264", "hevc"];
const AUDIO_CODECS: &[&str] = &["opus", "vorbis", "aac", "mp3"];
const PROBE_TIMEOUT: Duration = Duration::from_secs(120);

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

/// Checks `path`; `Err` is the reason to give the candidate.
pub async fn probe(path: &Path) -> Result<Probed, String> {
    let run = tokio::process::Command::new("ffprobe")
        .args([
            "-v",
            "error",
            "-print_format",
            "json",
            "-show_format",
            "-show_streams",
            "-show_entries",
            "packet=stream_index,pts_time,duration_time",
        ])
        .arg(path)
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
    let complaint = stderr
        .lines()
        .map(|l| {
            // Drop ffprobe's "[matroska,webm @ 0x…] " and the temp path.
            let l = l.rsplit_once("] ").map(|(_, m)| m).unwrap_or(l);
            l.rsplit_once(": ").map(|(_, m)| m).unwrap_or(l).trim()
        })
        .find(|l| !l.is_empty())
        .map(str::to_string);
    if !out.status.success() {
        return Err(format!(
            "the upload is not a video file ffprobe can read: {}",
            complaint.unwrap_or_else(|| "unknown format".into())
        ));
    }
    if let Some(c) = complaint {
        return Err(format!("the video is damaged or incomplete: {c}"));
    }
    let parsed: Output = serde_json::from_slice(&out.stdout)
        .map_err(|_| "the upload is not a video file ffprobe can read".to_string())?;
    judge(&parsed)
}

fn judge(o: &Output) -> Result<Probed, String> {
    let format = o
        .format
        .as_ref()
        .and_then(|f| f.format_name.clone())
        .unwrap_or_default();
    let names: Vec<&str> = format.split(',').collect();
    let (content_type, extension) = if names.contains(&"webm") || names.contains(&"matroska") {
        ("video/webm", "webm")
    } else if names.contains(&"mp4") || names.contains(&"mov") {
        ("video/mp4", "mp4")
    } else {
        return Err(format!(
            "container {format:?} is not accepted; record WebM or MP4"
        ));
    };
    let video = o
        .streams
        .iter()
        .find(|s| s.codec_type.as_deref() == Some("video"))
        .ok_or_else(|| "the file has no video stream".to_string())?;
    let vcodec = video.codec_name.clone().unwrap_or_default();
    if !VIDEO_CODECS.contains(&vcodec.as_str()) {
        return Err(format!(
            "video codec {vcodec:?} is not accepted (use one of {})",
            VIDEO_CODECS.join(", ")
        ));
    }
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
    for p in o.packets.iter().filter(|p| p.stream_index == video.index) {
        if let Some(t) = num(&p.pts_time) {
            frames += 1;
            first = first.min(t);
            last = last.max(t + num(&p.duration_time).unwrap_or(0.0));
        }
    }
    if frames == 0 {
        return Err("the video stream holds no frames".into());
    }
    let measured = (last - first).max(0.0);
    // A header that promises much more than the packets hold means the file
    // was cut off (browsers' recordings often have no header length at all).
    if let Some(declared) = o.format.as_ref().and_then(|f| num(&f.duration)) {
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
    })
}
