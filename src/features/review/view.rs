//! The review screen: video pane (picture, caption line, playback status),
//! transcript, rubric, note, and a score strip for every question.

use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};
use ratatui::Frame;
use takes_api::{AssignmentDetail, QuestionView};

use super::state::{ReviewState, TranscriptState};
use super::video_pane;
use crate::app::state::{App, ScoreView, SyncState, VideoSupport};
use crate::config::{Command, Scope, Theme};
use crate::format::{due_text, fmt_time, parse_ms};
use crate::screens::layout::{self, VideoRoom};
use crate::screens::widgets::{bg_of, fit, pane, VideoPane};

pub fn draw(
    f: &mut Frame,
    area: Rect,
    app: &App,
    theme: &Theme,
    video: Option<&mut dyn VideoPane>,
) {
    let Some(r) = app.review() else { return };
    let Some(d) = r.detail.as_ref() else {
        let msg = match &r.error {
            Some(e) => format!(
                "Could not open the assignment: {e}\n{}: back to the queue · {}: retry",
                app.key_name(Scope::Global, Command::Back),
                app.key_name(Scope::Review, Command::Refresh)
            ),
            None => "Loading the assignment…".to_string(),
        };
        let style = if r.error.is_some() {
            theme.error
        } else {
            theme.dim
        };
        f.render_widget(
            Paragraph::new(msg).style(style).wrap(Wrap { trim: true }),
            area,
        );
        return;
    };
    let Some(q) = r.question() else {
        f.render_widget(
            Paragraph::new("This interview has no questions.").style(theme.dim),
            area,
        );
        return;
    };
    let score = app.score(d, &q.id);
    if r.zoom && r.show_video {
        let (title, main, strip) = layout::zoomed(area);
        draw_title(f, title, app, d, r, theme);
        video_pane::draw(f, main, app, q, theme, video, true);
        draw_strip(f, strip, app, d, r, theme);
        return;
    }
    // Without colour there is no picture: the transcript takes its room.
    let no_colour = r.show_video && video_pane::needs_colour(app);
    let room = match (r.show_video, &app.video) {
        (false, _) => VideoRoom::Hidden,
        _ if no_colour => VideoRoom::Hidden,
        (true, VideoSupport::Available { output }) if output != "off" => VideoRoom::Picture,
        (true, _) => VideoRoom::StatusOnly,
    };
    let rubric_w = if layout::two_columns(area, &app.settings, room) {
        area.width * 45 / 100
    } else {
        area.width
    };
    let rubric = rubric_lines(
        q,
        d.question_set_version,
        &score,
        rubric_w.saturating_sub(2) as usize,
        theme,
    );
    let lay = layout::review(area, &app.settings, room, rubric.len() as u16);
    draw_title(f, lay.title, app, d, r, theme);
    if let Some(v) = lay.video {
        video_pane::draw(f, v, app, q, theme, video, false);
    }
    let transcript_title = format!(
        " {}Transcript ({}/{}) ",
        if no_colour {
            "Video needs colour · "
        } else {
            ""
        },
        app.key_name(Scope::Review, Command::TranscriptDown),
        app.key_name(Scope::Review, Command::TranscriptUp)
    );
    draw_transcript(f, lay.transcript, transcript_title, r, &score, theme);
    draw_rubric(f, lay.rubric, q, rubric, theme);
    let note_keys = (
        app.key_name(Scope::Review, Command::Note),
        app.key_name(Scope::Editor, Command::Leave),
    );
    draw_note(f, lay.note, note_keys, r, &score, theme);
    draw_strip(f, lay.strip, app, d, r, theme);
}

fn draw_title(
    f: &mut Frame,
    area: Rect,
    app: &App,
    d: &AssignmentDetail,
    r: &ReviewState,
    theme: &Theme,
) {
    let who = if d.candidate.revealed {
        d.candidate.display_name.clone()
    } else {
        format!("{} (pseudonym)", d.candidate.display_name)
    };
    let due = parse_ms(&d.due_at)
        .map(|t| due_text(t, app.now_ms))
        .unwrap_or_default();
    let status = match d.status {
        takes_api::AssignmentStatus::Submitted => "submitted".to_string(),
        _ => format!("due {due}"),
    };
    let line = Line::from(vec![
        Span::styled(format!(" {who}"), theme.title),
        Span::styled(
            format!(" · {} · {}", d.role.title, d.role.department),
            theme.text,
        ),
        Span::styled(
            format!(" · Q{}/{} · {status}", r.current + 1, d.questions.len()),
            theme.dim,
        ),
    ]);
    f.render_widget(Paragraph::new(line), area);
}

