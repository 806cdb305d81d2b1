//! The recruiter's triage board (`/v1/board`): pages, one interview, bulk
//! decisions, sync retries, reminders and reassignment.

use reqwest::Method;
use takes_api::board::{
    BoardInterview, BoardPage, BoardSyncStates, BulkDecisionRequest, BulkDecisionResult,
    ReassignRequest, Reassignment, ReminderResult, SyncRetry,
};

use super::{enc, Client, ClientError};

/// `POST /v1/interviews/{id}/share-links`: the link, shown only once.
#[derive(Debug, Clone, PartialEq, serde::Deserialize)]
pub struct SharedLink {
    pub id: String,
    pub url: String,
    /// RFC 3339.
    pub expires_at: String,
}

/// The board's filters, as query parameters.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BoardQuery {
    pub stage: Option<String>,
    pub role: Option<String>,
    pub text: String,
    pub disagreement: Option<bool>,
    pub min_score: Option<f64>,
    pub max_score: Option<f64>,
    /// `YYYY-MM-DD`, inclusive.
    pub from: Option<String>,
    /// `YYYY-MM-DD`, exclusive (the server's meaning).
    pub to: Option<String>,
    pub sort: String,
}

impl BoardQuery {
    fn to_query(&self, cursor: Option<&str>, limit: i64) -> String {
        let mut q = format!("/v1/board?limit={limit}");
        let mut add = |k: &str, v: &str| q.push_str(&format!("&{k}={}", enc(v)));
        if let Some(c) = cursor {
            add("cursor", c);
        }
        if let Some(s) = &self.stage {
            add("stage", s);
        }
        if let Some(r) = &self.role {
            add("role", r);
        }
        if !self.text.trim().is_empty() {
            add("q", self.text.trim());
        }
        if let Some(d) = self.disagreement {
            add("disagreement", if d { "true" } else { "false" });
        }
        if let Some(m) = self.min_score {
            add("min_score", &m.to_string());
        }
        if let Some(m) = self.max_score {
            add("max_score", &m.to_string());
        }
        if let Some(d) = &self.from {
            add("from", d);
        }
        if let Some(d) = &self.to {
            add("to", d);
        }
        if !self.sort.is_empty() {
            add("sort", &self.sort);
        }
        q
    }
}

impl Client {
    pub async fn board(
        &self,
        query: &BoardQuery,
        cursor: Option<&str>,
        limit: i64,
    ) -> Result<BoardPage, ClientError> {
        self.json(self.req(Method::GET, &query.to_query(cursor, limit)))
            .await
    }

    pub async fn board_interview(&self, id: &str) -> Result<BoardInterview, ClientError> {
        self.json(self.req(Method::GET, &format!("/v1/board/{}", enc(id))))
            .await
    }

    /// A new share link to the interview's results page (default expiry).
    pub async fn share_link(&self, interview_id: &str) -> Result<SharedLink, ClientError> {
        let path = format!("/v1/interviews/{}/share-links", enc(interview_id));
        let req = self.with_body(self.req(Method::POST, &path), &serde_json::json!({}))?;
        self.json(req).await
    }

    /// The decision and ATS sync state of just these interviews.
    pub async fn board_sync(&self, ids: &[String]) -> Result<BoardSyncStates, ClientError> {
        let path = format!("/v1/board/sync?ids={}", enc(&ids.join(",")));
        self.json(self.req(Method::GET, &path)).await
    }

    /// `key` makes a retried request record nothing twice.
    pub async fn decide_bulk(
        &self,
        body: &BulkDecisionRequest,
        key: &str,
    ) -> Result<BulkDecisionResult, ClientError> {
        let req = self
            .req(Method::POST, "/v1/board/decisions")
            .header(takes_api::IDEMPOTENCY_KEY, key);
        let req = self.with_body(req, body)?;
        self.json(req).await
    }

    pub async fn retry_sync(&self, interview_id: &str) -> Result<SyncRetry, ClientError> {
        self.json(self.req(
            Method::POST,
            &format!("/v1/board/{}/retry-sync", enc(interview_id)),
        ))
        .await
    }

    pub async fn remind(&self, interview_id: &str) -> Result<ReminderResult, ClientError> {
        self.json(self.req(
            Method::POST,
            &format!("/v1/board/{}/remind", enc(interview_id)),
        ))
        .await
    }

    pub async fn reassign(
        &self,
        interview_id: &str,
        body: &ReassignRequest,
    ) -> Result<Reassignment, ClientError> {
        let req = self.req(
            Method::POST,
            &format!("/v1/board/{}/reassign", enc(interview_id)),
        );
        let req = self.with_body(req, body)?;
        self.json(req).await
    }
}
