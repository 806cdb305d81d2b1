//! What the API and the delivery worker share: the wake-up and the HTTP
//! client. `AppState` holds it, so it depends on nothing but its config.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Notify;

use super::netguard::{GuardedResolver, NetPolicy};

#[derive(Debug, Clone)]
pub struct WorkerConfig {
    /// How often to look for due rows without a wake-up (real time).
    pub poll: Duration,
    /// Whole-request limit of one attempt (real time).
    pub timeout: Duration,
    pub connect_timeout: Duration,
    /// Rows taken per round.
    pub batch: i64,
    /// Attempts in flight at once (never two of one interview to one endpoint).
    pub concurrency: usize,
}

impl Default for WorkerConfig {
    fn default() -> Self {
        WorkerConfig {
            poll: Duration::from_secs(1),
            // The Standard Webhooks specification recommends 15 to 30 s,
            // time for a receiver to process and acknowledge.
            timeout: Duration::from_secs(20),
            connect_timeout: Duration::from_secs(5),
            batch: 50,
            concurrency: 8,
        }
    }
}

/// What the API and the worker share: the wake-up and the HTTP client.
#[derive(Clone)]
pub struct Hub {
    inner: Arc<HubInner>,
}

struct HubInner {
    notify: Arc<Notify>,
    client: reqwest::Client,
    config: WorkerConfig,
    policy: Arc<NetPolicy>,
}

impl Hub {
    /// A hub whose client reaches public addresses only.
    pub fn new(config: WorkerConfig) -> anyhow::Result<Hub> {
        let policy = Arc::new(NetPolicy::default());
        Ok(Hub {
            inner: Arc::new(HubInner {
                notify: Arc::new(Notify::new()),
                client: client(&config, &policy)?,
                config,
                policy,
            }),
        })
    }

    /// The same hub (same wake-up) with a client limited to `policy`.
    pub fn with_policy(&self, policy: NetPolicy) -> anyhow::Result<Hub> {
        let policy = Arc::new(policy);
        let config = self.inner.config.clone();
        Ok(Hub {
            inner: Arc::new(HubInner {
                notify: self.inner.notify.clone(),
                client: client(&config, &policy)?,
                config,
                policy,
            }),
        })
    }

    /// Where webhook requests may go.
    pub fn policy(&self) -> &NetPolicy {
        &self.inner.policy
    }

    /// Makes the worker look for due deliveries now. A wake while it is busy
    /// is remembered, so none is lost.
    pub fn wake(&self) {
        self.inner.notify.notify_one();
    }

    pub(crate) fn notify(&self) -> Arc<Notify> {
        self.inner.notify.clone()
    }

    pub(crate) fn client(&self) -> &reqwest::Client {
        &self.inner.client
    }

    pub(crate) fn config(&self) -> &WorkerConfig {
        &self.inner.config
    }
}

fn client(config: &WorkerConfig, policy: &Arc<NetPolicy>) -> anyhow::Result<reqwest::Client> {
    Ok(reqwest::Client::builder()
        // A redirect is not an acknowledgement; receivers must answer
        // at the registered URL (and a redirect could point inwards).
        .redirect(reqwest::redirect::Policy::none())
        // A proxy would resolve the name itself, past the guard.
        .no_proxy()
        .dns_resolver(Arc::new(GuardedResolver {
            policy: policy.clone(),
        }))
        .timeout(config.timeout)
        .connect_timeout(config.connect_timeout)
        .user_agent(concat!("takes-webhooks/", env!("CARGO_PKG_VERSION")))
        .build()?)
}
