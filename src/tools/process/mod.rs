//! `takes process plan|apply|export`: the hiring process as a file
//! ("interview as code", `docs/PROCESS.md`).
//!
//! Exit status: 0 done or nothing to do; 2 an invalid file (or a warning
//! under `--strict`); 1 the server refused or could not be reached.

pub mod file;
mod keys;
pub mod render;
pub mod write;

use std::collections::HashMap;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use sha2::{Digest, Sha256};
use takes_api::process::{self, CaptionsRef, IntroVideoRef, ProcessDocument, ProcessRequest};

use crate::client::{Client, ClientError};
use crate::config::Diagnostic;
use file::ProcessFile;

/// Where the server is and who signs in (resolved as the workstation does).
pub struct Connection {
    pub server: String,
    pub token: Result<String, String>,
    pub timeout_secs: u64,
}

impl Connection {
    fn client(&self) -> Result<Client, ExitCode> {
        let token = self.token.as_ref().map_err(|e| {
            eprintln!("takes process: {e}");
            ExitCode::from(1)
        })?;
        Client::new(&self.server, token, self.timeout_secs).map_err(|e| {
            eprintln!("takes process: {e}");
            ExitCode::from(1)
        })
    }
}

/// What `plan` and `apply` share.
pub struct Options {
    pub strict: bool,
    pub prune: bool,
}

const INVALID: u8 = 2;

/// A file read, parsed, its videos hashed, validated and linted.
struct Loaded {
    path: PathBuf,
    text: String,
    file: ProcessFile,
}

impl Loaded {
    fn diagnostic(&self, path: &str, message: String) -> Diagnostic {
        Diagnostic::new(&self.path, &self.text, self.file.spans.find(path), message)
    }

    fn dir(&self) -> PathBuf {
        match self.path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        }
    }
}

/// A file's problems (each stops it) and warnings (each stops it under
/// `--strict`), and the file when it has no problem.
struct Checked {
    loaded: Option<Loaded>,
    errors: Vec<Diagnostic>,
    warnings: Vec<Diagnostic>,
}

/// Parses `text` (the file at `path`), hashes its intro videos, validates
/// and lints it.
fn check(path: &Path, text: String) -> Checked {
    let file = match file::parse(&text) {
        Ok(f) => f,
        Err(problems) => {
            let errors = problems
                .into_iter()
                .map(|p| Diagnostic::new(path, &text, p.span, p.message))
                .collect();
            return Checked {
                loaded: None,
                errors,
                warnings: Vec::new(),
            };
        }
    };
    let mut loaded = Loaded {
        path: path.to_path_buf(),
        text,
        file,
    };
    let mut errors = Vec::new();
    for v in loaded.file.videos.clone() {
        let at = format!("role[{}].intro_video", v.role);
        match hash_video(&loaded.dir().join(&v.path)) {
            Ok(r) => {
                loaded.file.doc.roles[v.role].intro_video = Some(IntroVideoRef {
                    captions: v.captions.clone(),
                    ..r
                })
            }
            Err(e) => errors.push(loaded.diagnostic(&at, format!("{at}: {e}"))),
        }
    }
    for c in loaded.file.captions.clone() {
        let at = format!("role[{}].intro_video.captions", c.role);
        match hash_captions(&loaded.dir().join(&c.path), &c.language) {
            Ok(r) => {
                // No video (it failed above, and says so): nothing to caption.
                if let Some(v) = loaded.file.doc.roles[c.role].intro_video.as_mut() {
                    v.captions = Some(r);
                }
            }
            Err(e) => errors.push(loaded.diagnostic(&at, format!("{at}: {e}"))),
        }
    }
    for e in process::validate(&loaded.file.doc) {
        errors.push(loaded.diagnostic(&e.path, format!("{}: {}", e.path, e.message)));
    }
    let warnings = process::lint(&loaded.file.doc)
        .into_iter()
        .map(|w| loaded.diagnostic(&w.path, format!("warning: {}: {}", w.path, w.message)))
        .collect();
    Checked {
        loaded: errors.is_empty().then_some(loaded),
        errors,
        warnings,
    }
}

