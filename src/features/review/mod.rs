//! The review screen: opening an assignment (or a calibration session's
//! items), moving between questions, and its keys. Rating, the note
//! editor, evidence and playback have a module each.

pub mod evidence;
pub mod note;
pub mod playback;
pub mod rating;
pub mod state;
pub mod video_pane;
pub mod view;

use takes_api::{AssignmentDetail, CalibrationSession, Cue, QueueItem};
use takes_player::muted_first::RatingField;

use super::{submit, Hint};
use crate::app::effect::Effect;
use crate::app::state::{App, Screen, SyncState, VideoSupport};
use crate::client::ClientError;
use crate::config::{Command, Scope};
use state::{calibration_detail, ReviewState, TranscriptState};

/// The review screen's hint bar.
pub fn hints(app: &App) -> Vec<Hint> {
    if app.review().is_some_and(|r| r.editor.is_some()) {
        return note::hints();
    }
    let s = Scope::Review;
    let mut hints = Vec::new();
    let scale = app
        .review()
        .and_then(|r| r.question())
        .map(|q| (q.rubric.scale_min, q.rubric.scale_max));
    if let Some((min, max)) = scale {
        let muted = playback::rating_field_view(app) == RatingField::Muted;
        hints.push(Hint {
            keys: Some(format!("{min}-{max}")),
            ..Hint::new(
                s,
                Command::Rate(min),
                if muted { "rate (muted pass)" } else { "rate" },
            )
            .high()
        });
    }
    let video = matches!(app.video, VideoSupport::Available { .. });
    let calibrating = app.calibrating().is_some();
    let showing = app.review().is_some_and(|r| r.show_video);
    hints.extend([
        Hint::new(s, Command::PlayPause, "play").when(video).high(),
        Hint::new(s, Command::Mute, "sound").when(video),
        Hint::new(s, Command::NextQuestion, "next").high(),
        Hint::new(s, Command::PrevQuestion, "prev").low(),
        Hint::new(s, Command::Note, "note"),
        Hint::new(s, Command::ToggleVideo, "video").low(),
        Hint::new(s, Command::Zoom, "zoom").when(video && showing),
        Hint::new(s, Command::Submit, "submit").high(),
        Hint::new(Scope::Calibration, Command::CalibrationResults, "results").when(calibrating),
        Hint::new(s, Command::Decision, "decide")
            .when(app.can_decide() && !calibrating)
            .high(),
        Hint::new(s, Command::Help, "help"),
        Hint::new(s, Command::Back, "back").low(),
    ]);
    hints
}

/// The help's "in editors and dialogs" rows for the review screen.
pub fn modal_hints() -> Vec<Hint> {
    let mut hints = vec![Hint::new(
        Scope::Editor,
        Command::Leave,
        "leave the note editor (saves the note)",
    )];
    hints.extend(submit::modal_hints());
    hints.extend(super::decision::modal_hints());
    hints
}

fn new_review(app: &App, id: String, calibration: Option<CalibrationSession>) -> ReviewState {
    ReviewState {
        assignment_id: id,
        summary: None,
        detail: None,
        error: None,
        current: 0,
        transcripts: Default::default(),
        cue: 0,
        editor: None,
        show_video: app.settings.show_video,
        zoom: false,
        muted_first: Default::default(),
        calibration,
    }
}

/// Opens an assignment; shown at once when it was fetched ahead.
pub fn open_assignment(app: &mut App, id: String, summary: Option<QueueItem>) -> Vec<Effect> {
    app.screen = Screen::Review(Box::new(ReviewState {
        summary,
        ..new_review(app, id.clone(), None)
    }));
    let mut fx = vec![Effect::FetchAssignment(id.clone())];
    // Fetched ahead: show it at once; the fetch above refreshes it.
    if let Some(d) = app.prefetched.take().filter(|d| d.id == id) {
        fx.extend(on_assignment(app, id, Ok(d)));
    }
    fx
}

/// Opens a calibration session's items in the review screen.
pub fn open_calibration_session(app: &mut App, id: String) -> Vec<Effect> {
    let placeholder = CalibrationSession {
        id: id.clone(),
        title: app
            .calibration
            .sessions
            .iter()
            .find(|s| s.id == id)
            .map(|s| s.title.clone())
            .unwrap_or_default(),
        created_at: String::new(),
        deadline_at: String::new(),
        closed: false,
        revealed_at: None,
        my_status: None,
        my_submitted_at: None,
        results_visible: false,
        participants: Vec::new(),
        items: Vec::new(),
        my_scores: Vec::new(),
    };
    app.screen = Screen::Review(Box::new(new_review(app, id.clone(), Some(placeholder))));
    vec![Effect::FetchCalibrationSession(id)]
}

pub fn on_assignment(
    app: &mut App,
    id: String,
    result: Result<AssignmentDetail, ClientError>,
) -> Vec<Effect> {
    // Keep the queue row in step (also after a submit, when the panel is
    // shown: the candidate's name is revealed then).
    if let Ok(detail) = result.as_ref() {
        if let Some(it) = app.queue.items.iter_mut().find(|i| i.id == detail.id) {
            it.status = detail.status;
            it.candidate = detail.candidate.clone();
            it.submitted_at = detail.submitted_at.clone();
        }
    }
    let Some(r) = app.screen.review_mut().filter(|r| r.assignment_id == id) else {
        return vec![];
    };
    match result {
        Ok(detail) => {
            let first_open = detail.questions.iter().position(|q| {
                let key = (detail.id.clone(), q.id.clone());
                let local = app.local.get(&key).and_then(|l| l.rating);
                local.is_none() && !detail.my_scores.iter().any(|s| s.question_id == q.id)
            });
            let reload = r.detail.is_some();
            if !reload {
                r.current = first_open.unwrap_or(0);
            }
            let mut fx = Vec::new();
            for q in &detail.questions {
                if let Some(resp) = &q.response {
                    if !r.transcripts.contains_key(&resp.id) {
                        r.transcripts
                            .insert(resp.id.clone(), TranscriptState::Loading);
                        fx.push(Effect::FetchTranscript {
                            response_id: resp.id.clone(),
                            url: resp.transcript_url.clone(),
                            delay_s: 0,
                        });
                    }
                }
            }
            // Scores the server has now replace synced local copies.
            for s in &detail.my_scores {
                let key = (detail.id.clone(), s.question_id.clone());
                if app
                    .local
                    .get(&key)
                    .is_some_and(|l| l.sync == SyncState::Synced)
                {
                    app.local.remove(&key);
                }
            }
            r.error = None;
            r.detail = Some(detail);
            fx
        }
        Err(e) => {
            r.error = Some(e.to_string());
            app.request_failed("Opening the assignment failed", &e);
            vec![]
        }
    }
}

