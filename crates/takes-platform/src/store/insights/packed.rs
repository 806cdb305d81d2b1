//! Integers packed into one text column per group (`group_concat` on
//! SQLite, `string_agg` on PostgreSQL). A figure that needs every value of
//! a group (percentiles) reads a few rows of long strings instead of one
//! row per value: decoding a row through sqlx `Any` costs microseconds,
//! parsing a number from a string nanoseconds.

use sqlx::AnyConnection;

use crate::error::{ApiError, ApiResult};

/// The aggregate that joins `expr` (an integer expression) of a group's
/// rows with commas; NULLs are skipped and a group of only NULLs gives
/// NULL, on both databases.
pub fn concat(conn: &AnyConnection, expr: &str) -> String {
    if conn.backend_name() == "PostgreSQL" {
        format!("string_agg(CAST({expr} AS TEXT), ',')")
    } else {
        format!("group_concat({expr}, ',')")
    }
}

/// The integers of a packed column (`None` or empty: none). Anything but
/// comma-separated integers is an error: the column came from the
/// database, not from this process.
pub fn integers(packed: Option<&str>) -> ApiResult<Vec<i64>> {
    let Some(text) = packed.filter(|t| !t.is_empty()) else {
        return Ok(Vec::new());
    };
    text.split(',')
        .map(|n| {
            n.parse::<i64>().map_err(|_| {
                ApiError::internal(format!(
                    "a packed insights column holds {n:?}, not an integer"
                ))
            })
        })
        .collect()
}

/// Tuples of `N` integers packed as `a:b:…` items (the expression
/// [`tuple_expr`] under [`concat`]), so the values of one row stay
/// together whatever order the aggregate visits the rows in.
pub fn tuples<const N: usize>(packed: Option<&str>) -> ApiResult<Vec<[i64; N]>> {
    let Some(text) = packed.filter(|t| !t.is_empty()) else {
        return Ok(Vec::new());
    };
    text.split(',')
        .map(|item| {
            let bad = || {
                ApiError::internal(format!(
                    "a packed insights column holds {item:?}, not {N} integers"
                ))
            };
            let mut out = [0; N];
            let mut fields = item.split(':');
            for slot in &mut out {
                *slot = fields.next().ok_or_else(bad)?.parse().map_err(|_| bad())?;
            }
            match fields.next() {
                Some(_) => Err(bad()),
                None => Ok(out),
            }
        })
        .collect()
}

/// The expression packing the integer expressions `fields` of one row for
/// [`tuples`].
pub fn tuple_expr(fields: &[&str]) -> String {
    fields
        .iter()
        .map(|f| format!("CAST({f} AS TEXT)"))
        .collect::<Vec<_>>()
        .join(" || ':' || ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_in_any_order_with_negatives() {
        assert_eq!(
            integers(Some("3,-7,0,9007199254740993")).ok(),
            Some(vec![3, -7, 0, 9_007_199_254_740_993])
        );
        assert_eq!(integers(Some("42")).ok(), Some(vec![42]));
    }

    #[test]
    fn null_or_empty_is_no_value() {
        assert_eq!(integers(None).ok(), Some(vec![]));
        assert_eq!(integers(Some("")).ok(), Some(vec![]));
        assert_eq!(tuples::<2>(None).ok(), Some(vec![]));
        assert_eq!(tuples::<2>(Some("")).ok(), Some(vec![]));
    }

    #[test]
    fn malformed_integers_are_an_error_not_a_panic() {
        for bad in [
            "1,,2",
            "1,x",
            "1.5",
            ",",
            "1,",
            " 1",
            "99999999999999999999",
        ] {
            assert!(integers(Some(bad)).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn tuples_keep_their_fields_together() {
        assert_eq!(
            tuples::<2>(Some("10:100,-5:7")).ok(),
            Some(vec![[10, 100], [-5, 7]])
        );
        assert_eq!(tuples::<3>(Some("1:2:3")).ok(), Some(vec![[1, 2, 3]]));
        assert_eq!(
            tuple_expr(&["a", "b - c"]),
            "CAST(a AS TEXT) || ':' || CAST(b - c AS TEXT)"
        );
    }

    #[test]
    fn malformed_tuples_are_an_error_not_a_panic() {
        for bad in [
            "1", "1:2:3", "1:,2:3", ":", "a:1", "1:2,", "1:2;3:4", "1:2,3",
        ] {
            assert!(tuples::<2>(Some(bad)).is_err(), "{bad:?}");
        }
        assert!(tuples::<3>(Some("1:2")).is_err());
    }
}
