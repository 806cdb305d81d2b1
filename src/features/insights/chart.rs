//! The charts: the funnel as bars, weekly completion per role as
//! sparklines, and one question's score histogram. Each one draws only
//! into the area it is given and gives up quietly when that is too small.

use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Bar, BarChart, BarGroup, Block, Paragraph, Sparkline};
use ratatui::Frame;
use takes_api::insights::{FunnelGroup, FunnelStage, ScoreDistribution};

use super::words::pct;
use crate::client::insights::InsightsBundle;
use crate::config::Theme;
use crate::screens::widgets::fit;

/// Bars of `count` values in `width` columns: as wide as they fit, 1 to 9.
fn bar_width(width: u16, count: usize) -> u16 {
    let count = count.max(1) as u16;
    (width.saturating_sub(count) / count).clamp(1, 9)
}

pub fn funnel(f: &mut Frame, area: Rect, stages: &[FunnelStage], theme: &Theme) {
    if area.height < 4 || area.width < 10 || stages.is_empty() {
        return;
    }
    let width = bar_width(area.width.saturating_sub(2), stages.len());
    let bars: Vec<Bar> = stages
        .iter()
        .map(|s| {
            let label = fit(&s.stage, width as usize);
            Bar::default()
                .value(s.count.max(0) as u64)
                .label(Line::from(label))
                .text_value(s.count.to_string())
                .style(theme.info)
                .value_style(theme.selection)
        })
        .collect();
    let chart = BarChart::default()
        .block(
            Block::bordered()
                .title(Span::styled(" Funnel ", theme.title))
                .border_style(theme.border),
        )
        .data(BarGroup::default().bars(&bars))
        .bar_width(width)
        .bar_gap(1);
    f.render_widget(chart, area);
}

/// Completion of each week's invitations, in whole percent.
fn weekly_rates(weeks: &[FunnelGroup]) -> Vec<u64> {
    weeks
        .iter()
        .map(|w| {
            w.stages
                .iter()
                .find(|s| s.stage == "completed")
                .and_then(|s| s.rate_from_invited)
                .map_or(0, |r| (r * 100.0).round().clamp(0.0, 100.0) as u64)
        })
        .collect()
}

fn last_rate(weeks: &[FunnelGroup]) -> String {
    let rate = weeks.last().and_then(|w| {
        w.stages
            .iter()
            .find(|s| s.stage == "completed")
            .and_then(|s| s.rate_from_invited)
    });
    pct(rate)
}

/// The Monday (`2026-11-30`, UTC, as the funnel keys its weeks) of the
/// week holding `now_ms`.
fn this_monday(now_ms: i64) -> Option<String> {
    let day = now_ms.div_euclid(86_400_000);
    // 1970-01-01 was a Thursday: three days after a Monday.
    let monday = day - (day + 3).rem_euclid(7);
    let t = time::OffsetDateTime::from_unix_timestamp(monday * 86_400).ok()?;
    Some(t.date().to_string())
}

/// The finished weeks: the current one has had no time to complete, so
/// its rate (0% on a Monday) would read as a collapse.
fn finished(weeks: &[FunnelGroup], now_ms: i64) -> &[FunnelGroup] {
    let Some(monday) = this_monday(now_ms) else {
        return weeks;
    };
    let end = weeks
        .iter()
        .rposition(|w| w.key < monday)
        .map_or(0, |i| i + 1);
    &weeks[..end]
}

/// One line per role: its title, the sparkline of its finished weeks and
/// the last finished week's rate (the current week is left out).
pub fn weekly(f: &mut Frame, area: Rect, data: &InsightsBundle, now_ms: i64, theme: &Theme) {
    if area.height < 3 || area.width < 20 {
        return;
    }
    let block = Block::bordered()
        .title(Span::styled(
            " Weekly completion by role, finished weeks ",
            theme.title,
        ))
        .border_style(theme.border);
    let inner = block.inner(area);
    f.render_widget(block, area);
    let mut rows: Vec<(String, &[FunnelGroup])> = data
        .weekly_by_role
        .iter()
        .map(|r| (r.role.clone(), r.weeks.as_slice()))
        .collect();
    if rows.is_empty() {
        if let Ok(f) = &data.funnel {
            rows.push(("All roles".into(), f.by_week.as_slice()));
        }
    }
    let label_w = (inner.width / 3).min(20);
    for (i, (role, weeks)) in rows.iter().take(inner.height as usize).enumerate() {
        let y = inner.y + i as u16;
        let [label, spark, last] = Layout::horizontal([
            Constraint::Length(label_w),
            Constraint::Min(1),
            Constraint::Length(6),
        ])
        .areas(Rect {
            y,
            height: 1,
            ..inner
        });
        f.render_widget(
            Paragraph::new(fit(role, label_w.saturating_sub(1) as usize)).style(theme.text),
            label,
        );
        let weeks = finished(weeks, now_ms);
        let values = weekly_rates(weeks);
        // The newest weeks when there are more than columns.
        let shown = &values[values.len().saturating_sub(spark.width as usize)..];
        f.render_widget(
            Sparkline::default().data(shown).max(100).style(theme.info),
            spark,
        );
        f.render_widget(
            Paragraph::new(format!(" {}", last_rate(weeks))).style(theme.text),
            last,
        );
    }
}

/// The selected question's ratings, one bar per score of the scale.
pub fn histogram(f: &mut Frame, area: Rect, d: &ScoreDistribution, theme: &Theme) {
    if area.height < 4 || area.width < 8 || d.counts.is_empty() {
        return;
    }
    let width = bar_width(area.width.saturating_sub(2), d.counts.len());
    let bars: Vec<Bar> = d
        .counts
        .iter()
        .map(|c| {
            Bar::default()
                .value(c.count.max(0) as u64)
                .label(Line::from(c.score.to_string()))
                .text_value(c.count.to_string())
                .style(theme.info)
                .value_style(theme.selection)
        })
        .collect();
    let title = format!(" {} (n {}) ", d.label, d.n);
    let chart = BarChart::default()
        .block(
            Block::bordered()
                .title(Span::styled(
                    fit(&title, area.width.saturating_sub(2) as usize),
                    theme.title,
                ))
                .border_style(theme.border),
        )
        .data(BarGroup::default().bars(&bars))
        .bar_width(width)
        .bar_gap(1);
    f.render_widget(chart, area);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn week(key: &str) -> FunnelGroup {
        FunnelGroup {
            key: key.into(),
            label: key.into(),
            stages: vec![],
        }
    }

    #[test]
    fn the_current_week_is_left_out() {
        // 2026-12-02 (a Wednesday) 14:00 UTC: its week began on Monday
        // 2026-11-30.
        let now = 1_796_220_000_000;
        assert_eq!(this_monday(now).as_deref(), Some("2026-11-30"));
        // A Monday at midnight is its own week's first instant.
        assert_eq!(
            this_monday(1_795_996_800_000).as_deref(),
            Some("2026-11-30")
        );
        let weeks = [week("2026-11-16"), week("2026-11-23"), week("2026-11-30")];
        let kept: Vec<&str> = finished(&weeks, now)
            .iter()
            .map(|w| w.key.as_str())
            .collect();
        assert_eq!(kept, ["2026-11-16", "2026-11-23"]);
        // Older data with no current week loses nothing.
        assert_eq!(finished(&weeks[..2], now).len(), 2);
    }
}
