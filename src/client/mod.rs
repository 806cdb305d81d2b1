//! The platform API client (reqwest). Every failure becomes a
//! [`ClientError`] whose text is fit to show in the UI.

// The process file's and the role browser's calls (kept apart from the
// other features' calls).
pub mod board;
mod candidates;
pub mod insights;
mod process;
mod roles;
pub mod vtt;

use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde::de::DeserializeOwned;
use serde::Serialize;
use takes_api::{
    AssignmentDetail, AssignmentStatus, CalibrationPage, CalibrationResults, CalibrationScore,
    CalibrationSession, CalibrationSubmitReceipt, Decision, DecisionRequest, Me, Panel, Problem,
    QueuePage, Score, ScoreWrite, Sheet, SheetKind, SubmitReceipt,
};

/// Why a request failed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ClientError {
    #[error("cannot reach the server at {url}: {reason}")]
    Unreachable { url: String, reason: String },
    #[error("the server did not answer within {0} s")]
    Timeout(u64),
    #[error("token rejected (401): {0}")]
    Unauthorized(String),
    #[error("not allowed (403): {0}")]
    Forbidden(String),
    #[error("not found (404): {0}")]
    NotFound(String),
    #[error("conflict (409): {0}")]
    Conflict(String),
    #[error("rejected ({status}): {detail}")]
    Invalid { status: u16, detail: String },
    #[error("server error ({status}): {detail}")]
    Server { status: u16, detail: String },
    #[error("the server's reply could not be read: {0}")]
    Malformed(String),
    /// Accepted but not ready (202), e.g. a transcript still being written;
    /// ask again after this many seconds.
    #[error("not ready yet; ask again in {0} s")]
    NotReady(u64),
}

impl ClientError {
    /// Worth retrying later unchanged (the server may come back).
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            ClientError::Unreachable { .. }
                | ClientError::Timeout(_)
                | ClientError::Server { .. }
                | ClientError::Unauthorized(_)
                | ClientError::Malformed(_)
        )
    }

    /// The server is not answering at all.
    pub fn is_offline(&self) -> bool {
        matches!(
            self,
            ClientError::Unreachable { .. } | ClientError::Timeout(_)
        )
    }
}

/// The server accepted a submit: the sheet's scores are locked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Receipt {
    pub submitted_at: String,
}

#[derive(Clone)]
pub struct Client {
    http: reqwest::Client,
    base: String,
    token: String,
    timeout_secs: u64,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("base", &self.base)
            .finish_non_exhaustive()
    }
}

fn enc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

impl Client {
    pub fn new(base: &str, token: &str, timeout_secs: u64) -> Result<Client, String> {
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(5))
            .timeout(Duration::from_secs(timeout_secs))
            .user_agent(concat!("takes/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| format!("cannot create the HTTP client: {e}"))?;
        Ok(Client {
            http,
            base: base.trim_end_matches('/').to_string(),
            token: token.to_string(),
            timeout_secs,
        })
    }

    pub fn base(&self) -> &str {
        &self.base
    }

    fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    async fn send(&self, req: reqwest::RequestBuilder) -> Result<reqwest::Response, ClientError> {
        let resp = req.bearer_auth(&self.token).send().await.map_err(|e| {
            if e.is_timeout() {
                ClientError::Timeout(self.timeout_secs)
            } else {
                ClientError::Unreachable {
                    url: self.base.clone(),
                    reason: root_cause(&e),
                }
            }
        })?;
        let status = resp.status();
        if status.is_success() {
            return Ok(resp);
        }
        let text = resp.text().await.unwrap_or_default();
        let detail = serde_json::from_str::<Problem>(&text)
            .map(|p| p.detail)
            .unwrap_or_else(|_| {
                let t: String = text.chars().take(200).collect();
                if t.trim().is_empty() {
                    status.canonical_reason().unwrap_or("error").to_string()
                } else {
                    t
                }
            });
        Err(match status {
            StatusCode::UNAUTHORIZED => ClientError::Unauthorized(detail),
            StatusCode::FORBIDDEN => ClientError::Forbidden(detail),
            StatusCode::NOT_FOUND => ClientError::NotFound(detail),
            StatusCode::CONFLICT => ClientError::Conflict(detail),
            s if s.is_server_error() || s == StatusCode::TOO_MANY_REQUESTS => ClientError::Server {
                status: s.as_u16(),
                detail,
            },
            s => ClientError::Invalid {
                status: s.as_u16(),
                detail,
            },
        })
    }

    async fn json<T: DeserializeOwned>(
        &self,
        req: reqwest::RequestBuilder,
    ) -> Result<T, ClientError> {
        let resp = self.send(req).await?;
        let bytes = resp.bytes().await.map_err(|e| {
            if e.is_timeout() {
                ClientError::Timeout(self.timeout_secs)
            } else {
                ClientError::Malformed(root_cause(&e))
            }
        })?;
        serde_json::from_slice(&bytes).map_err(|e| ClientError::Malformed(e.to_string()))
    }

    fn req(&self, method: Method, path: &str) -> reqwest::RequestBuilder {
        self.http.request(method, self.url(path))
    }

    fn with_body<B: Serialize>(
        &self,
        req: reqwest::RequestBuilder,
        body: &B,
    ) -> Result<reqwest::RequestBuilder, ClientError> {
        let bytes = serde_json::to_vec(body).map_err(|e| ClientError::Malformed(e.to_string()))?;
        Ok(req
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(bytes))
    }

    pub async fn me(&self) -> Result<Me, ClientError> {
        self.json(self.req(Method::GET, "/v1/me")).await
    }

    pub async fn queue(
        &self,
        cursor: Option<&str>,
        limit: i64,
        status: Option<AssignmentStatus>,
    ) -> Result<QueuePage, ClientError> {
        let mut path = format!("/v1/queue?limit={limit}");
        if let Some(c) = cursor {
            path.push_str(&format!("&cursor={}", enc(c)));
        }
        if let Some(s) = status {
            path.push_str(&format!("&status={}", s.as_str()));
        }
        self.json(self.req(Method::GET, &path)).await
    }

    pub async fn assignment(&self, id: &str) -> Result<AssignmentDetail, ClientError> {
        self.json(self.req(Method::GET, &format!("/v1/assignments/{}", enc(id))))
            .await
    }

    /// `url` is the server-relative `transcript_url` of a response.
    pub async fn transcript(&self, url: &str) -> Result<Vec<takes_api::Cue>, ClientError> {
        if !url.starts_with('/') {
            return Err(ClientError::Malformed(format!(
                "transcript_url {url:?} is not a server path"
            )));
        }
        let resp = self.send(self.req(Method::GET, url)).await?;
        if resp.status() == StatusCode::ACCEPTED {
            let after = resp
                .headers()
                .get(reqwest::header::RETRY_AFTER)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse::<u64>().ok())
                .unwrap_or(10);
            return Err(ClientError::NotReady(after.clamp(1, 300)));
        }
        let text = resp
            .text()
            .await
            .map_err(|e| ClientError::Malformed(root_cause(&e)))?;
        vtt::parse(&text).map_err(ClientError::Malformed)
    }

