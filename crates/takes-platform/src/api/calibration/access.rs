//! Who may do what with a calibration session, checked here and nowhere
//! else:
//! * a session exists, for a caller, only if they take part in it or are an
//!   admin: anyone else gets 404, so session ids cannot be probed;
//! * only participants score and submit (an admin who does not take part
//!   gets 403), and only before the deadline and before their own submit;
//! * results: a participant after their own submit, or after a reveal; an
//!   admin who does not take part, after the deadline. Otherwise 403 —
//!   also for an admin who takes part, so facilitators are not anchored
//!   either;
//! * discussion notes: whoever can read the results.

use takes_api::UserRole;

use crate::auth::Caller;
use crate::clock::{rfc3339, Millis};
use crate::error::{ApiError, ApiResult};
use crate::store::calibration as store;

/// The session as the caller may see it.
pub(super) struct Access {
    pub(super) id: String,
    pub(super) title: String,
    pub(super) created_at: Millis,
    pub(super) deadline_at: Millis,
    pub(super) revealed_at: Option<Millis>,
    /// `Some(submitted_at)` when the caller takes part.
    pub(super) me: Option<Option<Millis>>,
    pub(super) admin: bool,
}

/// Everything that decides whether results are open to a caller.
pub(super) struct Gate {
    pub(super) participant: bool,
    pub(super) submitted: bool,
    pub(super) revealed: bool,
    pub(super) deadline_at: Millis,
    pub(super) admin: bool,
}

impl Gate {
    pub(super) fn check(&self, now: Millis) -> ApiResult<()> {
        if self.participant {
            if self.submitted || self.revealed {
                return Ok(());
            }
            let mut detail = String::from(
                "submit your own calibration scores first; results stay hidden until then",
            );
            if now >= self.deadline_at {
                detail.push_str(
                    " (the deadline has passed, so they open to you when an admin reveals them)",
                );
            }
            return Err(ApiError::forbidden(detail));
        }
        if self.admin && now >= self.deadline_at {
            return Ok(());
        }
        Err(ApiError::forbidden(format!(
            "results open to admins who do not take part after the deadline, {}",
            rfc3339(self.deadline_at)
        )))
    }
}

impl Access {
    pub(super) fn gate(&self) -> Gate {
        Gate {
            participant: self.me.is_some(),
            submitted: matches!(self.me, Some(Some(_))),
            revealed: self.revealed_at.is_some(),
            deadline_at: self.deadline_at,
            admin: self.admin,
        }
    }

    pub(super) fn closed(&self, now: Millis) -> bool {
        now >= self.deadline_at
    }

    /// The caller's own `submitted_at`, or 403 for a non-participant admin.
    pub(super) fn participation(&self) -> ApiResult<Option<Millis>> {
        self.me.ok_or_else(|| {
            ApiError::forbidden(format!(
                "only participants score calibration session {}; you are not one of them",
                self.id
            ))
        })
    }

    /// 409 when the caller's scores can no longer change.
    pub(super) fn require_open(&self, submitted_at: Option<Millis>, now: Millis) -> ApiResult<()> {
        if let Some(at) = submitted_at {
            return Err(ApiError::conflict(format!(
                "you submitted calibration session {} at {}; your scores are locked",
                self.id,
                rfc3339(at)
            )));
        }
        if self.closed(now) {
            return Err(ApiError::conflict(format!(
                "calibration session {} closed at its deadline, {}; scores can no longer change",
                self.id,
                rfc3339(self.deadline_at)
            )));
        }
        Ok(())
    }
}

pub(super) fn not_found(id: &str) -> ApiError {
    ApiError::not_found(format!(
        "no calibration session {id:?} that you take part in"
    ))
    .with_field("id")
}

/// The session `id` if the caller may know of it: a participant or an
/// admin; anyone else gets 404.
pub(super) async fn access(
    conn: &mut sqlx::AnyConnection,
    caller: &Caller,
    id: &str,
) -> ApiResult<Access> {
    let row = store::access_row(conn, id, &caller.id)
        .await?
        .ok_or_else(|| not_found(id))?;
    let admin = caller.role == UserRole::Admin;
    if row.me.is_none() && !admin {
        return Err(not_found(id));
    }
    Ok(Access {
        id: row.id,
        title: row.title,
        created_at: row.created_at,
        deadline_at: row.deadline_at,
        revealed_at: row.revealed_at,
        me: row.me,
        admin,
    })
}
