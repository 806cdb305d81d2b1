//! The one app state. Views read it; only the update function changes it.

use std::cell::Cell;
use std::collections::HashMap;
use takes_player::muted_first::MutedFirst;

use takes_api::{
    AssignmentDetail, AssignmentStatus, CalibrationResults, CalibrationSession, CalibrationSummary,
    Cue, DecisionAction, Evidence, Me, Panel, QuestionView, QueueItem,
};

use super::action::Counts;
use crate::config::{Diagnostic, Keymap, Scope, Settings};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Screen {
    Queue,
    Review,
    Panel,
    /// The calibration sessions the caller takes part in.
    Calibration,
    /// One session's results (a lock until the caller submitted).
    CalibrationResults,
}

impl Screen {
    pub fn scope(self) -> Scope {
        match self {
            Screen::Queue => Scope::Queue,
            Screen::Review => Scope::Review,
            Screen::Panel => Scope::Panel,
            Screen::Calibration | Screen::CalibrationResults => Scope::Calibration,
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
}

#[derive(Debug, Clone, PartialEq)]
pub enum TranscriptState {
    Loading,
    Loaded(Vec<Cue>),
    Failed(String),
}

/// A multi-line text being edited; `cursor` is a char index.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TextInput {
    pub text: String,
    pub cursor: usize,
}

impl TextInput {
    pub fn new(text: &str) -> TextInput {
        TextInput {
            text: text.to_string(),
            cursor: text.chars().count(),
        }
    }

    fn byte(&self, char_idx: usize) -> usize {
        self.text
            .char_indices()
            .nth(char_idx)
            .map(|(b, _)| b)
            .unwrap_or(self.text.len())
    }

    pub fn insert(&mut self, c: char) {
        let b = self.byte(self.cursor);
        self.text.insert(b, c);
        self.cursor += 1;
    }

    pub fn backspace(&mut self) {
        if self.cursor == 0 {
            return;
        }
        let b = self.byte(self.cursor - 1);
        self.text.remove(b);
        self.cursor -= 1;
    }

    pub fn delete(&mut self) {
        if self.cursor < self.text.chars().count() {
            let b = self.byte(self.cursor);
            self.text.remove(b);
        }
    }

    pub fn left(&mut self) {
        self.cursor = self.cursor.saturating_sub(1);
    }

    pub fn right(&mut self) {
        self.cursor = (self.cursor + 1).min(self.text.chars().count());
    }

    /// (line, column) of the cursor, in chars.
    pub fn line_col(&self) -> (usize, usize) {
        let before: String = self.text.chars().take(self.cursor).collect();
        let line = before.matches('\n').count();
        let col = before
            .rsplit('\n')
            .next()
            .map(|l| l.chars().count())
            .unwrap_or(0);
        (line, col)
    }

    fn line_starts(&self) -> Vec<usize> {
        let mut starts = vec![0];
        for (i, c) in self.text.chars().enumerate() {
            if c == '\n' {
                starts.push(i + 1);
            }
        }
        starts
    }

    pub fn up(&mut self) {
        self.vertical(-1);
    }

    pub fn down(&mut self) {
        self.vertical(1);
    }

    fn vertical(&mut self, d: isize) {
        let (line, col) = self.line_col();
        let starts = self.line_starts();
        let target = line as isize + d;
        if target < 0 || target as usize >= starts.len() {
            return;
        }
        let t = target as usize;
        let len = starts
            .get(t + 1)
            .map(|n| n - 1 - starts[t])
            .unwrap_or(self.text.chars().count() - starts[t]);
        self.cursor = starts[t] + col.min(len);
    }

    pub fn home(&mut self) {
        let (line, _) = self.line_col();
        self.cursor = self.line_starts()[line];
    }

    pub fn end(&mut self) {
        let (line, _) = self.line_col();
        let starts = self.line_starts();
        self.cursor = starts
            .get(line + 1)
            .map(|n| n - 1)
            .unwrap_or(self.text.chars().count());
    }
}

/// Whether this workstation can show video at all (decided at start-up).
#[derive(Debug, Clone, PartialEq)]
pub enum VideoSupport {
    /// libmpv runs; frames are drawn with this protocol.
    Available { output: String },
    /// Reviews go on with transcript and controls; the reason is shown.
    Unavailable(String),
}

/// What the player is doing, as far as its events have told.
#[derive(Debug, Clone, PartialEq)]
pub enum Playback {
    Idle,
    Loading,
    Playing,
    Paused,
    Buffering,
    Ended,
    Failed(String),
}

/// The player as the review screen sees it: fed by `PlayerEvent`s.
#[derive(Debug, Clone, PartialEq)]
pub struct PlayerState {
    /// The response the player was asked to play.
    pub response_id: Option<String>,
    pub playback: Playback,
    pub position_s: f64,
    pub duration_s: Option<f64>,
    pub speed: f64,
    pub muted: bool,
    pub volume: f64,
    /// The transcript selection follows playback; off after J/K picks a
    /// cue by hand, on again after a seek.
    pub follow: bool,
}

impl Default for PlayerState {
    fn default() -> Self {
        PlayerState {
            response_id: None,
            playback: Playback::Idle,
            position_s: 0.0,
            duration_s: None,
            speed: 1.0,
            muted: true,
            volume: 100.0,
            follow: true,
        }
    }
}

#[derive(Debug, Clone)]
pub struct ReviewState {
    pub assignment_id: String,
    /// From the queue row, so the header shows something while loading.
    pub summary: Option<QueueItem>,
    pub detail: Option<AssignmentDetail>,
    pub error: Option<String>,
    pub current: usize,
    pub transcripts: HashMap<String, TranscriptState>,
    pub cue: usize,
    pub editor: Option<TextInput>,
    pub show_video: bool,
    /// Muted-first progress per question id.
    pub muted_first: HashMap<String, MutedFirst>,
    /// Scoring the items of this calibration session: `assignment_id` is
    /// the session id, questions are its items, `detail` is built from the
    /// session ([`calibration_detail`]) so the same screen serves both.
    pub calibration: Option<CalibrationSession>,
}

impl ReviewState {
    pub fn question(&self) -> Option<&QuestionView> {
        self.detail
            .as_ref()
            .and_then(|d| d.questions.get(self.current))
    }

