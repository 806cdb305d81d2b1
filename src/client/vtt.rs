//! A small WebVTT reader: cue timings and text, nothing else.

use takes_api::Cue;

fn timestamp(s: &str) -> Option<f64> {
    let s = s.trim();
    let (main, frac) = s.split_once('.')?;
    let parts: Vec<&str> = main.split(':').collect();
    let (h, m, sec) = match parts.as_slice() {
        [h, m, s] => (
            h.parse::<f64>().ok()?,
            m.parse::<f64>().ok()?,
            s.parse::<f64>().ok()?,
        ),
        [m, s] => (0.0, m.parse::<f64>().ok()?, s.parse::<f64>().ok()?),
        _ => return None,
    };
    if frac.len() != 3 || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let ms = frac.parse::<f64>().ok()?;
    Some(h * 3600.0 + m * 60.0 + sec + ms / 1000.0)
}

fn unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&nbsp;", " ")
        .replace("&amp;", "&")
}

/// Parses WebVTT text; `Err` when it is not WebVTT at all.
pub fn parse(text: &str) -> Result<Vec<Cue>, String> {
    let text = text.trim_start_matches('\u{feff}');
    if !text.starts_with("WEBVTT") {
        return Err("the transcript is not WebVTT (no WEBVTT header)".into());
    }
    let mut cues = Vec::new();
    let mut lines = text.lines().peekable();
    while let Some(line) = lines.next() {
        let Some((start, rest)) = line.split_once("-->") else {
            continue;
        };
        let end = rest.split_whitespace().next().unwrap_or("");
        let (Some(start_s), Some(end_s)) = (timestamp(start), timestamp(end)) else {
            continue;
        };
        let mut body = Vec::new();
        while let Some(l) = lines.peek() {
            if l.trim().is_empty() {
                break;
            }
            body.push(unescape(l.trim()));
            lines.next();
        }
        cues.push(Cue {
            start_s,
            end_s,
            text: body.join(" "),
        });
    }
    Ok(cues)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_cues_and_unescapes() {
        let vtt = "WEBVTT\n\n1\n00:00:00.000 --> 00:00:01.500\nHello &amp; &lt;b&gt;\nworld\n\n2\n01:01:01.250 --> 01:01:02.000 align:start\nbye\n";
        let cues = parse(vtt).unwrap();
        assert_eq!(cues.len(), 2);
        assert_eq!(cues[0].text, "Hello & <b> world");
        assert_eq!(cues[1].start_s, 3661.25);
        assert!(parse("<html>").is_err());
        assert!(parse("WEBVTT\n\nx --> y\nz\n").unwrap().is_empty());
    }
}