/// Reads and checks `path`; prints every problem and warning. `Err` is the
/// exit status to stop with.
fn load(path: &Path, opts: &Options) -> Result<Loaded, ExitCode> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        eprintln!("{}: cannot read: {e}", path.display());
        ExitCode::from(INVALID)
    })?;
    let checked = check(path, text);
    for e in &checked.errors {
        eprintln!("{e}");
    }
    let Some(loaded) = checked.loaded else {
        return Err(ExitCode::from(INVALID));
    };
    for w in &checked.warnings {
        eprintln!("{w}");
    }
    let n = checked.warnings.len();
    if opts.strict && n > 0 {
        eprintln!(
            "takes process: {n} warning{} and --strict: nothing sent to the server",
            if n == 1 { "" } else { "s" }
        );
        return Err(ExitCode::from(INVALID));
    }
    Ok(loaded)
}

fn hash_video(path: &Path) -> Result<IntroVideoRef, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let file_name = path.file_name().map(|n| n.to_string_lossy().into_owned());
    Ok(IntroVideoRef {
        sha256: hex::encode(Sha256::digest(&bytes)),
        file_name,
        captions: None,
    })
}

/// Checks a captions file as the server will (every cue, naming the line
/// of a bad one), so a bad file stops the command before anything is sent.
fn hash_captions(path: &Path, language: &str) -> Result<CaptionsRef, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    takes_platform::process::vtt::check(&bytes).map_err(
        |takes_platform::process::vtt::Malformed(why)| {
            format!("{} is not valid WebVTT: {why}", path.display())
        },
    )?;
    Ok(CaptionsRef {
        sha256: hex::encode(Sha256::digest(&bytes)),
        file_name: path.file_name().map(|n| n.to_string_lossy().into_owned()),
        language: language.to_string(),
    })
}

fn content_type(path: &Path) -> &'static str {
    match path
        .extension()
        .map(|e| e.to_string_lossy().to_lowercase())
        .as_deref()
    {
        Some("mp4" | "m4v") => "video/mp4",
        Some("webm") => "video/webm",
        Some("mov") => "video/quicktime",
        Some("mkv") => "video/x-matroska",
        _ => "application/octet-stream",
    }
}

/// A refusal or a failure to talk to the server: exit 1, and the server's
/// detail at the file's line when it names a path of the file.
fn refused(loaded: Option<&Loaded>, what: &str, e: &ClientError) -> ExitCode {
    eprintln!("{}", refusal(loaded, what, e));
    ExitCode::from(1)
}

fn refusal(loaded: Option<&Loaded>, what: &str, e: &ClientError) -> String {
    if let ClientError::Invalid { status: 412, .. } = e {
        return format!("takes process {what}: the server changed since the plan; run plan again");
    }
    let detail = match e {
        ClientError::Invalid { detail, .. } | ClientError::Conflict(detail) => Some(detail),
        _ => None,
    };
    let at = detail.zip(loaded).and_then(|(d, l)| {
        let span = l.file.spans.find(&path_in(d)?)?;
        let message = format!("the server refused: {d}");
        Some(Diagnostic::new(&l.path, &l.text, Some(span), message).to_string())
    });
    at.unwrap_or_else(|| format!("takes process {what}: {e}"))
}

/// The first document path (`role[0].reviewers[1]`) a server detail names.
fn path_in(detail: &str) -> Option<String> {
    let start = [detail.find("user["), detail.find("role[")]
        .into_iter()
        .flatten()
        .min()?;
    let path: String = detail[start..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '[' | ']' | '.'))
        .collect();
    Some(path.trim_end_matches('.').to_string())
}

fn request(doc: &ProcessDocument, prune: bool) -> ProcessRequest {
    ProcessRequest {
        document: doc.clone(),
        prune,
    }
}

