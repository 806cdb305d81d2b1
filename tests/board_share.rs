//! The share key on the board's opened interview: a share link made over
//! the API, shown in an overlay and sent to the clipboard; nothing without
//! an opened interview; a failure says so and shows nothing.

use crossterm::event::KeyCode;
use takes::app::{update, Action, Effect};
use takes::client::board::SharedLink;
use takes::client::ClientError;
use takes_api::board::BoardStage;
use takes_testkit::{app_on_board, app_on_board_interview, ch, key};

fn link() -> SharedLink {
    SharedLink {
        id: "sl1".into(),
        url: "https://takes.example.com/results/st_abc".into(),
        expires_at: "2027-01-01T09:00:00Z".into(),
    }
}

#[test]
fn the_share_key_makes_a_link_shows_it_and_copies_it() {
    let mut app = app_on_board_interview(1);
    let fx = ch(&mut app, 'L');
    assert_eq!(fx, vec![Effect::ShareInterview("i1".into())]);
    assert!(app.board.share.is_none());
    let fx = update(
        &mut app,
        Action::BoardShared {
            id: "i1".into(),
            result: Ok(link()),
        },
    );
    assert_eq!(
        fx,
        vec![Effect::CopyToClipboard(
            "https://takes.example.com/results/st_abc".into()
        )]
    );
    let shown = app.board.share.clone().expect("overlay");
    assert_eq!(shown.link, link());
    let row = app.board.items.iter().find(|i| i.id == "i1").expect("row");
    assert_eq!(shown.candidate, row.candidate_name);
    // Any key closes it and does nothing else: the interview stays open.
    let fx = ch(&mut app, 'j');
    assert!(fx.is_empty());
    assert!(app.board.share.is_none());
    assert_eq!(app.board.opened.as_ref().map(|o| o.scroll), Some(0));
    key(&mut app, KeyCode::Esc);
    assert!(app.board.opened.is_none());
}

#[test]
fn without_an_opened_interview_or_on_failure_nothing_is_shown() {
    let mut app = app_on_board(12, Some(BoardStage::ReadyToDecide));
    assert!(ch(&mut app, 'L').is_empty());
    let status = app
        .status
        .as_ref()
        .map(|s| s.text.clone())
        .unwrap_or_default();
    assert!(status.contains("Open the interview"), "{status}");

    let mut app = app_on_board_interview(1);
    ch(&mut app, 'L');
    let fx = update(
        &mut app,
        Action::BoardShared {
            id: "i1".into(),
            result: Err(ClientError::Timeout(10)),
        },
    );
    assert!(fx.is_empty());
    assert!(app.board.share.is_none());
    let status = app
        .status
        .as_ref()
        .map(|s| s.text.clone())
        .unwrap_or_default();
    assert!(status.contains("Share link not made"), "{status}");
}