fn draw_transcript(
    f: &mut Frame,
    area: Rect,
    title: String,
    r: &ReviewState,
    score: &ScoreView,
    theme: &Theme,
) {
    let block = pane(title, false, theme);
    let inner = block.inner(area);
    f.render_widget(block, area);
    if inner.width < 8 || inner.height == 0 {
        return;
    }
    let cues = match r.cues() {
        None => {
            f.render_widget(Paragraph::new("No transcript.").style(theme.dim), inner);
            return;
        }
        Some(TranscriptState::Loading) => {
            f.render_widget(
                Paragraph::new("Loading the transcript…").style(theme.dim),
                inner,
            );
            return;
        }
        Some(TranscriptState::Pending) => {
            f.render_widget(
                Paragraph::new("Transcript pending: the server is still transcribing this answer.")
                    .style(theme.dim)
                    .wrap(Wrap { trim: true }),
                inner,
            );
            return;
        }
        Some(TranscriptState::Failed(e)) => {
            f.render_widget(
                Paragraph::new(e.as_str())
                    .style(theme.error)
                    .wrap(Wrap { trim: true }),
                inner,
            );
            return;
        }
        Some(TranscriptState::Loaded(c)) => c,
    };
    if cues.is_empty() {
        f.render_widget(
            Paragraph::new("The transcript is empty.").style(theme.dim),
            inner,
        );
        return;
    }
    // Wrap every cue; remember where the selected one starts.
    let text_w = (inner.width as usize).saturating_sub(7).max(1);
    let mut lines: Vec<Line> = Vec::new();
    let mut sel_start = 0;
    let mut sel_end = 0;
    for (i, cue) in cues.iter().enumerate() {
        let is_sel = i == r.cue;
        let is_ev = score
            .evidence
            .iter()
            .any(|e| (e.start_s - cue.start_s).abs() < 0.001);
        let style = if is_sel {
            theme.cue_current
        } else if is_ev {
            theme.cue_evidence
        } else {
            theme.cue
        };
        if is_sel {
            sel_start = lines.len();
        }
        for (j, chunk) in wrap(&cue.text, text_w).into_iter().enumerate() {
            let stamp = if j == 0 {
                format!("{:>5}", fmt_time(cue.start_s))
            } else {
                "     ".into()
            };
            let mark = if is_ev && j == 0 { "▌" } else { " " };
            let pad = text_w.saturating_sub(unicode_width::UnicodeWidthStr::width(chunk.as_str()));
            lines.push(Line::from(vec![
                Span::styled(stamp, theme.cue_time),
                Span::styled(mark, theme.cue_evidence),
                Span::styled(
                    format!(
                        "{chunk}{}",
                        if is_sel {
                            " ".repeat(pad)
                        } else {
                            String::new()
                        }
                    ),
                    style,
                ),
            ]));
        }
        if is_sel {
            sel_end = lines.len();
        }
    }
    let h = inner.height as usize;
    let mut offset = 0;
    if sel_end > h {
        offset = sel_end - h;
    }
    if sel_start < offset {
        offset = sel_start;
    }
    let visible: Vec<Line> = lines.into_iter().skip(offset).take(h).collect();
    f.render_widget(Paragraph::new(visible), inner);
}