pub async fn plan(conn: &Connection, path: &Path, opts: Options) -> ExitCode {
    let loaded = match load(path, &opts) {
        Ok(l) => l,
        Err(code) => return code,
    };
    let client = match conn.client() {
        Ok(c) => c,
        Err(code) => return code,
    };
    match client
        .plan_process(&request(&loaded.file.doc, opts.prune))
        .await
    {
        Ok(plan) => {
            for line in render::changes(&plan.changes) {
                println!("{line}");
            }
            println!("{}", render::plan_summary(&plan.summary, &plan.changes));
            ExitCode::SUCCESS
        }
        Err(e) => refused(Some(&loaded), "plan", &e),
    }
}

pub async fn apply(
    conn: &Connection,
    path: &Path,
    opts: Options,
    tokens_out: Option<&Path>,
) -> ExitCode {
    let loaded = match load(path, &opts) {
        Ok(l) => l,
        Err(code) => return code,
    };
    let client = match conn.client() {
        Ok(c) => c,
        Err(code) => return code,
    };
    // Opened before anything changes, so tokens are never made with
    // nowhere to put them.
    let mut tokens_file = match tokens_out.map(open_private).transpose() {
        Ok(f) => f,
        Err(e) => {
            eprintln!("takes process apply: {e}");
            return ExitCode::from(1);
        }
    };
    for v in &loaded.file.videos {
        let local = loaded.dir().join(&v.path);
        let bytes = match std::fs::read(&local) {
            Ok(b) => b,
            Err(e) => {
                eprintln!("takes process apply: cannot read {}: {e}", local.display());
                return ExitCode::from(INVALID);
            }
        };
        match client.upload_intro_video(bytes, content_type(&local)).await {
            Ok(up) => eprintln!(
                "uploaded {} ({} bytes, {:.1} s)",
                local.display(),
                up.bytes,
                up.duration_s
            ),
            Err(e) => return refused(Some(&loaded), "apply", &e),
        }
    }
    for c in &loaded.file.captions {
        let local = loaded.dir().join(&c.path);
        let bytes = match std::fs::read(&local) {
            Ok(b) => b,
            Err(e) => {
                eprintln!("takes process apply: cannot read {}: {e}", local.display());
                return ExitCode::from(INVALID);
            }
        };
        match client.upload_intro_captions(bytes).await {
            Ok(up) => eprintln!(
                "uploaded {} ({} bytes, {} cues)",
                local.display(),
                up.bytes,
                up.cues
            ),
            Err(e) => return refused(Some(&loaded), "apply", &e),
        }
    }
    let body = request(&loaded.file.doc, opts.prune);
    let plan = match client.plan_process(&body).await {
        Ok(p) => p,
        Err(e) => return refused(Some(&loaded), "apply", &e),
    };
    if plan.changes.is_empty() {
        println!("No changes.");
        return ExitCode::SUCCESS;
    }
    let result = match client.apply_process(&body, &plan.etag).await {
        Ok(r) => r,
        Err(e) => return refused(Some(&loaded), "apply", &e),
    };
    for line in render::changes(&result.changes) {
        println!("{line}");
    }
    println!(
        "{}",
        render::apply_summary(&result.summary, &result.changes)
    );
    if result.new_tokens.is_empty() {
        return ExitCode::SUCCESS;
    }
    match (&mut tokens_file, tokens_out) {
        (Some(f), Some(out)) => {
            let mut text = String::from("# email role token (each shown only here)\n");
            for t in &result.new_tokens {
                text.push_str(&format!("{} {} {}\n", t.email, t.role.as_str(), t.token));
            }
            if let Err(e) = f.write_all(text.as_bytes()).and_then(|_| f.sync_all()) {
                eprintln!(
                    "takes process apply: applied, but writing {} failed: {e}; issue new tokens for: {}",
                    out.display(),
                    result
                        .new_tokens
                        .iter()
                        .map(|t| t.email.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                );
                return ExitCode::from(1);
            }
            println!(
                "{} new user token{} written to {}",
                result.new_tokens.len(),
                if result.new_tokens.len() == 1 {
                    ""
                } else {
                    "s"
                },
                out.display()
            );
        }
        _ => {
            println!("New users' tokens (shown once):");
            for t in &result.new_tokens {
                println!("  {:<32} {:<10} {}", t.email, t.role.as_str(), t.token);
            }
        }
    }
    ExitCode::SUCCESS
}

/// Created (or emptied) readable by its owner only.
fn open_private(path: &Path) -> Result<std::fs::File, String> {
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        opts.mode(0o600);
        let f = opts
            .open(path)
            .map_err(|e| format!("cannot create {}: {e}", path.display()))?;
        // An existing file keeps its mode through open(); narrow it.
        f.set_permissions(std::fs::Permissions::from_mode(0o600))
            .map_err(|e| format!("cannot make {} private: {e}", path.display()))?;
        Ok(f)
    }
    #[cfg(not(unix))]
    opts.open(path)
        .map_err(|e| format!("cannot create {}: {e}", path.display()))
}