    pub fn cues(&self) -> Option<&TranscriptState> {
        let rid = &self.question()?.response.as_ref()?.id;
        self.transcripts.get(rid)
    }

    pub fn submitted(&self) -> bool {
        self.detail
            .as_ref()
            .map(|d| d.status == AssignmentStatus::Submitted)
            .unwrap_or(false)
    }
}

/// Builds the review screen's view of a calibration session: one question
/// per item, the caller's calibration scores as `my_scores`.
pub fn calibration_detail(s: &CalibrationSession) -> AssignmentDetail {
    let submitted = s.my_submitted_at.is_some();
    AssignmentDetail {
        id: s.id.clone(),
        interview_id: String::new(),
        status: if submitted {
            AssignmentStatus::Submitted
        } else if s.my_scores.is_empty() {
            AssignmentStatus::Pending
        } else {
            AssignmentStatus::InProgress
        },
        candidate: takes_api::CandidateView {
            display_name: format!("Calibration: {}", s.title),
            revealed: true,
        },
        role: s
            .items
            .first()
            .map(|i| i.role.clone())
            .unwrap_or(takes_api::JobRoleView {
                title: "sample responses".into(),
                department: "calibration".into(),
            }),
        due_at: s.deadline_at.clone(),
        submitted_at: s.my_submitted_at.clone(),
        questions: s
            .items
            .iter()
            .map(|i| QuestionView {
                id: i.id.clone(),
                position: i.position,
                prompt: i.question.prompt.clone(),
                competency: i.question.competency.clone(),
                time_limit_s: i.question.time_limit_s,
                rubric: i.question.rubric.clone(),
                response: Some(i.response.clone()),
            })
            .collect(),
        my_scores: s
            .my_scores
            .iter()
            .map(|c| takes_api::Score {
                question_id: c.item_id.clone(),
                rating: c.rating,
                muted_rating: None,
                note: c.note.clone(),
                evidence: Vec::new(),
                created_at: c.created_at.clone(),
                updated_at: c.updated_at.clone(),
            })
            .collect(),
    }
}

/// The list of calibration sessions.
#[derive(Debug, Clone, Default)]
pub struct CalibrationListState {
    pub sessions: Vec<CalibrationSummary>,
    pub selected: usize,
    pub loading: bool,
    pub error: Option<String>,
}

impl CalibrationListState {
    pub fn selected_session(&self) -> Option<&CalibrationSummary> {
        self.sessions.get(self.selected)
    }
}

/// Progress of the caller on a session, for the lock of the results.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CalibrationProgress {
    pub scored: usize,
    pub items: usize,
    pub submitted: bool,
}

/// The results screen of one session.
#[derive(Debug, Clone)]
pub struct ResultsState {
    pub session_id: String,
    pub title: String,
    pub results: Option<CalibrationResults>,
    /// Why the server did not show them (403 before submitting).
    pub locked: Option<String>,
    pub error: Option<String>,
    pub progress: Option<CalibrationProgress>,
    pub scroll: usize,
    /// The item discussion notes go to (`n`/`p`).
    pub item: usize,
    /// A discussion note being written; kept until the server has it.
    pub editor: Option<TextInput>,
    pub sending: bool,
}

#[derive(Debug, Clone)]
pub struct PanelState {
    pub assignment_id: String,
    pub panel: Option<Panel>,
    pub error: Option<String>,
    pub scroll: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DecisionStage {
    Choose,
    Reason,
    Confirm,
    Sending,
}

#[derive(Debug, Clone, PartialEq)]
pub struct DecisionDialog {
    pub interview_id: String,
    pub candidate: String,
    pub choice: DecisionAction,
    pub reason: TextInput,
    pub stage: DecisionStage,
    pub error: Option<String>,
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
    pub review: Option<ReviewState>,
    pub panel: Option<PanelState>,
    pub calibration: CalibrationListState,
    pub results: Option<ResultsState>,
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
    /// Submit this assignment once its scores are synced.
    pub pending_submit: Option<String>,
    pub submitting: Option<String>,
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
            review: None,
            panel: None,
            calibration: CalibrationListState::default(),
            results: None,
            local: HashMap::new(),
            status: None,
            keymap,
            settings,
            problems,
            journal_ready: false,
            video: VideoSupport::Unavailable("the player was not started".into()),
            player: PlayerState::default(),
            prefetched: None,
            pending_submit: None,
            submitting: None,
            cleared_session: Vec::new(),
            size: (80, 24),
            should_quit: false,
        }
    }

    pub fn scope(&self) -> Scope {
        self.screen.scope()
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
        self.review.as_ref().and_then(|r| r.calibration.as_ref())
    }

    /// Items scored (locally or on the server) of the session being scored.
    pub fn calibration_progress(&self) -> Option<CalibrationProgress> {
        let r = self.review.as_ref()?;
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

/// RFC 3339 to ms since the epoch.
pub fn parse_ms(s: &str) -> Option<i64> {
    time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339)
        .ok()
        .map(|t| (t.unix_timestamp_nanos() / 1_000_000) as i64)
}
