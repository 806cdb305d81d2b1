//! `Range` header parsing: never panics, and an accepted range lies inside
//! the file and holds at least one byte.
#![no_main]

use libfuzzer_sys::fuzz_target;
use takes_platform::media::range::parse;

fuzz_target!(|data: &[u8]| {
    // The first 8 bytes are the file length, the rest the header.
    let (len, header) = match data.split_first_chunk::<8>() {
        Some((len, rest)) => (u64::from_le_bytes(*len), rest),
        None => (0, data),
    };
    let Ok(header) = std::str::from_utf8(header) else {
        return;
    };
    for len in [len, len % 1_000_000] {
        if let Ok(r) = parse(header, len) {
            assert!(r.start <= r.end, "{header:?} / {len}: {r:?}");
            assert!(r.end < len, "{header:?} / {len}: {r:?} beyond the file");
            assert!(r.byte_count() >= 1);
        }
    }
});
