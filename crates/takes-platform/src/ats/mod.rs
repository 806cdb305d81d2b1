//! Inbound ATS integrations: the ATS tells us a candidate reached the
//! screening stage and we invite them, once, however often it repeats
//! itself; Greenhouse also hears back when the interview is done.
//!
//! * `config` — the `[ats]` table (`[ats.generic]`, `[ats.greenhouse]`,
//!   `[ats.lever]`); an integration is off until its table is present.
//! * `signature` — proving a request comes from the ATS (Standard Webhooks,
//!   Lever's token HMAC, Greenhouse's Basic-auth key), constant-time.
//! * `inbound` — shared by all three: idempotent invitation on the ATS's
//!   id, and the store of message ids already handled.
//! * `greenhouse` — tests sent and their status as Greenhouse sees it;
//!   `notifier` — the worker that PATCHes Greenhouse on completion.
//! * `lever` — reading an opportunity from the Lever API.
//!
//! The HTTP handlers are in `api/ats/`.

pub mod config;
pub mod greenhouse;
pub mod inbound;
pub mod lever;
pub mod notifier;
pub mod signature;

pub use config::AtsConfig;

/// One HTTP client for calls out to ATSs (keeps connections warm). A
/// redirect is not followed: the configured host must answer itself.
pub(crate) fn http() -> &'static reqwest::Client {
    static CLIENT: std::sync::OnceLock<reqwest::Client> = std::sync::OnceLock::new();
    CLIENT.get_or_init(|| {
        reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(std::time::Duration::from_secs(10))
            .connect_timeout(std::time::Duration::from_secs(5))
            .user_agent(concat!("takes-ats/", env!("CARGO_PKG_VERSION")))
            .build()
            .unwrap_or_default()
    })
}
