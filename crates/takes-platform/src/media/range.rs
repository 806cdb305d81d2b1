//! `Range: bytes=…` for one file: a single satisfiable range, or a reason.

/// An inclusive byte range within a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ByteRange {
    pub start: u64,
    pub end: u64,
}

impl ByteRange {
    /// Never zero: a range holds at least one byte.
    pub fn byte_count(&self) -> u64 {
        self.end - self.start + 1
    }
}

#[derive(Debug, PartialEq, Eq)]
pub enum RangeError {
    /// Syntax error: answer 400 naming the header.
    Malformed(String),
    /// No range overlaps the file: answer 416 with `Content-Range: bytes */len`.
    Unsatisfiable(String),
}

/// Parses a Range header against a file of `len` bytes. Multiple ranges are
/// answered with the first one only (allowed by RFC 9110 §14.2), which every
/// video player is content with.
pub fn parse(header: &str, len: u64) -> Result<ByteRange, RangeError> {
    // No range of an empty file holds a byte (RFC 9110 §14.1.1); the parser
    // below would answer `0-0`, one byte that is not there. Found by fuzzing.
    if len == 0 && header.trim_start().starts_with("bytes=") {
        return Err(RangeError::Unsatisfiable(format!(
            "Range {header:?} is outside the file's 0 bytes"
        )));
    }
    match http_range_header::parse_range_header(header) {
        Ok(parsed) => match parsed.validate(len) {
            Ok(ranges) => match ranges.first() {
                Some(r) => Ok(ByteRange { start: *r.start(), end: *r.end() }),
                None => Err(RangeError::Unsatisfiable(format!("Range {header:?} selects no bytes"))),
            },
            Err(_) => Err(RangeError::Unsatisfiable(format!(
                "Range {header:?} is outside the file's {len} bytes"
            ))),
        },
        Err(_) => Err(RangeError::Malformed(format!(
            "Range header {header:?} is not of the form `bytes=START-END`, `bytes=START-` or `bytes=-SUFFIX`"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms() {
        assert_eq!(parse("bytes=0-9", 100), Ok(ByteRange { start: 0, end: 9 }));
        assert_eq!(
            parse("bytes=90-", 100),
            Ok(ByteRange { start: 90, end: 99 })
        );
        assert_eq!(
            parse("bytes=-10", 100),
            Ok(ByteRange { start: 90, end: 99 })
        );
        assert_eq!(
            parse("bytes=50-500", 100),
            Ok(ByteRange { start: 50, end: 99 })
        );
        assert!(matches!(
            parse("bytes=100-", 100),
            Err(RangeError::Unsatisfiable(_))
        ));
        assert!(matches!(
            parse("bytes=x-y", 100),
            Err(RangeError::Malformed(_))
        ));
        assert!(matches!(
            parse("items=0-1", 100),
            Err(RangeError::Malformed(_))
        ));
        assert!(matches!(
            parse("bytes=0-500", 0),
            Err(RangeError::Unsatisfiable(_))
        ));
        assert!(matches!(
            parse("bytes=-5", 0),
            Err(RangeError::Unsatisfiable(_))
        ));
        assert!(matches!(
            parse("bytes=9-3", 100),
            Err(RangeError::Malformed(_)) | Err(RangeError::Unsatisfiable(_))
        ));
    }
}
