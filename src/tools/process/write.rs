//! A process document as a process file (`takes process export`), in the
//! shape `docs/PROCESS.md` shows, that [`super::file::parse`] reads back as
//! the same document.

use std::collections::HashMap;
use std::fmt::Write;

use takes_api::process::{ProcessDocument, ProcessQuestion, ProcessRole};
use takes_api::Anchor;

use super::file::split_anchor;

fn s(text: &str) -> String {
    toml::Value::String(text.to_string()).to_string()
}

fn list(items: &[String]) -> String {
    let quoted: Vec<String> = items.iter().map(|i| s(i)).collect();
    format!("[{}]", quoted.join(", "))
}

/// `videos`: the roles (by index) whose intro video sits beside the file
/// under the given name; any other intro video is named by its hash.
pub fn write(doc: &ProcessDocument, header: &str, videos: &HashMap<usize, String>) -> String {
    let mut out = String::new();
    for line in header.lines() {
        let _ = writeln!(out, "# {line}");
    }
    for u in &doc.users {
        let _ = writeln!(out, "\n[[user]]");
        let _ = writeln!(out, "email = {}", s(&u.email));
        let _ = writeln!(out, "name = {}", s(&u.name));
        let _ = writeln!(out, "role = {}", s(u.role.as_str()));
    }
    for (i, role) in doc.roles.iter().enumerate() {
        write_role(&mut out, role, videos.get(&i));
    }
    out
}

fn write_role(out: &mut String, r: &ProcessRole, local_video: Option<&String>) {
    let _ = writeln!(out, "\n[[role]]");
    let _ = writeln!(out, "key = {}", s(&r.key));
    let _ = writeln!(out, "title = {}", s(&r.title));
    let _ = writeln!(out, "department = {}", s(&r.department));
    let _ = writeln!(
        out,
        "completion_window_hours = {}",
        r.completion_window_hours
    );
    let _ = writeln!(out, "retakes = {}", r.retakes);
    let _ = writeln!(
        out,
        "reviewers_per_interview = {}",
        r.reviewers_per_interview
    );
    let _ = writeln!(out, "reviewers = {}", list(&r.reviewers));
    let _ = writeln!(out, "recruiters = {}", list(&r.recruiters));
    for (key, value) in [
        ("hiring_manager", &r.hiring_manager),
        ("support_contact", &r.support_contact),
    ] {
        if let Some(v) = value {
            let _ = writeln!(out, "{key} = {}", s(v));
        }
    }
    match (local_video, &r.intro_video) {
        (Some(path), _) => {
            let _ = writeln!(out, "intro_video = {}", s(path));
        }
        (None, Some(v)) => {
            let name = v
                .file_name
                .as_deref()
                .map(|n| format!(", file_name = {}", s(n)))
                .unwrap_or_default();
            let captions = v
                .captions
                .as_ref()
                .map(|c| {
                    let name = c
                        .file_name
                        .as_deref()
                        .map(|n| format!(", file_name = {}", s(n)))
                        .unwrap_or_default();
                    format!(
                        ", captions = {{ sha256 = {}{name}, language = {} }}",
                        s(&c.sha256),
                        s(&c.language)
                    )
                })
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "intro_video = {{ sha256 = {}{name}{captions} }}",
                s(&v.sha256)
            );
        }
        (None, None) => {}
    }
    if let Some(m) = &r.invitation_message {
        let _ = writeln!(out, "invitation_message = {}", s(m));
    }
    // Written only when they differ from the defaults, so files that never
    // mention them export unchanged.
    if r.allow_audio_only {
        let _ = writeln!(out, "allow_audio_only = true");
    }
    if !r.allow_low_resolution {
        let _ = writeln!(out, "allow_low_resolution = false");
    }
    for q in &r.questions {
        write_question(out, q);
    }
}

fn write_question(out: &mut String, q: &ProcessQuestion) {
    let _ = writeln!(out, "\n[[role.question]]");
    let _ = writeln!(out, "prompt = {}", s(&q.prompt));
    let _ = writeln!(out, "competency = {}", s(&q.competency));
    let _ = writeln!(out, "time_limit_s = {}", q.time_limit_s);
    let _ = writeln!(out, "thinking_time_s = {}", q.thinking_time_s);
    let r = &q.rubric;
    let _ = writeln!(out, "\n[role.question.rubric]");
    let _ = writeln!(out, "scale = [{}, {}]", r.scale_min, r.scale_max);
    let _ = writeln!(out, "pass = {}", r.pass_score);
    if r.anchors.is_empty() {
        return;
    }
    let _ = writeln!(out, "\n[role.question.rubric.anchors]");
    for a in &r.anchors {
        let _ = writeln!(out, "{} = {}", a.score, anchor(a));
    }
}

/// `"Label: description"` when that reads back as the same label and
/// description, else the table form.
pub fn anchor(a: &Anchor) -> String {
    let joined = format!("{}: {}", a.label, a.description);
    if split_anchor(&joined) == (a.label.clone(), a.description.clone()) {
        s(&joined)
    } else {
        format!(
            "{{ label = {}, description = {} }}",
            s(&a.label),
            s(&a.description)
        )
    }
}
