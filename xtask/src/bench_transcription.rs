//! `cargo xtask bench transcription [--clips N]`: the default transcription
//! engine's speed, in seconds of work per minute of audio, measured exactly
//! as the platform runs it (ffmpeg to a 16 kHz mono WAV, then
//! `scripts/transcribe_pocketsphinx.py`) on the demo clips, which are speech.

use std::process::Command;
use std::time::Instant;

use anyhow::{bail, Context, Result};

pub fn run(args: &[&str]) -> Result<()> {
    let clips: usize = match args {
        [] => 8,
        ["--clips", n] => n.parse().context("--clips takes a number")?,
        _ => bail!("usage: cargo xtask bench transcription [--clips N]"),
    };
    let root = crate::workspace_root();
    let script = root.join("scripts/transcribe_pocketsphinx.py");
    let mut files: Vec<_> = std::fs::read_dir(root.join("crates/takes-platform/demo/clips"))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "webm"))
        .collect();
    files.sort();
    files.truncate(clips.max(1));
    let work = std::env::temp_dir().join("takes-bench-transcription.wav");
    let (mut audio_s, mut extract_s, mut engine_s, mut segments) = (0.0, 0.0, 0.0, 0usize);
    println!("clip\taudio_s\textract_s\tengine_s\tsegments");
    for clip in &files {
        let t = Instant::now();
        let ok = Command::new("ffmpeg")
            .args(["-nostdin", "-loglevel", "error", "-y", "-i"])
            .arg(clip)
            .args(["-vn", "-ac", "1", "-ar", "16000", "-c:a", "pcm_s16le"])
            .arg(&work)
            .status()?
            .success();
        if !ok {
            bail!("ffmpeg could not extract the audio of {}", clip.display());
        }
        let e = t.elapsed().as_secs_f64();
        // 16-bit mono at 16 kHz after a 44-byte header.
        let secs = (std::fs::metadata(&work)?.len().saturating_sub(44)) as f64 / 32_000.0;
        let t = Instant::now();
        let out = Command::new("python3").arg(&script).arg(&work).output()?;
        if !out.status.success() {
            bail!(
                "the engine failed on {}: {}",
                clip.display(),
                String::from_utf8_lossy(&out.stderr)
            );
        }
        let s = t.elapsed().as_secs_f64();
        let n = String::from_utf8_lossy(&out.stdout)
            .matches("\"text\"")
            .count();
        let name = clip.file_name().and_then(|n| n.to_str()).unwrap_or("?");
        println!("{name}\t{secs:.1}\t{e:.2}\t{s:.2}\t{n}");
        audio_s += secs;
        extract_s += e;
        engine_s += s;
        segments += n;
    }
    let _ = std::fs::remove_file(&work);
    let per_min = |x: f64| x / (audio_s / 60.0);
    println!(
        "{} clips, {:.1} min of audio: extraction {:.1} s/min, engine {:.1} s/min, total {:.1} s per minute of audio (real-time factor {:.2}); {} segments",
        files.len(),
        audio_s / 60.0,
        per_min(extract_s),
        per_min(engine_s),
        per_min(extract_s + engine_s),
        (extract_s + engine_s) / audio_s,
        segments
    );
    Ok(())
}
