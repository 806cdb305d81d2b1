//! Checks a WebVTT file (W3C WebVTT §4) before it is stored as captions:
//! a browser silently drops a malformed cue, so a recruiter would never
//! learn that a caption is missing. Errors name the line.

/// Most cues one file may hold (hours of captions at one cue per second).
const MAX_CUES: usize = 20_000;

/// What is wrong with a file, for the problem's `detail`.
#[derive(Debug, PartialEq, Eq)]
pub struct Malformed(pub String);

/// The number of cues in `bytes`, or the first thing wrong with it.
pub fn check(bytes: &[u8]) -> Result<usize, Malformed> {
    let text = std::str::from_utf8(bytes).map_err(|e| {
        Malformed(format!(
            "the file is not UTF-8 text (byte {})",
            e.valid_up_to()
        ))
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let normalized = text.replace("\r\n", "\n").replace('\r', "\n");
    let lines: Vec<&str> = normalized.split('\n').collect();
    let first = lines.first().copied().unwrap_or("");
    let signature =
        first == "WEBVTT" || first.starts_with("WEBVTT ") || first.starts_with("WEBVTT\t");
    if !signature {
        return Err(Malformed(format!(
            "line 1: a WebVTT file starts with \"WEBVTT\", not {:?}",
            clip(first)
        )));
    }
    let mut i = 1;
    // The header runs to the first blank line.
    while i < lines.len() && !lines[i].is_empty() {
        if lines[i].contains("-->") {
            return Err(Malformed(format!(
                "line {}: a blank line must separate the \"WEBVTT\" header from the first cue",
                i + 1
            )));
        }
        i += 1;
    }
    let mut cues = 0;
    let mut last_start = 0.0;
    while i < lines.len() {
        if lines[i].is_empty() {
            i += 1;
            continue;
        }
        let block_start = i;
        let mut end = i;
        while end < lines.len() && !lines[end].is_empty() {
            end += 1;
        }
        let block = &lines[block_start..end];
        i = end;
        let head = block[0];
        if ["NOTE", "STYLE", "REGION"].iter().any(|k| keyword(head, k)) {
            continue;
        }
        let (timing_at, timing) = if head.contains("-->") {
            (block_start, head)
        } else {
            match block.get(1) {
                Some(t) if t.contains("-->") => (block_start + 1, *t),
                _ => {
                    return Err(Malformed(format!(
                        "line {}: {:?} is followed by no timing line (like 00:00:01.000 --> 00:00:04.000)",
                        block_start + 1,
                        clip(head)
                    )))
                }
            }
        };
        let line_no = timing_at + 1;
        let (start, stop) = timings(timing).map_err(|why| {
            Malformed(format!(
                "line {line_no}: malformed cue timing {:?}: {why}",
                clip(timing)
            ))
        })?;
        if stop <= start {
            return Err(Malformed(format!(
                "line {line_no}: the cue ends at or before it starts ({:?})",
                clip(timing)
            )));
        }
        if start < last_start {
            return Err(Malformed(format!(
                "line {line_no}: cues must be in order of their start time ({:?} starts before the cue above)",
                clip(timing)
            )));
        }
        last_start = start;
        let text_from = timing_at - block_start + 1;
        if let Some(k) = block[text_from..].iter().position(|l| l.contains("-->")) {
            return Err(Malformed(format!(
                "line {}: cue text may not contain \"-->\" (is a blank line missing before this cue?)",
                timing_at + 2 + k
            )));
        }
        cues += 1;
        if cues > MAX_CUES {
            return Err(Malformed(format!(
                "line {line_no}: more than {MAX_CUES} cues"
            )));
        }
    }
    if cues == 0 {
        return Err(Malformed("the file holds no cues".into()));
    }
    Ok(cues)
}

fn keyword(line: &str, word: &str) -> bool {
    line == word || line.starts_with(&format!("{word} ")) || line.starts_with(&format!("{word}\t"))
}

fn clip(line: &str) -> String {
    line.chars().take(80).collect()
}

/// `START --> END [settings]` in seconds.
fn timings(line: &str) -> Result<(f64, f64), String> {
    let (left, right) = line
        .split_once("-->")
        .ok_or_else(|| "no \"-->\"".to_string())?;
    let start = timestamp(left.trim())?;
    let right = right.trim_start();
    let end_text = right.split([' ', '\t']).next().unwrap_or("");
    let end = timestamp(end_text)?;
    Ok((start, end))
}

/// `[HH:]MM:SS.mmm`: hours of at least two digits, minutes and seconds
/// of two below 60, exactly three digits of milliseconds.
fn timestamp(s: &str) -> Result<f64, String> {
    let bad = || format!("{s:?} is not a timestamp (HH:MM:SS.mmm or MM:SS.mmm)");
    let (clock, ms) = s.split_once('.').ok_or_else(bad)?;
    let parts: Vec<&str> = clock.split(':').collect();
    let digits = |p: &str| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit());
    if ms.len() != 3 || !digits(ms) || !parts.iter().all(|p| digits(p)) {
        return Err(bad());
    }
    let (h, m, sec) = match parts.as_slice() {
        [m, s] => ("0", *m, *s),
        [h, m, s] if h.len() >= 2 => (*h, *m, *s),
        _ => return Err(bad()),
    };
    if m.len() != 2 || sec.len() != 2 {
        return Err(bad());
    }
    let num = |p: &str| p.parse::<f64>().map_err(|_| bad());
    let (h, m, sec, ms) = (num(h)?, num(m)?, num(sec)?, num(ms)?);
    if m >= 60.0 || sec >= 60.0 {
        return Err(format!("{s:?}: minutes and seconds run 00 to 59"));
    }
    Ok(h * 3600.0 + m * 60.0 + sec + ms / 1000.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(text: &str) -> String {
        check(text.as_bytes()).unwrap_err().0
    }

    #[test]
    fn counts_the_cues_of_a_valid_file() {
        let ok = "\u{feff}WEBVTT - intro\r\nKind: captions\r\n\r\nNOTE made by hand\r\n\r\n1\r\n00:00.000 --> 00:02.500 align:start\r\nHello\r\n\r\n00:00:02.500 --> 00:00:05.000\r\nWe use <i>recorded</i> interviews\r\nso you can answer in your own time.\r\n";
        assert_eq!(check(ok.as_bytes()), Ok(2));
    }

    #[test]
    fn names_the_line_of_what_is_wrong() {
        assert_eq!(
            err("WEBVT\n\n00:00.000 --> 00:01.000\nx\n"),
            "line 1: a WebVTT file starts with \"WEBVTT\", not \"WEBVT\""
        );
        assert_eq!(
            err("WEBVTT\n\n00:00.000 --> 00:01.000\nok\n\n00:01.000 --> 00:02,000\nbad comma\n"),
            "line 6: malformed cue timing \"00:01.000 --> 00:02,000\": \"00:02,000\" is not a timestamp (HH:MM:SS.mmm or MM:SS.mmm)"
        );
        assert_eq!(
            err("WEBVTT\n\nintro\nno timing here\n"),
            "line 3: \"intro\" is followed by no timing line (like 00:00:01.000 --> 00:00:04.000)"
        );
        assert_eq!(
            err("WEBVTT\n\n00:00:03.000 --> 00:00:01.000\nbackwards\n"),
            "line 3: the cue ends at or before it starts (\"00:00:03.000 --> 00:00:01.000\")"
        );
        assert_eq!(
            err("WEBVTT\n\n00:00.000 --> 00:01.000\nfirst\n00:01.000 --> 00:02.000\nsecond\n"),
            "line 5: cue text may not contain \"-->\" (is a blank line missing before this cue?)"
        );
        assert_eq!(err("WEBVTT\n\n00:00.000 --> 00:61.000\nx\n"), "line 3: malformed cue timing \"00:00.000 --> 00:61.000\": \"00:61.000\": minutes and seconds run 00 to 59");
        assert_eq!(
            err("WEBVTT\n\nNOTE nothing else\n"),
            "the file holds no cues"
        );
        assert!(err("WEBVTT\n\n\u{0}\u{ff}").contains("no timing line"));
        assert_eq!(
            check(&[0x57, 0xff]).unwrap_err().0,
            "the file is not UTF-8 text (byte 1)"
        );
    }
}
