//! The server's own configuration file (`takes serve --config FILE`): one
//! TOML document whose tables belong to the parts that use them. Unknown keys
//! are errors, so a misspelt option is reported instead of ignored.

use std::path::{Path, PathBuf};

use serde::Deserialize;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerConfig {
    /// The address candidates and ATSs reach this server at, used in links
    /// (e.g. `https://interviews.example.com`); default: the bind address.
    #[serde(default)]
    pub public_url: Option<String>,
    /// Lets `public_url` be plain `http://` (local development, demos and
    /// tests only): links carry share tokens, which must not travel in the
    /// clear.
    #[serde(default)]
    pub allow_http_public_url: bool,
    /// Loopback, link-local, private, multicast and unspecified addresses
    /// webhook endpoints may nevertheless reach (`"10.0.0.0/8"`,
    /// `"127.0.0.1"`); default none.
    #[serde(default)]
    pub allow_private_networks: Vec<crate::webhooks::netguard::Network>,
    /// `[http]`: how long clients may take to send requests.
    #[serde(default)]
    pub http: crate::http::HttpConfig,
    /// `[email]`: SMTP and templates.
    #[serde(default)]
    pub email: crate::email::config::EmailConfig,
    /// `[invitations]`: completion windows, reminders, routing.
    #[serde(default)]
    pub invitations: crate::invitations::config::InvitationConfig,
    /// `[ats]`: inbound ATS integrations.
    #[serde(default)]
    pub ats: crate::ats::config::AtsConfig,
    /// `[transcription]`: the engine that writes answers' transcripts.
    #[serde(default)]
    pub transcription: crate::transcription::config::TranscriptionConfig,
    /// `[share_links]`: the results links the platform makes itself.
    #[serde(default)]
    pub share_links: crate::api::share_links::config::ShareLinkConfig,
    /// `[adverse_impact]`: the minimum cell size of the adverse-impact
    /// figures.
    #[serde(default)]
    pub adverse_impact: crate::insights::adverse_impact::AdverseImpactConfig,
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}:{line}: {message}")]
    Parse {
        path: PathBuf,
        line: usize,
        message: String,
    },
}

impl ServerConfig {
    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        Self::parse(path, &text)
    }

    pub fn parse(path: &Path, text: &str) -> Result<Self, ConfigError> {
        let config = Self::parse_toml(path, text)?;
        if let Some(url) = &config.public_url {
            if !url.starts_with("https://") && !config.allow_http_public_url {
                let line = text
                    .lines()
                    .position(|l| l.trim_start().starts_with("public_url"))
                    .map_or(1, |i| i + 1);
                return Err(ConfigError::Parse {
                    path: path.to_path_buf(),
                    line,
                    message: format!(
                        "public_url must start with https:// (got {url:?}): its links carry \
                         share tokens; for local development set allow_http_public_url = true"
                    ),
                });
            }
        }
        Ok(config)
    }

    fn parse_toml(path: &Path, text: &str) -> Result<Self, ConfigError> {
        toml::from_str(text).map_err(|e| {
            let line = e
                .span()
                .map(|s| text[..s.start.min(text.len())].matches('\n').count() + 1)
                .unwrap_or(1);
            ConfigError::Parse {
                path: path.to_path_buf(),
                line,
                message: e.message().to_string(),
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_keys_name_the_line() {
        let err = ServerConfig::parse(
            Path::new("s.toml"),
            "public_url = \"http://x\"\n\nsmtpp = 1\n",
        )
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
        assert!(err.starts_with("s.toml:3:"), "{err}");
        assert!(err.contains("smtpp"), "{err}");
    }

    #[test]
    fn public_url_must_be_https_unless_allowed() {
        let err = ServerConfig::parse(Path::new("s.toml"), "\npublic_url = \"http://x\"\n")
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(err.starts_with("s.toml:2:"), "{err}");
        assert!(
            err.contains("public_url") && err.contains("allow_http_public_url"),
            "{err}"
        );
        let ok = ServerConfig::parse(
            Path::new("s.toml"),
            "public_url = \"http://x\"\nallow_http_public_url = true\n",
        );
        assert!(ok.is_ok_and(|c| c.allow_http_public_url));
        assert!(ServerConfig::parse(Path::new("s.toml"), "public_url = \"https://x\"\n").is_ok());
    }

    /// The documented example must stay a valid configuration, and say
    /// what the defaults are, so it cannot drift from the code.
    #[test]
    fn the_example_file_parses_with_the_defaults_it_states() {
        let text = include_str!("../../../server.example.toml");
        let c = ServerConfig::parse(Path::new("server.example.toml"), text)
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            c.public_url.as_deref(),
            Some("https://interviews.example.com")
        );
        assert!(c.allow_private_networks.is_empty());
        let http = crate::http::HttpConfig::default();
        assert_eq!(
            c.http.header_read_timeout_seconds,
            http.header_read_timeout_seconds
        );
        assert_eq!(
            c.http.body_read_timeout_seconds,
            http.body_read_timeout_seconds
        );
        let email = crate::email::config::EmailConfig::default();
        assert_eq!(c.email.tls, email.tls);
        assert_eq!(c.email.from, email.from);
        assert_eq!(c.email.support_contact, email.support_contact);
        assert_eq!(c.email.rejection_email, email.rejection_email);
        assert_eq!(c.email.poll_interval_ms, email.poll_interval_ms);
        let inv = crate::invitations::config::InvitationConfig::default();
        assert_eq!(
            c.invitations.reminder_before_hours,
            inv.reminder_before_hours
        );
        assert_eq!(
            c.invitations.reviewers_per_interview,
            inv.reviewers_per_interview
        );
        assert_eq!(c.invitations.review_within_hours, inv.review_within_hours);
        assert_eq!(c.invitations.max_upload_bytes, inv.max_upload_bytes);
        assert_eq!(
            c.invitations.duration_margin_seconds,
            inv.duration_margin_seconds
        );
        assert_eq!(
            c.invitations.sweep_interval_seconds,
            inv.sweep_interval_seconds
        );
        let tr = crate::transcription::config::TranscriptionConfig::default();
        assert_eq!(c.transcription.engine, tr.engine);
        assert_eq!(c.transcription.poll_interval_ms, tr.poll_interval_ms);
        assert_eq!(c.transcription.timeout_seconds, tr.timeout_seconds);
        assert_eq!(c.transcription.max_attempts, tr.max_attempts);
        assert_eq!(c.transcription.first_retry_seconds, tr.first_retry_seconds);
        assert_eq!(c.transcription.ffmpeg, tr.ffmpeg);
        assert_eq!(c.transcription.python, tr.python);
        assert_eq!(
            c.share_links.system_days,
            crate::api::share_links::config::ShareLinkConfig::default().system_days
        );
        let generic = c.ats.generic.expect("[ats.generic]");
        assert_eq!(generic.screening_stage, "screening");
        let gh = c.ats.greenhouse.expect("[ats.greenhouse]");
        assert_eq!(
            gh.callback_url_prefixes,
            [
                "https://app.greenhouse.io/",
                "https://app.eu.greenhouse.io/"
            ]
        );
        let lever = c.ats.lever.expect("[ats.lever]");
        assert_eq!(lever.api_base, "https://api.lever.co");
        assert!(lever.writeback.is_none() && lever.stages.advance.is_none());
    }
}