/// Word-wraps `s` to `w` columns (long words are cut).
pub fn wrap(s: &str, w: usize) -> Vec<String> {
    use unicode_width::UnicodeWidthStr;
    let mut out = Vec::new();
    let mut cur = String::new();
    for word in s.split_whitespace() {
        let mut word = word.to_string();
        while word.width() > w {
            if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            let cut: String = {
                let mut acc = String::new();
                for c in word.chars() {
                    if (acc.clone() + &c.to_string()).width() > w {
                        break;
                    }
                    acc.push(c);
                }
                if acc.is_empty() {
                    word.chars().take(1).collect()
                } else {
                    acc
                }
            };
            word = word[cut.len()..].to_string();
            out.push(cut);
        }
        if word.is_empty() {
            continue;
        }
        if cur.is_empty() {
            cur = word;
        } else if cur.width() + 1 + word.width() <= w {
            cur.push(' ');
            cur.push_str(&word);
        } else {
            out.push(std::mem::replace(&mut cur, word));
        }
    }
    if !cur.is_empty() || out.is_empty() {
        out.push(cur);
    }
    out
}

/// `version`: the question-set version the interview was invited with,
/// whose rubric this is (it may be older than the role's current one).
fn rubric_lines(
    q: &QuestionView,
    version: Option<i64>,
    score: &ScoreView,
    w: usize,
    theme: &Theme,
) -> Vec<Line<'static>> {
    let w = w.max(10);
    let rb = &q.rubric;
    let mut lines: Vec<Line> = wrap(&q.prompt, w)
        .into_iter()
        .map(|l| Line::from(Span::styled(l, theme.text)))
        .collect();
    lines.push(Line::from(Span::styled(
        format!(
            "scale {}–{} · pass ≥ {}{}",
            rb.scale_min,
            rb.scale_max,
            rb.pass_score,
            version
                .map(|v| format!(" · rubric v{v}"))
                .unwrap_or_default()
        ),
        theme.dim,
    )));
    for a in &rb.anchors {
        let current = score.rating == Some(a.score);
        let (num_style, text_style) = if current {
            (theme.anchor_current, theme.anchor_current)
        } else {
            (theme.anchor_score, theme.anchor)
        };
        let text = format!("{} — {}", a.label, a.description);
        for (i, chunk) in wrap(&text, w.saturating_sub(4)).into_iter().enumerate() {
            let num = if i == 0 {
                format!(" {} ", a.score)
            } else {
                "   ".into()
            };
            lines.push(Line::from(vec![
                Span::styled(num, if i == 0 { num_style } else { text_style }),
                Span::styled(format!(" {chunk}"), text_style),
            ]));
        }
    }
    let yours = match score.rating {
        Some(n) => {
            let anchor = rb
                .anchors
                .iter()
                .find(|a| a.score == n)
                .map(|a| a.label.clone());
            let between = if anchor.is_none() {
                let lo = rb
                    .anchors
                    .iter()
                    .filter(|a| a.score < n)
                    .max_by_key(|a| a.score);
                let hi = rb
                    .anchors
                    .iter()
                    .filter(|a| a.score > n)
                    .min_by_key(|a| a.score);
                match (lo, hi) {
                    (Some(l), Some(h)) => Some(format!("between {} and {}", l.label, h.label)),
                    _ => None,
                }
            } else {
                anchor
            };
            Line::from(vec![
                Span::styled("Your rating: ", theme.text),
                Span::styled(format!(" {n} "), theme.anchor_current),
                Span::styled(
                    between.map(|b| format!(" {b}")).unwrap_or_default(),
                    theme.dim,
                ),
            ])
        }
        None => Line::from(Span::styled(
            format!(
                "Not rated yet: press {}–{}",
                rb.scale_min,
                rb.scale_max.min(9)
            ),
            theme.score_unset,
        )),
    };
    lines.push(yours);
    lines
}

fn draw_rubric(
    f: &mut Frame,
    area: Rect,
    q: &QuestionView,
    lines: Vec<Line<'static>>,
    theme: &Theme,
) {
    let block = pane(
        format!(" Q{} · {} ", q.position, q.competency),
        false,
        theme,
    );
    let inner = block.inner(area);
    f.render_widget(block, area);
    f.render_widget(Paragraph::new(lines), inner);
}

fn sync_text(s: &Option<SyncState>, theme: &Theme) -> (String, Style) {
    match s {
        None => ("".into(), theme.dim),
        Some(SyncState::Saving) => ("saving…".into(), theme.sync_local),
        Some(SyncState::Saved) => ("saved locally".into(), theme.sync_local),
        Some(SyncState::Synced) => ("synced".into(), theme.sync_synced),
        Some(SyncState::Failed(r)) => (format!("failed: {r}"), theme.sync_failed),
    }
}

