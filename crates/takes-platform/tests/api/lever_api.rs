//! A stand-in for the Lever API on a real loopback socket, for the
//! write-back tests. Every request is checked against the documented
//! shapes in `tests/contracts/lever/writeback.json` (Basic auth with the
//! API key and an empty password, `perform_as` in the query, a JSON body
//! with only documented fields of the documented types); a request that
//! does not match is recorded as a violation and answered 400. It keeps
//! the notes, tags and stage of each opportunity it knows, and answers
//! what a test scripts: 429 with Retry-After, 500, or no answer at all.

use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};

use crate::ats_support::basic;

pub fn contract() -> Value {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/contracts/lever/writeback.json"
    );
    serde_json::from_str(&std::fs::read_to_string(path).expect("Lever contract")).expect("JSON")
}

/// A scripted answer to the next request of one kind.
#[derive(Debug, Clone)]
pub enum Reply {
    Status(u16),
    /// 429 with `Retry-After: seconds`.
    RateLimited(u64),
    /// Carries the request out (a note is kept) and never answers.
    Hang,
}

/// One request as received.
#[derive(Debug, Clone)]
pub struct Call {
    /// `note`, `tags`, `stage` or `list_notes`.
    pub kind: String,
    pub method: String,
    pub opportunity: String,
    pub query: BTreeMap<String, String>,
    pub body: Value,
}

#[derive(Default)]
struct Inner {
    calls: Vec<Call>,
    violations: Vec<String>,
    script: HashMap<String, VecDeque<Reply>>,
    known: HashSet<String>,
    notes: HashMap<String, Vec<Value>>,
    tags: HashMap<String, Vec<String>>,
    stage: HashMap<String, String>,
}

#[derive(Clone)]
struct Shared {
    inner: Arc<Mutex<Inner>>,
    contract: Arc<Value>,
    api_key: String,
    perform_as: String,
}

pub struct LeverApi {
    pub addr: SocketAddr,
    shared: Shared,
    _task: tokio::task::JoinHandle<()>,
}

impl LeverApi {
    /// Knows `opportunities`; any other answers 404 as Lever does.
    pub async fn start(api_key: &str, perform_as: &str, opportunities: &[&str]) -> LeverApi {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind Lever stand-in");
        let addr = listener.local_addr().expect("addr");
        let shared = Shared {
            inner: Arc::default(),
            contract: Arc::new(contract()),
            api_key: api_key.to_string(),
            perform_as: perform_as.to_string(),
        };
        for o in opportunities {
            shared.lock().known.insert((*o).to_string());
        }
        let s = shared.clone();
        let app = axum::Router::new().fallback(
            move |method: Method, uri: Uri, headers: HeaderMap, body: String| {
                let s = s.clone();
                async move { s.handle(method, uri, headers, body).await }
            },
        );
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        LeverApi {
            addr,
            shared,
            _task: task,
        }
    }

    pub fn base(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn script(&self, kind: &str, replies: &[Reply]) {
        self.shared
            .lock()
            .script
            .entry(kind.to_string())
            .or_default()
            .extend(replies.iter().cloned());
    }

    pub fn know(&self, opportunity: &str) {
        self.shared.lock().known.insert(opportunity.to_string());
    }

    pub fn calls(&self) -> Vec<Call> {
        self.shared.lock().calls.clone()
    }

    /// The calls of one kind.
    pub fn calls_of(&self, kind: &str) -> Vec<Call> {
        self.calls()
            .into_iter()
            .filter(|c| c.kind == kind)
            .collect()
    }

    pub fn violations(&self) -> Vec<String> {
        self.shared.lock().violations.clone()
    }

    pub fn notes(&self, opportunity: &str) -> Vec<Value> {
        self.shared
            .lock()
            .notes
            .get(opportunity)
            .cloned()
            .unwrap_or_default()
    }

    pub fn tags(&self, opportunity: &str) -> Vec<String> {
        self.shared
            .lock()
            .tags
            .get(opportunity)
            .cloned()
            .unwrap_or_default()
    }

    pub fn stage(&self, opportunity: &str) -> Option<String> {
        self.shared.lock().stage.get(opportunity).cloned()
    }
}

impl Shared {
    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().expect("stand-in lock")
    }

