//! When to try a failed delivery again. The schedule is the Standard
//! Webhooks specification's example, spanning about three days, with
//! jitter; a receiver's `Retry-After` (seconds or an HTTP date) and the
//! slow-down statuses (429, 502, 504) can only make the wait longer.

use crate::clock::{Millis, HOUR, SECOND};

const MINUTE: Millis = 60 * SECOND;

/// The wait after the 1st, 2nd, … failed attempt; after the last one the
/// delivery is dead-lettered (first attempt + 9 retries, ~75 h).
pub const SCHEDULE: [Millis; 9] = [
    5 * SECOND,
    5 * MINUTE,
    30 * MINUTE,
    2 * HOUR,
    5 * HOUR,
    10 * HOUR,
    14 * HOUR,
    20 * HOUR,
    24 * HOUR,
];

/// The longest `Retry-After` honoured: a receiver cannot park deliveries
/// for longer than the longest step of the schedule.
pub const MAX_RETRY_AFTER: Millis = 24 * HOUR;

/// How long a receiver that asks to slow down without `Retry-After` is
/// left alone at least.
pub const SLOW_DOWN: Millis = MINUTE;

/// The wait before the next attempt after `failures` failed ones, or
/// `None` when the schedule is exhausted. `jitter` in `0.0..1.0` spreads it
/// over ±10 % so receivers coming back up are not hit by every sender at
/// once.
pub fn retry_delay(failures: i64, jitter: f64) -> Option<Millis> {
    let step = usize::try_from(failures.max(1) - 1).ok()?;
    let base = *SCHEDULE.get(step)?;
    let factor = 0.9 + 0.2 * jitter.clamp(0.0, 1.0);
    Some((base as f64 * factor) as Millis)
}

/// Whether the status asks the sender to throttle (spec: 429 rate limit,
/// 502/504 a receiver under load).
pub fn is_slow_down(status: u16) -> bool {
    matches!(status, 429 | 502 | 504)
}

/// A `Retry-After` value as a wait from `now`: delta-seconds or an
/// IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`); capped at
/// [`MAX_RETRY_AFTER`]; `None` when absent or unreadable.
pub fn retry_after(value: &str, now: Millis) -> Option<Millis> {
    let value = value.trim();
    let wait = if let Ok(s) = value.parse::<u64>() {
        i64::try_from(s).ok()?.checked_mul(SECOND)?
    } else {
        http_date(value)? - now
    };
    Some(wait.clamp(0, MAX_RETRY_AFTER))
}

fn http_date(value: &str) -> Option<Millis> {
    // "Sun, 06 Nov 1994 08:49:37 GMT"
    let rest = value.split_once(", ")?.1;
    let parts: Vec<&str> = rest.split(' ').collect();
    let [day, month, year, clock, "GMT"] = parts.as_slice() else {
        return None;
    };
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let month = MONTHS.iter().position(|m| m == month)? as u8 + 1;
    let date = time::Date::from_calendar_date(
        year.parse().ok()?,
        time::Month::try_from(month).ok()?,
        day.parse().ok()?,
    )
    .ok()?;
    let hms: Vec<u8> = clock
        .split(':')
        .map(|p| p.parse().ok())
        .collect::<Option<_>>()?;
    let [h, m, s] = hms.as_slice() else {
        return None;
    };
    let t = time::Time::from_hms(*h, *m, *s).ok()?;
    let at = time::PrimitiveDateTime::new(date, t).assume_utc();
    Some((at.unix_timestamp_nanos() / 1_000_000) as Millis)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::DAY;

    #[test]
    fn the_schedule_is_the_specifications_and_spans_days() {
        assert_eq!(retry_delay(1, 0.5), Some(5 * SECOND));
        assert_eq!(retry_delay(2, 0.5), Some(5 * MINUTE));
        assert_eq!(retry_delay(9, 0.5), Some(24 * HOUR));
        assert_eq!(retry_delay(10, 0.5), None);
        assert!(retry_delay(1, 0.0) < retry_delay(1, 1.0));
        let total: Millis = SCHEDULE.iter().sum();
        // 75:35:05 in the specification's table.
        assert_eq!(total, 75 * HOUR + 35 * MINUTE + 5 * SECOND);
        let shortest: Millis = (1..=9).filter_map(|f| retry_delay(f, 0.0)).sum();
        assert!(shortest > 2 * DAY, "{shortest}");
    }

    #[test]
    fn retry_after_takes_seconds_and_dates() {
        assert_eq!(retry_after("120", 0), Some(120 * SECOND));
        assert_eq!(retry_after(" 0 ", 0), Some(0));
        assert_eq!(retry_after("999999999", 0), Some(MAX_RETRY_AFTER));
        let now = 784_111_777_000; // 1994-11-06T08:49:37Z
        assert_eq!(
            retry_after("Sun, 06 Nov 1994 08:50:37 GMT", now),
            Some(60 * SECOND)
        );
        assert_eq!(retry_after("Sun, 06 Nov 1994 08:40:00 GMT", now), Some(0));
        for bad in [
            "",
            "soon",
            "-5",
            "Sun, 06 Nov 1994 08:49:37 CET",
            "Sun, 32 Nov 1994 08:49:37 GMT",
        ] {
            assert_eq!(retry_after(bad, now), None, "{bad}");
        }
        assert!(is_slow_down(429) && is_slow_down(502) && is_slow_down(504));
        assert!(!is_slow_down(500) && !is_slow_down(503));
    }
}