pub async fn export(conn: &Connection, out: Option<&Path>) -> ExitCode {
    let client = match conn.client() {
        Ok(c) => c,
        Err(code) => return code,
    };
    let doc = match client.process().await {
        Ok((doc, _)) => doc,
        Err(e) => return refused(None, "export", &e),
    };
    let dir = match out.and_then(Path::parent) {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let videos = download_videos(&client, &doc, &dir).await;
    let header = format!(
        "The hiring process of {}, exported by `takes process export`.\nChange it, then `takes process plan FILE` and `takes process apply FILE` (docs/PROCESS.md).",
        client.base()
    );
    let text = write::write(&doc, &header, &videos);
    match out {
        Some(path) => {
            if let Err(e) = std::fs::write(path, text) {
                eprintln!("takes process export: cannot write {}: {e}", path.display());
                return ExitCode::from(1);
            }
            eprintln!("wrote {}", path.display());
        }
        None => print!("{text}"),
    }
    ExitCode::SUCCESS
}

/// Saves each role's intro video beside the file under its `file_name`;
/// answers the roles whose video is there. A video that cannot be fetched
/// stays named by its hash (the file still plans as no change).
async fn download_videos(
    client: &Client,
    doc: &ProcessDocument,
    dir: &Path,
) -> HashMap<usize, String> {
    let mut saved: HashMap<usize, String> = HashMap::new();
    let mut names: HashMap<String, String> = HashMap::new();
    for (i, role) in doc.roles.iter().enumerate() {
        let Some(video) = &role.intro_video else {
            continue;
        };
        let Some(name) = video.file_name.clone().filter(|n| plain_name(n)) else {
            continue;
        };
        match names.get(&name) {
            Some(sha) if *sha == video.sha256 => {
                saved.insert(i, name);
                continue;
            }
            Some(_) => continue,
            None => {}
        }
        let target = dir.join(&name);
        let present = hash_video(&target).is_ok_and(|r| r.sha256 == video.sha256);
        if !present {
            match client.role_intro_video(&role.key).await {
                Ok(Some(bytes)) if hex::encode(Sha256::digest(&bytes)) == video.sha256 => {
                    if let Err(e) = std::fs::write(&target, bytes) {
                        eprintln!(
                            "takes process export: cannot write {}: {e}",
                            target.display()
                        );
                        continue;
                    }
                }
                Ok(Some(_)) => {
                    eprintln!("takes process export: the intro video of {} did not match its SHA-256; it stays named by its hash", role.key);
                    continue;
                }
                Ok(None) => {
                    eprintln!("takes process export: the server serves no intro video for {}; it stays named by its hash", role.key);
                    continue;
                }
                Err(e) => {
                    eprintln!("takes process export: cannot download the intro video of {} ({e}); it stays named by its hash", role.key);
                    continue;
                }
            }
        }
        names.insert(name.clone(), video.sha256.clone());
        saved.insert(i, name);
    }
    saved
}

fn plain_name(name: &str) -> bool {
    !name.is_empty()
        && !name.contains(['/', '\\'])
        && name != "."
        && name != ".."
        && !name.starts_with('.')
}

#[cfg(test)]
mod tests;
