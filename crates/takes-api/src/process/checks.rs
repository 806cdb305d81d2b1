//! [`super::validate`]: what makes a process document wrong, as opposed to
//! unwise (that is [`super::advice`]).

use std::collections::{HashMap, HashSet};

use super::{Invalid, ProcessDocument, ProcessQuestion, ProcessRole, ProcessUser};
use crate::UserRole;

/// A hard limit, so a slip cannot make a fifty-question interview; the lint
/// warns above five already (the seed's advice).
pub const MAX_QUESTIONS: usize = 10;

const NAME_MAX: usize = 200;
const KEY_MAX: usize = 64;
const EMAIL_MAX: usize = 254;
const PROMPT_MAX: usize = 1_000;
const LABEL_MAX: usize = 40;
const DESCRIPTION_MAX: usize = 1_000;
const MESSAGE_MAX: usize = 5_000;
const FILE_NAME_MAX: usize = 255;
/// A month: longer is a typo, not a policy.
const WINDOW_MAX_H: i64 = 30 * 24;
const TIME_LIMIT_MAX_S: i64 = 3_600;
const THINKING_MAX_S: i64 = 600;
const RETAKES_MAX: i64 = 10;
const REVIEWERS_MAX: i64 = 10;
/// The workstation rates with the keys 1 to 9.
const SCALE: (i64, i64) = (1, 9);

/// A plausible address: one `@`, something before it, a dotted domain
/// after it, no spaces. Deliverability is the mail server's business.
pub fn is_email(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && s.len() <= EMAIL_MAX
        && !domain.contains('@')
        && !s.chars().any(|c| c.is_whitespace() || c.is_control())
        && domain.split('.').count() >= 2
        && domain.split('.').all(|part| !part.is_empty())
}

/// Lowercase letters, digits and `-` `_` `.`, starting with a letter or a
/// digit: safe in URLs, file names and shell arguments.
fn is_sha256(s: &str) -> bool {
    s.len() == 64
        && s.chars()
            .all(|c| c.is_ascii_digit() || ('a'..='f').contains(&c))
}

fn is_plain_file_name(name: &str) -> bool {
    !name.is_empty()
        && !name.contains(['/', '\\'])
        && name != "."
        && name != ".."
        && name.chars().count() <= FILE_NAME_MAX
}

/// A BCP 47 tag as HTML's `srclang` takes it: a 2-3 letter language and
/// up to three alphanumeric subtags of 1-8 characters.
pub fn is_language_tag(s: &str) -> bool {
    let mut parts = s.split('-');
    let lang = parts.next().unwrap_or("");
    (2..=3).contains(&lang.len())
        && lang.chars().all(|c| c.is_ascii_alphabetic())
        && s.split('-').count() <= 4
        && parts.all(|p| (1..=8).contains(&p.len()) && p.chars().all(|c| c.is_ascii_alphanumeric()))
}

pub fn is_role_key(s: &str) -> bool {
    s.len() <= KEY_MAX
        && s.starts_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit())
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '-' | '_' | '.'))
}

struct Errors(Vec<Invalid>);

impl Errors {
    fn push(&mut self, path: impl Into<String>, message: impl Into<String>) {
        self.0.push(Invalid {
            path: path.into(),
            message: message.into(),
        });
    }

    /// Required (non-blank) text of at most `max` characters.
    fn text(&mut self, path: &str, value: &str, max: usize) {
        if value.trim().is_empty() {
            self.push(path, "must not be empty");
        } else {
            self.optional_text(path, value, max);
        }
    }

    fn optional_text(&mut self, path: &str, value: &str, max: usize) {
        let n = value.chars().count();
        if n > max {
            self.push(path, format!("is {n} characters long; at most {max}"));
        } else if value.contains('\0') {
            // PostgreSQL's TEXT cannot hold one, and no prompt needs one.
            self.push(path, "contains a NUL character");
        }
    }

    fn email(&mut self, path: &str, value: &str) {
        if !is_email(value) {
            self.push(
                path,
                format!("{value:?} is not an email address (name@example.com)"),
            );
        }
    }

