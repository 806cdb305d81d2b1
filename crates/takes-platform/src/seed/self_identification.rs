//! Voluntary self-identification for the demo's completed interviews, so
//! the adverse-impact figure has something to show: most candidates answer
//! some categories, a few say "prefer not to say", one in six skips the
//! step. Answers are spread evenly by name, so `age_40_or_over` splits the
//! demo into two groups big enough to show wherever the interviews are.

use sqlx::AnyConnection;
use takes_api::self_identification::PREFER_NOT_TO_SAY;

use crate::clock::Millis;
use crate::store::insights::bulk::Cell;
use crate::store::self_identification as store;

/// The text version the demo's answers were given under.
pub const DEMO_TEXT_VERSION: &str = "self-id-1";

/// Answers for the `n`-th completed interview (in name order), or `None`
/// for a candidate who skipped the step.
pub(crate) fn answers(n: usize) -> Option<Vec<(String, String)>> {
    if n % 6 == 5 {
        return None;
    }
    let gender = ["woman", "man", "woman", "man", "non_binary"][n % 5];
    let ethnicity = [
        "white",
        "black_or_african_american",
        "asian",
        "hispanic_or_latino",
        "two_or_more",
        PREFER_NOT_TO_SAY,
    ][n % 6];
    let age = if n.is_multiple_of(2) { "no" } else { "yes" };
    let mut out = vec![
        ("gender".to_string(), gender.to_string()),
        ("ethnicity".to_string(), ethnicity.to_string()),
        ("age_40_or_over".to_string(), age.to_string()),
    ];
    if n % 3 != 2 {
        out.push((
            "disability".into(),
            if n.is_multiple_of(7) { "yes" } else { "no" }.into(),
        ));
    }
    Some(out)
}

/// Bulk rows (`Table::SelfIdentifications`) for the completed ones of
/// generated interview rows (`seed::insights::Rows::interviews`), in the
/// same pattern; `completed_seen` carries the count across batches so the
/// pattern runs on.
pub(crate) fn generated_rows(
    interviews: &[Vec<Cell>],
    completed_seen: &mut usize,
) -> Vec<Vec<Cell>> {
    let mut out = Vec::new();
    for row in interviews {
        let (Some(Cell::Text(id)), Some(Cell::Int(completed) | Cell::MaybeInt(Some(completed)))) =
            (row.first(), row.get(8))
        else {
            continue;
        };
        let n = *completed_seen;
        *completed_seen += 1;
        for (category, answer) in answers(n).unwrap_or_default() {
            out.push(vec![
                Cell::Text(id.clone()),
                Cell::Text(category),
                Cell::Text(answer),
                Cell::Text(DEMO_TEXT_VERSION.into()),
                Cell::Int(*completed),
            ]);
        }
    }
    out
}

/// Gives the completed interviews in the database (the demo's own and any
/// a seed before this one added) their self-identification.
pub async fn demo_self_identification(conn: &mut AnyConnection, now: Millis) -> anyhow::Result<()> {
    let completed = store::completed_by_name(&mut *conn).await?;
    for (n, (interview_id, _)) in completed.iter().enumerate() {
        if let Some(a) = answers(n) {
            store::replace(&mut *conn, interview_id, DEMO_TEXT_VERSION, &a, now).await?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use takes_api::self_identification::answers as allowed;

    #[test]
    fn every_demo_answer_is_one_the_server_accepts() {
        for n in 0..60 {
            for (category, answer) in answers(n).unwrap_or_default() {
                assert!(
                    allowed(&category).is_some_and(|a| a.contains(&answer.as_str())),
                    "{category} {answer}"
                );
            }
        }
        assert!(answers(5).is_none());
    }
}
