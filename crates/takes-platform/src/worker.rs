//! One way to run a background job (webhook deliveries, queued email, the
//! Greenhouse notifier, the invitation sweep): a [`Worker`] says what one
//! pass does, a [`Schedule`] says when passes happen, and the
//! [`WorkerHandle`] runs it, stops it and reports how it is doing.
//!
//! Each worker keeps its state in the database, so a pass interrupted by a
//! stop is picked up by the next server; stopping only waits for the pass in
//! flight so its outcome is recorded.

use std::future::Future;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, SystemTime};

use tokio::sync::{watch, Notify};

/// A background job, run one pass ([`Worker::tick`]) at a time.
pub trait Worker: Send + 'static {
    /// Names the worker in logs and in its [`Health`].
    const NAME: &'static str;

    /// Runs once, before the first pass (housekeeping after a restart).
    fn start(&mut self) -> impl Future<Output = ()> + Send {
        async {}
    }

    /// One pass. `Ok(true)` says more work may be due at once (a finished
    /// delivery can unblock the next one), so the next pass starts without
    /// waiting.
    fn tick(&mut self) -> impl Future<Output = anyhow::Result<bool>> + Send;
}

/// When a worker's passes happen.
#[derive(Debug, Clone)]
pub struct Schedule {
    /// The longest wait between two passes (real time).
    pub every: Duration,
    /// Waits one interval before the first pass, so whoever starts a server
    /// (a test above all) can drive the first passes itself.
    pub wait_first: bool,
    /// Starts a pass early when notified; a notification during a pass is
    /// remembered, so none is lost.
    pub wake: Option<Arc<Notify>>,
}

impl Schedule {
    pub fn every(every: Duration) -> Self {
        Schedule {
            every,
            wait_first: false,
            wake: None,
        }
    }

    pub fn waiting_first(self) -> Self {
        Schedule {
            wait_first: true,
            ..self
        }
    }

    pub fn woken_by(self, wake: Arc<Notify>) -> Self {
        Schedule {
            wake: Some(wake),
            ..self
        }
    }
}

/// How a worker is doing, for operators and tests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Health {
    pub name: &'static str,
    /// Passes finished, failed ones included.
    pub ticks: u64,
    /// When the last pass finished.
    pub last_tick: Option<SystemTime>,
    /// The last pass's error; `None` once a pass succeeds again.
    pub last_error: Option<String>,
}

/// A running worker. [`WorkerHandle::stop`] lets the pass in flight finish;
/// dropping the handle stops the worker at its next wait without waiting.
pub struct WorkerHandle {
    stop: watch::Sender<bool>,
    task: tokio::task::JoinHandle<()>,
    health: Arc<Mutex<Health>>,
}

impl WorkerHandle {
    pub fn spawn<W: Worker>(worker: W, schedule: Schedule) -> WorkerHandle {
        let (stop, rx) = watch::channel(false);
        let health = Arc::new(Mutex::new(Health {
            name: W::NAME,
            ticks: 0,
            last_tick: None,
            last_error: None,
        }));
        let task = tokio::spawn(run(worker, schedule, rx, health.clone()));
        WorkerHandle { stop, task, health }
    }

