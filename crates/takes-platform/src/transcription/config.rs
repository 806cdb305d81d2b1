//! The `[transcription]` table of the server configuration: which engine
//! turns answers into transcripts, and how patiently.

use std::collections::BTreeMap;

use serde::Deserialize;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TranscriptionConfig {
    /// `pocketsphinx` (the default, offline), `command` or `openai`.
    pub engine: EngineKind,
    /// How often the worker looks for due jobs, in milliseconds.
    pub poll_interval_ms: u64,
    /// The longest one attempt may take, audio extraction included.
    pub timeout_seconds: u64,
    /// Attempts before a job fails for good.
    pub max_attempts: i64,
    /// First retry after this long; each further failure doubles it, up to
    /// an hour.
    pub first_retry_seconds: u64,
    /// The ffmpeg that extracts a 16 kHz mono WAV from each answer.
    pub ffmpeg: String,
    /// The Python that runs the pocketsphinx engine.
    pub python: String,
    /// `[transcription.command]`.
    pub command: Option<CommandConfig>,
    /// `[transcription.openai]`.
    pub openai: Option<OpenAiConfig>,
}

impl Default for TranscriptionConfig {
    fn default() -> Self {
        TranscriptionConfig {
            engine: EngineKind::Pocketsphinx,
            poll_interval_ms: 2_000,
            timeout_seconds: 600,
            max_attempts: 5,
            first_retry_seconds: 30,
            ffmpeg: "ffmpeg".into(),
            python: "python3".into(),
            command: None,
            openai: None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EngineKind {
    Pocketsphinx,
    Command,
    Openai,
}

impl EngineKind {
    pub fn as_str(self) -> &'static str {
        match self {
            EngineKind::Pocketsphinx => "pocketsphinx",
            EngineKind::Command => "command",
            EngineKind::Openai => "openai",
        }
    }
}

/// Any local program: `argv` with `{input}` (the WAV) and `{output_dir}`
/// (an empty directory) replaced. It writes WebVTT or JSON segments into
/// `{output_dir}` (a `.vtt`, `.json` or `.srt`-free file) or to stdout.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommandConfig {
    pub argv: Vec<String>,
    /// Extra environment for the program.
    #[serde(default)]
    pub env: BTreeMap<String, String>,
}

/// An OpenAI-compatible `POST {base_url}/v1/audio/transcriptions`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OpenAiConfig {
    /// e.g. `http://127.0.0.1:8080` (whisper.cpp's server) or
    /// `https://api.openai.com`.
    pub base_url: String,
    #[serde(default = "default_model")]
    pub model: String,
    /// Sent as `Authorization: Bearer KEY` when set.
    #[serde(default)]
    pub api_key: Option<String>,
    /// Sent as `language` when set (ISO 639-1).
    #[serde(default)]
    pub language: Option<String>,
}

fn default_model() -> String {
    "whisper-1".into()
}
