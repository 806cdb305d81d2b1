//! The review screen's state: the assignment (or calibration session)
//! being scored, its transcripts, the note editor, and the player as the
//! screen sees it.

use std::collections::HashMap;

use takes_api::{
    AssignmentDetail, AssignmentStatus, CalibrationSession, Cue, QuestionView, QueueItem,
};
use takes_player::muted_first::MutedFirst;

use crate::features::editor::TextInput;

#[derive(Debug, Clone, PartialEq)]
pub enum TranscriptState {
    Loading,
    /// The server is still transcribing the answer; asked again shortly.
    Pending,
    Loaded(Vec<Cue>),
    /// What to show instead (`transcript failed: REASON`, or why it could
    /// not be fetched).
    Failed(String),
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
    /// Why no sound can play here (no audio device or server reachable,
    /// e.g. over SSH); the pass with sound then leans on the captions.
    pub no_audio: Option<String>,
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
            no_audio: None,
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
    /// The picture over the whole review area (small terminals).
    pub zoom: bool,
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

    /// Shows question `i` (clamped), its transcript from the top.
    pub fn set_question(&mut self, i: usize) {
        let n = self.detail.as_ref().map(|d| d.questions.len()).unwrap_or(0);
        if n > 0 {
            self.current = i.min(n - 1);
            self.cue = 0;
        }
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
        question_set_version: None,
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
