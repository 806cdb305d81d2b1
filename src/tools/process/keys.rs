//! The keys each table of the process file allows, and "did you mean" for
//! the others.

pub const ROOT: &[&str] = &["user", "role"];
pub const USER: &[&str] = &["email", "name", "role"];
pub const ROLE: &[&str] = &[
    "key",
    "title",
    "department",
    "completion_window_hours",
    "retakes",
    "reviewers_per_interview",
    "reviewers",
    "recruiters",
    "hiring_manager",
    "support_contact",
    "intro_video",
    "invitation_message",
    "allow_audio_only",
    "allow_low_resolution",
    "question",
];
pub const QUESTION: &[&str] = &[
    "prompt",
    "competency",
    "time_limit_s",
    "thinking_time_s",
    "rubric",
];
pub const RUBRIC: &[&str] = &["scale", "pass", "anchors"];
pub const ANCHOR: &[&str] = &["label", "description"];
pub const INTRO_VIDEO: &[&str] = &["path", "sha256", "file_name", "captions"];
pub const CAPTIONS: &[&str] = &["path", "sha256", "file_name", "language"];

/// Names people reach for from the API's field names.
const ALIASES: &[(&str, &str)] = &[
    ("users", "user"),
    ("roles", "role"),
    ("questions", "question"),
    ("pass_score", "pass"),
    ("scale_min", "scale"),
    ("scale_max", "scale"),
    ("time_limit", "time_limit_s"),
    ("thinking_time", "thinking_time_s"),
    ("window", "completion_window_hours"),
    ("completion_window_h", "completion_window_hours"),
    ("retakes_allowed", "retakes"),
    ("pool", "reviewers"),
];

/// The allowed key `unknown` was probably meant to be: an alias, else the
/// closest by edit distance when close enough to be a typo.
pub fn suggest<'a>(unknown: &str, allowed: &[&'a str]) -> Option<&'a str> {
    let lower = unknown.to_lowercase();
    if let Some((_, to)) = ALIASES.iter().find(|(from, _)| *from == lower) {
        if let Some(k) = allowed.iter().find(|k| *k == to) {
            return Some(k);
        }
    }
    let (best, d) = allowed
        .iter()
        .map(|k| (*k, distance(&lower, k)))
        .min_by_key(|(_, d)| *d)?;
    let limit = (unknown.chars().count() / 3).max(1);
    (d <= limit).then_some(best)
}

pub fn list(allowed: &[&str]) -> String {
    allowed
        .iter()
        .map(|k| format!("`{k}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Levenshtein distance, counting an adjacent swap as one edit.
fn distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = best;
        }
    }
    d[a.len()][b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typos_and_api_names_get_a_suggestion() {
        assert_eq!(suggest("titel", ROLE), Some("title"));
        assert_eq!(suggest("reviewer", ROLE), Some("reviewers"));
        assert_eq!(suggest("time_limit", QUESTION), Some("time_limit_s"));
        assert_eq!(suggest("pass_score", RUBRIC), Some("pass"));
        assert_eq!(suggest("questions", ROLE), Some("question"));
        assert_eq!(suggest("Email", USER), Some("email"));
        assert_eq!(suggest("colour", ROLE), None);
        assert_eq!(suggest("x", RUBRIC), None);
    }

    #[test]
    fn distance_counts_edits() {
        assert_eq!(distance("kitten", "sitting"), 3);
        assert_eq!(distance("ab", "ba"), 1);
        assert_eq!(distance("", "abc"), 3);
    }
}
