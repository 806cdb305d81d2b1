//! The board's state: the loaded rows (pages from the server, which
//! filters and sorts), the stage tab and filters, the selection (rows
//! toggled one by one or a visual range) and the opened interview. Pure
//! data and the selection rules; no I/O.

use std::cell::Cell;
use std::collections::HashSet;

use takes_api::board::{BoardInterview, BoardItem, BoardStage, StageCounts};
use takes_api::DecisionAction;

use super::ranges::{RangeInput, Ranges};
use crate::features::editor::TextInput;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BoardSort {
    Newest,
    Score,
    Role,
    Candidate,
    Reviews,
    Stage,
    Disagreement,
}

impl BoardSort {
    pub fn next(self) -> BoardSort {
        match self {
            BoardSort::Newest => BoardSort::Score,
            BoardSort::Score => BoardSort::Role,
            BoardSort::Role => BoardSort::Candidate,
            BoardSort::Candidate => BoardSort::Reviews,
            BoardSort::Reviews => BoardSort::Stage,
            BoardSort::Stage => BoardSort::Disagreement,
            BoardSort::Disagreement => BoardSort::Newest,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            BoardSort::Newest => "newest",
            BoardSort::Score => "score",
            BoardSort::Role => "role",
            BoardSort::Candidate => "candidate",
            BoardSort::Reviews => "reviews in",
            BoardSort::Stage => "stage",
            BoardSort::Disagreement => "disagreement",
        }
    }

    /// The server's `sort` parameter.
    pub fn param(self) -> &'static str {
        match self {
            BoardSort::Newest => "-completed",
            BoardSort::Score => "-score",
            BoardSort::Role => "role",
            BoardSort::Candidate => "candidate",
            BoardSort::Reviews => "-reviews",
            BoardSort::Stage => "stage",
            BoardSort::Disagreement => "-disagreement",
        }
    }
}

/// The bulk decision dialog's steps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DialogStage {
    Choose,
    Reason,
    /// Names the count and the candidates; `confirm` sends.
    Confirm,
    Sending,
}

/// One decision for the selected interviews.
#[derive(Debug, Clone, PartialEq)]
pub struct BulkDialog {
    pub ids: Vec<String>,
    pub names: Vec<String>,
    pub choice: DecisionAction,
    pub reason: TextInput,
    pub stage: DialogStage,
    pub error: Option<String>,
    /// Sent with the request, kept for a retry after a failure so the
    /// server records the decisions once.
    pub key: String,
}

/// Choosing the reviewer an assignment moves to.
#[derive(Debug, Clone, PartialEq)]
pub struct ReassignPicker {
    pub interview_id: String,
    /// (assignment id, reviewer name) of the unsubmitted reviews.
    pub from: Vec<(String, String)>,
    pub from_index: usize,
    /// (user id, name) of the role's pool not on the interview.
    pub to: Vec<(String, String)>,
    pub to_index: usize,
    /// Choosing the reviewer to replace (false) or the new one (true).
    pub choosing_to: bool,
}

/// An interview opened from the board.
#[derive(Debug, Clone, PartialEq)]
pub struct Opened {
    pub id: String,
    pub detail: Option<BoardInterview>,
    pub error: Option<String>,
    pub scroll: usize,
    /// The selected answer (index into `detail.answers`).
    pub answer: usize,
    /// Its video was asked for; it plays in the review screen's player.
    pub playing: bool,
}

impl Opened {
    pub fn new(id: String) -> Opened {
        Opened {
            id,
            detail: None,
            error: None,
            scroll: 0,
            answer: 0,
            playing: false,
        }
    }
}

/// The sync poll's first wait, and the wait again after a new decision or
/// a retry (`poll.rs` does the polling).
pub const FIRST_MS: u64 = 2_000;
/// The longest wait between two polls.
pub const MAX_MS: u64 = 15_000;
/// The poll's own state: one wait or request at a time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncPoll {
    /// Answers and wake-ups of an older generation are ignored.
    pub gen: u64,
    /// A wait or a request is under way.
    pub active: bool,
    pub delay_ms: u64,
}

impl Default for SyncPoll {
    fn default() -> Self {
        SyncPoll {
            gen: 0,
            active: false,
            delay_ms: FIRST_MS,
        }
    }
}

/// A share link just made (`share.rs`), shown until a key closes it.
#[derive(Debug, Clone, PartialEq)]
pub struct ShareOverlay {
    pub candidate: String,
    pub link: crate::client::board::SharedLink,
}