    /// The documented request this one is, with its opportunity.
    fn classify(&self, method: &Method, path: &str) -> Option<(String, String)> {
        let requests = self.contract["requests"].as_object()?;
        for (kind, req) in requests {
            let template = req["path"].as_str()?;
            let (prefix, suffix) = template.split_once(":opportunity")?;
            if req["method"].as_str()? != method.as_str() {
                continue;
            }
            if let Some(opp) = path
                .strip_prefix(prefix)
                .and_then(|rest| rest.strip_suffix(suffix))
            {
                if !opp.is_empty() && !opp.contains('/') {
                    return Some((kind.clone(), opp.to_string()));
                }
            }
        }
        None
    }

    /// Everything about the request that differs from the contract.
    fn check(
        &self,
        kind: &str,
        headers: &HeaderMap,
        query: &BTreeMap<String, String>,
        body: &str,
    ) -> (Vec<String>, Value) {
        let req = &self.contract["requests"][kind];
        let mut wrong = Vec::new();
        let auth = headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        if auth != basic(&self.api_key) {
            wrong.push(format!(
                "{kind}: Authorization {auth:?} is not Basic <api key>:<empty>"
            ));
        }
        let allowed: Vec<&str> = req["query"]
            .as_array()
            .map(|a| a.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        for k in query.keys() {
            if !allowed.contains(&k.as_str()) {
                wrong.push(format!("{kind}: undocumented query parameter {k:?}"));
            }
        }
        let Some(fields) = req["body"].as_object() else {
            if !body.is_empty() {
                wrong.push(format!("{kind}: a body where none is documented"));
            }
            return (wrong, Value::Null);
        };
        if query.get("perform_as") != Some(&self.perform_as) {
            wrong.push(format!(
                "{kind}: perform_as {:?} is not the configured user",
                query.get("perform_as")
            ));
        }
        let ctype = headers
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        if !ctype.starts_with("application/json") {
            wrong.push(format!("{kind}: Content-Type {ctype:?}"));
        }
        let Ok(value) = serde_json::from_str::<Value>(body) else {
            wrong.push(format!("{kind}: body is not JSON: {body:?}"));
            return (wrong, Value::Null);
        };
        let Some(obj) = value.as_object() else {
            wrong.push(format!("{kind}: body is not an object"));
            return (wrong, value);
        };
        for (name, spec) in fields {
            let required = spec["required"].as_bool().unwrap_or(false);
            match obj.get(name) {
                None if required => wrong.push(format!("{kind}: required {name:?} missing")),
                None => {}
                Some(v) => {
                    let ok = match spec["type"].as_str().unwrap_or_default() {
                        "string" => v.as_str().is_some_and(|s| !s.is_empty()),
                        "boolean" => v.is_boolean(),
                        "integer" => v.is_i64(),
                        "array of string" => v.as_array().is_some_and(|a| {
                            !a.is_empty()
                                && a.iter().all(|x| x.as_str().is_some_and(|s| !s.is_empty()))
                        }),
                        other => panic!("contract type {other}"),
                    };
                    if !ok {
                        wrong.push(format!("{kind}: {name:?} is not a {}: {v}", spec["type"]));
                    }
                }
            }
        }
        for name in obj.keys() {
            if !fields.contains_key(name) {
                wrong.push(format!("{kind}: undocumented field {name:?}"));
            }
        }
        (wrong, value)
    }

    async fn handle(&self, method: Method, uri: Uri, headers: HeaderMap, body: String) -> Response {
        let query: BTreeMap<String, String> = reqwest::Url::parse(&format!("http://lever{uri}"))
            .map(|u| {
                u.query_pairs()
                    .map(|(k, v)| (k.into_owned(), v.into_owned()))
                    .collect()
            })
            .unwrap_or_default();
        let Some((kind, opp)) = self.classify(&method, uri.path()) else {
            self.lock()
                .violations
                .push(format!("undocumented request {method} {}", uri.path()));
            return problem(404, "undocumented route");
        };
        let (wrong, value) = self.check(&kind, &headers, &query, &body);
        let reply = {
            let mut inner = self.lock();
            inner.calls.push(Call {
                kind: kind.clone(),
                method: method.to_string(),
                opportunity: opp.clone(),
                query: query.clone(),
                body: value.clone(),
            });
            if !wrong.is_empty() {
                inner.violations.extend(wrong.clone());
                return problem(400, &wrong.join("; "));
            }
            if !inner.known.contains(&opp) {
                return problem(404, "Opportunity not found");
            }
            let reply = inner.script.get_mut(&kind).and_then(VecDeque::pop_front);
            match reply {
                Some(Reply::Status(code)) => return problem(code, "scripted"),
                Some(Reply::RateLimited(secs)) => {
                    let mut r = problem(429, "Too many requests");
                    r.headers_mut().insert(
                        "retry-after",
                        HeaderValue::from_str(&secs.to_string()).expect("header"),
                    );
                    return r;
                }
                other => other,
            }
        };
        let answer = self.carry_out(&kind, &opp, &value);
        if matches!(reply, Some(Reply::Hang)) {
            std::future::pending::<()>().await;
        }
        answer
    }

    /// Does what Lever would, and answers as its documentation shows.
    fn carry_out(&self, kind: &str, opp: &str, body: &Value) -> Response {
        let mut inner = self.lock();
        match kind {
            "note" => {
                let id = format!("note-{}", inner.calls.len());
                let value = body["value"].clone();
                inner.notes.entry(opp.to_string()).or_default().push(json!({
                    "id": id, "text": "Note", "user": self.perform_as, "secret": false,
                    "fields": [{"type": "note", "text": "Note", "value": value}],
                }));
                json_response(201, json!({"data": {"noteId": id}}))
            }
            "tags" => {
                let tags = inner.tags.entry(opp.to_string()).or_default();
                for t in body["tags"].as_array().into_iter().flatten() {
                    let t = t.as_str().unwrap_or_default().to_string();
                    if !tags.contains(&t) {
                        tags.push(t);
                    }
                }
                let tags = tags.clone();
                json_response(200, json!({"data": {"id": opp, "tags": tags}}))
            }
            "stage" => {
                let stage = body["stage"].as_str().unwrap_or_default().to_string();
                inner.stage.insert(opp.to_string(), stage.clone());
                json_response(200, json!({"data": {"id": opp, "stage": stage}}))
            }
            _ => {
                // One note a page, so paging is exercised.
                let notes = inner.notes.get(opp).cloned().unwrap_or_default();
                let last = inner
                    .calls
                    .last()
                    .and_then(|c| c.query.get("offset"))
                    .and_then(|o| o.parse::<usize>().ok())
                    .unwrap_or(0);
                let page: Vec<Value> = notes.iter().skip(last).take(1).cloned().collect();
                let has_next = last + 1 < notes.len();
                let mut out = json!({"data": page, "hasNext": has_next});
                if has_next {
                    out["next"] = json!((last + 1).to_string());
                }
                json_response(200, out)
            }
        }
    }
}

fn json_response(status: u16, body: Value) -> Response {
    (
        StatusCode::from_u16(status).unwrap_or(StatusCode::OK),
        axum::Json(body),
    )
        .into_response()
}

fn problem(status: u16, message: &str) -> Response {
    let code = match status {
        404 => "ResourceNotFound",
        429 => "TooManyRequests",
        400 => "BadRequestError",
        _ => "InternalServerError",
    };
    json_response(status, json!({"code": code, "message": message}))
}
