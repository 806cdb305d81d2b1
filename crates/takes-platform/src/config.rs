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
    /// `[email]`: SMTP and templates.
    #[serde(default)]
    pub email: crate::email::EmailConfig,
    /// `[invitations]`: completion windows, reminders, routing.
    #[serde(default)]
    pub invitations: crate::invitations::InvitationConfig,
    /// `[ats]`: inbound ATS integrations.
    #[serde(default)]
    pub ats: crate::ats::AtsConfig,
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
}
