//! The board's score and date bounds and the one-line syntax they are
//! typed in (`score>=3.5 score<=4 from:2026-11-01 to:2026-11-30`): pure
//! data and parsing, no I/O; `filters.rs` has the keys.

use time::macros::format_description;
use time::Date;

/// Score and date bounds; every one is optional. Both dates are inclusive
/// (`to:2026-11-30` keeps interviews of the 30th).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Ranges {
    pub min_score: Option<f64>,
    pub max_score: Option<f64>,
    pub from: Option<Date>,
    pub to: Option<Date>,
}

/// The filter line while it is open.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RangeInput {
    pub text: String,
}

fn fmt_date(d: Date) -> String {
    d.format(format_description!("[year]-[month]-[day]"))
        .unwrap_or_default()
}

fn fmt_score(v: f64) -> String {
    // `4` rather than `4.0`, `3.5` as typed.
    let s = format!("{v}");
    s.strip_suffix(".0").map(str::to_string).unwrap_or(s)
}

impl Ranges {
    pub fn is_empty(&self) -> bool {
        *self == Ranges::default()
    }

    /// The line that parses back to these bounds (shown in the header and
    /// as the starting text of the filter line).
    pub fn line(&self) -> String {
        let mut parts = Vec::new();
        if let Some(v) = self.min_score {
            parts.push(format!("score>={}", fmt_score(v)));
        }
        if let Some(v) = self.max_score {
            parts.push(format!("score<={}", fmt_score(v)));
        }
        if let Some(d) = self.from {
            parts.push(format!("from:{}", fmt_date(d)));
        }
        if let Some(d) = self.to {
            parts.push(format!("to:{}", fmt_date(d)));
        }
        parts.join(" ")
    }

    /// The server's `from`: completed on or after this day.
    pub fn from_param(&self) -> Option<String> {
        self.from.map(fmt_date)
    }

    /// The server's `to` is exclusive; the line's is the last day kept.
    pub fn to_param(&self) -> Option<String> {
        self.to
            .map(|d| d.next_day().map(fmt_date).unwrap_or_else(|| fmt_date(d)))
    }
}

pub const FORMS: &str = "score>=N, score<=N, from:YYYY-MM-DD, to:YYYY-MM-DD";

fn score(token: &str, value: &str) -> Result<f64, String> {
    match value.trim().parse::<f64>() {
        Ok(v) if v.is_finite() && v >= 0.0 => Ok(v),
        _ => Err(format!(
            "{token:?}: {value:?} is not a score (a number such as 3.5)"
        )),
    }
}

fn date(token: &str, value: &str) -> Result<Date, String> {
    Date::parse(value.trim(), format_description!("[year]-[month]-[day]"))
        .map_err(|_| format!("{token:?}: {value:?} is not a date (YYYY-MM-DD, such as 2026-11-30)"))
}

/// `token` without `prefix`, whatever the prefix's case.
fn strip<'a>(token: &'a str, prefix: &str) -> Option<&'a str> {
    let head = token.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &token[prefix.len()..])
}

/// Parses a filter line; the error names the value at fault.
pub fn parse(line: &str) -> Result<Ranges, String> {
    let mut r = Ranges::default();
    for token in line.split_whitespace() {
        if let Some(v) = strip(token, "score>=") {
            r.min_score = Some(score(token, v)?);
        } else if let Some(v) = strip(token, "score<=") {
            r.max_score = Some(score(token, v)?);
        } else if let Some(v) = strip(token, "from:") {
            r.from = Some(date(token, v)?);
        } else if let Some(v) = strip(token, "to:") {
            r.to = Some(date(token, v)?);
        } else {
            return Err(format!("{token:?} is not a filter; use {FORMS}"));
        }
    }
    if let (Some(lo), Some(hi)) = (r.min_score, r.max_score) {
        if lo > hi {
            return Err(format!(
                "score>={} is above score<={}: nothing could match",
                fmt_score(lo),
                fmt_score(hi)
            ));
        }
    }
    if let (Some(from), Some(to)) = (r.from, r.to) {
        if from > to {
            return Err(format!(
                "from:{} is after to:{}: nothing could match",
                fmt_date(from),
                fmt_date(to)
            ));
        }
    }
    Ok(r)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_parses_and_prints_back() {
        let r = parse("score>=3.5 score<=4 from:2026-11-01 to:2026-11-30").expect("parses");
        assert_eq!(r.min_score, Some(3.5));
        assert_eq!(r.max_score, Some(4.0));
        assert_eq!(
            r.line(),
            "score>=3.5 score<=4 from:2026-11-01 to:2026-11-30"
        );
        assert_eq!(parse(&r.line()), Ok(r));
        assert_eq!(r.from_param().as_deref(), Some("2026-11-01"));
        // The last day is kept: the server's bound is the next midnight.
        assert_eq!(r.to_param().as_deref(), Some("2026-12-01"));
        assert_eq!(parse("  "), Ok(Ranges::default()));
        assert_eq!(
            parse("SCORE>=2 TO:2026-02-28").map(|r| r.line()),
            Ok("score>=2 to:2026-02-28".to_string())
        );
    }

    #[test]
    fn bad_values_are_named() {
        for (line, named) in [
            ("score>=high", "\"high\""),
            ("score<=NaN", "\"NaN\""),
            ("score>=-1", "\"-1\""),
            ("from:2026-13-01", "\"2026-13-01\""),
            ("to:yesterday", "\"yesterday\""),
            ("stage:decided", "\"stage:decided\""),
            ("score>=4 score<=3", "score>=4"),
            ("from:2026-12-01 to:2026-11-01", "from:2026-12-01"),
        ] {
            let e = parse(line).expect_err(line);
            assert!(e.contains(named), "{line}: {e}");
        }
    }
}
