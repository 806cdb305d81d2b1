//! The engines: each turns a 16 kHz mono WAV into cues, or says why not in
//! words an admin can act on.

use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use anyhow::{bail, Context};
use takes_api::Cue;
use tokio::process::Command;

use super::config::{CommandConfig, EngineKind, OpenAiConfig, TranscriptionConfig};
use super::segments;

/// The default engine's script, kept in the repository and embedded so the
/// server binary needs nothing beside it but Python and the package.
const POCKETSPHINX_SCRIPT: &str = include_str!("../../../../scripts/transcribe_pocketsphinx.py");

/// How much of a failing program's stderr the failure reason keeps.
const STDERR_KEPT: usize = 400;

/// Transcribes `wav`, with `work_dir` (empty, removed afterwards) for the
/// engine's files, within `timeout`.
pub async fn transcribe(
    config: &TranscriptionConfig,
    http: &reqwest::Client,
    wav: &Path,
    work_dir: &Path,
    timeout: Duration,
) -> anyhow::Result<Vec<Cue>> {
    match config.engine {
        EngineKind::Pocketsphinx => pocketsphinx(config, wav, timeout).await,
        EngineKind::Command => {
            let c = config.command.as_ref().context(
                "[transcription] engine = \"command\" needs [transcription.command] argv",
            )?;
            command(c, wav, work_dir, timeout).await
        }
        EngineKind::Openai => {
            let c = config.openai.as_ref().context(
                "[transcription] engine = \"openai\" needs [transcription.openai] base_url",
            )?;
            openai(c, http, wav, timeout).await
        }
    }
}

async fn pocketsphinx(
    config: &TranscriptionConfig,
    wav: &Path,
    timeout: Duration,
) -> anyhow::Result<Vec<Cue>> {
    let mut cmd = Command::new(&config.python);
    cmd.arg("-c").arg(POCKETSPHINX_SCRIPT).arg(wav);
    let out = run(cmd, timeout, &config.python).await.map_err(|e| {
        if is_not_found(&e) {
            anyhow::anyhow!(
                "{:?} not found: the default engine needs Python 3 and its pocketsphinx package \
                 (`python3 -m pip install pocketsphinx`, or `cargo xtask setup`)",
                config.python
            )
        } else {
            e
        }
    })?;
    if out.code == Some(3) {
        bail!(
            "the Python package pocketsphinx is not installed: run `{} -m pip install pocketsphinx` \
             (or `cargo xtask setup`)",
            config.python
        );
    }
    out.check("pocketsphinx")?;
    segments::parse(&out.stdout)
}

async fn command(
    c: &CommandConfig,
    wav: &Path,
    work_dir: &Path,
    timeout: Duration,
) -> anyhow::Result<Vec<Cue>> {
    let Some((program, args)) = c.argv.split_first() else {
        bail!("[transcription.command] argv is empty");
    };
    let fill = |s: &str| {
        s.replace("{input}", &wav.to_string_lossy())
            .replace("{output_dir}", &work_dir.to_string_lossy())
    };
    let mut cmd = Command::new(fill(program));
    cmd.args(args.iter().map(|a| fill(a)))
        .envs(&c.env)
        .current_dir(work_dir);
    let out = run(cmd, timeout, program).await?;
    out.check(program)?;
    // A file the program wrote wins over its stdout (tools log there).
    let mut written: Vec<_> = std::fs::read_dir(work_dir)
        .with_context(|| format!("reading {}", work_dir.display()))?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            matches!(
                p.extension().and_then(|e| e.to_str()),
                Some("vtt") | Some("json")
            )
        })
        .collect();
    written.sort();
    match written.first() {
        Some(file) => {
            let text = tokio::fs::read_to_string(file)
                .await
                .with_context(|| format!("reading {}", file.display()))?;
            segments::parse(&text).with_context(|| format!("{program} wrote {}", file.display()))
        }
        None if !out.stdout.trim().is_empty() => segments::parse(&out.stdout),
        None => {
            bail!("{program} wrote no .vtt or .json file into {{output_dir}} and nothing to stdout")
        }
    }
}

