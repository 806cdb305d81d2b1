//! The one app state: the screen shown, the overlay over it, and what every
//! screen shares (connection, local scores, keymap, player, status line).
//! Each feature's own state lives in `features/<feature>/state.rs`; views
//! read the state, only the update function changes it.

use std::collections::HashMap;

use takes_api::{AssignmentDetail, AssignmentStatus, CalibrationSession, Evidence, Me};

use crate::client::ClientError;
use crate::config::{Command, Diagnostic, Keymap, Scope, Settings};
pub use crate::features::board::state::BoardState;
pub use crate::features::calibration_list::state::CalibrationListState;
pub use crate::features::calibration_results::state::{CalibrationProgress, ResultsState};
pub use crate::features::decision::state::{DecisionDialog, DecisionStage};
pub use crate::features::editor::TextInput;
pub use crate::features::insights::state::InsightsState;
pub use crate::features::panel::state::PanelState;
pub use crate::features::queue::state::{QueueState, SortKey, StatusFilter};
pub use crate::features::review::state::{
    calibration_detail, Playback, PlayerState, ReviewState, TranscriptState,
};
pub use crate::features::roles::state::{RoleState, RolesState};
pub use crate::features::submit::state::SubmitState;
pub use crate::format::parse_ms;

/// Which screen, without its state: for the keymap scope, titles, tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScreenKind {
    Queue,
    Review,
    Panel,
    /// The calibration sessions the caller takes part in.
    Calibration,
    /// One session's results (a lock until the caller submitted).
    CalibrationResults,
    /// The role browser's list (recruiters, admins).
    Roles,
    /// One role of the browser.
    Role,
    /// The recruiter's triage board (its state lives in [`App::board`]).
    Board,
    /// Process insights; "my reviewing" for reviewers.
    Insights,
}

impl ScreenKind {
    pub fn scope(self) -> Scope {
        match self {
            ScreenKind::Queue => Scope::Queue,
            ScreenKind::Review => Scope::Review,
            ScreenKind::Panel => Scope::Panel,
            ScreenKind::Calibration | ScreenKind::CalibrationResults => Scope::Calibration,
            ScreenKind::Roles | ScreenKind::Role => Scope::Roles,
            ScreenKind::Board => Scope::Board,
            ScreenKind::Insights => Scope::Insights,
        }
    }
}

/// The screen shown, holding the state that lives only while it is shown,
/// so the screen and its state cannot disagree. The queue and the
/// calibration list keep theirs in [`App`] (selection and rows survive a
/// visit elsewhere).
#[derive(Debug, Clone)]
pub enum Screen {
    Queue,
    Review(Box<ReviewState>),
    Panel(Box<PanelState>),
    Calibration,
    CalibrationResults {
        results: Box<ResultsState>,
        /// The calibration session being scored when the results were
        /// opened from it: `back` returns to it.
        review: Option<Box<ReviewState>>,
    },
    Roles,
    Role(Box<RoleState>),
    Board,
    Insights(Box<InsightsState>),
}

impl Screen {
    pub fn kind(&self) -> ScreenKind {
        match self {
            Screen::Queue => ScreenKind::Queue,
            Screen::Review(_) => ScreenKind::Review,
            Screen::Panel(_) => ScreenKind::Panel,
            Screen::Calibration => ScreenKind::Calibration,
            Screen::CalibrationResults { .. } => ScreenKind::CalibrationResults,
            Screen::Roles => ScreenKind::Roles,
            Screen::Role(_) => ScreenKind::Role,
            Screen::Board => ScreenKind::Board,
            Screen::Insights(_) => ScreenKind::Insights,
        }
    }

    pub fn scope(&self) -> Scope {
        self.kind().scope()
    }

    /// The review shown, or the one under the calibration results.
    pub fn review(&self) -> Option<&ReviewState> {
        match self {
            Screen::Review(r) => Some(r),
            Screen::CalibrationResults { review, .. } => review.as_deref(),
            _ => None,
        }
    }

    pub fn review_mut(&mut self) -> Option<&mut ReviewState> {
        match self {
            Screen::Review(r) => Some(r),
            Screen::CalibrationResults { review, .. } => review.as_deref_mut(),
            _ => None,
        }
    }

    pub fn panel(&self) -> Option<&PanelState> {
        match self {
            Screen::Panel(p) => Some(p),
            _ => None,
        }
    }

    pub fn panel_mut(&mut self) -> Option<&mut PanelState> {
        match self {
            Screen::Panel(p) => Some(p),
            _ => None,
        }
    }

    pub fn insights(&self) -> Option<&InsightsState> {
        match self {
            Screen::Insights(s) => Some(s),
            _ => None,
        }
    }

    pub fn insights_mut(&mut self) -> Option<&mut InsightsState> {
        match self {
            Screen::Insights(s) => Some(s),
            _ => None,
        }
    }

    pub fn role(&self) -> Option<&RoleState> {
        match self {
            Screen::Role(r) => Some(r),
            _ => None,
        }
    }

