//! The text of one role, as rows of tagged text: the view styles them, the
//! update function counts them to bound the scroll (both at the same
//! width, so they agree).

use takes_api::roles::{QuestionSetVersion, RoleDetail};

use crate::features::review::view::wrap;

/// What a piece of text is; the view picks the theme's style for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    Heading,
    Text,
    Dim,
    Question,
    AnchorScore,
    Anchor,
    Warn,
    Mark,
}

pub type Row = Vec<(String, Tone)>;

/// Keys named in the text (as bound): older and newer version.
pub struct VersionKeys {
    pub older: String,
    pub newer: String,
}

const LABEL_W: usize = 25;
/// Lines of the invitation message shown; the rest is counted.
const MESSAGE_LINES: usize = 3;

fn one(text: impl Into<String>, tone: Tone) -> Row {
    vec![(text.into(), tone)]
}

/// `label` then `value`, the value's continuation lines under it.
fn setting(rows: &mut Vec<Row>, label: &str, value: &[String], tone: Tone) {
    for (i, v) in value.iter().enumerate() {
        let l = if i == 0 { label } else { "" };
        rows.push(vec![
            (format!("  {l:<LABEL_W$}"), Tone::Dim),
            (v.clone(), tone),
        ]);
    }
}

fn or_none(v: &Option<String>) -> (String, Tone) {
    match v.as_deref().map(str::trim) {
        Some(s) if !s.is_empty() => (s.to_string(), Tone::Text),
        _ => ("—".into(), Tone::Dim),
    }
}

fn plural(n: i64, one: &str, many: &str) -> String {
    if n == 1 {
        format!("{n} {one}")
    } else {
        format!("{n} {many}")
    }
}

/// Everything about the role, `version` (index, newest first) being the
/// version whose questions are shown; `w` is the width of the text.
pub fn rows(d: &RoleDetail, version: usize, w: usize, keys: &VersionKeys) -> Vec<Row> {
    let w = w.max(20);
    let mut rows = vec![one(
        format!("{} · {}", d.title, d.department),
        Tone::Heading,
    )];
    let mut sub = vec![(
        match &d.key {
            Some(k) => format!("key {k}"),
            None => "no process-file key".into(),
        },
        Tone::Dim,
    )];
    if d.archived {
        sub.push((
            " · archived: no new invitations, interviews in flight continue".into(),
            Tone::Warn,
        ));
    }
    rows.push(sub);
    settings(&mut rows, d, w);
    questions(&mut rows, d, version, w, keys);
    versions(&mut rows, d, version);
    people(&mut rows, d);
    rows
}

fn settings(rows: &mut Vec<Row>, d: &RoleDetail, w: usize) {
    rows.push(vec![]);
    rows.push(one("Settings", Tone::Heading));
    let text = |s: String| vec![s];
    setting(
        rows,
        "Completion window",
        &text(format!("{} h", d.completion_window_hours)),
        Tone::Text,
    );
    setting(
        rows,
        "Reviewers per interview",
        &text(d.reviewers_per_interview.to_string()),
        Tone::Text,
    );
    for (label, v) in [
        ("Hiring manager", &d.hiring_manager),
        ("Support contact", &d.support_contact),
    ] {
        let (s, tone) = or_none(v);
        setting(rows, label, &text(s), tone);
    }
    let (video, tone) = match &d.intro_video_url {
        Some(u) => (format!("yes ({u})"), Tone::Text),
        None => ("none".into(), Tone::Dim),
    };
    setting(rows, "Intro video", &text(video), tone);
    let message: Vec<&str> = d
        .invitation_message
        .as_deref()
        .unwrap_or_default()
        .lines()
        .map(str::trim_end)
        .filter(|l| !l.trim().is_empty())
        .collect();
    if message.is_empty() {
        setting(rows, "Invitation message", &text("none".into()), Tone::Dim);
        return;
    }
    let value_w = w.saturating_sub(LABEL_W + 2).max(10);
    let mut shown: Vec<String> = message
        .iter()
        .take(MESSAGE_LINES)
        .flat_map(|l| wrap(l, value_w))
        .collect();
    let more = message.len().saturating_sub(MESSAGE_LINES);
    if more > 0 {
        shown.push(format!(
            "… {}",
            plural(more as i64, "more line", "more lines")
        ));
    }
    setting(rows, "Invitation message", &shown, Tone::Text);
}

fn version_title(v: &QuestionSetVersion) -> String {
    format!(
        "v{}{} · {} · {} per question",
        v.version,
        if v.current { " (current)" } else { "" },
        plural(v.questions.len() as i64, "question", "questions"),
        plural(v.retakes, "retake", "retakes"),
    )
}

