//! A scope's [`RatingSet`] out of a rollup snapshot: the filters that can
//! change under a held sheet (a recruiter's roles, a role's department, a
//! reviewer's assignments, an interview completed since) and the labels
//! are read now; the ratings are filtered in memory.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use super::load;
use super::snapshot::{Snapshot, Table};
use crate::clock::Millis;
use crate::db::Db;
use crate::error::{ApiError, ApiResult};
use crate::store::insights::reviewing::{self, Rated, RatingSet};
use crate::store::insights::Scope;

/// Which held interviews the scope keeps, by the database now.
async fn kept(db: &Db, snap: &Snapshot, s: &Scope) -> ApiResult<Vec<bool>> {
    let mut conn = db.pool.acquire().await?;
    let roles = &snap.roles.ids;
    let mut role_ok: Vec<bool> = roles
        .iter()
        .map(|r| s.role_id.is_empty() || *r == s.role_id)
        .collect();
    if !s.all_roles {
        let mine: HashSet<String> = load::recruiter_roles(&mut conn, &s.user_id)
            .await?
            .into_iter()
            .collect();
        retain(&mut role_ok, roles, &mine);
    }
    if !s.department.is_empty() {
        let theirs: HashSet<String> = load::department_roles(&mut conn, &s.department)
            .await?
            .into_iter()
            .collect();
        retain(&mut role_ok, roles, &theirs);
    }
    let reviewed: Option<Vec<bool>> = if s.reviewer_id.is_empty() {
        None
    } else {
        let mut marks = vec![false; snap.interview.len()];
        for id in load::reviewer_interviews(&mut conn, &s.reviewer_id).await? {
            if let Some(&i) = snap.interviews.index.get(&id) {
                marks[i as usize] = true;
            }
        }
        Some(marks)
    };
    // An interview whose sheet came before its completion (not a path the
    // API offers, but nothing forbids it) is looked up again.
    let open: Vec<String> = snap
        .interview
        .iter()
        .enumerate()
        .filter(|(_, iv)| iv.completed_at.is_none())
        .map(|(i, _)| snap.interviews.ids[i].clone())
        .collect();
    let completed: HashMap<String, Option<Millis>> = if open.is_empty() {
        HashMap::new()
    } else {
        load::completed_at(&mut conn, &open)
            .await?
            .into_iter()
            .collect()
    };
    Ok(snap
        .interview
        .iter()
        .enumerate()
        .map(|(i, iv)| {
            let done = iv
                .completed_at
                .or_else(|| completed.get(&snap.interviews.ids[i]).copied().flatten());
            role_ok[iv.role as usize]
                && done.is_some_and(|t| t >= s.from && t < s.to)
                && reviewed.as_ref().is_none_or(|m| m[i])
        })
        .collect())
}

fn retain(ok: &mut [bool], ids: &[String], allowed: &HashSet<String>) {
    for (ok, id) in ok.iter_mut().zip(ids) {
        *ok = *ok && allowed.contains(id);
    }
}

/// For each held index, its index among the `used` ones in id order
/// (`u32::MAX` when unused), and the used ids in that order.
fn renumber(table: &Table, used: &[bool]) -> (Vec<u32>, Vec<String>) {
    let mut local = vec![u32::MAX; table.ids.len()];
    let mut ids = Vec::new();
    for &g in &table.order {
        if used[g as usize] {
            local[g as usize] = ids.len() as u32;
            ids.push(table.ids[g as usize].clone());
        }
    }
    (local, ids)
}

/// The kept ratings with indices into tables of their own, in id order.
struct Picked {
    rows: Vec<Rated>,
    reviewers: Vec<String>,
    interviews: Vec<String>,
    questions: Vec<String>,
}

fn pick(snap: &Snapshot, keep: &[bool]) -> Picked {
    let mut rows: Vec<Rated> = snap
        .rows
        .iter()
        .filter(|r| keep[r.interview as usize])
        .copied()
        .collect();
    let (mut rv, mut iv, mut qu) = (
        vec![false; snap.reviewers.ids.len()],
        vec![false; snap.interviews.ids.len()],
        vec![false; snap.questions.ids.len()],
    );
    for r in &rows {
        rv[r.reviewer as usize] = true;
        iv[r.interview as usize] = true;
        qu[r.question as usize] = true;
    }
    let (rv, reviewers) = renumber(&snap.reviewers, &rv);
    let (iv, interviews) = renumber(&snap.interviews, &iv);
    let (qu, questions) = renumber(&snap.questions, &qu);
    for r in &mut rows {
        r.reviewer = rv[r.reviewer as usize];
        r.interview = iv[r.interview as usize];
        r.question = qu[r.question as usize];
    }
    Picked {
        rows,
        reviewers,
        interviews,
        questions,
    }
}

async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> ApiResult<T> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| ApiError::internal(format!("the insights selection failed: {e}")))
}

/// The scope's ratings, labelled as the database names them now.
pub async fn rating_set(db: &Db, snap: Arc<Snapshot>, s: &Scope) -> ApiResult<RatingSet> {
    let keep = kept(db, &snap, s).await?;
    let picked = blocking(move || pick(&snap, &keep)).await?;
    let (questions, reviewers) = {
        let mut conn = db.pool.acquire().await?;
        (
            reviewing::question_infos(&mut conn, &picked.questions).await?,
            reviewing::reviewer_names(&mut conn, picked.reviewers).await?,
        )
    };
    let set = RatingSet {
        reviewers,
        interviews: picked.interviews,
        questions,
        rows: picked.rows,
    };
    blocking(move || reviewing::sorted(set)).await
}

/// Sum and count of the held ratings per (interview, question) of the
/// scope's interviews that `wanted` names (validity's candidates with an
/// outcome): `(interview id, question id, sum, count)`, in no order.
pub async fn cell_sums(
    db: &Db,
    snap: Arc<Snapshot>,
    s: &Scope,
    wanted: HashSet<String>,
) -> ApiResult<Vec<(String, String, i64, i64)>> {
    let keep = kept(db, &snap, s).await?;
    blocking(move || {
        let keep: Vec<bool> = keep
            .iter()
            .zip(&snap.interviews.ids)
            .map(|(k, id)| *k && wanted.contains(id))
            .collect();
        let mut sums: HashMap<(u32, u32), (i64, i64)> = HashMap::new();
        for r in snap.rows.iter().filter(|r| keep[r.interview as usize]) {
            let cell = sums.entry((r.interview, r.question)).or_default();
            cell.0 += r.rating;
            cell.1 += 1;
        }
        sums.into_iter()
            .map(|((i, q), (sum, n))| {
                (
                    snap.interviews.ids[i as usize].clone(),
                    snap.questions.ids[q as usize].clone(),
                    sum,
                    n,
                )
            })
            .collect()
    })
    .await
}
