//! Opaque pagination cursors: the sort key of the last row of a page,
//! base64url-encoded so clients treat it as a token, not an API.

use base64::Engine;

use crate::error::ApiError;

pub const DEFAULT_LIMIT: i64 = 50;
pub const MAX_LIMIT: i64 = 500;

/// Encodes `(key, id)`: the position after which the next page starts.
pub fn encode(key: i64, id: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("{key}:{id}"))
}

pub fn decode(cursor: &str) -> Result<(i64, String), ApiError> {
    let bad = || {
        ApiError::bad_request(format!("cursor {cursor:?} is not one this server issued"))
            .with_field("cursor")
    };
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(cursor)
        .map_err(|_| bad())?;
    let text = String::from_utf8(bytes).map_err(|_| bad())?;
    let (key, id) = text.split_once(':').ok_or_else(bad)?;
    let key = key.parse::<i64>().map_err(|_| bad())?;
    if id.is_empty() || id.len() > 64 || id.chars().any(|c| c.is_control()) {
        return Err(bad());
    }
    Ok((key, id.to_string()))
}

pub fn limit(requested: Option<i64>) -> Result<i64, ApiError> {
    match requested {
        None => Ok(DEFAULT_LIMIT),
        Some(n) if (1..=MAX_LIMIT).contains(&n) => Ok(n),
        Some(n) => Err(ApiError::invalid(
            "limit",
            format!("limit must be between 1 and {MAX_LIMIT}, got {n}"),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_rejects_garbage() {
        let c = encode(-5, "0190-abc");
        assert_eq!(decode(&c).unwrap(), (-5, "0190-abc".to_string()));
        assert!(decode("!!!").is_err());
        assert!(
            decode(&base64::engine::general_purpose::URL_SAFE_NO_PAD.encode("nocolon")).is_err()
        );
        assert!(limit(Some(0)).is_err());
        assert_eq!(limit(None).unwrap(), DEFAULT_LIMIT);
    }
}
