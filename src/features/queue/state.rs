//! The queue's state: the loaded rows, the filters and sort, and the rows
//! shown. Pure data and the ordering rules; no I/O.

use std::cell::Cell;

use takes_api::{AssignmentStatus, QueueItem};

use crate::app::action::Counts;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusFilter {
    Open,
    Pending,
    InProgress,
    Submitted,
    All,
}

impl StatusFilter {
    pub fn parse(s: &str) -> StatusFilter {
        match s {
            "pending" => StatusFilter::Pending,
            "in_progress" => StatusFilter::InProgress,
            "submitted" => StatusFilter::Submitted,
            "all" => StatusFilter::All,
            _ => StatusFilter::Open,
        }
    }

    pub fn next(self) -> StatusFilter {
        match self {
            StatusFilter::Open => StatusFilter::Pending,
            StatusFilter::Pending => StatusFilter::InProgress,
            StatusFilter::InProgress => StatusFilter::Submitted,
            StatusFilter::Submitted => StatusFilter::All,
            StatusFilter::All => StatusFilter::Open,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            StatusFilter::Open => "open",
            StatusFilter::Pending => "pending",
            StatusFilter::InProgress => "in progress",
            StatusFilter::Submitted => "submitted",
            StatusFilter::All => "all",
        }
    }

    pub fn accepts(self, s: AssignmentStatus) -> bool {
        match self {
            StatusFilter::Open => s != AssignmentStatus::Submitted,
            StatusFilter::Pending => s == AssignmentStatus::Pending,
            StatusFilter::InProgress => s == AssignmentStatus::InProgress,
            StatusFilter::Submitted => s == AssignmentStatus::Submitted,
            StatusFilter::All => true,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortKey {
    Due,
    Candidate,
    Role,
    Progress,
}

impl SortKey {
    pub fn next(self) -> SortKey {
        match self {
            SortKey::Due => SortKey::Candidate,
            SortKey::Candidate => SortKey::Role,
            SortKey::Role => SortKey::Progress,
            SortKey::Progress => SortKey::Due,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            SortKey::Due => "due date",
            SortKey::Candidate => "candidate",
            SortKey::Role => "role",
            SortKey::Progress => "progress",
        }
    }
}

#[derive(Debug, Clone)]
pub struct QueueState {
    pub items: Vec<QueueItem>,
    /// Indices into `items` after filter and sort: what the table shows.
    pub view: Vec<usize>,
    /// Index into `view`.
    pub selected: usize,
    /// First visible row; the view keeps it so the selection stays visible.
    pub offset: Cell<usize>,
    /// Rows the table showed last time (for paging).
    pub page_rows: Cell<usize>,
    pub next_cursor: Option<String>,
    pub total: i64,
    pub loading: bool,
    pub loaded_once: bool,
    pub gen: u64,
    pub error: Option<String>,
    pub text: String,
    /// While typing a filter: the text to restore on Esc.
    pub editing: Option<String>,
    pub role: Option<String>,
    pub status: StatusFilter,
    pub sort: SortKey,
    pub counts: Option<Counts>,
    pub last_refresh_ms: i64,
}

impl QueueState {
    pub fn new(status: StatusFilter) -> QueueState {
        QueueState {
            items: Vec::new(),
            view: Vec::new(),
            selected: 0,
            offset: Cell::new(0),
            page_rows: Cell::new(20),
            next_cursor: None,
            total: 0,
            loading: false,
            loaded_once: false,
            gen: 0,
            error: None,
            text: String::new(),
            editing: None,
            role: None,
            status,
            sort: SortKey::Due,
            counts: None,
            last_refresh_ms: 0,
        }
    }

    pub fn selected_item(&self) -> Option<&QueueItem> {
        self.view
            .get(self.selected)
            .and_then(|i| self.items.get(*i))
    }

    pub fn filtered(&self) -> bool {
        !self.text.is_empty() || self.role.is_some() || self.sort != SortKey::Due
    }

    /// Rebuilds `view` from the filters, keeping the selected assignment.
    pub fn recompute(&mut self) {
        let keep = self.selected_item().map(|i| i.id.clone());
        let needle = self.text.to_lowercase();
        let words: Vec<&str> = needle.split_whitespace().collect();
        let mut view: Vec<usize> = self
            .items
            .iter()
            .enumerate()
            .filter(|(_, it)| self.status.accepts(it.status))
            .filter(|(_, it)| self.role.as_deref().is_none_or(|r| it.role.title == r))
            .filter(|(_, it)| {
                words.is_empty() || {
                    let hay = format!(
                        "{} {} {} {}",
                        it.candidate.display_name,
                        it.role.title,
                        it.role.department,
                        it.status.as_str()
                    )
                    .to_lowercase();
                    words.iter().all(|w| hay.contains(w))
                }
            })
            .map(|(i, _)| i)
            .collect();
        let items = &self.items;
        match self.sort {
            SortKey::Due => {}
            SortKey::Candidate => view.sort_by(|a, b| {
                items[*a]
                    .candidate
                    .display_name
                    .cmp(&items[*b].candidate.display_name)
            }),
            SortKey::Role => view.sort_by(|a, b| {
                (&items[*a].role.title, &items[*a].due_at)
                    .cmp(&(&items[*b].role.title, &items[*b].due_at))
            }),
            SortKey::Progress => view.sort_by(|a, b| {
                let pa = items[*a].scored_count * 1000 / items[*a].question_count.max(1);
                let pb = items[*b].scored_count * 1000 / items[*b].question_count.max(1);
                pb.cmp(&pa).then(items[*a].due_at.cmp(&items[*b].due_at))
            }),
        }
        self.view = view;
        self.selected = keep
            .and_then(|id| self.view.iter().position(|i| self.items[*i].id == id))
            .unwrap_or(0)
            .min(self.view.len().saturating_sub(1));
    }

    /// Roles seen in the loaded items, sorted.
    pub fn roles(&self) -> Vec<String> {
        let mut roles: Vec<String> = self.items.iter().map(|i| i.role.title.clone()).collect();
        roles.sort();
        roles.dedup();
        roles
    }

    /// The next open assignment after `current`, in the order the queue
    /// shows (wrapping round), never `current` itself.
    pub fn next_open_after(&self, current: Option<&str>) -> Option<QueueItem> {
        let start = current
            .and_then(|id| self.view.iter().position(|i| self.items[*i].id == id))
            .map(|p| p + 1)
            .unwrap_or(0)
            .min(self.view.len());
        self.view[start..]
            .iter()
            .chain(self.view[..start].iter())
            .map(|i| &self.items[*i])
            .find(|it| it.status != AssignmentStatus::Submitted && Some(it.id.as_str()) != current)
            .cloned()
    }
}