/// `keys`: the note key and the editor's leave key, as bound.
fn draw_note(
    f: &mut Frame,
    area: Rect,
    (note, leave): (String, String),
    r: &ReviewState,
    score: &ScoreView,
    theme: &Theme,
) {
    let editing = r.editor.is_some();
    let ev = if score.evidence.is_empty() {
        String::new()
    } else {
        format!(" · evidence: {} cue(s)", score.evidence.len())
    };
    let title = if editing {
        format!(" Note — editing, {leave} leaves{ev} ")
    } else {
        format!(" Note ({note}){ev} ")
    };
    let block = pane(title, editing, theme);
    let inner = block.inner(area);
    f.render_widget(block, area);
    if inner.height == 0 {
        return;
    }
    match &r.editor {
        Some(ed) => {
            let (line, col) = ed.line_col();
            let h = inner.height as usize;
            let skip = (line + 1).saturating_sub(h);
            let text: Vec<Line> = ed
                .text
                .split('\n')
                .skip(skip)
                .take(h)
                .map(|l| Line::from(Span::styled(l.to_string(), theme.input)))
                .collect();
            f.render_widget(Paragraph::new(text), inner);
            let x = inner.x + (col as u16).min(inner.width.saturating_sub(1));
            let y = inner.y + ((line - skip) as u16).min(inner.height - 1);
            f.set_cursor_position((x, y));
        }
        None => {
            let text = match &score.note {
                Some(n) => Paragraph::new(n.clone())
                    .style(theme.text)
                    .wrap(Wrap { trim: false }),
                None => Paragraph::new("No note.").style(theme.dim),
            };
            f.render_widget(text, inner);
        }
    }
}

fn draw_strip(
    f: &mut Frame,
    area: Rect,
    app: &App,
    d: &AssignmentDetail,
    r: &ReviewState,
    theme: &Theme,
) {
    let mut spans = vec![Span::styled(" Scores ", theme.title)];
    for (i, q) in d.questions.iter().enumerate() {
        let s = app.score(d, &q.id);
        let glyph = match &s.sync {
            None if s.rating.is_some() => "✓",
            None => "",
            Some(SyncState::Synced) => "✓",
            Some(SyncState::Saved) => "●",
            Some(SyncState::Saving) => "…",
            Some(SyncState::Failed(_)) => "✗",
        };
        let val = s
            .rating
            .map(|n| n.to_string())
            .unwrap_or_else(|| "·".into());
        let style = if i == r.current {
            theme.score_current
        } else if s.rating.is_some() {
            theme.score_set
        } else {
            theme.score_unset
        };
        let gstyle = match &s.sync {
            Some(SyncState::Saved) | Some(SyncState::Saving) => theme.sync_local,
            Some(SyncState::Failed(_)) => theme.sync_failed,
            _ => theme.sync_synced,
        };
        spans.push(Span::styled(format!(" Q{} {val}", q.position), style));
        spans.push(Span::styled(
            format!("{glyph:<1} "),
            if i == r.current {
                gstyle.patch(bg_of(theme.score_current))
            } else {
                gstyle
            },
        ));
        spans.push(Span::raw(" "));
    }
    let q = r.question();
    let cur = q.map(|q| app.score(d, &q.id));
    let (text, style) = match cur.as_ref().map(|c| (&c.sync, c.rating)) {
        Some((None, Some(_))) => ("synced".to_string(), theme.sync_synced),
        Some((s, _)) => sync_text(s, theme),
        None => (String::new(), theme.dim),
    };
    let mut second = vec![Span::styled(
        " ● saved locally  ✓ synced  ✗ failed",
        theme.dim,
    )];
    if !text.is_empty() {
        second.push(Span::styled(format!("   Q{}: ", r.current + 1), theme.dim));
        second.push(Span::styled(fit(&text, area.width as usize / 2), style));
    }
    if let Some(id) = &app.submit.pending {
        if *id == d.id {
            second.push(Span::styled(
                "   waiting for sync, then submitting…",
                theme.info,
            ));
        }
    }
    let lines = vec![Line::from(spans), Line::from(second)];
    f.render_widget(Paragraph::new(lines), area);
}
