//! `takes report`'s requests: the `/v1/insights/...` figures, each with the
//! same query string (role, since, until).

use reqwest::Method;
use serde::de::DeserializeOwned;
use takes_api::insights::{
    AlertsReport, FunnelGroup, FunnelReport, MyInsights, ReliabilityDriftReport, ScoresReport,
    ShiftReport, TurnaroundReport, ValidityReport,
};

use takes_api::self_identification::AdverseImpactReport;

use super::{enc, Client, ClientError};

/// The filters of one report: every figure is asked with the same ones.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct InsightsQuery {
    pub role: Option<String>,
    /// Only roles of this department (the workstation's Insights screen).
    pub department: Option<String>,
    pub since: Option<String>,
    pub until: Option<String>,
}

impl InsightsQuery {
    pub fn query_string(&self) -> String {
        let parts: Vec<String> = [
            ("role", &self.role),
            ("department", &self.department),
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

    /// Selection rates by voluntary self-identification group, with small
    /// groups suppressed by the server (recruiters and admins only).
    pub async fn insights_adverse_impact(
        &self,
        q: &InsightsQuery,
    ) -> Result<AdverseImpactReport, ClientError> {
        self.insight("adverse-impact", q).await
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

/// Roles whose weekly completion the Insights screen draws (one funnel
/// request each): more would not fit on a screen anyway.
pub const WEEKLY_ROLES: usize = 8;

/// Every figure the workstation's Insights screen shows, each its own
/// result so one failing figure leaves the others on screen.
#[derive(Debug, Clone, PartialEq)]
pub struct InsightsBundle {
    pub funnel: Result<FunnelReport, ClientError>,
    /// The weekly funnel of each role (the first [`WEEKLY_ROLES`]).
    pub weekly_by_role: Vec<FunnelGroupWeeks>,
    pub turnaround: Result<TurnaroundReport, ClientError>,
    pub scores: Result<ScoresReport, ClientError>,
    pub shift: Result<ShiftReport, ClientError>,
    pub reliability: Result<ReliabilityDriftReport, ClientError>,
    pub validity: Result<ValidityReport, ClientError>,
    pub alerts: Result<AlertsReport, ClientError>,
    /// Recruiters and admins only: a reviewer's bundle never asks for it.
    pub adverse_impact: Result<AdverseImpactReport, ClientError>,
    pub me: Result<MyInsights, ClientError>,
}

/// One role's funnel per invitation week.
#[derive(Debug, Clone, PartialEq)]
pub struct FunnelGroupWeeks {
    pub role: String,
    pub weeks: Vec<FunnelGroup>,
}

impl Client {
    /// `GET /v1/insights/me`: the caller's own reviewing.
    pub async fn insights_me(&self, q: &InsightsQuery) -> Result<MyInsights, ClientError> {
        self.insight("me", q).await
    }

    /// The drop check of the roles a filter selects (no period: it looks
    /// back from now).
    pub async fn insights_alerts_for(
        &self,
        q: &InsightsQuery,
    ) -> Result<AlertsReport, ClientError> {
        let q = InsightsQuery {
            since: None,
            until: None,
            ..q.clone()
        };
        self.insight("alerts", &q).await
    }

    /// The organisation's figures for staff; for a reviewer only their own
    /// (the others would be 403 and are not asked).
    pub async fn insights_bundle(&self, q: &InsightsQuery, staff: bool) -> InsightsBundle {
        let me = self.insights_me(q).await;
        if !staff {
            fn skipped<T>() -> Result<T, ClientError> {
                Err(ClientError::Forbidden(
                    "not asked: for recruiters and admins".into(),
                ))
            }
            return InsightsBundle {
                funnel: skipped(),
                weekly_by_role: vec![],
                turnaround: skipped(),
                scores: skipped(),
                shift: skipped(),
                reliability: skipped(),
                validity: skipped(),
                alerts: skipped(),
                adverse_impact: skipped(),
                me,
            };
        }
        let funnel = self.insights_funnel(q).await;
        let mut weekly_by_role = Vec::new();
        if let Ok(f) = &funnel {
            for g in f.by_role.iter().take(WEEKLY_ROLES) {
                let one = InsightsQuery {
                    role: Some(g.key.clone()),
                    ..q.clone()
                };
                if let Ok(r) = self.insights_funnel(&one).await {
                    weekly_by_role.push(FunnelGroupWeeks {
                        role: g.label.clone(),
                        weeks: r.by_week,
                    });
                }
            }
        }
        let (turnaround, scores, shift, reliability, validity, alerts, adverse_impact) = tokio::join!(
            self.insights_turnaround(q),
            self.insights_scores(q),
            self.insights_shift(q),
            self.insights_reliability(q),
            self.insights_validity(q),
            self.insights_alerts_for(q),
            self.insights_adverse_impact(q),
        );
        InsightsBundle {
            funnel,
            weekly_by_role,
            turnaround,
            scores,
            shift,
            reliability,
            validity,
            alerts,
            adverse_impact,
            me,
        }
    }
}