/// A calibration session arrived: the review screen shows its items.
pub fn on_session_loaded(
    app: &mut App,
    id: String,
    result: Result<CalibrationSession, ClientError>,
) -> Vec<Effect> {
    let Some(r) = app
        .screen
        .review_mut()
        .filter(|r| r.assignment_id == id && r.calibration.is_some())
    else {
        return vec![];
    };
    let result = result.map(|session| {
        let detail = calibration_detail(&session);
        r.calibration = Some(session);
        detail
    });
    on_assignment(app, id, result)
}

pub fn on_transcript(
    app: &mut App,
    response_id: String,
    result: Result<Vec<Cue>, ClientError>,
) -> Vec<Effect> {
    let Some(r) = app.screen.review_mut() else {
        return vec![];
    };
    let (st, fx) = match result {
        Ok(cues) => (TranscriptState::Loaded(cues), vec![]),
        // Still being written: say so, and ask again when the server says.
        Err(ClientError::NotReady(after)) => {
            let url = r.detail.as_ref().and_then(|d| {
                d.questions
                    .iter()
                    .filter_map(|q| q.response.as_ref())
                    .find(|resp| resp.id == response_id)
                    .map(|resp| resp.transcript_url.clone())
            });
            let fx = url
                .map(|url| Effect::FetchTranscript {
                    response_id: response_id.clone(),
                    url,
                    delay_s: after,
                })
                .into_iter()
                .collect();
            (TranscriptState::Pending, fx)
        }
        // The server gave up; its detail is `transcript failed: REASON`.
        Err(ClientError::Conflict(d)) if d.starts_with("transcript failed") => {
            (TranscriptState::Failed(d), vec![])
        }
        Err(e) => (
            TranscriptState::Failed(format!("Transcript unavailable: {e}")),
            vec![],
        ),
    };
    r.transcripts.insert(response_id, st);
    fx
}

/// The picture over the whole review area and back. Content-only mode
/// stays what the reviewer chose: zoom does not show a hidden video.
fn zoom(app: &mut App) {
    let toggle = app.key_name(Scope::Review, Command::ToggleVideo);
    let Some(r) = app.screen.review_mut() else {
        return;
    };
    if !r.show_video {
        app.info(format!(
            "Content only: the video is hidden ({toggle} shows it)"
        ));
        return;
    }
    r.zoom = !r.zoom;
}

pub fn set_question(app: &mut App, i: usize) {
    if let Some(r) = app.screen.review_mut() {
        r.set_question(i);
    }
}

/// The review screen's own keys (the panel, the decision dialog and the
/// next assignment are moves between screens: [`crate::app::navigate`]).
pub fn command(app: &mut App, cmd: Command) -> Vec<Effect> {
    if let Some(id) = app.calibrating().map(|s| s.id.clone()) {
        match cmd {
            Command::Decision | Command::NextAssignment => {
                let submit = app.key_name(Scope::Review, Command::Submit);
                let results = app.key_name(Scope::Calibration, Command::CalibrationResults);
                app.info(format!(
                    "Calibration: score every item, {submit} to submit, {results} for results"
                ));
                return vec![];
            }
            Command::Evidence => {
                app.info("Calibration scores keep a rating and a note, no evidence");
                return vec![];
            }
            Command::Refresh => {
                return vec![Effect::FetchCalibrationSession(id), Effect::RetrySync];
            }
            _ => {}
        }
    }
    if let Some(fx) = playback::command(app, cmd) {
        return fx;
    }
    match cmd {
        Command::Rate(n) => return rating::rate(app, n),
        Command::NextQuestion | Command::PrevQuestion => {
            if let Some(r) = app.review() {
                let n = r.detail.as_ref().map(|d| d.questions.len()).unwrap_or(0);
                if n > 0 {
                    let i = if cmd == Command::NextQuestion {
                        (r.current + 1) % n
                    } else {
                        (r.current + n - 1) % n
                    };
                    set_question(app, i);
                }
            }
        }
        Command::Note => note::open(app),
        Command::Evidence => return evidence::toggle(app),
        Command::ToggleVideo => {
            if let Some(r) = app.screen.review_mut() {
                r.show_video = !r.show_video;
                // Hiding the video ends a zoom onto it.
                r.zoom &= r.show_video;
                let s = if r.show_video {
                    "Video shown"
                } else {
                    "Content only: video hidden"
                };
                app.info(s);
            }
        }
        Command::Zoom => zoom(app),
        Command::Submit => return submit::ask(app),
        Command::Refresh => {
            if let Some(r) = app.review() {
                return vec![
                    Effect::FetchAssignment(r.assignment_id.clone()),
                    Effect::RetrySync,
                ];
            }
        }
        _ => {}
    }
    vec![]
}