    fn range(&mut self, path: &str, value: i64, min: i64, max: i64, unit: &str) {
        if value < min || value > max {
            self.push(
                path,
                format!("is {value}{unit}; it must be {min} to {max}{unit}"),
            );
        }
    }
}

pub fn validate(doc: &ProcessDocument) -> Vec<Invalid> {
    let mut errors = Errors(Vec::new());
    let roles_by_email = users(&mut errors, &doc.users);
    let mut keys: HashMap<&str, usize> = HashMap::new();
    for (i, role) in doc.roles.iter().enumerate() {
        let at = format!("role[{i}]");
        if role.key.trim().is_empty() {
            errors.push(format!("{at}.key"), "must not be empty");
        } else if !is_role_key(&role.key) {
            errors.push(
                format!("{at}.key"),
                format!(
                    "{:?} is not a key: lowercase letters, digits, `-`, `_` and `.`, at most {KEY_MAX}, e.g. \"backend-2027\"",
                    role.key
                ),
            );
        } else if let Some(first) = keys.insert(&role.key, i) {
            keys.insert(&role.key, first);
            errors.push(
                format!("{at}.key"),
                format!("{:?} is also the key of role[{first}]", role.key),
            );
        }
        self::role(&mut errors, &at, role, &roles_by_email);
    }
    errors.0
}

/// Checks the users; answers each valid email's role (lowercase email).
fn users(errors: &mut Errors, users: &[ProcessUser]) -> HashMap<String, UserRole> {
    let mut seen: HashMap<String, (usize, UserRole)> = HashMap::new();
    for (i, user) in users.iter().enumerate() {
        let at = format!("user[{i}]");
        errors.text(&format!("{at}.name"), &user.name, NAME_MAX);
        if user.email.trim().is_empty() {
            errors.push(format!("{at}.email"), "must not be empty");
            continue;
        }
        errors.email(&format!("{at}.email"), &user.email);
        let lower = user.email.to_lowercase();
        match seen.get(&lower) {
            Some((first, _)) => errors.push(
                format!("{at}.email"),
                format!(
                    "{:?} is also user[{first}] (emails are compared without case)",
                    user.email
                ),
            ),
            None => {
                seen.insert(lower, (i, user.role));
            }
        }
    }
    seen.into_iter().map(|(k, (_, r))| (k, r)).collect()
}

