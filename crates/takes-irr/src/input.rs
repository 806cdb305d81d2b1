//! Reading ratings from CSV, in long or wide layout.
//!
//! Both readers trim whitespace around fields, skip blank lines, and treat
//! an empty score cell as a missing rating. Line numbers in errors are
//! 1-based lines of the file (for a quoted field spanning lines, the line
//! where its record starts).

use std::collections::HashMap;
use std::io::Read;

use crate::Ratings;

/// Why a ratings file could not be read. Every variant that concerns one
/// place in the file names its line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InputError {
    /// Nothing but blank lines.
    #[error("the file is empty")]
    Empty,
    /// The header line is missing or not what the layout requires.
    #[error("line {line}: {problem}")]
    BadHeader { line: u64, problem: String },
    /// A data line has a different number of fields from the header.
    #[error("line {line}: expected {expected} fields, found {found}")]
    FieldCount {
        line: u64,
        expected: usize,
        found: usize,
    },
    /// A unit or rater name is empty.
    #[error("line {line}: the {what} is empty")]
    EmptyId { line: u64, what: &'static str },
    /// A score cell is not a number.
    #[error("line {line}: score {value:?} (rater {rater:?}) is not a number")]
    NonNumeric {
        line: u64,
        rater: String,
        value: String,
    },
    /// A score is NaN or infinite (including numbers too large for f64).
    #[error("line {line}: score {value:?} (rater {rater:?}) is not a finite number")]
    NonFinite {
        line: u64,
        rater: String,
        value: String,
    },
    /// The same rater rated the same unit twice (long layout).
    #[error(
        "line {line}: rater {rater:?} already rated unit {unit:?} on line {first_line}; \
         each (unit, rater) pair may appear once"
    )]
    Duplicate {
        unit: String,
        rater: String,
        first_line: u64,
        line: u64,
    },
    /// A unit has two rows (wide layout).
    #[error("line {line}: unit {unit:?} already has a row on line {first_line}")]
    DuplicateUnit {
        unit: String,
        first_line: u64,
        line: u64,
    },
    /// The file has a header but no scores.
    #[error("the file contains no ratings")]
    NoRatings,
    /// All ratings come from one rater, so there is nothing to compare.
    #[error("all ratings are by one rater ({rater:?}); reliability needs at least two raters")]
    OnlyOneRater { rater: String },
    /// No unit was rated by two or more raters.
    #[error("no unit has ratings from two or more raters, so there is nothing to compare")]
    NoPairableUnits,
    /// The CSV itself is malformed (bad quoting, invalid UTF-8) or could not
    /// be read.
    #[error("{}{message}", line.map(|l| format!("line {l}: ")).unwrap_or_default())]
    Malformed { line: Option<u64>, message: String },
}

/// Reads the long layout: a header `unit,rater,score` (in any order,
/// case-insensitive), then one line per rating. A missing rating is an
/// absent line (or an empty score). Units and raters are kept in order of
/// first appearance.
pub fn read_long<R: Read>(r: R) -> Result<Ratings, InputError> {
    let mut lines = Lines::new(r)?;
    let (header_line, header) = lines.next_record()?.ok_or(InputError::Empty)?;
    let mut column = [usize::MAX; 3]; // unit, rater, score
    let names: Vec<String> = header.iter().map(|h| h.to_ascii_lowercase()).collect();
    let bad_header = || InputError::BadHeader {
        line: header_line,
        problem: format!(
            "expected the header `unit,rater,score`, found `{}`",
            header.join(",")
        ),
    };
    if names.len() != 3 {
        return Err(bad_header());
    }
    for (i, name) in names.iter().enumerate() {
        let slot = match name.as_str() {
            "unit" => 0,
            "rater" => 1,
            "score" => 2,
            _ => return Err(bad_header()),
        };
        column[slot] = i;
    }
    if column.contains(&usize::MAX) {
        return Err(bad_header());
    }

    let mut units = Names::default();
    let mut raters = Names::default();
    let mut seen: HashMap<(usize, usize), u64> = HashMap::new();
    let mut triples = Vec::new();
    while let Some((line, record)) = lines.next_record()? {
        if record.len() != 3 {
            return Err(InputError::FieldCount {
                line,
                expected: 3,
                found: record.len(),
            });
        }
        let field = |i: usize| record.get(column[i]).map_or("", String::as_str);
        let (unit, rater, score) = (field(0), field(1), field(2));
        if unit.is_empty() {
            return Err(InputError::EmptyId { line, what: "unit" });
        }
        if rater.is_empty() {
            return Err(InputError::EmptyId {
                line,
                what: "rater",
            });
        }
        let value = parse_score(score, line, rater)?;
        let u = units.index(unit);
        let r = raters.index(rater);
        if let Some(&first_line) = seen.get(&(u, r)) {
            return Err(InputError::Duplicate {
                unit: unit.to_string(),
                rater: rater.to_string(),
                first_line,
                line,
            });
        }
        seen.insert((u, r), line);
        if let Some(x) = value {
            triples.push((u, r, x));
        }
    }
    finish(units.list, raters.list, triples)
}