#[derive(Debug, Clone)]
pub struct BoardState {
    pub items: Vec<BoardItem>,
    pub counts: StageCounts,
    pub total: i64,
    pub next_cursor: Option<String>,
    pub loading: bool,
    pub loaded_once: bool,
    pub gen: u64,
    pub error: Option<String>,
    /// `None`: every stage.
    pub stage: Option<BoardStage>,
    pub text: String,
    pub editing: Option<String>,
    pub role: Option<(String, String)>,
    pub flagged_only: bool,
    /// Score and date bounds (`filters.rs`), and their line while open.
    pub ranges: Ranges,
    pub range_input: Option<RangeInput>,
    pub sort: BoardSort,
    pub selected: usize,
    pub offset: Cell<usize>,
    pub page_rows: Cell<usize>,
    /// Interviews toggled into the selection.
    pub marked: HashSet<String>,
    /// Where a visual range started (a row index).
    pub visual: Option<usize>,
    pub opened: Option<Opened>,
    pub dialog: Option<BulkDialog>,
    pub picker: Option<ReassignPicker>,
    pub poll: SyncPoll,
    pub share: Option<ShareOverlay>,
}

impl Default for BoardState {
    fn default() -> Self {
        BoardState {
            items: Vec::new(),
            counts: StageCounts::default(),
            total: 0,
            next_cursor: None,
            loading: false,
            loaded_once: false,
            gen: 0,
            error: None,
            stage: Some(BoardStage::ReadyToDecide),
            text: String::new(),
            editing: None,
            role: None,
            flagged_only: false,
            ranges: Ranges::default(),
            range_input: None,
            sort: BoardSort::Newest,
            selected: 0,
            offset: Cell::new(0),
            page_rows: Cell::new(20),
            marked: HashSet::new(),
            visual: None,
            opened: None,
            dialog: None,
            picker: None,
            poll: Default::default(),
            share: None,
        }
    }
}

/// The stage tabs in order, `None` for all.
pub const TABS: [Option<BoardStage>; 5] = [
    None,
    Some(BoardStage::Invited),
    Some(BoardStage::AwaitingReviews),
    Some(BoardStage::ReadyToDecide),
    Some(BoardStage::Decided),
];

impl BoardState {
    pub fn current(&self) -> Option<&BoardItem> {
        self.items.get(self.selected)
    }

    pub fn next_tab(&mut self, step: isize) {
        let i = TABS.iter().position(|t| *t == self.stage).unwrap_or(0) as isize;
        let n = TABS.len() as isize;
        self.stage = TABS[(i + step).rem_euclid(n) as usize];
    }

    /// The rows of the visual range, when one is open.
    fn range(&self) -> Option<std::ops::RangeInclusive<usize>> {
        let a = self.visual?;
        let (lo, hi) = if a <= self.selected {
            (a, self.selected)
        } else {
            (self.selected, a)
        };
        Some(lo..=hi.min(self.items.len().saturating_sub(1)))
    }

    pub fn is_selected(&self, row: usize) -> bool {
        self.items
            .get(row)
            .is_some_and(|i| self.marked.contains(&i.id))
            || self.range().is_some_and(|r| r.contains(&row))
    }

    pub fn toggle_mark(&mut self) {
        if let Some(id) = self.current().map(|i| i.id.clone()) {
            if !self.marked.remove(&id) {
                self.marked.insert(id);
            }
        }
    }

    /// Opens a visual range at the cursor, or folds the open one into the
    /// marked rows.
    pub fn toggle_visual(&mut self) {
        match self.range() {
            Some(r) => {
                let ids: Vec<String> = self.items[r].iter().map(|i| i.id.clone()).collect();
                self.marked.extend(ids);
                self.visual = None;
            }
            None if !self.items.is_empty() => self.visual = Some(self.selected),
            None => {}
        }
    }

    pub fn clear_selection(&mut self) {
        self.marked.clear();
        self.visual = None;
    }

    /// What an action applies to: the selected rows in board order, else
    /// the row under the cursor.
    pub fn targets(&self) -> Vec<&BoardItem> {
        let chosen: Vec<&BoardItem> = (0..self.items.len())
            .filter(|r| self.is_selected(*r))
            .filter_map(|r| self.items.get(r))
            .collect();
        if chosen.is_empty() {
            self.current().into_iter().collect()
        } else {
            chosen
        }
    }

    pub fn selection_count(&self) -> usize {
        (0..self.items.len())
            .filter(|r| self.is_selected(*r))
            .count()
    }

    /// Roles seen in the loaded rows, (id, title) by title.
    pub fn roles(&self) -> Vec<(String, String)> {
        let mut roles: Vec<(String, String)> = self
            .items
            .iter()
            .map(|i| (i.role_id.clone(), i.role_title.clone()))
            .collect();
        roles.sort_by(|a, b| a.1.cmp(&b.1).then(a.0.cmp(&b.0)));
        roles.dedup();
        roles
    }

    pub fn filtered(&self) -> bool {
        !self.text.is_empty() || self.role.is_some() || self.flagged_only || !self.ranges.is_empty()
    }
}
