//! One state of the ratings rollup: the held sheets and their ratings as
//! indices into interned id tables, and how an append extends it.

use std::collections::HashMap;

use super::load::{self, Fingerprint};
use crate::clock::Millis;
use crate::error::ApiResult;
use crate::store::insights::reviewing::Rated;

/// Ids interned to indices in first-seen order; `order` lists the indices
/// by ascending id, so requests number their tables in id order without
/// sorting strings.
#[derive(Debug, Clone, Default)]
pub(super) struct Table {
    pub(super) ids: Vec<String>,
    pub(super) index: HashMap<String, u32>,
    pub(super) order: Vec<u32>,
}

impl Table {
    pub(super) fn intern(&mut self, id: &str) -> u32 {
        if let Some(&i) = self.index.get(id) {
            return i;
        }
        let i = self.ids.len() as u32;
        self.index.insert(id.to_string(), i);
        self.ids.push(id.to_string());
        i
    }

    pub(super) fn sort(&mut self) {
        if self.order.len() == self.ids.len() {
            return;
        }
        let mut order: Vec<u32> = (0..self.ids.len() as u32).collect();
        order.sort_unstable_by(|&a, &b| self.ids[a as usize].cmp(&self.ids[b as usize]));
        self.order = order;
    }
}

/// What a scope filter needs of an interview.
#[derive(Debug, Clone, Copy)]
pub(super) struct Interview {
    /// Into `roles`.
    pub(super) role: u32,
    pub(super) completed_at: Option<Millis>,
}

/// A held sheet, for deduplicating appends and for the fingerprint.
#[derive(Debug, Clone, Copy)]
struct Sheet {
    reviewer: u32,
    pub(super) interview: u32,
    submitted_at: Millis,
}

/// One state of the rollup; requests share it read-only.
#[derive(Debug, Clone, Default)]
pub struct Snapshot {
    pub(super) loaded: bool,
    /// The database's fingerprint this snapshot was checked against.
    pub(super) fingerprint: Fingerprint,
    pub(super) reviewers: Table,
    pub(super) interviews: Table,
    pub(super) interview: Vec<Interview>,
    pub(super) roles: Table,
    pub(super) questions: Table,
    sheets: HashMap<String, Sheet>,
    pub(super) submitted_sum: i64,
    pub(super) last_submitted: Option<Millis>,
    /// Every rating of the held sheets, indices into the tables above.
    pub(super) rows: Vec<Rated>,
}

impl Snapshot {
    /// The fingerprint of the sheets held, with the withdrawals `withdrawn`
    /// reported.
    pub(super) fn held(&self, withdrawn: &Fingerprint) -> Fingerprint {
        Fingerprint {
            submitted: self.sheets.len() as i64,
            last_submitted: self.last_submitted,
            submitted_sum: self.submitted_sum,
            withdrawn: withdrawn.withdrawn,
            last_withdrawn: withdrawn.last_withdrawn,
        }
    }

    /// Appends the sheets submitted at or after `since` that are not held.
    pub(super) async fn append(
        &mut self,
        conn: &mut sqlx::AnyConnection,
        backend: crate::db::Backend,
        since: Millis,
    ) -> ApiResult<()> {
        let mut fresh: HashMap<String, Sheet> = HashMap::new();
        for s in load::sheets(&mut *conn, since).await? {
            if self.sheets.contains_key(&s.id) {
                continue;
            }
            let interview = self.interviews.intern(&s.interview_id);
            if interview as usize == self.interview.len() {
                self.interview.push(Interview {
                    role: self.roles.intern(&s.role_id),
                    completed_at: s.completed_at,
                });
            }
            fresh.insert(
                s.id,
                Sheet {
                    reviewer: self.reviewers.intern(&s.reviewer_id),
                    interview,
                    submitted_at: s.submitted_at,
                },
            );
        }
        if fresh.is_empty() {
            return Ok(());
        }
        let (rows, questions) = (&mut self.rows, &mut self.questions);
        let each = |assignment: &str, question: &str, rating, muted| {
            if let Some(s) = fresh.get(assignment) {
                rows.push(Rated {
                    reviewer: s.reviewer,
                    interview: s.interview,
                    question: questions.intern(question),
                    rating,
                    muted_rating: muted,
                    submitted_at: s.submitted_at,
                });
            }
        };
        load::scores(&mut *conn, backend, since, each).await?;
        for (id, s) in fresh {
            self.submitted_sum = self.submitted_sum.wrapping_add(s.submitted_at);
            self.last_submitted = self.last_submitted.max(Some(s.submitted_at));
            self.sheets.insert(id, s);
        }
        self.reviewers.sort();
        self.interviews.sort();
        self.roles.sort();
        self.questions.sort();
        Ok(())
    }
}