fn questions(rows: &mut Vec<Row>, d: &RoleDetail, version: usize, w: usize, keys: &VersionKeys) {
    rows.push(vec![]);
    let Some(v) = d.versions.get(version) else {
        rows.push(one("Questions", Tone::Heading));
        rows.push(one("  No question set yet.", Tone::Dim));
        return;
    };
    let mut head = vec![(format!("Questions — {}", version_title(v)), Tone::Heading)];
    if d.versions.len() > 1 {
        head.push((
            format!("   {}/{} other versions", keys.older, keys.newer),
            Tone::Dim,
        ));
    }
    rows.push(head);
    if !v.current {
        rows.push(one(
            format!(
                "  An older version: {} invited with it keep it.",
                plural(v.interviews, "interview", "interviews")
            ),
            Tone::Warn,
        ));
    }
    if v.questions.is_empty() {
        rows.push(one("  This version has no questions.", Tone::Dim));
    }
    let text_w = w.saturating_sub(5).max(10);
    for q in &v.questions {
        rows.push(one(
            format!(
                "  Q{} · {} · {} s answer · {} s thinking",
                q.position, q.competency, q.time_limit_s, q.thinking_time_s
            ),
            Tone::Question,
        ));
        for l in wrap(&q.prompt, text_w) {
            rows.push(one(format!("     {l}"), Tone::Text));
        }
        let rb = &q.rubric;
        rows.push(one(
            format!(
                "     scale {}–{} · pass ≥ {}",
                rb.scale_min, rb.scale_max, rb.pass_score
            ),
            Tone::Dim,
        ));
        let anchor_w = text_w.saturating_sub(5).max(10);
        for a in &rb.anchors {
            let text = format!("{} — {}", a.label, a.description);
            for (i, chunk) in wrap(&text, anchor_w).into_iter().enumerate() {
                let num = if i == 0 {
                    format!(" {:>2} ", a.score)
                } else {
                    "    ".into()
                };
                rows.push(vec![
                    ("     ".into(), Tone::Text),
                    (num, Tone::AnchorScore),
                    (format!(" {chunk}"), Tone::Anchor),
                ]);
            }
        }
    }
}

fn versions(rows: &mut Vec<Row>, d: &RoleDetail, shown: usize) {
    rows.push(vec![]);
    rows.push(one("Version history", Tone::Heading));
    if d.versions.is_empty() {
        rows.push(one("  none", Tone::Dim));
    }
    for (i, v) in d.versions.iter().enumerate() {
        let created = v.created_at.get(..10).unwrap_or(&v.created_at);
        let mut row = vec![
            (
                format!("  {} v{:<3}", if i == shown { "▸" } else { " " }, v.version),
                if i == shown {
                    Tone::Question
                } else {
                    Tone::Text
                },
            ),
            (
                format!(
                    " created {created} · {} · {} in flight",
                    plural(v.interviews, "interview", "interviews"),
                    v.interviews_in_flight
                ),
                Tone::Text,
            ),
        ];
        if v.current {
            row.push((" · current".into(), Tone::Mark));
        }
        rows.push(row);
    }
}

fn people(rows: &mut Vec<Row>, d: &RoleDetail) {
    rows.push(vec![]);
    rows.push(one(
        format!(
            "Reviewer pool — {} per interview",
            d.reviewers_per_interview
        ),
        Tone::Heading,
    ));
    if d.pool.is_empty() {
        rows.push(one(
            "  No reviewers: completed interviews wait.",
            Tone::Warn,
        ));
    }
    for m in &d.pool {
        let mut row = vec![
            (format!("  {}", m.name), Tone::Text),
            (
                m.email
                    .as_deref()
                    .map(|e| format!("  {e}"))
                    .unwrap_or_default(),
                Tone::Dim,
            ),
            (
                format!(
                    " · {}",
                    plural(m.open_assignments, "open assignment", "open assignments")
                ),
                Tone::Text,
            ),
        ];
        if !m.active {
            row.push((" · inactive".into(), Tone::Warn));
        }
        rows.push(row);
    }
    rows.push(vec![]);
    rows.push(one("Recruiters", Tone::Heading));
    if d.recruiters.is_empty() {
        rows.push(one("  none", Tone::Dim));
    }
    for r in &d.recruiters {
        rows.push(vec![
            (format!("  {}", r.name), Tone::Text),
            (
                r.email
                    .as_deref()
                    .map(|e| format!("  {e}"))
                    .unwrap_or_default(),
                Tone::Dim,
            ),
        ]);
    }
}
