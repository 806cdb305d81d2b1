//! Server effects: [`perform`] turns one [`Effect`] into its client call and
//! reports the outcome as [`Action`]s. Adding an endpoint adds an `Effect`,
//! an `Action` and one arm in [`request`]; the runtime spawns every request
//! the same way.

use takes_api::AssignmentStatus;
use tokio::sync::mpsc::UnboundedSender;

use super::action::{Action, Counts, QueueChunk};
use super::effect::Effect;
use crate::client::{Client, ClientError};

/// Runs one server request to completion and sends what came of it. The
/// runtime routes player and journal effects before it gets here; given
/// one anyway, this sends nothing.
pub async fn perform(client: &Client, effect: Effect, out: &UnboundedSender<Action>) {
    match effect {
        // The one request answered in several actions: each page is shown
        // as soon as it arrives.
        Effect::FetchQueue {
            gen,
            cursor,
            want,
            page,
            replace,
        } => fetch_queue(client, gen, cursor, want, page, replace, out).await,
        other => {
            if let Some(action) = request(client, other).await {
                let _ = out.send(action);
            }
        }
    }
}

/// The request an effect stands for, and the action its answer becomes.
async fn request(client: &Client, effect: Effect) -> Option<Action> {
    let action = match effect {
        Effect::FetchMe => Action::MeLoaded(client.me().await),
        Effect::FetchCounts => Action::CountsLoaded(counts(client).await),
        Effect::PrefetchAssignment(id) => {
            let result = client.assignment(&id).await;
            Action::Prefetched { id, result }
        }
        Effect::FetchAssignment(id) => {
            let result = client.assignment(&id).await;
            Action::AssignmentLoaded { id, result }
        }
        Effect::FetchTranscript {
            response_id,
            url,
            delay_s,
        } => {
            if delay_s > 0 {
                tokio::time::sleep(std::time::Duration::from_secs(delay_s)).await;
            }
            let result = client.transcript(&url).await;
            Action::TranscriptLoaded {
                response_id,
                result,
            }
        }
        Effect::Submit(sheet) => {
            let result = client.submit(&sheet).await;
            Action::Submitted { sheet, result }
        }
        Effect::FetchPanel(assignment_id) => {
            let result = client.panel(&assignment_id).await;
            Action::PanelLoaded {
                assignment_id,
                result,
            }
        }
        Effect::Decide {
            interview_id,
            request,
        } => Action::Decided(client.decide(&interview_id, &request).await),
        Effect::FetchBoard {
            gen,
            query,
            cursor,
            page,
            replace,
        } => Action::BoardLoaded {
            gen,
            replace,
            result: client.board(&query, cursor.as_deref(), page).await,
        },
        Effect::FetchBoardInterview(id) => {
            let result = client.board_interview(&id).await;
            Action::BoardInterviewLoaded { id, result }
        }
        Effect::DecideBulk { request, key } => {
            Action::BoardDecided(client.decide_bulk(&request, &key).await)
        }
        Effect::BoardPollAfter { gen, delay_ms } => {
            tokio::time::sleep(std::time::Duration::from_millis(delay_ms)).await;
            Action::BoardPollDue(gen)
        }
        Effect::FetchBoardSync { gen, ids } => Action::BoardSyncLoaded {
            gen,
            result: client.board_sync(&ids).await,
        },
        Effect::ShareInterview(id) => {
            let result = client.share_link(&id).await;
            Action::BoardShared { id, result }
        }
        Effect::RetryBoardSync(id) => {
            let result = client.retry_sync(&id).await;
            Action::BoardSyncRetried { id, result }
        }
        Effect::RemindReviewers(id) => {
            let result = client.remind(&id).await;
            Action::BoardReminded { id, result }
        }
        Effect::Reassign {
            interview_id,
            request,
        } => {
            let result = client.reassign(&interview_id, &request).await;
            Action::BoardReassigned {
                id: interview_id,
                result,
            }
        }
        Effect::FetchCalibrations => Action::CalibrationsLoaded(client.calibrations().await),
        Effect::FetchCalibrationSession(id) => {
            let result = client.calibration(&id).await;
            Action::CalibrationSessionLoaded { id, result }
        }
        Effect::AddCalibrationNote {
            session_id,
            item_id,
            text,
        } => {
            let result = client
                .add_calibration_note(&session_id, &item_id, &text)
                .await;
            Action::CalibrationNoteAdded { session_id, result }
        }
        Effect::FetchCalibrationResults(id) => {
            let result = client.calibration_results(&id).await;
            Action::CalibrationResultsLoaded { id, result }
        }
        Effect::FetchRoles => Action::RolesLoaded(client.roles().await),
        Effect::FetchRole(id) => {
            let result = client.role(&id).await;
            Action::RoleLoaded { id, result }
        }
        Effect::FetchInsights { gen, query, staff } => Action::InsightsLoaded {
            gen,
            data: Box::new(client.insights_bundle(&query, staff).await),
        },
        Effect::FetchQueue { .. }
        | Effect::Player(_)
        | Effect::OpenJournal { .. }
        | Effect::Journal(_)
        | Effect::RetrySync
        | Effect::CopyToClipboard(_) => return None,
    };
    Some(action)
}

