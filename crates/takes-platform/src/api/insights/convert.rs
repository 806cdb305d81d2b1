//! The pure figures of `crate::insights` in their wire form.

use takes_api::insights as wire;

use crate::insights::{describe, funnel, raters};

fn n(v: usize) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

fn c(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

/// Counts from the database are never negative; clamp rather than trust.
pub fn u(v: i64) -> u64 {
    u64::try_from(v).unwrap_or(0)
}

pub fn percentiles(p: &describe::Percentiles) -> wire::Percentiles {
    wire::Percentiles {
        n: n(p.n),
        p50: p.p50,
        p90: p.p90,
        max: p.max,
    }
}

pub fn stages(counts: funnel::StageCounts) -> Vec<wire::FunnelStage> {
    funnel::funnel(counts)
        .into_iter()
        .map(|s| wire::FunnelStage {
            stage: s.name.to_string(),
            count: c(s.count),
            rate_from_previous: s.rate_from_previous,
            rate_from_invited: s.rate_from_invited,
        })
        .collect()
}

pub fn window(w: &funnel::WindowUse) -> wire::WindowUse {
    wire::WindowUse {
        hours_to_complete: percentiles(&w.hours_to_complete),
        window_used: percentiles(&w.window_used),
        last_tenth_share: w.last_tenth_share,
    }
}

pub fn drop_off(d: &funnel::DropOff, prompt: String) -> wire::QuestionDropOff {
    wire::QuestionDropOff {
        position: n(d.position),
        prompt,
        answered: c(d.answered),
        abandoned: c(d.abandoned),
        share_of_starters: d.share_of_starters,
    }
}

pub fn distribution(
    key: String,
    label: String,
    d: &describe::Distribution,
) -> wire::ScoreDistribution {
    wire::ScoreDistribution {
        key,
        label,
        n: n(d.n),
        mean: d.mean,
        sd: d.sd,
        median: d.median,
        counts: d
            .counts
            .iter()
            .map(|&(score, count)| wire::ScoreCount {
                score,
                count: c(count),
            })
            .collect(),
        outside_scale: c(d.outside_scale),
    }
}

pub fn leniency(reviewer: String, m: &raters::MeanInterval) -> wire::Leniency {
    wire::Leniency {
        reviewer,
        n: n(m.n),
        mean_deviation: m.mean,
        lower: m.lower,
        upper: m.upper,
    }
}

pub fn halo(reviewer: String, h: &raters::Halo) -> wire::HaloCheck {
    wire::HaloCheck {
        reviewer,
        sheets: n(h.sheets),
        spread: h.spread,
        panel_spread: h.panel_spread,
        ratio: h.ratio,
        flagged: h.flagged,
    }
}

pub fn shift(key: String, label: String, s: &raters::Shift) -> wire::Shift {
    wire::Shift {
        key,
        label,
        n: n(s.n),
        mean_shift: s.mean_shift,
        changed: s.changed,
        up: n(s.up),
        down: n(s.down),
        z: s.z,
        stands_out: s.stands_out,
    }
}
