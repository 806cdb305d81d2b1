//! WebVTT: the workstation's reader never panics on any text, and reads back
//! exactly the cues the platform's writer renders (text escaping included).
#![no_main]

use libfuzzer_sys::fuzz_target;
use takes_api::Cue;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Ok(cues) = takes::client::vtt::parse(&text) {
        for c in &cues {
            assert!(c.start_s.is_finite() && c.end_s.is_finite(), "{c:?}");
        }
    }

    // Round trip: cue text from the input, times from its bytes.
    let words: Vec<&str> = text
        .split(['\n', '\r'])
        .map(str::trim)
        .filter(|w| !w.is_empty())
        .take(8)
        .collect();
    let cues: Vec<Cue> = words
        .iter()
        .enumerate()
        .map(|(i, w)| Cue {
            start_s: i as f64 * 2.0 + f64::from(data.first().copied().unwrap_or(0)) / 1000.0,
            end_s: i as f64 * 2.0 + 1.5,
            text: (*w).to_string(),
        })
        .collect();
    let rendered = takes_platform::media::webvtt::render(&cues);
    let back = takes::client::vtt::parse(&rendered).expect("rendered WebVTT parses");
    assert_eq!(back.len(), cues.len(), "{rendered}");
    for (a, b) in cues.iter().zip(&back) {
        assert!((a.start_s - b.start_s).abs() < 0.002, "{a:?} vs {b:?}");
        assert!((a.end_s - b.end_s).abs() < 0.002, "{a:?} vs {b:?}");
    }
});
