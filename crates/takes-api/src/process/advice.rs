//! [`super::lint`]: the seed's advice on async interviews, checked. Each
//! message ends with the reason, so the warning teaches as well as flags.

use super::{Lint, ProcessDocument, ProcessRole};

const FEW_QUESTIONS: usize = 3;
/// Above this, the lint warns: "three to five questions is optimal".
const MANY_QUESTIONS: usize = 5;
const TIME_LIMIT_S: i64 = 180;
const WINDOW_H: (i64, i64) = (48, 7 * 24);

/// Prompts that "generate vague answers and low signal-to-noise ratios",
/// normalised as [`normalise`] does.
const VAGUE: &[&str] = &[
    "tell me about yourself",
    "tell us about yourself",
    "tell me a bit about yourself",
    "tell us a bit about yourself",
    "introduce yourself",
    "describe yourself",
    "why do you want to work here",
    "why do you want to work for us",
    "why do you want to work with us",
    "why do you want this job",
    "why do you want this role",
    "why should we hire you",
    "what are your strengths",
    "what are your weaknesses",
    "what is your greatest strength",
    "what is your greatest weakness",
    "what is your biggest strength",
    "what is your biggest weakness",
    "whats your greatest strength",
    "whats your greatest weakness",
    "whats your biggest weakness",
    "where do you see yourself in five years",
    "where do you see yourself in 5 years",
    "where do you see yourself in ten years",
    "what are your hobbies",
];

/// Lowercase words separated by single spaces: "Why do you want to work
/// HERE?!" and "why do you want to work here" are the same question.
fn normalise(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c == '\'' || c == '\u{2019}' {
            continue;
        }
        if c.is_alphanumeric() {
            out.extend(c.to_lowercase());
        } else if !out.ends_with(' ') {
            out.push(' ');
        }
    }
    out.trim().to_string()
}

/// The vague question `prompt` asks, if any.
pub fn vague(prompt: &str) -> Option<&'static str> {
    let words = format!(" {} ", normalise(prompt));
    VAGUE
        .iter()
        .find(|v| words.contains(&format!(" {v} ")))
        .copied()
}

pub fn lint(doc: &ProcessDocument) -> Vec<Lint> {
    let mut out = Vec::new();
    for (i, role) in doc.roles.iter().enumerate() {
        self::role(&mut out, &format!("role[{i}]"), role);
    }
    out
}

fn warn(out: &mut Vec<Lint>, path: String, message: String) {
    out.push(Lint { path, message });
}

fn role(out: &mut Vec<Lint>, at: &str, role: &ProcessRole) {
    let n = role.questions.len();
    if n > MANY_QUESTIONS {
        warn(
            out,
            format!("{at}.question"),
            format!(
                "{:?} has {n} questions: three to five is optimal for a screening interview; every question past five lengthens it and lowers completion",
                role.key
            ),
        );
    }
    if (1..FEW_QUESTIONS).contains(&n) {
        warn(
            out,
            format!("{at}.question"),
            format!(
                "{:?} has {n} question{}: three to five is optimal for a screening interview, enough signal without lowering completion",
                role.key,
                if n == 1 { "" } else { "s" }
            ),
        );
    }
    let (lo, hi) = WINDOW_H;
    let h = role.completion_window_hours;
    if h > 0 && h < lo {
        warn(
            out,
            format!("{at}.completion_window_hours"),
            format!("a completion window of {h} h is under 48 h: give candidates 48–72 hours; a tight deadline raises anxiety and dropout"),
        );
    } else if h > hi {
        warn(
            out,
            format!("{at}.completion_window_hours"),
            format!("a completion window of {h} h is over 7 days: 48–72 hours respects candidates' schedules, and a longer one slows the screening async interviews are for"),
        );
    }
    if role.retakes == 0 {
        warn(
            out,
            format!("{at}.retakes"),
            "no retake: allow at least one per question; technical failures and nervousness are real, and a retake reduces dropout".into(),
        );
    }
    if !role.reviewers.is_empty() && (role.reviewers.len() as i64) < role.reviewers_per_interview {
        warn(
            out,
            format!("{at}.reviewers_per_interview"),
            format!(
                "{} reviewers per interview, but the pool names {}: each interview gets only {}, fewer independent scores than planned",
                role.reviewers_per_interview,
                role.reviewers.len(),
                role.reviewers.len()
            ),
        );
    }
    for (j, q) in role.questions.iter().enumerate() {
        let at = format!("{at}.question[{j}]");
        if q.time_limit_s > TIME_LIMIT_S {
            warn(
                out,
                format!("{at}.time_limit_s"),
                format!("a time limit of {} s is over 180 s: each answer should take no more than 2–3 minutes, keeping the interview to 10–15 minutes", q.time_limit_s),
            );
        }
        if let Some(v) = vague(&q.prompt) {
            warn(
                out,
                format!("{at}.prompt"),
                format!("vague prompt ({v:?}): vague questions generate vague answers and low signal; ask a structured behavioural question (\"Describe a time when …\") that can be scored against the competency"),
            );
        }
        let r = &q.rubric;
        let mut missing: Vec<String> = Vec::new();
        for (score, what) in [
            (r.scale_min, "the bottom of the scale"),
            (r.pass_score, "the pass line"),
            (r.scale_max, "the top of the scale"),
        ] {
            let named = format!("{score} ({what})");
            if !r.anchors.iter().any(|a| a.score == score)
                && !missing.iter().any(|m| m.starts_with(&format!("{score} ")))
            {
                missing.push(named);
            }
        }
        if !missing.is_empty() {
            warn(
                out,
                format!("{at}.rubric.anchors"),
                format!("no anchor at {}: define what a weak, acceptable and strong answer looks like in advance, so reviewers score against criteria, not an overall impression", missing.join(", ")),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vague_prompts_are_found_whatever_their_case_and_punctuation() {
        assert_eq!(
            vague("Tell me about YOURSELF."),
            Some("tell me about yourself")
        );
        assert_eq!(
            vague("So... why do you want to work here?!"),
            Some("why do you want to work here")
        );
        assert_eq!(
            vague("What are your strengths and weaknesses?"),
            Some("what are your strengths")
        );
        assert_eq!(
            vague("Where do you see yourself in 5 years?"),
            Some("where do you see yourself in 5 years")
        );
        assert_eq!(
            vague("What\u{2019}s your greatest weakness"),
            Some("whats your greatest weakness")
        );
        assert_eq!(
            vague("Describe a time when you had to deliver a project under significant time pressure."),
            None
        );
        assert_eq!(vague("Tell me about yourselves as a team"), None);
    }
}