/// Reads the wide layout: a header whose first field names the unit
/// column (any name) and whose other fields name the raters, then one line
/// per unit with one score per rater; an empty cell is a missing rating.
pub fn read_wide<R: Read>(r: R) -> Result<Ratings, InputError> {
    let mut lines = Lines::new(r)?;
    let (header_line, header) = lines.next_record()?.ok_or(InputError::Empty)?;
    if header.len() < 2 {
        return Err(InputError::BadHeader {
            line: header_line,
            problem: "the header needs a unit column followed by one column per rater".into(),
        });
    }
    let mut rater_ids: Vec<String> = Vec::with_capacity(header.len() - 1);
    for (i, name) in header.iter().enumerate().skip(1) {
        if name.is_empty() {
            return Err(InputError::BadHeader {
                line: header_line,
                problem: format!("column {} has no rater name", i + 1),
            });
        }
        if let Some(j) = rater_ids.iter().position(|r| r == name) {
            return Err(InputError::BadHeader {
                line: header_line,
                problem: format!("rater {name:?} names columns {} and {}", j + 2, i + 1),
            });
        }
        rater_ids.push(name.to_string());
    }

    let mut unit_ids = Vec::new();
    let mut unit_lines: HashMap<String, u64> = HashMap::new();
    let mut triples = Vec::new();
    while let Some((line, record)) = lines.next_record()? {
        if record.len() != header.len() {
            return Err(InputError::FieldCount {
                line,
                expected: header.len(),
                found: record.len(),
            });
        }
        let unit = record.first().map_or("", String::as_str);
        if unit.is_empty() {
            return Err(InputError::EmptyId { line, what: "unit" });
        }
        if let Some(&first_line) = unit_lines.get(unit) {
            return Err(InputError::DuplicateUnit {
                unit: unit.to_string(),
                first_line,
                line,
            });
        }
        unit_lines.insert(unit.to_string(), line);
        let u = unit_ids.len();
        unit_ids.push(unit.to_string());
        for (r, (cell, rater)) in record.iter().skip(1).zip(&rater_ids).enumerate() {
            if let Some(x) = parse_score(cell, line, rater)? {
                triples.push((u, r, x));
            }
        }
    }
    finish(unit_ids, rater_ids, triples)
}

/// Checks that apply to the whole file, then builds the table.
fn finish(
    unit_ids: Vec<String>,
    rater_ids: Vec<String>,
    triples: Vec<(usize, usize, f64)>,
) -> Result<Ratings, InputError> {
    if triples.is_empty() {
        return Err(InputError::NoRatings);
    }
    let mut active = vec![false; rater_ids.len()];
    for &(_, r, _) in &triples {
        if let Some(a) = active.get_mut(r) {
            *a = true;
        }
    }
    let mut who = active.iter().enumerate().filter(|(_, &a)| a);
    if let (Some((r, _)), None) = (who.next(), who.next()) {
        return Err(InputError::OnlyOneRater {
            rater: rater_ids.get(r).cloned().unwrap_or_default(),
        });
    }
    let ratings = Ratings::from_triples(unit_ids, rater_ids, triples);
    if ratings.units().all(|row| row.len() < 2) {
        return Err(InputError::NoPairableUnits);
    }
    Ok(ratings)
}

/// `None` for an empty cell (a missing rating).
fn parse_score(cell: &str, line: u64, rater: &str) -> Result<Option<f64>, InputError> {
    if cell.is_empty() {
        return Ok(None);
    }
    match cell.parse::<f64>() {
        Ok(x) if x.is_finite() => Ok(Some(x)),
        Ok(_) => Err(InputError::NonFinite {
            line,
            rater: rater.to_string(),
            value: cell.to_string(),
        }),
        Err(_) => Err(InputError::NonNumeric {
            line,
            rater: rater.to_string(),
            value: cell.to_string(),
        }),
    }
}