    pub fn health(&self) -> Health {
        self.health
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    pub async fn stop(self) {
        let _ = self.stop.send(true);
        let _ = self.task.await;
    }
}

async fn run<W: Worker>(
    mut worker: W,
    schedule: Schedule,
    mut stop: watch::Receiver<bool>,
    health: Arc<Mutex<Health>>,
) {
    worker.start().await;
    if schedule.wait_first && !wait(&schedule, &mut stop).await {
        return;
    }
    loop {
        if *stop.borrow() {
            return;
        }
        let outcome = worker.tick().await;
        let more = matches!(outcome, Ok(true));
        if let Err(err) = &outcome {
            tracing::warn!(worker = W::NAME, error = %err, "background round failed; retrying after the interval");
        }
        {
            let mut h = health.lock().unwrap_or_else(PoisonError::into_inner);
            h.ticks += 1;
            h.last_tick = Some(SystemTime::now());
            h.last_error = outcome.err().map(|e| format!("{e:#}"));
        }
        if !more && !wait(&schedule, &mut stop).await {
            return;
        }
    }
}

/// Waits for the interval or a wake-up; `false` when the worker is to stop
/// (asked to, or its handle dropped).
async fn wait(schedule: &Schedule, stop: &mut watch::Receiver<bool>) -> bool {
    let woken = async {
        match &schedule.wake {
            Some(notify) => notify.notified().await,
            None => std::future::pending().await,
        }
    };
    tokio::select! {
        _ = woken => {}
        _ = tokio::time::sleep(schedule.every) => {}
        _ = stop.changed() => return false,
    }
    !*stop.borrow()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Counts its passes; `fails` says which pass numbers fail.
    struct Counter {
        passes: Arc<Mutex<u32>>,
        fails: fn(u32) -> bool,
    }

    impl Worker for Counter {
        const NAME: &'static str = "counter";

        async fn tick(&mut self) -> anyhow::Result<bool> {
            let n = {
                let mut p = self.passes.lock().expect("lock");
                *p += 1;
                *p
            };
            if (self.fails)(n) {
                anyhow::bail!("pass {n} failed");
            }
            Ok(false)
        }
    }

    fn spawn(fails: fn(u32) -> bool, schedule: Schedule) -> (WorkerHandle, Arc<Mutex<u32>>) {
        let passes = Arc::new(Mutex::new(0));
        let worker = Counter {
            passes: passes.clone(),
            fails,
        };
        (WorkerHandle::spawn(worker, schedule), passes)
    }

    fn count(passes: &Mutex<u32>) -> u32 {
        *passes.lock().expect("lock")
    }

    /// Waits (real time) until `passes` reaches `n`, failing after a while.
    async fn until(passes: &Mutex<u32>, n: u32) {
        for _ in 0..500 {
            if count(passes) >= n {
                return;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        panic!("only {} passes, expected {n}", count(passes));
    }

    #[tokio::test]
    async fn waits_one_interval_before_the_first_pass() {
        let schedule = Schedule::every(Duration::from_millis(400)).waiting_first();
        let (handle, passes) = spawn(|_| false, schedule);
        tokio::time::sleep(Duration::from_millis(100)).await;
        assert_eq!(count(&passes), 0);
        assert_eq!(handle.health().ticks, 0);
        assert_eq!(handle.health().last_tick, None);
        until(&passes, 1).await;
        handle.stop().await;
    }

    #[tokio::test]
    async fn health_reports_passes_and_the_last_error_until_a_pass_succeeds() {
        let (handle, passes) = spawn(|n| n >= 2, Schedule::every(Duration::from_millis(10)));
        until(&passes, 3).await;
        let failing = handle.health();
        assert_eq!(failing.name, "counter");
        assert!(
            failing.ticks >= 2 && failing.last_tick.is_some(),
            "{failing:?}"
        );
        assert!(
            failing
                .last_error
                .as_deref()
                .is_some_and(|e| e.ends_with(" failed")),
            "{failing:?}"
        );
        handle.stop().await;

        let (handle, passes) = spawn(|n| n == 1, Schedule::every(Duration::from_millis(10)));
        until(&passes, 3).await;
        let h = handle.health();
        assert!(h.ticks >= 2, "{h:?}");
        assert_eq!(h.last_error, None, "a good pass clears the error");
        handle.stop().await;
    }

    #[tokio::test]
    async fn a_wake_up_starts_a_pass_before_the_interval() {
        let notify = Arc::new(Notify::new());
        let schedule = Schedule::every(Duration::from_secs(3600)).woken_by(notify.clone());
        let (handle, passes) = spawn(|_| false, schedule);
        until(&passes, 1).await;
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert_eq!(count(&passes), 1, "the next pass waits for the interval");
        notify.notify_one();
        until(&passes, 2).await;
        handle.stop().await;
    }

    #[tokio::test]
    async fn no_pass_runs_after_stop_or_drop() {
        let (handle, passes) = spawn(|_| false, Schedule::every(Duration::from_millis(20)));
        until(&passes, 2).await;
        handle.stop().await;
        let stopped = count(&passes);
        tokio::time::sleep(Duration::from_millis(200)).await;
        assert_eq!(count(&passes), stopped);

        let (handle, passes) = spawn(|_| false, Schedule::every(Duration::from_millis(20)));
        until(&passes, 2).await;
        drop(handle);
        tokio::time::sleep(Duration::from_millis(50)).await;
        let dropped = count(&passes);
        tokio::time::sleep(Duration::from_millis(200)).await;
        assert_eq!(count(&passes), dropped);
    }
}
