//! `takes mailbox [--bind ADDR] [--dir DIR]`: a local SMTP server for
//! demos and trying the platform out. Point `[email]` of the server config
//! at it (`smtp_host`, `smtp_port`, `tls = "none"`) and every message the
//! platform sends is printed here, and kept as an `.eml` file in DIR, instead
//! of reaching anyone's inbox.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use anyhow::Context;
use takes_platform::email::sink::{Mail, Sink};

/// Starts the sink; each message is saved (when `dir` is given), then
/// printed. A message that cannot be saved is refused with a temporary
/// error, so the platform keeps it and tries again.
pub async fn start(bind: SocketAddr, dir: Option<PathBuf>) -> anyhow::Result<Sink> {
    if let Some(dir) = &dir {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("cannot create the mail directory {}", dir.display()))?;
    }
    let seq = Arc::new(AtomicU64::new(0));
    let on_mail = move |mail: &Mail| {
        let n = seq.fetch_add(1, Ordering::Relaxed) + 1;
        let saved = match &dir {
            Some(dir) => Some(save(dir, n, mail).map_err(|e| {
                eprintln!("takes mailbox: cannot save message {n}: {e}");
                format!("cannot save the message: {e}")
            })?),
            None => None,
        };
        println!("{}", show(mail, n, saved.as_deref()));
        Ok(())
    };
    Sink::bind_with(bind, Arc::new(on_mail))
        .await
        .with_context(|| format!("cannot listen on {bind}"))
}

pub async fn run(bind: SocketAddr, dir: Option<PathBuf>) -> anyhow::Result<ExitCode> {
    let sink = start(bind, dir.clone()).await?;
    let addr = sink.addr();
    println!("takes mailbox: listening on {addr} (SMTP, no TLS)");
    println!(
        "  [email] smtp_host = \"{}\", smtp_port = {}, tls = \"none\"",
        addr.ip(),
        addr.port()
    );
    if let Some(dir) = &dir {
        println!("  messages are saved in {}", dir.display());
    }
    println!("  Ctrl-C stops it");
    tokio::signal::ctrl_c()
        .await
        .context("waiting for Ctrl-C")?;
    sink.stop();
    Ok(ExitCode::SUCCESS)
}

/// Writes the message as `NNNN-<millis>.eml`, through a temporary name so
/// whoever watches the directory never reads half a file.
fn save(dir: &Path, n: u64, mail: &Mail) -> std::io::Result<PathBuf> {
    let millis = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis())
        .unwrap_or(0);
    let name = format!("{n:04}-{millis}.eml");
    let tmp = dir.join(format!(".{name}.tmp"));
    let path = dir.join(name);
    std::fs::write(&tmp, format!("{}\r\n", mail.data))?;
    std::fs::rename(&tmp, &path)?;
    Ok(path)
}

