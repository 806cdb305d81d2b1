//! `[share_links]` in the server's config file.

use serde::{Deserialize, Deserializer};

const MAX_DAYS: i64 = 365;

/// `[share_links]`: links the platform makes itself.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ShareLinkConfig {
    /// Days a platform-made results link works, 1..=365; default 90.
    #[serde(default = "default_days", deserialize_with = "days")]
    pub system_days: i64,
}

impl Default for ShareLinkConfig {
    fn default() -> Self {
        ShareLinkConfig {
            system_days: default_days(),
        }
    }
}

fn default_days() -> i64 {
    90
}

fn days<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
    let n = i64::deserialize(d)?;
    if (1..=MAX_DAYS).contains(&n) {
        Ok(n)
    } else {
        Err(serde::de::Error::custom(format!(
            "system_days must be 1..={MAX_DAYS}; got {n}"
        )))
    }
}
