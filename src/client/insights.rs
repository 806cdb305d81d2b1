//! `takes report`'s requests: the `/v1/insights/...` figures, each with the
//! same query string (role, since, until).

use reqwest::Method;
use serde::de::DeserializeOwned;
use takes_api::insights::{
    AlertsReport, FunnelReport, ReliabilityDriftReport, ScoresReport, ShiftReport,
    TurnaroundReport, ValidityReport,
};

use super::{enc, Client, ClientError};

/// The filters of one report: every figure is asked with the same ones.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct InsightsQuery {
    pub role: Option<String>,
    pub since: Option<String>,
    pub until: Option<String>,
}

impl InsightsQuery {
    pub fn query_string(&self) -> String {
        let parts: Vec<String> = [
            ("role", &self.role),
            ("since", &self.since),
            ("until", &self.until),
        ]
        .into_iter()
        .filter_map(|(k, v)| v.as_ref().map(|v| format!("{k}={}", enc(v))))
        .collect();
        if parts.is_empty() {
            String::new()
        } else {
            format!("?{}", parts.join("&"))
        }
    }
}

impl Client {
    async fn insight<T: DeserializeOwned>(
        &self,
        figure: &str,
        q: &InsightsQuery,
    ) -> Result<T, ClientError> {
        let path = format!("/v1/insights/{figure}{}", q.query_string());
        self.json(self.req(Method::GET, &path)).await
    }

    pub async fn insights_funnel(&self, q: &InsightsQuery) -> Result<FunnelReport, ClientError> {
        self.insight("funnel", q).await
    }

    pub async fn insights_turnaround(
        &self,
        q: &InsightsQuery,
    ) -> Result<TurnaroundReport, ClientError> {
        self.insight("turnaround", q).await
    }

    pub async fn insights_scores(&self, q: &InsightsQuery) -> Result<ScoresReport, ClientError> {
        self.insight("scores", q).await
    }

    pub async fn insights_shift(&self, q: &InsightsQuery) -> Result<ShiftReport, ClientError> {
        self.insight("shift", q).await
    }

    pub async fn insights_reliability(
        &self,
        q: &InsightsQuery,
    ) -> Result<ReliabilityDriftReport, ClientError> {
        self.insight("reliability", q).await
    }

    pub async fn insights_validity(
        &self,
        q: &InsightsQuery,
    ) -> Result<ValidityReport, ClientError> {
        self.insight("validity", q).await
    }

    /// The drop check takes no period: it always looks back from now.
    pub async fn insights_alerts(&self, role: Option<&str>) -> Result<AlertsReport, ClientError> {
        let q = InsightsQuery {
            role: role.map(str::to_string),
            ..Default::default()
        };
        self.insight("alerts", &q).await
    }
}

impl Client {
    /// `POST /v1/outcomes/import`: all the outcomes or none.
    pub async fn import_outcomes(
        &self,
        body: &takes_api::insights::OutcomeImport,
    ) -> Result<takes_api::insights::OutcomeImportReceipt, ClientError> {
        let req = self.with_body(self.req(Method::POST, "/v1/outcomes/import"), body)?;
        self.json(req).await
    }
}