    pub fn role_mut(&mut self) -> Option<&mut RoleState> {
        match self {
            Screen::Role(r) => Some(r),
            _ => None,
        }
    }

    pub fn results(&self) -> Option<&ResultsState> {
        match self {
            Screen::CalibrationResults { results, .. } => Some(results),
            _ => None,
        }
    }

    pub fn results_mut(&mut self) -> Option<&mut ResultsState> {
        match self {
            Screen::CalibrationResults { results, .. } => Some(results),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Conn {
    Connecting,
    Online,
    Offline(String),
    Unauthorized(String),
    NoToken(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Info,
    Ok,
    Warning,
    Error,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusMsg {
    pub text: String,
    pub level: Level,
}

/// Where a locally made score stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SyncState {
    /// Being written to the journal (not yet shown as saved).
    Saving,
    /// In the journal (fsynced); not yet on the server.
    Saved,
    Synced,
    Failed(String),
}

/// The latest local rating/note of a question.
#[derive(Debug, Clone, PartialEq)]
pub struct LocalScore {
    pub key: String,
    pub rating: Option<i64>,
    pub muted_rating: Option<i64>,
    pub note: Option<String>,
    pub evidence: Vec<Evidence>,
    pub sync: SyncState,
}

/// What the review screen shows for one question.
#[derive(Debug, Clone, PartialEq)]
pub struct ScoreView {
    pub rating: Option<i64>,
    /// The rating given in the muted pass (muted-first review).
    pub muted_rating: Option<i64>,
    pub note: Option<String>,
    pub evidence: Vec<Evidence>,
    /// `None`: nothing local, the server's copy (or nothing at all).
    pub sync: Option<SyncState>,
}

/// Whether this workstation can show video at all (decided at start-up).
#[derive(Debug, Clone, PartialEq)]
pub enum VideoSupport {
    /// libmpv runs; frames are drawn with this protocol.
    Available { output: String },
    /// Reviews go on with transcript and controls; the reason is shown.
    Unavailable(String),
}

#[derive(Debug, Clone, PartialEq)]
pub enum Overlay {
    Help {
        scroll: usize,
    },
    ConfirmSubmit,
    Decision(DecisionDialog),
    /// Problems found in the user's files at start-up.
    Problems,
}

/// The whole app.
#[derive(Debug)]
pub struct App {
    pub now_ms: i64,
    /// Local time zone offset, for "cleared today".
    pub utc_offset_s: i64,
    pub server: String,
    pub me: Option<Me>,
    pub conn: Conn,
    pub screen: Screen,
    pub overlay: Option<Overlay>,
    pub queue: QueueState,
    pub calibration: CalibrationListState,
    /// The role browser's list (kept while a role is open).
    pub roles: RolesState,
    pub board: BoardState,
    /// Latest local score per (assignment, question).
    pub local: HashMap<(String, String), LocalScore>,
    pub status: Option<StatusMsg>,
    pub keymap: Keymap,
    pub settings: Settings,
    pub problems: Vec<Diagnostic>,
    pub journal_ready: bool,
    pub video: VideoSupport,
    /// The one player, shared by every review (speed and volume carry over).
    pub player: PlayerState,
    /// The next assignment, fetched ahead so moving on is instant.
    pub prefetched: Option<AssignmentDetail>,
    pub submit: SubmitState,
    /// Assignments cleared in this session (count for "cleared today").
    pub cleared_session: Vec<String>,
    pub size: (u16, u16),
    pub should_quit: bool,
}

impl App {
    pub fn new(
        server: &str,
        keymap: Keymap,
        settings: Settings,
        problems: Vec<Diagnostic>,
        now_ms: i64,
    ) -> App {
        let status = StatusFilter::parse(&settings.queue_status);
        App {
            now_ms,
            utc_offset_s: 0,
            server: server.to_string(),
            me: None,
            conn: Conn::Connecting,
            screen: Screen::Queue,
            overlay: if problems.is_empty() {
                None
            } else {
                Some(Overlay::Problems)
            },
            queue: QueueState::new(status),
            calibration: CalibrationListState::default(),
            roles: RolesState::default(),
            board: BoardState::default(),
            local: HashMap::new(),
            status: None,
            keymap,
            settings,
            problems,
            journal_ready: false,
            video: VideoSupport::Unavailable("the player was not started".into()),
            player: PlayerState::default(),
            prefetched: None,
            submit: SubmitState::default(),
            cleared_session: Vec::new(),
            size: (80, 24),
            should_quit: false,
        }
    }

    pub fn scope(&self) -> Scope {
        self.screen.scope()
    }

    /// The first key bound to `command` in `scope`, as the hint bar shows
    /// it: messages and views name keys through this, so a rebound key is
    /// named as bound.
    pub fn key_name(&self, scope: Scope, command: Command) -> String {
        self.keymap
            .hint_key(scope, command)
            .unwrap_or_else(|| "(unbound)".into())
    }

    /// The review shown (or under the calibration results).
    pub fn review(&self) -> Option<&ReviewState> {
        self.screen.review()
    }

    pub fn panel(&self) -> Option<&PanelState> {
        self.screen.panel()
    }

    pub fn results(&self) -> Option<&ResultsState> {
        self.screen.results()
    }

    fn say(&mut self, level: Level, text: impl Into<String>) {
        self.status = Some(StatusMsg {
            text: text.into(),
            level,
        });
    }

    pub fn info(&mut self, text: impl Into<String>) {
        self.say(Level::Info, text)
    }

    pub fn ok(&mut self, text: impl Into<String>) {
        self.say(Level::Ok, text)
    }

    pub fn warn(&mut self, text: impl Into<String>) {
        self.say(Level::Warning, text)
    }

    pub fn error(&mut self, text: impl Into<String>) {
        self.say(Level::Error, text)
    }

    /// Notes a failed request in the connection state and says what
    /// happened.
    pub fn request_failed(&mut self, what: &str, e: &ClientError) {
        match e {
            ClientError::Unauthorized(d) => {
                self.conn = Conn::Unauthorized(d.clone());
                self.error(format!(
                    "{what}: {e}. Check TAKES_TOKEN / token_command and restart."
                ));
            }
            e if e.is_offline() => {
                self.conn = Conn::Offline(e.to_string());
                self.error(format!(
                    "{what}: {e}. Your scores are kept locally; press r to retry."
                ));
            }
            e => self.error(format!("{what}: {e}")),
        }
    }

    pub fn can_decide(&self) -> bool {
        self.me
            .as_ref()
            .map(|m| m.role.can_decide())
            .unwrap_or(false)
    }

    /// The effective score of a question: local (journal) first, then the
    /// server's copy.
    pub fn score(&self, assignment: &AssignmentDetail, question_id: &str) -> ScoreView {
        if let Some(l) = self
            .local
            .get(&(assignment.id.clone(), question_id.to_string()))
        {
            return ScoreView {
                rating: l.rating,
                muted_rating: l.muted_rating,
                note: l.note.clone(),
                evidence: l.evidence.clone(),
                sync: Some(l.sync.clone()),
            };
        }
        match assignment
            .my_scores
            .iter()
            .find(|s| s.question_id == question_id)
        {
            Some(s) => ScoreView {
                rating: Some(s.rating),
                muted_rating: s.muted_rating,
                note: s.note.clone(),
                evidence: s.evidence.clone(),
                sync: None,
            },
            None => ScoreView {
                rating: None,
                muted_rating: None,
                note: None,
                evidence: Vec::new(),
                sync: None,
            },
        }
    }

    /// The calibration session being scored in the review screen.
    pub fn calibrating(&self) -> Option<&CalibrationSession> {
        self.review().and_then(|r| r.calibration.as_ref())
    }

    /// Items scored (locally or on the server) of the session being scored.
    pub fn calibration_progress(&self) -> Option<CalibrationProgress> {
        let r = self.review()?;
        r.calibration.as_ref()?;
        let d = r.detail.as_ref()?;
        Some(CalibrationProgress {
            scored: d
                .questions
                .iter()
                .filter(|q| self.score(d, &q.id).rating.is_some())
                .count(),
            items: d.questions.len(),
            submitted: d.status == AssignmentStatus::Submitted,
        })
    }

    /// Local scores not yet on the server, for one assignment or all.
    pub fn unsynced(&self, assignment_id: Option<&str>) -> usize {
        self.local
            .iter()
            .filter(|((a, _), l)| {
                assignment_id.is_none_or(|id| id == a)
                    && l.rating.is_some()
                    && matches!(l.sync, SyncState::Saving | SyncState::Saved)
            })
            .count()
    }

    /// The next open assignment after the one on screen, in queue order.
    pub fn next_open_item(&self) -> Option<takes_api::QueueItem> {
        let current = self
            .review()
            .map(|r| r.assignment_id.as_str())
            .or_else(|| self.panel().map(|p| p.assignment_id.as_str()));
        self.queue.next_open_after(current)
    }

    /// Start of the local day, in ms since the epoch.
    pub fn today_start_ms(&self) -> i64 {
        let local = self.now_ms + self.utc_offset_s * 1000;
        let day = 86_400_000;
        local - local.rem_euclid(day) - self.utc_offset_s * 1000
    }

    /// Assignments submitted today: loaded rows plus this session's.
    pub fn cleared_today(&self) -> usize {
        let start = self.today_start_ms();
        let mut n = self
            .queue
            .items
            .iter()
            .filter(|i| {
                i.status == AssignmentStatus::Submitted
                    && i.submitted_at
                        .as_deref()
                        .and_then(parse_ms)
                        .is_some_and(|t| t >= start)
            })
            .count();
        for id in &self.cleared_session {
            if !self
                .queue
                .items
                .iter()
                .any(|i| &i.id == id && i.submitted_at.is_some())
            {
                n += 1;
            }
        }
        n
    }

    pub fn left(&self) -> i64 {
        match self.queue.counts {
            Some(c) => c.pending + c.in_progress,
            None => self
                .queue
                .items
                .iter()
                .filter(|i| i.status != AssignmentStatus::Submitted)
                .count() as i64,
        }
    }
}
