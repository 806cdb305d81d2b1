//! The Insights screen's state: which figures are shown, the filters they
//! were asked with, and what the platform answered.

use crate::client::insights::{InsightsBundle, InsightsQuery};

/// The sections of the screen. Reviewers see only [`Tab::Mine`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tab {
    Funnel,
    Turnaround,
    Scores,
    Shift,
    Reliability,
    Validity,
    /// Selection rates by voluntary self-identification group: staff only,
    /// never in a reviewer's tabs.
    Impact,
    Alerts,
    Mine,
}

impl Tab {
    pub const STAFF: [Tab; 9] = [
        Tab::Funnel,
        Tab::Turnaround,
        Tab::Scores,
        Tab::Shift,
        Tab::Reliability,
        Tab::Validity,
        Tab::Impact,
        Tab::Alerts,
        Tab::Mine,
    ];

    /// The tab's name in the tab line.
    pub fn short(self) -> &'static str {
        match self {
            Tab::Shift => "Shift",
            Tab::Impact => "Impact",
            Tab::Mine => "Mine",
            other => other.title(),
        }
    }

    /// The tab's name when the short ones do not fit (80 columns).
    pub fn tiny(self) -> &'static str {
        match self {
            Tab::Turnaround => "Turn",
            Tab::Reliability => "Reliab",
            Tab::Validity => "Valid",
            other => other.short(),
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Tab::Funnel => "Funnel",
            Tab::Turnaround => "Turnaround",
            Tab::Scores => "Scores",
            Tab::Shift => "Muted-first shift",
            Tab::Reliability => "Reliability",
            Tab::Validity => "Validity",
            Tab::Impact => "Adverse impact",
            Tab::Alerts => "Alerts",
            Tab::Mine => "My reviewing",
        }
    }
}

/// The period the figures cover, ending now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Period {
    All,
    Days(i64),
}

impl Period {
    pub const CYCLE: [Period; 4] = [
        Period::All,
        Period::Days(28),
        Period::Days(91),
        Period::Days(365),
    ];

    pub fn label(self) -> String {
        match self {
            Period::All => "all time".into(),
            Period::Days(d) => format!("last {d} days"),
        }
    }

    pub fn next(self) -> Period {
        let i = Period::CYCLE.iter().position(|p| *p == self).unwrap_or(0);
        Period::CYCLE[(i + 1) % Period::CYCLE.len()]
    }
}

#[derive(Debug, Clone)]
pub struct InsightsState {
    /// Recruiters and admins: the organisation's figures; reviewers only
    /// their own.
    pub staff: bool,
    pub tab: Tab,
    /// The answer to an older request (filters changed since) is dropped.
    pub gen: u64,
    pub loading: bool,
    pub data: Option<Box<InsightsBundle>>,
    /// Roles (id, title) and departments seen in any answer, for the
    /// filters to cycle through.
    pub roles: Vec<(String, String)>,
    pub departments: Vec<String>,
    /// Index into `roles` / `departments`; `None` is every one.
    pub role: Option<usize>,
    pub department: Option<usize>,
    pub period: Period,
    /// First line shown of the section's text.
    pub scroll: usize,
    /// The question whose histogram the scores section draws.
    pub question: usize,
}

impl InsightsState {
    pub fn new(staff: bool) -> InsightsState {
        InsightsState {
            staff,
            tab: if staff { Tab::Funnel } else { Tab::Mine },
            gen: 0,
            loading: true,
            data: None,
            roles: vec![],
            departments: vec![],
            role: None,
            department: None,
            period: Period::All,
            scroll: 0,
            question: 0,
        }
    }

    pub fn tabs(&self) -> &'static [Tab] {
        if self.staff {
            &Tab::STAFF
        } else {
            &[Tab::Mine]
        }
    }

    pub fn role_label(&self) -> String {
        self.role
            .and_then(|i| self.roles.get(i))
            .map_or_else(|| "every role".into(), |r| r.1.clone())
    }

    pub fn department_label(&self) -> String {
        self.department
            .and_then(|i| self.departments.get(i))
            .map_or_else(|| "every department".into(), |d| d.clone())
    }

    /// The query of the filters, the period ending at `now_ms`.
    pub fn query(&self, now_ms: i64) -> InsightsQuery {
        let since = match self.period {
            Period::All => None,
            Period::Days(d) => rfc3339(now_ms - d * 86_400_000),
        };
        InsightsQuery {
            role: self
                .role
                .and_then(|i| self.roles.get(i))
                .map(|r| r.0.clone()),
            department: self
                .department
                .and_then(|i| self.departments.get(i))
                .cloned(),
            since,
            until: None,
        }
    }

    /// Learns the roles and departments an answer names (the lists only
    /// grow, so a filter never hides its own choices).
    pub fn learn(&mut self, data: &InsightsBundle) {
        let Ok(f) = &data.funnel else { return };
        for g in &f.by_role {
            if !self.roles.iter().any(|r| r.0 == g.key) {
                self.roles.push((g.key.clone(), g.label.clone()));
            }
        }
        for g in &f.by_department {
            if !self.departments.contains(&g.key) {
                self.departments.push(g.key.clone());
            }
        }
    }
}

fn rfc3339(ms: i64) -> Option<String> {
    let t = time::OffsetDateTime::from_unix_timestamp(ms.div_euclid(1000)).ok()?;
    t.format(&time::format_description::well_known::Rfc3339)
        .ok()
}

/// `None` → 0 → 1 → … → last → `None`.
pub fn cycle(current: Option<usize>, len: usize) -> Option<usize> {
    match current {
        _ if len == 0 => None,
        None => Some(0),
        Some(i) if i + 1 < len => Some(i + 1),
        Some(_) => None,
    }
}
