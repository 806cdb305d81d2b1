//! Reads what engines write: WebVTT, or JSON segments in the shapes the
//! common tools use (`[{start_s, end_s, text}]`, `[{start, end, text}]`,
//! `{"segments": [...]}` as OpenAI's verbose_json, whisper.cpp's
//! `{"transcription": [{"offsets": {"from", "to"}, "text"}]}`).

use anyhow::{bail, Context};
use serde_json::Value;
use takes_api::Cue;

/// Cues from an engine's output, in time order, empty texts dropped.
pub fn parse(text: &str) -> anyhow::Result<Vec<Cue>> {
    let trimmed = text.trim_start_matches('\u{feff}').trim();
    let mut cues = if trimmed.starts_with("WEBVTT") {
        webvtt(trimmed)?
    } else {
        let v: Value = serde_json::from_str(trimmed).with_context(|| {
            format!(
                "engine output is neither WebVTT nor JSON: {:?}",
                trimmed.chars().take(120).collect::<String>()
            )
        })?;
        json(&v)?
    };
    cues.retain(|c| !c.text.trim().is_empty());
    cues.sort_by(|a, b| a.start_s.total_cmp(&b.start_s));
    Ok(cues)
}

fn json(v: &Value) -> anyhow::Result<Vec<Cue>> {
    let list = match v {
        Value::Array(a) => a,
        Value::Object(o) => match o.get("segments").or_else(|| o.get("transcription")) {
            Some(Value::Array(a)) => a,
            _ => match o.get("text").and_then(Value::as_str) {
                // A transcript without timings: one cue, as long as unknown.
                Some(t) => {
                    let end = o.get("duration").and_then(Value::as_f64).unwrap_or(0.0);
                    return Ok(vec![Cue {
                        start_s: 0.0,
                        end_s: end,
                        text: t.trim().to_string(),
                    }]);
                }
                None => bail!("engine JSON has no segments"),
            },
        },
        _ => bail!("engine JSON is neither a list of segments nor an object with `segments`"),
    };
    list.iter()
        .enumerate()
        .map(|(i, s)| segment(i, s))
        .collect()
}

fn segment(i: usize, s: &Value) -> anyhow::Result<Cue> {
    let num = |keys: &[&str]| keys.iter().find_map(|k| s.get(*k).and_then(Value::as_f64));
    let offsets = s.get("offsets");
    let ms = |k: &str| {
        offsets
            .and_then(|o| o.get(k))
            .and_then(Value::as_f64)
            .map(|v| v / 1000.0)
    };
    let start = num(&["start_s", "start"]).or_else(|| ms("from"));
    let end = num(&["end_s", "end"]).or_else(|| ms("to"));
    let text = s.get("text").and_then(Value::as_str);
    match (start, end, text) {
        (Some(start_s), Some(end_s), Some(text)) if start_s.is_finite() && end_s.is_finite() => {
            Ok(Cue {
                start_s: start_s.max(0.0),
                end_s: end_s.max(start_s),
                text: text.trim().to_string(),
            })
        }
        _ => bail!("segment {i} lacks a start, an end or a text"),
    }
}

fn webvtt(text: &str) -> anyhow::Result<Vec<Cue>> {
    let mut cues = Vec::new();
    let normalized = text.replace("\r\n", "\n");
    for block in normalized.split("\n\n") {
        let mut lines = block.lines().skip_while(|l| !l.contains("-->"));
        let Some(timing) = lines.next() else { continue };
        let mut parts = timing.split("-->");
        let (Some(a), Some(b)) = (parts.next(), parts.next()) else {
            continue;
        };
        let start_s = timestamp(a.trim())?;
        let end_s = timestamp(b.split_whitespace().next().unwrap_or_default())?;
        let text = lines.collect::<Vec<_>>().join("\n");
        cues.push(Cue {
            start_s,
            end_s,
            text: unescape(text.trim()),
        });
    }
    Ok(cues)
}

/// `hh:mm:ss.ttt` or `mm:ss.ttt` (a comma is accepted, as SRT-minded tools write).
fn timestamp(t: &str) -> anyhow::Result<f64> {
    let bad = || anyhow::anyhow!("bad WebVTT timestamp {t:?}");
    let mut secs = 0.0;
    for part in t.replace(',', ".").split(':') {
        let v: f64 = part.parse().map_err(|_| bad())?;
        secs = secs * 60.0 + v;
    }
    if !secs.is_finite() || secs < 0.0 {
        return Err(bad());
    }
    Ok(secs)
}

fn unescape(t: &str) -> String {
    t.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_webvtt_and_the_common_json_shapes() {
        let vtt = "WEBVTT\n\n1\n00:00:01.000 --> 00:00:02.500\nhello &amp; welcome\n\n00:03.000 --> 00:04.000 align:start\nbye\n";
        let cues = parse(vtt).expect("vtt");
        assert_eq!(cues.len(), 2);
        assert_eq!((cues[0].start_s, cues[0].end_s), (1.0, 2.5));
        assert_eq!(cues[0].text, "hello & welcome");
        assert_eq!((cues[1].start_s, cues[1].text.as_str()), (3.0, "bye"));

        let ours = parse(r#"[{"start_s":0.5,"end_s":1,"text":" hi "}]"#).expect("ours");
        assert_eq!(ours[0].text, "hi");
        let openai = parse(r#"{"text":"x","segments":[{"id":0,"start":2,"end":3,"text":"b"},{"start":0,"end":1,"text":"a"}]}"#).expect("openai");
        assert_eq!(
            openai.iter().map(|c| c.text.as_str()).collect::<Vec<_>>(),
            ["a", "b"]
        );
        let wcpp = parse(r#"{"transcription":[{"offsets":{"from":1500,"to":2000},"text":"w"}]}"#)
            .expect("whisper.cpp");
        assert_eq!((wcpp[0].start_s, wcpp[0].end_s), (1.5, 2.0));
    }

    #[test]
    fn refuses_what_it_cannot_read() {
        assert!(parse("not a transcript").is_err());
        assert!(parse(r#"[{"start":1}]"#).is_err());
        assert!(parse("WEBVTT\n\nxx --> yy\nhi").is_err());
    }
}
