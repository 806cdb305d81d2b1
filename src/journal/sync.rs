//! The journal's two workers: a writer thread that appends and fsyncs in
//! order (so "saved" means on disk), and a sender task that sends unsent
//! entries one at a time, in order, retrying transient failures with
//! backoff. Neither ever blocks the UI; both report through a callback.

use std::collections::VecDeque;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::Notify;

use super::{Journal, Record, ScoreEntry};
use crate::client::Client;

/// What the journal workers tell the app.
#[derive(Debug, Clone, PartialEq)]
pub enum SyncEvent {
    /// The journal is open; these entries (of any user) were not sent yet.
    Opened {
        path: PathBuf,
        pending: Vec<ScoreEntry>,
    },
    OpenFailed(String),
    /// On disk (fsynced).
    Saved {
        key: String,
    },
    SaveFailed {
        key: String,
        reason: String,
    },
    /// The server stored it.
    Synced {
        key: String,
        assignment_id: String,
        question_id: String,
    },
    /// The server refused it for good; it will not be resent.
    Rejected {
        key: String,
        assignment_id: String,
        question_id: String,
        reason: String,
    },
    /// A transient failure; the entry at the head waits and is retried.
    Retrying {
        reason: String,
        offline: bool,
        waiting: usize,
    },
}

pub type Report = Arc<dyn Fn(SyncEvent) + Send + Sync>;

struct Shared {
    queue: Mutex<VecDeque<ScoreEntry>>,
    notify: Notify,
}

/// The app's handle on the journal workers.
#[derive(Clone)]
pub struct JournalHandle {
    tx: std::sync::mpsc::Sender<ScoreEntry>,
    shared: Arc<Shared>,
}

impl JournalHandle {
    /// Queues an entry to be made durable (reported as `Saved`) and sent.
    pub fn append(&self, entry: ScoreEntry) -> bool {
        self.tx.send(entry).is_ok()
    }

    /// Entries saved but not yet acknowledged by the server.
    pub fn unsent(&self) -> usize {
        self.shared.queue.lock().map(|q| q.len()).unwrap_or(0)
    }

    /// Skips the retry wait (e.g. after the user asked to refresh).
    pub fn retry_now(&self) {
        self.shared.notify.notify_one();
    }
}

/// Starts the writer thread and sender task for `path`, sending as
/// `user_id` through `client`. Must be called inside a tokio runtime.
pub fn start(path: PathBuf, user_id: String, client: Client, report: Report) -> JournalHandle {
    let (tx, rx) = std::sync::mpsc::channel::<ScoreEntry>();
    let shared = Arc::new(Shared {
        queue: Mutex::new(VecDeque::new()),
        notify: Notify::new(),
    });
    let journal: Arc<Mutex<Option<Journal>>> = Arc::new(Mutex::new(None));

    {
        let shared = shared.clone();
        let journal = journal.clone();
        let report = report.clone();
        let user_id = user_id.clone();
        std::thread::Builder::new()
            .name("takes-journal".into())
            .spawn(move || writer(path, user_id, rx, shared, journal, report))
            .ok();
    }
    tokio::spawn(sender(user_id, client, shared.clone(), journal, report));
    JournalHandle { tx, shared }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

fn writer(
    path: PathBuf,
    user_id: String,
    rx: std::sync::mpsc::Receiver<ScoreEntry>,
    shared: Arc<Shared>,
    journal: Arc<Mutex<Option<Journal>>>,
    report: Report,
) {
    match Journal::open(&path) {
        Ok((j, pending)) => {
            *lock(&journal) = Some(j);
            {
                let mut q = lock(&shared.queue);
                q.extend(
                    pending
                        .iter()
                        .filter(|e| e.user_id == user_id && e.rating.is_some())
                        .cloned(),
                );
            }
            shared.notify.notify_one();
            report(SyncEvent::Opened { path, pending });
        }
        Err(e) => {
            tracing::error!(error = %e, "cannot open the journal");
            report(SyncEvent::OpenFailed(e.to_string()));
        }
    }
    while let Ok(entry) = rx.recv() {
        let result = match lock(&journal).as_mut() {
            Some(j) => j
                .append(&Record::Score(entry.clone()), true)
                .map_err(|e| e.to_string()),
            None => Err("the journal could not be opened".to_string()),
        };
        match result {
            Ok(()) => {
                if entry.rating.is_some() && entry.user_id == user_id {
                    lock(&shared.queue).push_back(entry.clone());
                    shared.notify.notify_one();
                }
                report(SyncEvent::Saved { key: entry.key });
            }
            Err(reason) => {
                tracing::error!(%reason, key = %entry.key, "journal write failed");
                report(SyncEvent::SaveFailed {
                    key: entry.key,
                    reason,
                });
            }
        }
    }
}

async fn sender(
    _user_id: String,
    client: Client,
    shared: Arc<Shared>,
    journal: Arc<Mutex<Option<Journal>>>,
    report: Report,
) {
    let mut backoff = Duration::from_millis(500);
    loop {
        let head = lock(&shared.queue).front().cloned();
        let Some(entry) = head else {
            shared.notify.notified().await;
            continue;
        };
        let Some(write) = entry.body() else {
            lock(&shared.queue).pop_front();
            continue;
        };
        let result = client
            .put_score(&entry.sheet(), &entry.question_id, &write, &entry.key)
            .await;
        match result {
            Ok(()) => {
                backoff = Duration::from_millis(500);
                if let Some(j) = lock(&journal).as_mut() {
                    // Not fsynced: a lost ack only means one idempotent resend.
                    let _ = j.append(
                        &Record::Ack {
                            key: entry.key.clone(),
                        },
                        false,
                    );
                }
                pop_if_head(&shared, &entry.key);
                report(SyncEvent::Synced {
                    key: entry.key,
                    assignment_id: entry.assignment_id,
                    question_id: entry.question_id,
                });
            }
            Err(e) if !e.is_transient() => {
                let reason = e.to_string();
                tracing::warn!(key = %entry.key, %reason, "score refused by the server");
                if let Some(j) = lock(&journal).as_mut() {
                    let _ = j.append(
                        &Record::Fail {
                            key: entry.key.clone(),
                            reason: reason.clone(),
                        },
                        true,
                    );
                }
                pop_if_head(&shared, &entry.key);
                report(SyncEvent::Rejected {
                    key: entry.key,
                    assignment_id: entry.assignment_id,
                    question_id: entry.question_id,
                    reason,
                });
            }
            Err(e) => {
                let waiting = lock(&shared.queue).len();
                tracing::info!(error = %e, waiting, "score sync will retry");
                report(SyncEvent::Retrying {
                    reason: e.to_string(),
                    offline: e.is_offline(),
                    waiting,
                });
                tokio::select! {
                    _ = tokio::time::sleep(backoff) => {}
                    _ = shared.notify.notified() => {}
                }
                backoff = (backoff * 2).min(Duration::from_secs(15));
            }
        }
    }
}

fn pop_if_head(shared: &Shared, key: &str) {
    let mut q = lock(&shared.queue);
    if q.front().map(|e| e.key.as_str()) == Some(key) {
        q.pop_front();
    }
}