/// Interns names in order of first appearance.
#[derive(Default)]
struct Names {
    list: Vec<String>,
    index: HashMap<String, usize>,
}

impl Names {
    fn index(&mut self, name: &str) -> usize {
        if let Some(&i) = self.index.get(name) {
            return i;
        }
        let i = self.list.len();
        self.list.push(name.to_string());
        self.index.insert(name.to_string(), i);
        i
    }
}

/// Non-blank CSV records with their line numbers, fields trimmed.
///
/// Line numbers come from byte offsets rather than from the CSV parser's
/// own count, which does not advance over the blank lines it skips.
struct Lines {
    reader: csv::Reader<std::io::Cursor<Vec<u8>>>,
    record: csv::StringRecord,
    /// Byte offsets at which lines 2, 3, … start.
    line_starts: Vec<u64>,
    first: bool,
}

impl Lines {
    fn new<R: Read>(mut r: R) -> Result<Self, InputError> {
        let mut bytes = Vec::new();
        r.read_to_end(&mut bytes)
            .map_err(|e| InputError::Malformed {
                line: None,
                message: format!("could not read the file: {e}"),
            })?;
        let mut line_starts = Vec::new();
        let mut i = 0;
        while let Some(&b) = bytes.get(i) {
            // "\n", "\r\n" and a lone "\r" each end a line, as in the parser.
            let next_is_lf = bytes.get(i + 1) == Some(&b'\n');
            if b == b'\n' || (b == b'\r' && !next_is_lf) {
                line_starts.push(i as u64 + 1);
            }
            i += 1;
        }
        Ok(Lines {
            reader: csv::ReaderBuilder::new()
                .has_headers(false)
                .flexible(true)
                .trim(csv::Trim::All)
                .from_reader(std::io::Cursor::new(bytes)),
            record: csv::StringRecord::new(),
            line_starts,
            first: true,
        })
    }

    /// The line of the first content at or after `byte`. The parser reports
    /// a record as starting where it began looking for it, which is before
    /// any blank lines it skipped on the way.
    fn line_at(&self, byte: u64) -> u64 {
        let bytes = self.reader.get_ref().get_ref();
        let skipped = bytes
            .iter()
            .skip(usize::try_from(byte).unwrap_or(usize::MAX))
            .take_while(|&&b| b == b'\n' || b == b'\r')
            .count() as u64;
        let at = byte + skipped;
        self.line_starts.partition_point(|&start| start <= at) as u64 + 1
    }

    fn next_record(&mut self) -> Result<Option<(u64, Vec<String>)>, InputError> {
        loop {
            let more = match self.reader.read_record(&mut self.record) {
                Ok(more) => more,
                Err(e) => {
                    return Err(InputError::Malformed {
                        line: e.position().map(|p| self.line_at(p.byte())),
                        message: malformed_message(&e),
                    })
                }
            };
            if !more {
                return Ok(None);
            }
            let line = self.record.position().map_or(0, |p| self.line_at(p.byte()));
            let mut fields: Vec<String> = self.record.iter().map(str::to_string).collect();
            if self.first {
                self.first = false;
                // A byte-order mark from spreadsheet exports is not part of
                // the first name.
                if let Some(f) = fields.first_mut() {
                    if let Some(rest) = f.strip_prefix('\u{feff}') {
                        *f = rest.trim().to_string();
                    }
                }
            }
            if fields.iter().all(String::is_empty) {
                continue;
            }
            return Ok(Some((line, fields)));
        }
    }
}

fn malformed_message(e: &csv::Error) -> String {
    match e.kind() {
        csv::ErrorKind::Utf8 { .. } => "the file is not valid UTF-8 text".to_string(),
        csv::ErrorKind::Io(io) => format!("could not read the file: {io}"),
        _ => format!("malformed CSV: {e}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn byte_order_mark_is_ignored() {
        let r = read_long("\u{feff}unit,rater,score\na,x,1\na,y,2\n".as_bytes()).unwrap();
        assert_eq!(r.n_ratings(), 2);
    }

    #[test]
    fn header_order_and_case_are_free() {
        let r = read_long(" Score , UNIT,rater\n1,a,x\n2,a,y\n".as_bytes()).unwrap();
        assert_eq!(r.unit_ids(), ["a"]);
        assert_eq!(r.rater_ids(), ["x", "y"]);
        assert_eq!(r.get(0, 1), Some(2.0));
    }
}
