//! Message templates: plain text, first line `Subject: …`, a blank line,
//! then the body, with `{{name}}` placeholders. The built-in set ships in
//! the binary; a file of the same name in `[email] templates_dir` replaces
//! it, read at each render so edits apply without a restart.

use super::config::EmailConfig;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Invitation,
    Reminder,
    Acknowledgement,
    HiringManager,
    Rejection,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Invitation => "invitation",
            Kind::Reminder => "reminder",
            Kind::Acknowledgement => "acknowledgement",
            Kind::HiringManager => "hiring_manager",
            Kind::Rejection => "rejection",
        }
    }

    fn builtin(self) -> &'static str {
        match self {
            Kind::Invitation => include_str!("../../templates/invitation.txt"),
            Kind::Reminder => include_str!("../../templates/reminder.txt"),
            Kind::Acknowledgement => include_str!("../../templates/acknowledgement.txt"),
            Kind::HiringManager => include_str!("../../templates/hiring_manager.txt"),
            Kind::Rejection => include_str!("../../templates/rejection.txt"),
        }
    }
}

/// A rendered message.
#[derive(Debug, Clone, PartialEq)]
pub struct Rendered {
    pub subject: String,
    pub body: String,
}

/// The template text for `kind`: the override file when there is one.
fn source(config: &EmailConfig, kind: Kind) -> String {
    if let Some(dir) = &config.templates_dir {
        let path = dir.join(format!("{}.txt", kind.as_str()));
        match std::fs::read_to_string(&path) {
            Ok(text) => return text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => {
                // A broken override must not stop mail: fall back, loudly.
                tracing::warn!(path = %path.display(), error = %e, "cannot read email template; using the built-in one");
            }
        }
    }
    kind.builtin().to_string()
}

pub fn render(config: &EmailConfig, kind: Kind, vars: &[(&str, String)]) -> Rendered {
    split(&fill(&source(config, kind), vars), kind)
}

/// Replaces each `{{name}}` with its value. Unknown names stay as written,
/// so a typo in an edited template is visible in the message, not silent.
pub fn fill(template: &str, vars: &[(&str, String)]) -> String {
    let mut out = String::with_capacity(template.len() + 256);
    let mut rest = template;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        match after.find("}}") {
            Some(end) => {
                let name = after[..end].trim();
                match vars.iter().find(|(k, _)| *k == name) {
                    Some((_, v)) => out.push_str(v),
                    None => out.push_str(&rest[start..start + 2 + end + 2]),
                }
                rest = &after[end + 2..];
            }
            None => {
                out.push_str(&rest[start..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

fn split(text: &str, kind: Kind) -> Rendered {
    let text = text.replace("\r\n", "\n");
    let (first, rest) = text.split_once('\n').unwrap_or((&text, ""));
    match first.strip_prefix("Subject:") {
        Some(subject) => Rendered {
            // A header cannot carry a line break.
            subject: subject.trim().replace(['\r', '\n'], " "),
            body: rest.trim_start_matches('\n').to_string(),
        },
        None => Rendered {
            subject: default_subject(kind).into(),
            body: text.clone(),
        },
    }
}

fn default_subject(kind: Kind) -> &'static str {
    match kind {
        Kind::Invitation => "Your video interview",
        Kind::Reminder => "Reminder: your video interview",
        Kind::Acknowledgement => "We received your video interview",
        Kind::HiringManager => "A video interview was completed",
        Kind::Rejection => "Your application",
    }
}

/// A time as people read it in an email: `Monday 30 November 2026, 14:05 UTC`.
pub fn human_time(ms: crate::clock::Millis) -> String {
    let t = time::OffsetDateTime::from_unix_timestamp_nanos(ms as i128 * 1_000_000)
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    let format = time::macros::format_description!(
        "[weekday] [day padding:none] [month repr:long] [year], [hour]:[minute] UTC"
    );
    t.format(&format)
        .unwrap_or_else(|_| crate::clock::rfc3339(ms))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fills_known_names_and_keeps_unknown_ones() {
        let vars = [("name", "Ada".to_string())];
        assert_eq!(fill("Hi {{name}}, {{ name }}!", &vars), "Hi Ada, Ada!");
        assert_eq!(fill("{{nmae}} {{", &vars), "{{nmae}} {{");
    }

    #[test]
    fn overrides_replace_the_builtin_template() {
        let dir = std::env::temp_dir().join(format!("takes-tpl-{}", uuid::Uuid::now_v7()));
        std::fs::create_dir_all(&dir).ok();
        std::fs::write(
            dir.join("rejection.txt"),
            "Subject: Sorry {{candidate_name}}\n\nBody",
        )
        .ok();
        let config = EmailConfig {
            templates_dir: Some(dir.clone()),
            ..EmailConfig::default()
        };
        let r = render(&config, Kind::Rejection, &[("candidate_name", "Bo".into())]);
        assert_eq!(r.subject, "Sorry Bo");
        assert_eq!(r.body, "Body");
        let r = render(&config, Kind::Reminder, &[("role_title", "SRE".into())]);
        assert!(r.subject.contains("SRE"), "{}", r.subject);
        std::fs::remove_dir_all(&dir).ok();
    }
}
