//! Renders transcript cues as WebVTT (W3C WebVTT, §4).

use takes_api::Cue;

fn timestamp(seconds: f64) -> String {
    let total_ms = if seconds.is_finite() && seconds > 0.0 {
        (seconds * 1000.0).round() as u64
    } else {
        0
    };
    let (h, rem) = (total_ms / 3_600_000, total_ms % 3_600_000);
    let (m, rem) = (rem / 60_000, rem % 60_000);
    let (s, ms) = (rem / 1000, rem % 1000);
    format!("{h:02}:{m:02}:{s:02}.{ms:03}")
}

/// Cue text may not contain `-->` or a blank line, and `&` and `<` start
/// markup; escape them so any transcript text is served as valid WebVTT.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
        if !out.is_empty() {
            out.push('\n');
        }
        out.push_str(
            &line
                .replace('&', "&amp;")
                .replace('<', "&lt;")
                .replace('>', "&gt;"),
        );
    }
    if out.is_empty() {
        out.push('…');
    }
    out
}

pub fn render(cues: &[Cue]) -> String {
    let mut out = String::from("WEBVTT\n");
    for (i, cue) in cues.iter().enumerate() {
        let end = if cue.end_s > cue.start_s {
            cue.end_s
        } else {
            cue.start_s + 0.001
        };
        out.push_str(&format!(
            "\n{}\n{} --> {}\n{}\n",
            i + 1,
            timestamp(cue.start_s),
            timestamp(end),
            escape(&cue.text)
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_header_timings_and_escapes() {
        let vtt = render(&[
            Cue {
                start_s: 0.0,
                end_s: 1.5,
                text: "Hello & <b>world</b>".into(),
            },
            Cue {
                start_s: 3661.25,
                end_s: 3662.0,
                text: "a --> b\n\nc".into(),
            },
        ]);
        assert!(vtt.starts_with(
            "WEBVTT\n\n1\n00:00:00.000 --> 00:00:01.500\nHello &amp; &lt;b&gt;world&lt;/b&gt;\n"
        ));
        assert!(
            vtt.contains("01:01:01.250 --> 01:01:02.000\na --&gt; b\nc\n"),
            "{vtt}"
        );
    }
}
