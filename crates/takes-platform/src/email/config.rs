//! The `[email]` table of the server configuration: SMTP, sender, templates
//! and who tells a rejected candidate.

use serde::Deserialize;

/// The `[email]` table of the server configuration.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct EmailConfig {
    /// SMTP server; without one, messages stay queued (and are logged) so
    /// nothing is lost until it is configured.
    pub smtp_host: Option<String>,
    /// Default: 25 for `none`, 587 for `starttls`, 465 for `tls`.
    pub smtp_port: Option<u16>,
    pub tls: TlsMode,
    pub username: Option<String>,
    pub password: Option<String>,
    /// `From:` of every message, e.g. `Hiring team <jobs@example.com>`.
    pub from: String,
    /// Where candidates turn for help; named in every candidate email.
    pub support_contact: String,
    /// A directory of `<kind>.txt` files that replace the built-in templates.
    pub templates_dir: Option<std::path::PathBuf>,
    /// Who tells a rejected candidate: this platform, or the ATS.
    pub rejection_email: RejectionEmail,
    /// How often the worker looks for due messages, in milliseconds.
    pub poll_interval_ms: u64,
    /// Seals candidates' access secrets while their invitation waits in the
    /// outbox: 32 random bytes as 64 hex digits or base64 (`openssl rand
    /// -hex 32`). Without it each server process uses a random key of its
    /// own, and invitations still queued at a restart are dead-lettered.
    pub secret_key: Option<String>,
}

impl EmailConfig {
    /// The domain of `from`, for the Message-IDs the outbox mints
    /// (`takes.invalid` when `from` has none).
    pub fn message_domain(&self) -> String {
        self.from
            .rsplit_once('@')
            .map(|(_, d)| d.trim_end_matches('>').to_string())
            .filter(|d| !d.is_empty())
            .unwrap_or_else(|| "takes.invalid".into())
    }
}

impl Default for EmailConfig {
    fn default() -> Self {
        EmailConfig {
            smtp_host: None,
            smtp_port: None,
            tls: TlsMode::Starttls,
            username: None,
            password: None,
            from: "takes <no-reply@localhost>".into(),
            support_contact: "the recruiter who invited you".into(),
            templates_dir: None,
            rejection_email: RejectionEmail::Platform,
            poll_interval_ms: 1_000,
            secret_key: None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TlsMode {
    /// Plain SMTP (a relay on the same host or network).
    None,
    Starttls,
    /// Implicit TLS (SMTPS).
    Tls,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RejectionEmail {
    Platform,
    Ats,
}
