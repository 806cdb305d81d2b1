//! `/v1/insights/...`: the process figures of docs/INSIGHTS.md. Handlers
//! read the scope (admins: every role; recruiters: the roles they recruit
//! for; reviewers: only `/v1/insights/me`), the rows from
//! `store::insights`, and hand them to the pure `crate::insights`
//! computations; `convert.rs` turns those into wire types.

pub mod adverse_impact;
pub mod alerts;
mod convert;
pub mod figures;
pub mod import;
pub mod me;
pub mod notifier;
pub mod validity;

use serde::Deserialize;
use takes_api::UserRole;
use utoipa::IntoParams;

use crate::auth::Caller;
use crate::clock::{parse_rfc3339, rfc3339, Millis};
use crate::error::{ApiError, ApiResult};
use crate::extract::check_text;
use crate::store::insights::Scope;

/// Filters shared by every insights request.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct InsightsParams {
    /// Only this role (id).
    role: Option<String>,
    /// Only roles of this department.
    department: Option<String>,
    /// RFC 3339: from this time (invitations for the funnel, completions
    /// for reviewing figures).
    since: Option<String>,
    /// RFC 3339: before this time.
    until: Option<String>,
}

/// The period as given back in every report.
pub struct Period {
    pub since: Option<String>,
    pub until: Option<String>,
}

fn time_param(field: &str, value: Option<&str>) -> ApiResult<Option<Millis>> {
    match value {
        None | Some("") => Ok(None),
        Some(v) => parse_rfc3339(v).map(Some).ok_or_else(|| {
            ApiError::invalid(
                field,
                format!("{field} {v:?} is not an RFC 3339 time such as 2026-07-01T00:00:00Z"),
            )
        }),
    }
}

fn text_param(field: &str, value: Option<&str>) -> ApiResult<String> {
    match value {
        None => Ok(String::new()),
        Some(v) => {
            check_text(field, v)?;
            Ok(v.to_string())
        }
    }
}

/// The scope of a request, or 422 naming the bad filter. Recruiters see
/// only their roles: the same rule as the board, so the two never disagree.
pub fn scope(caller: &Caller, p: &InsightsParams) -> ApiResult<(Scope, Period)> {
    let since = time_param("since", p.since.as_deref())?;
    let until = time_param("until", p.until.as_deref())?;
    if let (Some(s), Some(u)) = (since, until) {
        if s >= u {
            return Err(ApiError::invalid(
                "until",
                format!("until {} is not after since {}", rfc3339(u), rfc3339(s)),
            ));
        }
    }
    Ok((
        Scope {
            all_roles: caller.role == UserRole::Admin,
            user_id: caller.id.clone(),
            role_id: text_param("role", p.role.as_deref())?,
            department: text_param("department", p.department.as_deref())?,
            reviewer_id: String::new(),
            from: since.unwrap_or(i64::MIN),
            to: until.unwrap_or(i64::MAX),
        },
        Period {
            since: since.map(rfc3339),
            until: until.map(rfc3339),
        },
    ))
}

/// Organisation-wide figures are for recruiters and admins.
pub fn require_staff(caller: &Caller) -> ApiResult<()> {
    caller.require_decider()
}