/// The first page of a queue load: a tall terminal's screenful.
const FIRST_PAGE: i64 = 64;

/// Queue pages from `cursor` until `want` items or the end; stops early
/// once nobody listens.
async fn fetch_queue(
    client: &Client,
    gen: u64,
    mut cursor: Option<String>,
    want: usize,
    page: i64,
    replace: bool,
    out: &UnboundedSender<Action>,
) {
    let limit = page.clamp(1, 500);
    let mut got = 0usize;
    let mut first = true;
    loop {
        // A screenful first, so the rows show before the rest is read.
        let size = if first && cursor.is_none() {
            limit.min(FIRST_PAGE)
        } else {
            limit
        };
        let p = match client.queue(cursor.as_deref(), size, None).await {
            Ok(p) => p,
            Err(e) => {
                let _ = out.send(Action::QueueLoaded {
                    gen,
                    result: Err(e),
                });
                return;
            }
        };
        got += p.items.len();
        let done = p.next_cursor.is_none() || got >= want;
        cursor = p.next_cursor.clone();
        let chunk = QueueChunk {
            items: p.items,
            next_cursor: p.next_cursor,
            total: p.total,
            replace: replace && first,
            done,
        };
        first = false;
        let sent = out.send(Action::QueueLoaded {
            gen,
            result: Ok(chunk),
        });
        if sent.is_err() || done {
            return;
        }
    }
}

/// Totals per status: three one-item pages, fetched at once.
async fn counts(client: &Client) -> Result<Counts, ClientError> {
    let total = |s| async move { client.queue(None, 1, Some(s)).await.map(|p| p.total) };
    let (pending, in_progress, submitted) = tokio::join!(
        total(AssignmentStatus::Pending),
        total(AssignmentStatus::InProgress),
        total(AssignmentStatus::Submitted)
    );
    Ok(Counts {
        pending: pending?,
        in_progress: in_progress?,
        submitted: submitted?,
    })
}

#[cfg(test)]
mod tests {
    use takes_api::{AssignmentDetail, ScoreWrite, Sheet};
    use tokio::sync::mpsc::unbounded_channel;

    use super::*;
    use crate::app::effect::PlayerCmd;

    /// A real platform with the demo data, and a client signed in as its
    /// first reviewer.
    struct Platform {
        client: Client,
        _server: takes_platform::RunningServer,
        _dir: tempfile::TempDir,
    }

    async fn platform() -> Platform {
        let dir = tempfile::tempdir().expect("tempdir");
        let opts = takes_platform::StorageOptions {
            database_url: Some(takes_platform::db::sqlite_url(
                &dir.path().join("db.sqlite"),
            )),
            media_dir: Some(dir.path().join("media")),
        };
        let state = opts
            .open(takes_platform::Clock::System)
            .await
            .expect("storage");
        let report = takes_platform::seed::demo::load(&state)
            .await
            .expect("seed");
        let server = takes_platform::start(state, "127.0.0.1:0".parse().expect("addr"))
            .await
            .expect("server");
        let token = report
            .users
            .iter()
            .find(|u| u.name == "Riley Chen")
            .map(|u| u.token.clone())
            .expect("the demo reviewer");
        let client = Client::new(&server.base_url(), &token, 10).expect("client");
        Platform {
            client,
            _server: server,
            _dir: dir,
        }
    }

    /// Everything `perform` reported for one effect, in order.
    async fn outcome(client: &Client, effect: Effect) -> Vec<Action> {
        let (tx, mut rx) = unbounded_channel();
        perform(client, effect, &tx).await;
        drop(tx);
        let mut out = Vec::new();
        while let Some(a) = rx.recv().await {
            out.push(a);
        }
        out
    }

    async fn submit(client: &Client, sheet: &Sheet) -> Result<String, ClientError> {
        match outcome(client, Effect::Submit(sheet.clone()))
            .await
            .as_slice()
        {
            [Action::Submitted { sheet: s, result }] => {
                assert_eq!(s, sheet, "the answer names the sheet it was for");
                result.clone().map(|r| r.submitted_at)
            }
            other => panic!("one Submitted, got {other:?}"),
        }
    }

    fn write(rating: i64) -> ScoreWrite {
        ScoreWrite {
            rating,
            muted_rating: Some(rating),
            note: Some("clear answer".into()),
            evidence: Some(vec![]),
        }
    }