fn role(errors: &mut Errors, at: &str, role: &ProcessRole, people: &HashMap<String, UserRole>) {
    errors.text(&format!("{at}.title"), &role.title, NAME_MAX);
    errors.optional_text(&format!("{at}.department"), &role.department, NAME_MAX);
    errors.range(
        &format!("{at}.completion_window_hours"),
        role.completion_window_hours,
        1,
        WINDOW_MAX_H,
        " h",
    );
    errors.range(&format!("{at}.retakes"), role.retakes, 0, RETAKES_MAX, "");
    errors.range(
        &format!("{at}.reviewers_per_interview"),
        role.reviewers_per_interview,
        1,
        REVIEWERS_MAX,
        "",
    );
    pool(
        errors,
        &format!("{at}.reviewers"),
        &role.reviewers,
        people,
        "a reviewer",
        |r| r == UserRole::Reviewer,
    );
    pool(
        errors,
        &format!("{at}.recruiters"),
        &role.recruiters,
        people,
        "a recruiter or an admin",
        UserRole::can_decide,
    );
    for (name, value) in [
        ("hiring_manager", &role.hiring_manager),
        ("support_contact", &role.support_contact),
    ] {
        if let Some(email) = value {
            errors.email(&format!("{at}.{name}"), email);
        }
    }
    if let Some(video) = &role.intro_video {
        let hex = video.sha256.len() == 64
            && video
                .sha256
                .chars()
                .all(|c| c.is_ascii_digit() || ('a'..='f').contains(&c));
        if !hex {
            errors.push(
                format!("{at}.intro_video.sha256"),
                "must be 64 lowercase hex digits (a SHA-256)",
            );
        }
        if let Some(name) = &video.file_name {
            let plain = !name.is_empty()
                && !name.contains(['/', '\\'])
                && name != "."
                && name != ".."
                && name.chars().count() <= FILE_NAME_MAX;
            if !plain {
                errors.push(
                    format!("{at}.intro_video.file_name"),
                    format!("{name:?} is not a plain file name"),
                );
            }
        }
    }
    if let Some(captions) = role.intro_video.as_ref().and_then(|v| v.captions.as_ref()) {
        let at = format!("{at}.intro_video.captions");
        if !is_sha256(&captions.sha256) {
            errors.push(
                format!("{at}.sha256"),
                "must be 64 lowercase hex digits (a SHA-256)",
            );
        }
        if let Some(name) = captions
            .file_name
            .as_deref()
            .filter(|n| !is_plain_file_name(n))
        {
            errors.push(
                format!("{at}.file_name"),
                format!("{name:?} is not a plain file name"),
            );
        }
        if !is_language_tag(&captions.language) {
            errors.push(
                format!("{at}.language"),
                format!(
                    "{:?} is not a language tag (like en, de or pt-BR)",
                    captions.language
                ),
            );
        }
    }
    if let Some(text) = &role.invitation_message {
        errors.optional_text(&format!("{at}.invitation_message"), text, MESSAGE_MAX);
    }
    if role.questions.is_empty() {
        errors.push(
            format!("{at}.question"),
            "a role needs at least one question ([[role.question]])",
        );
    } else if role.questions.len() > MAX_QUESTIONS {
        errors.push(
            format!("{at}.question"),
            format!(
                "{} questions; a role has at most {MAX_QUESTIONS} (and the seed advises three to five)",
                role.questions.len()
            ),
        );
    }
    for (j, q) in role.questions.iter().enumerate() {
        question(errors, &format!("{at}.question[{j}]"), q);
    }
}

/// A pool names each person once, by a valid email; someone the document
/// lists must have a role that fits (the server checks everyone else).
fn pool(
    errors: &mut Errors,
    at: &str,
    emails: &[String],
    people: &HashMap<String, UserRole>,
    wanted: &str,
    fits: impl Fn(UserRole) -> bool,
) {
    let mut seen = HashSet::new();
    for (k, email) in emails.iter().enumerate() {
        let path = format!("{at}[{k}]");
        if !is_email(email) {
            errors.email(&path, email);
            continue;
        }
        let lower = email.to_lowercase();
        if !seen.insert(lower.clone()) {
            errors.push(&path, format!("{email:?} is named twice"));
        } else if let Some(role) = people.get(&lower).filter(|r| !fits(**r)) {
            errors.push(
                &path,
                format!(
                    "{email:?} is {} in this file, not {wanted}",
                    match role {
                        UserRole::Reviewer => "a reviewer",
                        UserRole::Recruiter => "a recruiter",
                        UserRole::Admin => "an admin",
                    }
                ),
            );
        }
    }
}

