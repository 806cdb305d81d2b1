//! Keyset pagination, one way for every list: a page asks for `limit + 1`
//! rows ordered by `(key, id)`, and the extra row, when it comes back, says
//! that another page follows, starting after the last row shown.

use crate::cursor;
use crate::error::ApiResult;

/// Where a page starts and how long it is, from a request's `limit` and
/// `cursor`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageRequest {
    pub limit: i64,
    /// The sort key and id of the last row of the previous page (or a
    /// sentinel before every row for the first page).
    pub after_key: i64,
    pub after_id: String,
}

impl PageRequest {
    /// A list sorted by `(key, id)` descending: the first page starts above
    /// every row.
    pub fn descending(limit: Option<i64>, cursor: Option<&str>) -> ApiResult<Self> {
        Self::new(limit, cursor, (i64::MAX, String::from("\u{10FFFF}")))
    }

    /// A list sorted by `(key, id)` ascending: the first page starts below
    /// every row.
    pub fn ascending(limit: Option<i64>, cursor: Option<&str>) -> ApiResult<Self> {
        Self::new(limit, cursor, (i64::MIN, String::new()))
    }

    fn new(limit: Option<i64>, cursor: Option<&str>, first: (i64, String)) -> ApiResult<Self> {
        let limit = cursor::limit(limit)?;
        let (after_key, after_id) = match cursor {
            Some(c) if !c.is_empty() => cursor::decode(c)?,
            _ => first,
        };
        Ok(PageRequest {
            limit,
            after_key,
            after_id,
        })
    }

    /// Checks the requested page size alone, for lists that have always
    /// reported a bad `limit` before their other parameters.
    pub fn check_limit(limit: Option<i64>) -> ApiResult<()> {
        cursor::limit(limit).map(|_| ())
    }

    /// The `LIMIT` to bind: one more than the page, to learn whether another
    /// page follows.
    pub fn fetch_limit(&self) -> i64 {
        self.limit + 1
    }

    /// Keeps the first `limit` of `rows` (fetched with [`Self::fetch_limit`])
    /// and returns them with the cursor of the next page, if there is one.
    /// `key` reads a row's `(sort key, id)`.
    pub fn finish<R, E>(
        &self,
        mut rows: Vec<R>,
        key: impl Fn(&R) -> Result<(i64, String), E>,
    ) -> Result<(Vec<R>, Option<String>), E> {
        let limit = usize::try_from(self.limit).unwrap_or(usize::MAX);
        if rows.len() <= limit {
            return Ok((rows, None));
        }
        rows.truncate(limit);
        let next = match rows.last() {
            Some(last) => {
                let (k, id) = key(last)?;
                Some(cursor::encode(k, &id))
            }
            None => None,
        };
        Ok((rows, next))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(n: i64) -> Vec<(i64, String)> {
        (0..n).map(|i| (100 - i, format!("id{i}"))).collect()
    }

    #[test]
    fn a_full_page_plus_one_yields_the_cursor_of_its_last_row() {
        let req = PageRequest::descending(Some(3), None).unwrap();
        assert_eq!(req.fetch_limit(), 4);
        let (page, next) = req
            .finish(rows(4), |r| Ok::<_, ()>((r.0, r.1.clone())))
            .unwrap();
        assert_eq!(page.len(), 3);
        let next = next.expect("a fourth row means another page");
        assert_eq!(cursor::decode(&next).unwrap(), (98, "id2".to_string()));
        let again = PageRequest::descending(Some(3), Some(&next)).unwrap();
        assert_eq!((again.after_key, again.after_id.as_str()), (98, "id2"));
    }

    #[test]
    fn a_short_page_is_the_last() {
        let req = PageRequest::ascending(Some(3), None).unwrap();
        assert_eq!((req.after_key, req.after_id.as_str()), (i64::MIN, ""));
        let (page, next) = req
            .finish(rows(3), |r| Ok::<_, ()>((r.0, r.1.clone())))
            .unwrap();
        assert_eq!((page.len(), next), (3, None));
    }

    #[test]
    fn bad_limits_and_cursors_are_refused() {
        assert!(PageRequest::check_limit(Some(501)).is_err());
        assert!(PageRequest::check_limit(None).is_ok());
        assert!(PageRequest::descending(Some(0), None).is_err());
        assert!(PageRequest::descending(None, Some("!!!")).is_err());
        assert_eq!(
            PageRequest::descending(None, Some("")).unwrap().limit,
            cursor::DEFAULT_LIMIT
        );
    }
}