    pub async fn panel(&self, assignment_id: &str) -> Result<Panel, ClientError> {
        self.json(self.req(
            Method::GET,
            &format!("/v1/assignments/{}/panel", enc(assignment_id)),
        ))
        .await
    }

    pub async fn decide(
        &self,
        interview_id: &str,
        body: &DecisionRequest,
    ) -> Result<Decision, ClientError> {
        let req = self.req(
            Method::POST,
            &format!("/v1/interviews/{}/decision", enc(interview_id)),
        );
        let req = self.with_body(req, body)?;
        self.json(req).await
    }

    pub async fn calibrations(&self) -> Result<CalibrationPage, ClientError> {
        self.json(self.req(Method::GET, "/v1/calibration?limit=100"))
            .await
    }

    pub async fn calibration(&self, id: &str) -> Result<CalibrationSession, ClientError> {
        self.json(self.req(Method::GET, &format!("/v1/calibration/{}", enc(id))))
            .await
    }

    /// Writes the caller's score for one item of `sheet`; sent again with
    /// the same `idempotency_key`, the server answers as it did the first
    /// time.
    pub async fn put_score(
        &self,
        sheet: &Sheet,
        item_id: &str,
        write: &ScoreWrite,
        idempotency_key: &str,
    ) -> Result<(), ClientError> {
        let req = self
            .req(Method::PUT, &sheet.score_path(item_id, enc))
            .header(takes_api::IDEMPOTENCY_KEY, idempotency_key);
        let req = self.with_body(req, &sheet.score_body(write))?;
        // The stored score is not used, but a reply that is not one is an
        // error (retried) rather than a silent success.
        match sheet.kind {
            SheetKind::Assignment => self.json::<Score>(req).await.map(drop),
            SheetKind::Calibration => self.json::<CalibrationScore>(req).await.map(drop),
        }
    }

    /// Locks the caller's scores on `sheet`.
    pub async fn submit(&self, sheet: &Sheet) -> Result<Receipt, ClientError> {
        let req = self.req(Method::POST, &sheet.submit_path(enc));
        let submitted_at = match sheet.kind {
            SheetKind::Assignment => self.json::<SubmitReceipt>(req).await?.submitted_at,
            SheetKind::Calibration => {
                self.json::<CalibrationSubmitReceipt>(req)
                    .await?
                    .submitted_at
            }
        };
        Ok(Receipt { submitted_at })
    }

    pub async fn add_calibration_note(
        &self,
        session_id: &str,
        item_id: &str,
        text: &str,
    ) -> Result<takes_api::CalibrationNote, ClientError> {
        let req = self.req(
            Method::POST,
            &format!(
                "/v1/calibration/{}/items/{}/notes",
                enc(session_id),
                enc(item_id)
            ),
        );
        let body = takes_api::CalibrationNoteWrite {
            text: text.to_string(),
        };
        let req = self.with_body(req, &body)?;
        self.json(req).await
    }

    pub async fn calibration_results(
        &self,
        session_id: &str,
    ) -> Result<CalibrationResults, ClientError> {
        self.json(self.req(
            Method::GET,
            &format!("/v1/calibration/{}/results", enc(session_id)),
        ))
        .await
    }
}

fn root_cause(e: &(dyn std::error::Error + 'static)) -> String {
    let mut cur: &(dyn std::error::Error + 'static) = e;
    while let Some(next) = cur.source() {
        cur = next;
    }
    cur.to_string()
}
