//! Time as the platform sees it. A `Clock` is injected so tests (and later
//! reminders and expiry) can drive time instead of sleeping.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

/// Milliseconds since the Unix epoch, UTC.
pub type Millis = i64;

#[derive(Clone)]
pub enum Clock {
    System,
    /// A fixed time that tests move by hand.
    Manual(Arc<AtomicI64>),
}

impl Clock {
    pub fn now(&self) -> Millis {
        match self {
            Clock::System => {
                (OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000) as Millis
            }
            Clock::Manual(t) => t.load(Ordering::SeqCst),
        }
    }

    pub fn manual(at: Millis) -> Clock {
        Clock::Manual(Arc::new(AtomicI64::new(at)))
    }

    pub fn advance(&self, ms: Millis) {
        if let Clock::Manual(t) = self {
            t.fetch_add(ms, Ordering::SeqCst);
        }
    }
}

/// RFC 3339 with milliseconds, always `Z`; sorts as text.
pub fn rfc3339(ms: Millis) -> String {
    let t = OffsetDateTime::from_unix_timestamp_nanos(ms as i128 * 1_000_000)
        .unwrap_or(OffsetDateTime::UNIX_EPOCH);
    let ms_part = t.millisecond();
    let base = t
        .replace_nanosecond(0)
        .unwrap_or(t)
        .format(&Rfc3339)
        .unwrap_or_default();
    // `base` ends in `Z`; put the milliseconds before it.
    format!("{}.{:03}Z", base.trim_end_matches('Z'), ms_part)
}

pub fn parse_rfc3339(s: &str) -> Option<Millis> {
    OffsetDateTime::parse(s, &Rfc3339)
        .ok()
        .map(|t| (t.unix_timestamp_nanos() / 1_000_000) as Millis)
}

pub const SECOND: Millis = 1_000;
pub const HOUR: Millis = 3_600 * SECOND;
pub const DAY: Millis = 24 * HOUR;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_and_parses_milliseconds() {
        let ms = 1_795_000_000_123;
        let s = rfc3339(ms);
        assert!(s.ends_with(".123Z"), "{s}");
        assert_eq!(parse_rfc3339(&s), Some(ms));
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00.000Z");
    }

    #[test]
    fn manual_clock_moves_only_when_told() {
        let c = Clock::manual(1000);
        assert_eq!(c.now(), 1000);
        c.advance(500);
        assert_eq!(c.now(), 1500);
    }
}