async fn openai(
    c: &OpenAiConfig,
    http: &reqwest::Client,
    wav: &Path,
    timeout: Duration,
) -> anyhow::Result<Vec<Cue>> {
    let audio = tokio::fs::read(wav)
        .await
        .with_context(|| format!("reading {}", wav.display()))?;
    let url = format!(
        "{}/v1/audio/transcriptions",
        c.base_url.trim_end_matches('/')
    );
    // verbose_json carries segment timings; servers without it get `vtt`.
    if let Ok(body) = openai_request(c, http, &url, &audio, "verbose_json", timeout).await {
        if let Ok(cues) = segments::parse(&body) {
            if !cues.is_empty() || body.contains("\"segments\"") {
                return Ok(cues);
            }
        }
    }
    let vtt = openai_request(c, http, &url, &audio, "vtt", timeout).await?;
    segments::parse(&vtt).context("the transcription server's vtt answer")
}

async fn openai_request(
    c: &OpenAiConfig,
    http: &reqwest::Client,
    url: &str,
    audio: &[u8],
    format: &str,
    timeout: Duration,
) -> anyhow::Result<String> {
    let boundary = format!("takes-{}", crate::ids::new_id());
    let mut fields: Vec<(&str, &str)> = vec![("model", &c.model), ("response_format", format)];
    if let Some(lang) = &c.language {
        fields.push(("language", lang));
    }
    let mut body = Vec::with_capacity(audio.len() + 1024);
    for (name, value) in fields {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    body.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"answer.wav\"\r\n\
             Content-Type: audio/wav\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(audio);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let mut req = http
        .post(url)
        .timeout(timeout)
        .header(
            reqwest::header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(body);
    if let Some(key) = c.api_key.as_deref().filter(|k| !k.is_empty()) {
        req = req.bearer_auth(key);
    }
    let resp = req
        .send()
        .await
        .map_err(|e| anyhow::anyhow!("POST {url}: {}", without_url(&e)))?;
    let status = resp.status();
    let text = resp
        .text()
        .await
        .map_err(|e| anyhow::anyhow!("POST {url}: reading the answer: {}", without_url(&e)))?;
    if !status.is_success() {
        let excerpt: String = text.chars().take(STDERR_KEPT).collect();
        bail!("POST {url} ({format}): HTTP {status}: {excerpt}");
    }
    Ok(text)
}

fn without_url(e: &reqwest::Error) -> String {
    let mut msg = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        msg = format!("{msg}: {s}");
        source = s.source();
    }
    msg
}

/// What a finished program said.
pub struct Output {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl Output {
    /// An error naming the program, its exit status and the end of its
    /// stderr, unless it succeeded.
    pub fn check(&self, program: &str) -> anyhow::Result<()> {
        if self.code == Some(0) {
            return Ok(());
        }
        let stderr = self.stderr.trim();
        let tail: String = {
            let chars: Vec<char> = stderr.chars().collect();
            chars[chars.len().saturating_sub(STDERR_KEPT)..]
                .iter()
                .collect()
        };
        let status = match self.code {
            Some(c) => format!("exit status {c}"),
            None => "killed by a signal".to_string(),
        };
        if tail.is_empty() {
            bail!("{program} failed ({status})")
        }
        bail!("{program} failed ({status}): {tail}")
    }
}

/// Runs `cmd` to completion or kills it after `timeout`.
pub async fn run(mut cmd: Command, timeout: Duration, what: &str) -> anyhow::Result<Output> {
    cmd.stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    let child = cmd
        .spawn()
        .map_err(|e| anyhow::Error::new(e).context(format!("cannot run {what:?}")))?;
    match tokio::time::timeout(timeout, child.wait_with_output()).await {
        Err(_) => bail!(
            "{what} took longer than {} s and was stopped",
            timeout.as_secs()
        ),
        Ok(Err(e)) => Err(anyhow::Error::new(e).context(format!("running {what:?}"))),
        Ok(Ok(out)) => Ok(Output {
            code: out.status.code(),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }),
    }
}

fn is_not_found(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::NotFound)
    })
}
