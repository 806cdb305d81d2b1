//! The review screen's transcript pane while the server is still writing a
//! transcript, when it gave up, and once it arrives.

use ratatui::backend::TestBackend;
use ratatui::Terminal;
use takes::app::state::{App, TranscriptState};
use takes::app::{update, Action, Effect};
use takes::client::ClientError;
use takes::config::theme::ColorDepth;
use takes::config::Theme;
use takes::screens;
use takes_api::{Cue, UserRole};
use takes_testkit::app_in_review;

fn text(app: &App) -> String {
    let th = Theme::builtin("dark", ColorDepth::TrueColor);
    let (w, h) = (120, 40);
    let mut t = Terminal::new(TestBackend::new(w, h)).expect("terminal");
    t.draw(|f| screens::draw(f, app, &th)).expect("draw");
    let b = t.backend().buffer().clone();
    let mut s = String::new();
    for y in 0..h {
        for x in 0..w {
            s.push_str(b[(x, y)].symbol());
        }
        s.push('\n');
    }
    s
}

/// The response and transcript URL of the question shown.
fn current(app: &App) -> (String, String) {
    let r = app.review().expect("review");
    let d = r.detail.as_ref().expect("detail");
    let resp = d.questions[r.current].response.as_ref().expect("response");
    (resp.id.clone(), resp.transcript_url.clone())
}

#[test]
fn pending_then_arrives() {
    let mut app = app_in_review(UserRole::Reviewer);
    let (id, url) = current(&app);
    let fx = update(
        &mut app,
        Action::TranscriptLoaded {
            response_id: id.clone(),
            result: Err(ClientError::NotReady(7)),
        },
    );
    let r = app.review().expect("review");
    assert_eq!(r.transcripts.get(&id), Some(&TranscriptState::Pending));
    // Asked again when the server said.
    assert!(
        fx.iter().any(
            |e| matches!(e, Effect::FetchTranscript { response_id, url: u, delay_s: 7 }
            if *response_id == id && *u == url)
        ),
        "{fx:?}"
    );
    let screen = text(&app);
    assert!(screen.contains("Transcript pending"), "{screen}");

    let fx = update(
        &mut app,
        Action::TranscriptLoaded {
            response_id: id.clone(),
            result: Ok(vec![Cue {
                start_s: 0.5,
                end_s: 2.0,
                text: "finally transcribed".into(),
            }]),
        },
    );
    assert!(fx.is_empty(), "{fx:?}");
    let screen = text(&app);
    assert!(!screen.contains("Transcript pending"), "{screen}");
    assert!(screen.contains("finally transcribed"), "{screen}");
}

#[test]
fn failed_shows_the_reason() {
    let mut app = app_in_review(UserRole::Reviewer);
    let (id, _) = current(&app);
    let fx = update(
        &mut app,
        Action::TranscriptLoaded {
            response_id: id.clone(),
            result: Err(ClientError::Conflict(
                "transcript failed: pocketsphinx is not installed".into(),
            )),
        },
    );
    assert!(fx.is_empty(), "no retry after the server gave up: {fx:?}");
    let screen = text(&app);
    assert!(
        screen.contains("transcript failed: pocketsphinx is not installed"),
        "{screen}"
    );

    // Other errors still say the transcript could not be fetched.
    update(
        &mut app,
        Action::TranscriptLoaded {
            response_id: id,
            result: Err(ClientError::NotFound("no response".into())),
        },
    );
    let screen = text(&app);
    assert!(
        screen.contains("Transcript unavailable: not found"),
        "{screen}"
    );
}
