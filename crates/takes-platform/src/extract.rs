//! Extractors whose rejections are problem documents naming the field.

use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::StatusCode;
use serde::de::DeserializeOwned;

use crate::error::ApiError;

/// Largest JSON body accepted (a score with a long note fits easily).
pub const BODY_LIMIT: usize = 64 * 1024;

/// Marks a request whose declared body was larger than [`BODY_LIMIT`]; the
/// router's body guard keeps such a body from the handler (see
/// `api::guard_body`), and `Json` answers 413 once the handler's
/// credentials have been checked.
#[derive(Debug, Clone, Copy)]
pub struct Oversized(pub u64);

pub(crate) fn too_large(len: u64) -> ApiError {
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "payload-too-large",
        format!("body of {len} bytes is larger than the limit of {BODY_LIMIT} bytes"),
    )
}

/// Reads and drops up to `cap` bytes of a body nobody will use, so the
/// client's answer is not lost to a reset; nothing is kept in memory.
pub async fn discard(body: axum::body::Body, cap: u64) {
    use futures::StreamExt;
    let mut stream = body.into_data_stream();
    let mut seen: u64 = 0;
    while let Some(Ok(chunk)) = stream.next().await {
        seen += chunk.len() as u64;
        if seen > cap {
            break;
        }
    }
}

/// A request body that, when a handler drops it unread (a refusal from an
/// extractor, before the body was wanted), hands the rest to
/// [`discard`] in the background, so the refusal reaches the client
/// instead of the reset an unread socket would send.
pub struct DrainOnDrop {
    inner: Option<axum::body::Body>,
    cap: u64,
}

impl DrainOnDrop {
    pub fn new(inner: axum::body::Body, cap: u64) -> DrainOnDrop {
        DrainOnDrop {
            inner: Some(inner),
            cap,
        }
    }
}

impl http_body::Body for DrainOnDrop {
    type Data = axum::body::Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<http_body::Frame<Self::Data>, Self::Error>>> {
        match self.inner.as_mut() {
            Some(body) => std::pin::Pin::new(body).poll_frame(cx),
            None => std::task::Poll::Ready(None),
        }
    }

    fn is_end_stream(&self) -> bool {
        self.inner.as_ref().is_none_or(|b| b.is_end_stream())
    }

    fn size_hint(&self) -> http_body::SizeHint {
        self.inner
            .as_ref()
            .map_or_else(|| http_body::SizeHint::with_exact(0), |b| b.size_hint())
    }
}

impl Drop for DrainOnDrop {
    fn drop(&mut self) {
        let Some(body) = self.inner.take() else {
            return;
        };
        if http_body::Body::is_end_stream(&body) {
            return;
        }
        // Outside a runtime (nothing serving) there is no socket to save.
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            runtime.spawn(discard(body, self.cap));
        }
    }
}

/// `axum::Json`, but a bad body is a 400/413/415 problem naming the field.
pub struct Json<T>(pub T);

impl<T, S> FromRequest<S> for Json<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        if let Some(Oversized(len)) = req.extensions().get::<Oversized>() {
            return Err(too_large(*len));
        }
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(value)) => Ok(Json(value)),
            Err(rejection) => Err(json_rejection(rejection)),
        }
    }
}

fn json_rejection(rejection: JsonRejection) -> ApiError {
    match rejection {
        JsonRejection::JsonDataError(err) => {
            // serde_path_to_error gives "field: message"; keep both.
            let text = err.body_text();
            let detail = text
                .strip_prefix("Failed to deserialize the JSON body into the target type: ")
                .unwrap_or(&text)
                .to_string();
            let field = detail
                .split(':')
                .next()
                .unwrap_or_default()
                .trim()
                .to_string();
            let mut e = ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "validation",
                format!("invalid body: {detail}"),
            );
            if !field.is_empty() && !field.contains(' ') {
                e = e.with_field(field);
            }
            e
        }
        JsonRejection::JsonSyntaxError(err) => {
            let text = err.body_text();
            ApiError::bad_request(format!(
                "body is not valid JSON: {}",
                text.strip_prefix("Failed to parse the request body as JSON: ")
                    .unwrap_or(&text)
            ))
        }
        JsonRejection::MissingJsonContentType(_) => ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported-media-type",
            "send the body as JSON with `Content-Type: application/json`",
        )
        .with_field("Content-Type"),
        JsonRejection::BytesRejection(err) => {
            if err.status() == StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::new(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "payload-too-large",
                    format!("body is larger than the limit of {} bytes", BODY_LIMIT),
                )
            } else {
                ApiError::bad_request(format!("could not read the body: {}", err.body_text()))
            }
        }
        other => ApiError::bad_request(other.body_text()),
    }
}

/// `axum::extract::Path` with a problem rejection.
pub struct Path<T>(pub T);

impl<T, S> FromRequestParts<S> for Path<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        // Ids are printable text; a control character (a NUL above all,
        // which PostgreSQL cannot store in text) can never name anything.
        if has_encoded_control_char(parts.uri.path()) {
            return Err(ApiError::bad_request(
                "the path contains a control character",
            ));
        }
        match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(value)) => Ok(Path(value)),
            Err(rejection) => Err(path_rejection(rejection)),
        }
    }
}

fn path_rejection(rejection: PathRejection) -> ApiError {
    ApiError::bad_request(format!("bad path parameter: {}", rejection.body_text()))
}

/// `axum::extract::Query` with a problem rejection.
pub struct Query<T>(pub T);

impl<T, S> FromRequestParts<S> for Query<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(value)) => Ok(Query(value)),
            Err(rejection) => Err(query_rejection(rejection)),
        }
    }
}

fn query_rejection(rejection: QueryRejection) -> ApiError {
    let text = rejection.body_text();
    let detail = text
        .strip_prefix("Failed to deserialize query string: ")
        .unwrap_or(&text)
        .to_string();
    ApiError::bad_request(format!("bad query string: {detail}"))
}

fn has_encoded_control_char(path: &str) -> bool {
    let bytes = path.as_bytes();
    bytes.windows(3).any(|w| {
        w[0] == b'%'
            && matches!(
                (w[1].to_ascii_uppercase(), w[2].to_ascii_uppercase()),
                (b'0' | b'1', b'0'..=b'9' | b'A'..=b'F') | (b'7', b'F')
            )
    })
}

/// Text fields are stored as given; NUL is the one character PostgreSQL
/// cannot keep, so it is refused for both back ends alike.
pub fn check_text(field: &str, value: &str) -> Result<(), ApiError> {
    if value.contains('\0') {
        return Err(ApiError::invalid(
            field,
            format!("{field} contains a NUL character"),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spots_encoded_control_characters() {
        assert!(has_encoded_control_char("/v1/media/%00"));
        assert!(has_encoded_control_char("/v1/media/a%1fb"));
        assert!(has_encoded_control_char("/v1/media/%7f"));
        assert!(!has_encoded_control_char("/v1/media/%20x"));
        assert!(!has_encoded_control_char("/v1/media/abc"));
        assert!(check_text("note", "a\0b").is_err());
        assert!(check_text("note", "fine").is_ok());
    }
}