    /// Scores every item with the same key per item, twice: the resend is
    /// answered like the first write.
    async fn score_all(client: &Client, sheet: &Sheet, items: &[(String, i64)]) {
        for (item, rating) in items {
            let key = format!("{}-{item}", sheet.id);
            for _ in 0..2 {
                let r = client.put_score(sheet, item, &write(*rating), &key).await;
                assert_eq!(r, Ok(()), "{sheet:?} {item}");
            }
        }
    }

    fn already_submitted(r: Result<String, ClientError>) -> bool {
        matches!(r, Err(ClientError::Conflict(d)) if d.contains("already submitted"))
    }

    #[tokio::test]
    async fn assignments_and_calibration_sessions_score_and_submit_through_one_path() {
        let p = platform().await;
        let c = &p.client;

        // An assignment: its questions are the items.
        let queue = c.queue(None, 50, None).await.expect("queue");
        let open = queue
            .items
            .iter()
            .find(|i| i.status != AssignmentStatus::Submitted)
            .expect("an open assignment");
        let detail: AssignmentDetail = c.assignment(&open.id).await.expect("assignment");
        let sheet = Sheet::assignment(&detail.id);
        let items: Vec<(String, i64)> = detail
            .questions
            .iter()
            .map(|q| (q.id.clone(), q.rubric.scale_min))
            .collect();
        score_all(c, &sheet, &items).await;
        assert!(submit(c, &sheet).await.is_ok_and(|at| !at.is_empty()));
        assert!(already_submitted(submit(c, &sheet).await));
        let locked = c
            .put_score(&sheet, &items[0].0, &write(items[0].1), "after-submit")
            .await;
        assert!(
            matches!(locked, Err(ClientError::Conflict(_))),
            "{locked:?}"
        );

        // A calibration session: its sample responses are the items, and
        // the body leaves out what calibration does not keep.
        let sessions = c.calibrations().await.expect("sessions");
        let open = sessions
            .items
            .iter()
            .find(|s| {
                s.my_status
                    .is_some_and(|st| st != takes_api::CalibrationStatus::Submitted)
            })
            .expect("a session the reviewer has not submitted");
        let session = c.calibration(&open.id).await.expect("session");
        let sheet = Sheet::calibration(&session.id);
        let items: Vec<(String, i64)> = session
            .items
            .iter()
            .map(|i| (i.id.clone(), i.question.rubric.scale_max))
            .collect();
        score_all(c, &sheet, &items).await;
        let mine = c.calibration(&session.id).await.expect("session");
        assert_eq!(mine.my_scores.len(), items.len());
        assert!(mine
            .my_scores
            .iter()
            .all(|s| s.note.as_deref() == Some("clear answer")));
        assert!(submit(c, &sheet).await.is_ok_and(|at| !at.is_empty()));
        let again = submit(c, &sheet).await;
        assert!(matches!(again, Err(ClientError::Conflict(_))), "{again:?}");
    }

    #[tokio::test]
    async fn a_queue_fetch_reports_each_page_until_it_has_enough() {
        let p = platform().await;
        let fetch = Effect::FetchQueue {
            gen: 7,
            cursor: None,
            want: 2,
            page: 1,
            replace: true,
        };
        let chunks: Vec<QueueChunk> = outcome(&p.client, fetch)
            .await
            .into_iter()
            .map(|a| match a {
                Action::QueueLoaded { gen: 7, result } => result.expect("a page"),
                other => panic!("{other:?}"),
            })
            .collect();
        let shape: Vec<(usize, bool, bool)> = chunks
            .iter()
            .map(|c| (c.items.len(), c.replace, c.done))
            .collect();
        assert_eq!(shape, [(1, true, false), (1, false, true)]);
        assert!(
            chunks[1].next_cursor.is_some(),
            "more were left on the server"
        );
        assert_ne!(chunks[0].items[0].id, chunks[1].items[0].id);

        let counts = outcome(&p.client, Effect::FetchCounts).await;
        match counts.as_slice() {
            [Action::CountsLoaded(Ok(c))] => {
                assert_eq!(c.pending + c.in_progress + c.submitted, chunks[0].total)
            }
            other => panic!("{other:?}"),
        }
    }

    #[tokio::test]
    async fn failures_come_back_as_the_effects_action_and_local_effects_send_nothing() {
        // Nothing listens on port 9 of localhost.
        let client = Client::new("http://127.0.0.1:9", "t", 2).expect("client");
        let sheet = Sheet::calibration("s1");
        match outcome(&client, Effect::Submit(sheet.clone()))
            .await
            .as_slice()
        {
            [Action::Submitted {
                sheet: s,
                result: Err(e),
            }] => {
                assert_eq!(s, &sheet);
                assert!(e.is_offline(), "{e:?}");
            }
            other => panic!("{other:?}"),
        }
        for local in [
            Effect::Player(PlayerCmd::Stop),
            Effect::RetrySync,
            Effect::OpenJournal {
                user_id: "u".into(),
            },
        ] {
            assert!(
                outcome(&client, local.clone()).await.is_empty(),
                "{local:?}"
            );
        }
    }
}
