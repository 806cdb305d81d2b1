//! Text formats shared by the update function and the views: times,
//! durations, due dates.

/// RFC 3339 to ms since the epoch.
pub fn parse_ms(s: &str) -> Option<i64> {
    time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339)
        .ok()
        .map(|t| (t.unix_timestamp_nanos() / 1_000_000) as i64)
}

/// `m:ss` (or `h:mm:ss`).
pub fn fmt_time(s: f64) -> String {
    let total = if s.is_finite() && s > 0.0 {
        s.round() as u64
    } else {
        0
    };
    let (h, m, sec) = (total / 3600, (total / 60) % 60, total % 60);
    if h > 0 {
        format!("{h}:{m:02}:{sec:02}")
    } else {
        format!("{m}:{sec:02}")
    }
}

/// "in 3d 4h", "in 5h", "in 12m", "2h over".
pub fn due_text(due_ms: i64, now_ms: i64) -> String {
    let d = due_ms - now_ms;
    let a = d.abs() / 60_000; // minutes
    let span = if a >= 48 * 60 {
        format!("{}d {}h", a / 1440, (a % 1440) / 60)
    } else if a >= 60 {
        format!("{}h {:02}m", a / 60, a % 60)
    } else {
        format!("{a}m")
    };
    if d < 0 {
        format!("{span} over")
    } else {
        format!("in {span}")
    }
}