/// A message as the terminal shows it: envelope, subject, decoded body.
pub fn show(mail: &Mail, n: u64, saved: Option<&Path>) -> String {
    let mut out = format!("──── message {n} ────\n");
    out.push_str(&format!("From:    {}\n", mail.from));
    out.push_str(&format!("To:      {}\n", mail.to.join(", ")));
    out.push_str(&format!("Subject: {}\n", mail.header("Subject")));
    if let Some(path) = saved {
        out.push_str(&format!("Saved:   {}\n", path.display()));
    }
    out.push('\n');
    out.push_str(mail.body().trim_end());
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use takes_api::{Anchor, Rubric};
    use takes_platform::clock::Clock;
    use takes_platform::config::ServerConfig;
    use takes_platform::email::TlsMode;
    use takes_platform::invitations::{self, NewInvitation};
    use takes_platform::store::roles;
    use takes_platform::StorageOptions;

    /// The real use: the platform's email worker delivers an invitation over
    /// SMTP to the mailbox, which saves what it got.
    #[tokio::test]
    async fn keeps_what_the_platform_sends() {
        let dir = tempfile::tempdir().expect("temp dir");
        let mail_dir = dir.path().join("mail");
        let sink = start("127.0.0.1:0".parse().expect("addr"), Some(mail_dir.clone()))
            .await
            .expect("mailbox");
        let mut config = ServerConfig::default();
        config.email.smtp_host = Some(sink.addr().ip().to_string());
        config.email.smtp_port = Some(sink.addr().port());
        config.email.tls = TlsMode::None;
        config.email.from = "Hiring <jobs@example.com>".into();
        config.public_url = Some("https://interviews.example.com".into());
        let state = StorageOptions {
            database_url: Some(takes_platform::db::sqlite_url(&dir.path().join("t.db"))),
            media_dir: Some(dir.path().join("media")),
        }
        .open(Clock::manual(1_799_913_600_000))
        .await
        .expect("storage")
        .with_config(config);
        let now = state.clock.now();
        let mut w = state.db.begin_write().await.expect("begin");
        let c = &mut *w.tx;
        let role = roles::role(c, now, "Data Analyst", "Insights")
            .await
            .expect("role");
        let set = roles::question_set(c, now, &role, "Screen", 1)
            .await
            .expect("set");
        let rubric = Rubric {
            scale_min: 1,
            scale_max: 5,
            pass_score: 3,
            anchors: vec![Anchor {
                score: 3,
                label: "Acceptable".into(),
                description: "Acceptable answer".into(),
            }],
        };
        roles::question(
            c,
            &set,
            roles::NewQuestion {
                position: 1,
                prompt: "Tell us about a chart that changed a decision",
                competency: "Communication",
                time_limit_s: 60,
                rubric: &rubric,
            },
        )
        .await
        .expect("question");
        w.commit().await.expect("commit");
        let created = invitations::create(
            &state,
            NewInvitation {
                role_id: role,
                candidate_name: "Ada Lovelace".into(),
                candidate_email: "ada@example.org".into(),
                external: None,
                external_data: None,
                created_by: None,
            },
        )
        .await
        .expect("invite");
        let secret = created.access_secret.expect("secret");

        let sent = takes_platform::email::send_due(&state).await.expect("send");
        assert_eq!(sent, 1);
        let mails = sink.mails();
        assert_eq!(mails.len(), 1);
        assert_eq!(mails[0].to, vec!["ada@example.org"]);
        assert_eq!(mails[0].from, "jobs@example.com");

        let files: Vec<PathBuf> = std::fs::read_dir(&mail_dir)
            .expect("mail dir")
            .filter_map(|e| e.ok().map(|e| e.path()))
            .collect();
        assert_eq!(files.len(), 1, "{files:?}");
        assert_eq!(
            files[0].extension().and_then(|e| e.to_str()),
            Some("eml"),
            "{files:?}"
        );
        let eml = std::fs::read_to_string(&files[0]).expect("eml");
        assert!(
            eml.contains("Subject: Your video interview for Data Analyst"),
            "{eml}"
        );
        assert!(eml.contains("ada@example.org"), "{eml}");

        let shown = show(&mails[0], 1, Some(&files[0]));
        assert!(shown.contains("To:      ada@example.org"), "{shown}");
        assert!(
            shown.contains("Subject: Your video interview for Data Analyst"),
            "{shown}"
        );
        // The decoded body carries the personal link, secret and all.
        assert!(shown.contains(&format!("#{secret}")), "{shown}");
        sink.stop();
    }

    #[tokio::test]
    async fn a_busy_address_is_reported() {
        let first = start("127.0.0.1:0".parse().expect("addr"), None)
            .await
            .expect("mailbox");
        let err = start(first.addr(), None)
            .await
            .err()
            .map(|e| format!("{e:#}"))
            .unwrap_or_default();
        assert!(
            err.contains(&format!("cannot listen on {}", first.addr())),
            "{err}"
        );
        first.stop();
    }
}
