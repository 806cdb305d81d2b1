//! The results page behind a share link: a plain, printable HTML summary of
//! an interview for people without an API token (an ATS user clicking
//! through). The token in the path is the credential. Everything is
//! escaped; the page has no scripts, and its CSP allows only its own inline
//! style (by hash).

use std::fmt::Write;
use std::sync::LazyLock;

use axum::extract::State;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use sha2::{Digest, Sha256};
use takes_api::Anchor;

use crate::clock::rfc3339;
use crate::error::ApiResult;
use crate::extract::Path;
use crate::html::escape;
use crate::ids::hash_token;
use crate::state::AppState;
use crate::store::assignments;
use crate::store::interviews::{self, ScorecardQuestion};
use crate::store::{audit, decisions, share_links};

const STYLE: &str = "body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;\
padding:0 1rem;color:#111}h1{font-size:1.5rem}h2{font-size:1.15rem;margin-top:2rem}\
table{border-collapse:collapse;width:100%}th,td{border:1px solid #999;padding:.3rem .5rem;\
text-align:left;vertical-align:top}.mean{font-weight:bold}.muted{color:#555}\
@media print{body{margin:0;max-width:none}h2{break-after:avoid}table{break-inside:avoid}}";

static CSP: LazyLock<String> = LazyLock::new(|| {
    let hash = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(STYLE.as_bytes()));
    format!(
        "default-src 'none'; style-src 'sha256-{hash}'; base-uri 'none'; form-action 'none'; \
         frame-ancestors 'none'"
    )
});

fn page(status: StatusCode, title: &str, body: &str) -> Response {
    let html = format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <meta name=\"robots\" content=\"noindex\"><title>{}</title><style>{STYLE}</style></head>\
         <body>{body}</body></html>\n",
        escape(title)
    );
    let mut resp = (status, html).into_response();
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    if let Ok(csp) = HeaderValue::from_str(&CSP) {
        h.insert(header::CONTENT_SECURITY_POLICY, csp);
    }
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    resp
}

fn message(status: StatusCode, title: &str, text: &str) -> Response {
    page(
        status,
        title,
        &format!("<h1>{}</h1><p>{}</p>", escape(title), escape(text)),
    )
}

/// An interview's results: candidate, role, each question with every
/// submitted reviewer's rating, note and rubric anchor, the mean, and the
/// decision. The share link's token is the credential; 404 for an unknown
/// link, 410 for an expired or revoked one. Every view is audited.
#[utoipa::path(get, path = "/results/{token}", tag = "decisions", operation_id = "results_page",
    security(()),
    params(("token" = String, Path, description = "The share link's token")),
    responses((status = 200, description = "The results page", content_type = "text/html"),
              (status = 404, description = "No such link", content_type = "text/html"),
              (status = 410, description = "The link expired or was revoked", content_type = "text/html")))]
pub async fn results(
    State(state): State<AppState>,
    Path(token): Path<String>,
) -> ApiResult<Response> {
    let now = state.clock.now();
    let mut w = state.db.begin_write().await?;
    let Some(link) = share_links::by_token_hash(&mut w.tx, &hash_token(&token)).await? else {
        return Ok(message(
            StatusCode::NOT_FOUND,
            "Link not found",
            "This results link does not exist. Ask the recruiter for a new one.",
        ));
    };
    if link.revoked_at.is_some() || link.expires_at <= now {
        let why = if link.revoked_at.is_some() {
            "was revoked"
        } else {
            "has expired"
        };
        return Ok(message(
            StatusCode::GONE,
            "Link no longer works",
            &format!("This results link {why}. Ask the recruiter for a new one."),
        ));
    }
    let id = link.interview_id;
    let Some(head) = interviews::scorecard_head(&mut w.tx, &id).await? else {
        return Ok(message(
            StatusCode::NOT_FOUND,
            "Link not found",
            "The interview of this link no longer exists.",
        ));
    };
    let questions = interviews::scorecard_questions(&mut w.tx, &head.question_set_id).await?;
    let anchors = share_links::anchors(&mut w.tx, &head.question_set_id).await?;
    let mut panel = Vec::new();
    for r in assignments::submitted_reviewers(&mut w.tx, &id).await? {
        let scores = assignments::scorecard_scores(&mut w.tx, &r.assignment_id).await?;
        panel.push((r.name, scores));
    }
    let decision = decisions::latest(&mut w.tx, &id).await?;
    audit::record(
        &mut w.tx,
        now,
        audit::Entry {
            actor_id: None,
            action: "share_link.viewed",
            entity_type: "share_link",
            entity_id: &link.id,
            detail: serde_json::json!({"interview_id": id}),
        },
    )
    .await?;
    w.commit().await?;

    let mut body = format!(
        "<h1>{} — {}</h1><p class=\"muted\">Interview {}{}</p>",
        escape(&head.name),
        escape(&head.title),
        escape(&id),
        head.completed_at
            .map(|t| format!(", completed {}", escape(&rfc3339(t))))
            .unwrap_or_default()
    );
    let _ = match &decision {
        Some(d) => write!(
            body,
            "<p>Decision: <strong>{}</strong> by {} on {}{}</p>",
            escape(d.action.as_str()),
            escape(&d.decided_by),
            escape(&d.decided_at),
            d.reason
                .as_deref()
                .map(|r| format!(" — {}", escape(r)))
                .unwrap_or_default()
        ),
        None => write!(body, "<p>Decision: <strong>none yet</strong></p>"),
    };
    if panel.is_empty() {
        body.push_str("<p>No reviewer has submitted scores yet.</p>");
    }
    for q in &questions {
        let q_anchors = anchors
            .iter()
            .find(|(qid, _)| *qid == q.id)
            .map(|(_, a)| a.as_slice())
            .unwrap_or(&[]);
        question(&mut body, q, q_anchors, &panel);
    }
    Ok(page(
        StatusCode::OK,
        &format!("Results: {} — {}", head.name, head.title),
        &body,
    ))
}

type Panel = [(String, Vec<(String, i64, Option<String>)>)];

fn question(body: &mut String, q: &ScorecardQuestion, anchors: &[Anchor], panel: &Panel) {
    let _ = write!(
        body,
        "<h2>{}. {}</h2><p class=\"muted\">{} · scale {}–{}</p>\
         <table><thead><tr><th>Reviewer</th><th>Rating</th><th>Rubric</th><th>Note</th></tr></thead><tbody>",
        q.position,
        escape(&q.prompt),
        escape(&q.competency),
        q.scale.0,
        q.scale.1
    );
    let mut ratings = Vec::new();
    for (name, scores) in panel {
        let Some((_, rating, note)) = scores.iter().find(|(qid, _, _)| *qid == q.id) else {
            continue;
        };
        ratings.push(*rating);
        let anchor = anchors
            .iter()
            .find(|a| a.score == *rating)
            .map(|a| format!("{}: {}", escape(&a.label), escape(&a.description)))
            .unwrap_or_default();
        let _ = write!(
            body,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            escape(name),
            rating,
            anchor,
            escape(note.as_deref().unwrap_or(""))
        );
    }
    body.push_str("</tbody></table>");
    if ratings.is_empty() {
        body.push_str("<p class=\"muted\">No submitted ratings.</p>");
    } else {
        let mean = ratings.iter().sum::<i64>() as f64 / ratings.len() as f64;
        let _ = write!(
            body,
            "<p class=\"mean\">Mean {mean:.2} of {} rating{}</p>",
            ratings.len(),
            if ratings.len() == 1 { "" } else { "s" }
        );
    }
}
