//! The completion funnel, per-question drop-off and how candidates use
//! their completion window.

use super::describe::{percentiles, Percentiles};

/// Counts at each stage: invited -> started -> completed -> reviewed (two
/// or more, or all assigned, reviews submitted: the store decides) ->
/// decided.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct StageCounts {
    pub invited: u64,
    pub started: u64,
    pub completed: u64,
    pub reviewed: u64,
    pub decided: u64,
}

/// One stage of the funnel with its rates.
#[derive(Clone, Debug, PartialEq)]
pub struct Stage {
    pub name: &'static str,
    pub count: u64,
    /// count / previous stage's count (`None` when the previous is 0).
    pub rate_from_previous: Option<f64>,
    /// count / invited (`None` when nobody was invited).
    pub rate_from_invited: Option<f64>,
}

pub fn rate(part: u64, whole: u64) -> Option<f64> {
    (whole > 0).then(|| part as f64 / whole as f64)
}

pub fn funnel(c: StageCounts) -> Vec<Stage> {
    let stages = [
        ("invited", c.invited),
        ("started", c.started),
        ("completed", c.completed),
        ("reviewed", c.reviewed),
        ("decided", c.decided),
    ];
    let mut previous = None;
    stages
        .iter()
        .map(|&(name, count)| {
            let stage = Stage {
                name,
                count,
                rate_from_previous: previous.and_then(|p| rate(count, p)),
                rate_from_invited: rate(count, c.invited),
            };
            previous = Some(count);
            stage
        })
        .collect()
}

/// Where starters abandon: at question `position` (1-based), of those who
/// started.
#[derive(Clone, Debug, PartialEq)]
pub struct DropOff {
    pub position: usize,
    /// Candidates who recorded this question.
    pub answered: u64,
    /// Candidates who recorded the previous question (or started, for the
    /// first) but not this one.
    pub abandoned: u64,
    /// abandoned / started.
    pub share_of_starters: Option<f64>,
}

/// `answered[k]` is how many started interviews have a recorded response
/// to question k + 1. A count above the previous one (a candidate who
/// skipped ahead cannot, but data may be odd) abandons nobody.
pub fn drop_off(started: u64, answered: &[u64]) -> Vec<DropOff> {
    let mut before = started;
    answered
        .iter()
        .enumerate()
        .map(|(i, &n)| {
            let abandoned = before.saturating_sub(n);
            before = n;
            DropOff {
                position: i + 1,
                answered: n,
                abandoned,
                share_of_starters: rate(abandoned, started),
            }
        })
        .collect()
}

/// One completed interview's times, in milliseconds since the epoch.
#[derive(Clone, Copy, Debug)]
pub struct Completion {
    pub invited_at: i64,
    pub expires_at: i64,
    pub completed_at: i64,
}

/// Time to complete and use of the completion window.
#[derive(Clone, Debug, PartialEq)]
pub struct WindowUse {
    /// Hours from invitation to completion.
    pub hours_to_complete: Percentiles,
    /// Share of the window used, 0..=1 (can pass 1 when a window was
    /// extended after the invitation).
    pub window_used: Percentiles,
    /// Share of completions in the last 10% of their window.
    pub last_tenth_share: Option<f64>,
}

const HOUR_MS: f64 = 3_600_000.0;

pub fn window_use(completions: &[Completion]) -> WindowUse {
    let mut hours = Vec::with_capacity(completions.len());
    let mut used = Vec::with_capacity(completions.len());
    for c in completions {
        let window = c.expires_at.saturating_sub(c.invited_at);
        let took = c.completed_at.saturating_sub(c.invited_at);
        hours.push(took as f64 / HOUR_MS);
        // A zero window cannot be stored (CHECK), but divide safely anyway.
        if window > 0 {
            used.push(took as f64 / window as f64);
        }
    }
    let late = used.iter().filter(|&&u| u >= 0.9).count() as u64;
    WindowUse {
        hours_to_complete: percentiles(&hours),
        last_tenth_share: rate(late, used.len() as u64),
        window_used: percentiles(&used),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: Option<f64>, b: f64) -> bool {
        a.is_some_and(|a| (a - b).abs() < 1e-9)
    }

    #[test]
    fn funnel_rates_step_by_step_and_from_invited() {
        // 10 -> 8 -> 6 -> 4 -> 3: from previous 8/10 = 0.8, 6/8 = 0.75,
        // 4/6 = 0.6667, 3/4 = 0.75; from invited 0.8, 0.6, 0.4, 0.3.
        let f = funnel(StageCounts {
            invited: 10,
            started: 8,
            completed: 6,
            reviewed: 4,
            decided: 3,
        });
        let names: Vec<_> = f.iter().map(|s| s.name).collect();
        assert_eq!(
            names,
            ["invited", "started", "completed", "reviewed", "decided"]
        );
        assert_eq!(f[0].rate_from_previous, None);
        assert!(close(f[0].rate_from_invited, 1.0));
        assert!(close(f[1].rate_from_previous, 0.8));
        assert!(close(f[2].rate_from_previous, 0.75));
        assert!(close(f[3].rate_from_previous, 4.0 / 6.0));
        assert!(close(f[4].rate_from_previous, 0.75));
        assert!(close(f[4].rate_from_invited, 0.3));
    }

    #[test]
    fn empty_funnel_has_no_rates() {
        let f = funnel(StageCounts::default());
        assert!(f.iter().all(|s| s.rate_from_invited.is_none()));
    }

    #[test]
    fn drop_off_per_question() {
        // 8 started; answered q1..q4 = 8, 7, 6, 6: abandoned 8-8 = 0,
        // 8-7 = 1, 7-6 = 1, 6-6 = 0; shares 0, 1/8, 1/8, 0.
        let d = drop_off(8, &[8, 7, 6, 6]);
        let abandoned: Vec<_> = d.iter().map(|x| x.abandoned).collect();
        assert_eq!(abandoned, [0, 1, 1, 0]);
        assert!(close(d[1].share_of_starters, 0.125));
        assert_eq!(d[3].position, 4);
        // An odd count above the previous abandons nobody (no underflow).
        assert_eq!(drop_off(2, &[3, 1])[0].abandoned, 0);
        assert_eq!(drop_off(0, &[0])[0].share_of_starters, None);
    }

    #[test]
    fn window_use_and_the_last_tenth() {
        // Window 100 h; completions after 10, 50, 95, 100 h: used 0.1,
        // 0.5, 0.95, 1.0; two of four are >= 0.9 -> last tenth 0.5;
        // median hours (50 + 95) / 2 = 72.5.
        let h = 3_600_000;
        let done = |after: i64| Completion {
            invited_at: 0,
            expires_at: 100 * h,
            completed_at: after * h,
        };
        let w = window_use(&[done(10), done(50), done(95), done(100)]);
        assert!(close(w.last_tenth_share, 0.5));
        assert!(close(w.hours_to_complete.p50, 72.5));
        assert!(close(w.window_used.max, 1.0));
        assert_eq!(window_use(&[]).last_tenth_share, None);
    }
}