fn question(errors: &mut Errors, at: &str, q: &ProcessQuestion) {
    errors.text(&format!("{at}.prompt"), &q.prompt, PROMPT_MAX);
    errors.text(&format!("{at}.competency"), &q.competency, NAME_MAX);
    errors.range(
        &format!("{at}.time_limit_s"),
        q.time_limit_s,
        1,
        TIME_LIMIT_MAX_S,
        " s",
    );
    errors.range(
        &format!("{at}.thinking_time_s"),
        q.thinking_time_s,
        0,
        THINKING_MAX_S,
        " s",
    );
    let r = &q.rubric;
    let at = format!("{at}.rubric");
    let (lo, hi) = SCALE;
    if r.scale_min >= r.scale_max {
        errors.push(
            format!("{at}.scale"),
            format!(
                "[{}, {}]: the first must be below the second",
                r.scale_min, r.scale_max
            ),
        );
        return;
    }
    if r.scale_min < lo || r.scale_max > hi {
        errors.push(
            format!("{at}.scale"),
            format!(
                "[{}, {}] must lie within [{lo}, {hi}] (the workstation rates with the keys {lo} to {hi})",
                r.scale_min, r.scale_max
            ),
        );
    }
    if r.pass_score < r.scale_min || r.pass_score > r.scale_max {
        errors.push(
            format!("{at}.pass"),
            format!(
                "{} is outside the scale [{}, {}]",
                r.pass_score, r.scale_min, r.scale_max
            ),
        );
    }
    let mut seen = HashSet::new();
    for a in &r.anchors {
        let path = format!("{at}.anchors.{}", a.score);
        if a.score < r.scale_min || a.score > r.scale_max {
            errors.push(
                &path,
                format!(
                    "anchor {} is outside the scale [{}, {}]",
                    a.score, r.scale_min, r.scale_max
                ),
            );
        } else if !seen.insert(a.score) {
            errors.push(&path, format!("anchor {} is given twice", a.score));
        }
        if a.label.trim().is_empty() {
            errors.push(
                &path,
                "has no label: write \"Label: what such an answer shows\", e.g. \"Strong: …\"",
            );
        } else {
            errors.optional_text(&format!("{path}.label"), &a.label, LABEL_MAX);
        }
        errors.optional_text(
            &format!("{path}.description"),
            &a.description,
            DESCRIPTION_MAX,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::process::{CaptionsRef, IntroVideoRef};
    use crate::{Anchor, Rubric};

    fn anchor(score: i64, label: &str) -> Anchor {
        Anchor {
            score,
            label: label.into(),
            description: "what it shows".into(),
        }
    }

    fn question() -> ProcessQuestion {
        ProcessQuestion {
            prompt: "Describe a time when you had to deliver under pressure.".into(),
            competency: "Delivery".into(),
            time_limit_s: 120,
            thinking_time_s: 30,
            rubric: Rubric {
                scale_min: 1,
                scale_max: 5,
                pass_score: 3,
                anchors: vec![
                    anchor(1, "Weak"),
                    anchor(3, "Acceptable"),
                    anchor(5, "Strong"),
                ],
            },
        }
    }

    fn role(key: &str) -> ProcessRole {
        ProcessRole {
            key: key.into(),
            title: "Backend Engineer".into(),
            department: "Engineering".into(),
            completion_window_hours: 72,
            retakes: 1,
            reviewers_per_interview: 1,
            reviewers: vec!["riley@example.com".into()],
            recruiters: vec!["sam@example.com".into()],
            hiring_manager: Some("hm@example.com".into()),
            support_contact: None,
            intro_video: None,
            invitation_message: None,
            allow_audio_only: false,
            allow_low_resolution: true,
            questions: vec![question(), question(), question()],
        }
    }

    fn doc() -> ProcessDocument {
        let user = |email: &str, role| ProcessUser {
            email: email.into(),
            name: "Someone".into(),
            role,
        };
        ProcessDocument {
            users: vec![
                user("riley@example.com", UserRole::Reviewer),
                user("sam@example.com", UserRole::Recruiter),
            ],
            roles: vec![role("backend-2027")],
        }
    }

    fn paths(d: &ProcessDocument) -> Vec<String> {
        validate(d)
            .into_iter()
            .map(|e| format!("{}: {}", e.path, e.message))
            .collect()
    }

    #[test]
    fn a_sound_document_has_no_error() {
        assert_eq!(paths(&doc()), Vec::<String>::new());
    }

    #[test]
    fn a_nul_in_any_text_is_refused() {
        let mut d = doc();
        d.roles[0].questions[1].prompt = "Describe\0 a time.".into();
        d.roles[0].questions[2].rubric.anchors[0].description = "w\0".into();
        d.users[0].name = "Ri\0ley".into();
        assert_eq!(
            paths(&d),
            vec![
                "user[0].name: contains a NUL character",
                "role[0].question[1].prompt: contains a NUL character",
                "role[0].question[2].rubric.anchors.1.description: contains a NUL character",
            ]
        );
    }

    #[test]
    fn what_a_file_cannot_express_is_checked_too() {
        let mut d = doc();
        d.roles.push(role("backend-2027"));
        assert_eq!(
            paths(&d),
            vec!["role[1].key: \"backend-2027\" is also the key of role[0]"]
        );

        let mut d = doc();
        d.roles[0].recruiters = vec!["riley@example.com".into()];
        d.roles[0].reviewers = vec!["nobody@example.com".into(), "NOBODY@example.com".into()];
        assert_eq!(
            paths(&d),
            vec![
                "role[0].reviewers[1]: \"NOBODY@example.com\" is named twice",
                "role[0].recruiters[0]: \"riley@example.com\" is a reviewer in this file, not a recruiter or an admin",
            ]
        );

        let mut d = doc();
        d.roles[0].questions.clear();
        assert_eq!(
            paths(&d),
            vec!["role[0].question: a role needs at least one question ([[role.question]])"]
        );

        let mut d = doc();
        d.roles[0].questions[1]
            .rubric
            .anchors
            .push(anchor(3, "Again"));
        d.roles[0].questions[2].rubric.scale_max = 10;
        d.roles[0].questions[0].thinking_time_s = -1;
        assert_eq!(
            paths(&d),
            vec![
                "role[0].question[0].thinking_time_s: is -1 s; it must be 0 to 600 s",
                "role[0].question[1].rubric.anchors.3: anchor 3 is given twice",
                "role[0].question[2].rubric.scale: [1, 10] must lie within [1, 9] (the workstation rates with the keys 1 to 9)",
            ]
        );

        let mut d = doc();
        d.roles[0].hiring_manager = Some("hm at example.com".into());
        d.roles[0].intro_video = Some(IntroVideoRef {
            sha256: "ABC".into(),
            file_name: Some("../intro.mp4".into()),
            captions: Some(CaptionsRef {
                sha256: "a".repeat(64),
                file_name: Some("intro.en.vtt".into()),
                language: "en-GB".into(),
            }),
        });
        d.roles[0].title = "x".repeat(201);
        assert_eq!(
            paths(&d),
            vec![
                "role[0].title: is 201 characters long; at most 200",
                "role[0].hiring_manager: \"hm at example.com\" is not an email address (name@example.com)",
                "role[0].intro_video.sha256: must be 64 lowercase hex digits (a SHA-256)",
                "role[0].intro_video.file_name: \"../intro.mp4\" is not a plain file name",
            ]
        );
    }

    #[test]
    fn captions_name_a_hash_a_plain_file_and_a_language() {
        let mut d = doc();
        d.roles[0].intro_video = Some(IntroVideoRef {
            sha256: "b".repeat(64),
            file_name: None,
            captions: Some(CaptionsRef {
                sha256: "xyz".into(),
                file_name: Some("a/b.vtt".into()),
                language: "english".into(),
            }),
        });
        assert_eq!(
            paths(&d),
            vec![
                "role[0].intro_video.captions.sha256: must be 64 lowercase hex digits (a SHA-256)",
                "role[0].intro_video.captions.file_name: \"a/b.vtt\" is not a plain file name",
                "role[0].intro_video.captions.language: \"english\" is not a language tag (like en, de or pt-BR)",
            ]
        );
        for ok in ["en", "de", "pt-BR", "zh-Hant-TW"] {
            assert!(is_language_tag(ok), "{ok}");
        }
        for bad in ["", "e", "en_GB", "en-", "toolong-x", "en-GB-x-y-z"] {
            assert!(!is_language_tag(bad), "{bad}");
        }
    }

    #[test]
    fn emails_and_keys_have_a_shape() {
        for ok in ["a@b.co", "first.last+tag@mail.example.org"] {
            assert!(is_email(ok), "{ok}");
        }
        for bad in [
            "", "a", "a@b", "@b.co", "a@b..co", "a b@c.co", "a@b@c.co", "a@.co",
        ] {
            assert!(!is_email(bad), "{bad}");
        }
        for ok in ["backend-2027", "support_lead.eu", "9lives"] {
            assert!(is_role_key(ok), "{ok}");
        }
        for bad in ["", "-x", "Backend", "a b", "ü", &"k".repeat(65)] {
            assert!(!is_role_key(bad), "{bad}");
        }
    }
}
