//! CSV input (long and wide), its errors with line numbers, and the report.

use takes_irr::{read_long, read_wide, report, InputError};

fn long(text: &str) -> Result<takes_irr::Ratings, InputError> {
    read_long(text.as_bytes())
}

fn wide(text: &str) -> Result<takes_irr::Ratings, InputError> {
    read_wide(text.as_bytes())
}

/// Krippendorff (2011) section C data in long layout (missing ratings are
/// absent rows), units named u1..u12, observers A..D.
const KRIPPENDORFF_LONG: &str = "\
unit,rater,score
u1,A,1\nu2,A,2\nu3,A,3\nu4,A,3\nu5,A,2\nu6,A,1\nu7,A,4\nu8,A,1\nu9,A,2
u1,B,1\nu2,B,2\nu3,B,3\nu4,B,3\nu5,B,2\nu6,B,2\nu7,B,4\nu8,B,1\nu9,B,2\nu10,B,5\nu12,B,3
u2,C,3\nu3,C,3\nu4,C,3\nu5,C,2\nu6,C,3\nu7,C,4\nu8,C,2\nu9,C,2\nu10,C,5\nu11,C,1
u1,D,1\nu2,D,2\nu3,D,3\nu4,D,3\nu5,D,2\nu6,D,4\nu7,D,4\nu8,D,1\nu9,D,2\nu10,D,5\nu11,D,1
";

/// The same data in wide layout with empty cells for missing ratings.
const KRIPPENDORFF_WIDE: &str = "\
unit,A,B,C,D
u1,1,1,,1
u2,2,2,3,2
u3,3,3,3,3
u4,3,3,3,3
u5,2,2,2,2
u6,1,2,3,4
u7,4,4,4,4
u8,1,1,2,1
u9,2,2,2,2
u10,,5,5,5
u12,,3,,
u11,,,1,1
";

#[test]
fn long_and_wide_read_the_same_data() {
    let a = long(KRIPPENDORFF_LONG).unwrap();
    let b = wide(KRIPPENDORFF_WIDE).unwrap();
    assert_eq!(a, b);
    assert_eq!(a.n_units(), 12);
    assert_eq!(a.n_raters(), 4);
    assert_eq!(a.n_ratings(), 41);
    assert_eq!(a.rater_ids(), ["A", "B", "C", "D"]);
    assert_eq!(a.unit_ids()[10], "u12");
    assert_eq!(a.get(10, 1), Some(3.0));
    assert_eq!(a.get(10, 0), None);
}

#[test]
fn report_on_krippendorff_data() {
    let r = report(&long(KRIPPENDORFF_LONG).unwrap());
    let round3 = |x: Option<f64>| (x.unwrap() * 1000.0).round() / 1000.0;
    assert_eq!(round3(r.alpha_nominal), 0.743);
    assert_eq!(round3(r.alpha_ordinal), 0.815);
    assert_eq!(round3(r.alpha_interval), 0.849);
    assert_eq!(round3(r.alpha_ratio), 0.797);
    // Units 3, 4, 5, 6, 7, 8, 9 and 2 are rated by all four observers.
    assert_eq!(r.icc_units, 8);
    assert!(r.icc2_1.is_some());
    assert!(r.fleiss_kappa.is_none());
    assert!(r
        .null_reason("fleiss_kappa")
        .unwrap()
        .contains("same number of ratings"));
    assert!(r
        .null_reason("cohen_kappa_linear")
        .unwrap()
        .contains("exactly two raters; there are 4"));
    assert_eq!(r.null_reason("alpha_nominal"), None);
}

#[test]
fn report_json_has_exactly_the_documented_keys() {
    let r = report(&long(KRIPPENDORFF_LONG).unwrap());
    let json = serde_json::to_value(&r).unwrap();
    let keys: Vec<&str> = json
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    let mut want = vec![
        "n_units",
        "n_raters",
        "n_ratings",
        "alpha_nominal",
        "alpha_ordinal",
        "alpha_interval",
        "alpha_ratio",
        "icc1_1",
        "icc2_1",
        "icc3_1",
        "icc1_k",
        "icc2_k",
        "icc3_k",
        "icc_units",
        "fleiss_kappa",
        "cohen_kappa",
        "cohen_kappa_linear",
        "cohen_kappa_quadratic",
    ];
    let mut got = keys.clone();
    got.sort_unstable();
    want.sort_unstable();
    assert_eq!(got, want);
    assert!(json["fleiss_kappa"].is_null());
    assert!(json["cohen_kappa"].is_null());
    assert!(json["alpha_ordinal"].is_f64());
    assert_eq!(json["n_ratings"], 41);
    assert_eq!(json["icc_units"], 8);
}

#[test]
fn two_rater_report_has_cohen_and_fleiss() {
    let r = report(&wide("clip,ann,bob\n1,1,1\n2,2,2\n3,3,2\n4,1,2\n5,3,3\n6,,1\n").unwrap());
    assert_eq!((r.n_units, r.n_raters, r.n_ratings), (6, 2, 11));
    assert!(r.cohen_kappa.is_some() && r.cohen_kappa_quadratic.is_some());
    // Unit 6 has one rating, so Fleiss' kappa does not apply.
    assert!(r.fleiss_kappa.is_none());
    let complete = report(&wide("clip,ann,bob\n1,1,1\n2,2,2\n3,3,2\n4,1,2\n5,3,3\n").unwrap());
    assert!(complete.fleiss_kappa.is_some());
    assert_eq!(complete.icc_units, 5);
}

#[test]
fn table_is_aligned_and_interpreted() {
    let t = report(&long(KRIPPENDORFF_LONG).unwrap()).to_table();
    assert!(t.starts_with("Inter-rater reliability: 12 units, 4 raters, 41 ratings"));
    let line = |needle: &str| {
        t.lines()
            .find(|l| l.starts_with(needle))
            .unwrap_or_else(|| panic!("no line starting {needle:?} in\n{t}"))
            .to_string()
    };
    assert!(line("Krippendorff's alpha, nominal").contains("0.743  tentative"));
    assert!(line("Krippendorff's alpha, ordinal").contains("0.815  reliable"));
    assert!(line("Fleiss' kappa").contains("-  n/a: Fleiss' kappa needs the same number"));
    assert!(line("ICC(1,k) one-way, mean of 4").contains("  "));
    assert!(t.contains("ICCs use the 8 units rated by all 4 raters."));
    // Values sit in one column: every value cell ends at the same offset.
    let rows: Vec<&str> = t
        .lines()
        .filter(|l| l.starts_with("Krippendorff") || l.starts_with("ICC(") || l.contains("kappa"))
        .filter(|l| !l.starts_with("  "))
        .collect();
    assert_eq!(rows.len(), 14, "{t}");
    let ends: Vec<usize> = rows
        .iter()
        .map(|l| {
            let before_reading = l.find("  n/a").or_else(|| {
                [
                    "  reliable",
                    "  tentative",
                    "  unreliable",
                    "  poor",
                    "  moderate",
                    "  good",
                    "  excellent",
                ]
                .iter()
                .filter_map(|w| l.find(w))
                .min()
            });
            l[..before_reading.unwrap()].chars().count()
        })
        .collect();
    assert!(ends.windows(2).all(|w| w[0] == w[1]), "{ends:?}\n{t}");
}

#[test]
fn whitespace_blank_lines_and_empty_scores() {
    let d = long(
        "\n  unit , rater , score  \n\n a , x , 1 \n\n a , y , \n b , x , 2\n b , y , 2.5e0\n",
    )
    .unwrap();
    assert_eq!(d.unit_ids(), ["a", "b"]);
    assert_eq!(d.rater_ids(), ["x", "y"]);
    assert_eq!(d.n_ratings(), 3);
    assert_eq!(d.get(0, 1), None);
    assert_eq!(d.get(1, 1), Some(2.5));
}

// ---- errors, each with its line number ----

#[test]
fn empty_file() {
    assert_eq!(long(""), Err(InputError::Empty));
    assert_eq!(long("\n \n\n"), Err(InputError::Empty));
    assert_eq!(wide(""), Err(InputError::Empty));
    assert_eq!(InputError::Empty.to_string(), "the file is empty");
}

#[test]
fn wrong_or_missing_header() {
    match long("unit,rater,value\na,x,1\n") {
        Err(InputError::BadHeader { line: 1, problem }) => {
            assert!(problem.contains("`unit,rater,value`"), "{problem}")
        }
        other => panic!("{other:?}"),
    }
    // No header at all: the first data line is taken as the header.
    assert!(matches!(
        long("\n\na,x,1\nb,x,2\n"),
        Err(InputError::BadHeader { line: 3, .. })
    ));
    assert!(matches!(
        long("unit,rater\n"),
        Err(InputError::BadHeader { line: 1, .. })
    ));
    assert!(matches!(
        long("unit,unit,score\n"),
        Err(InputError::BadHeader { line: 1, .. })
    ));
    let e = wide("unit\n1\n").unwrap_err();
    assert!(matches!(e, InputError::BadHeader { line: 1, .. }));
    assert!(e.to_string().starts_with("line 1: "), "{e}");
    match wide("unit,a,b,a\n") {
        Err(InputError::BadHeader { line: 1, problem }) => {
            assert!(problem.contains("columns 2 and 4"), "{problem}")
        }
        other => panic!("{other:?}"),
    }
    match wide("unit,a,,b\n") {
        Err(InputError::BadHeader { problem, .. }) => assert!(problem.contains("column 3")),
        other => panic!("{other:?}"),
    }
}

#[test]
fn wrong_number_of_fields() {
    let e = long("unit,rater,score\na,x,1\na,y\n").unwrap_err();
    assert_eq!(
        e,
        InputError::FieldCount {
            line: 3,
            expected: 3,
            found: 2
        }
    );
    assert_eq!(e.to_string(), "line 3: expected 3 fields, found 2");
    assert_eq!(
        wide("unit,a,b\n1,2,3\n\n2,3,4,5\n").unwrap_err(),
        InputError::FieldCount {
            line: 4,
            expected: 3,
            found: 4
        }
    );
}

#[test]
fn non_numeric_score_is_quoted() {
    let e = long("unit,rater,score\na,x,1\na,y,good\n").unwrap_err();
    assert_eq!(
        e,
        InputError::NonNumeric {
            line: 3,
            rater: "y".into(),
            value: "good".into()
        }
    );
    assert_eq!(
        e.to_string(),
        "line 3: score \"good\" (rater \"y\") is not a number"
    );
    let e = wide(
        "unit,a,b\n1,2,3\n2,3,4,5\n"
            .replace(",5", "")
            .replace("3,4", "3,x4")
            .as_str(),
    )
    .unwrap_err();
    assert_eq!(
        e,
        InputError::NonNumeric {
            line: 3,
            rater: "b".into(),
            value: "x4".into()
        }
    );
    // A decimal comma inside quotes is one field, and not a number.
    assert!(matches!(
        long("unit,rater,score\na,x,\"3,5\"\n"),
        Err(InputError::NonNumeric { line: 2, .. })
    ));
}

#[test]
fn non_finite_score() {
    for bad in ["inf", "-Infinity", "NaN", "1e999"] {
        let e = long(&format!("unit,rater,score\na,x,1\n\na,y,{bad}\n")).unwrap_err();
        assert_eq!(
            e,
            InputError::NonFinite {
                line: 4,
                rater: "y".into(),
                value: bad.into()
            }
        );
        assert!(e.to_string().contains("not a finite number"));
    }
}

#[test]
fn duplicate_pair_names_both_lines() {
    let e = long("unit,rater,score\na,x,1\na,y,2\nb,x,1\na,x,3\n").unwrap_err();
    assert_eq!(
        e,
        InputError::Duplicate {
            unit: "a".into(),
            rater: "x".into(),
            first_line: 2,
            line: 5
        }
    );
    let msg = e.to_string();
    assert!(
        msg.starts_with("line 5:") && msg.contains("on line 2"),
        "{msg}"
    );
    let e = wide("unit,a,b\n1,2,3\n2,3,4\n1,,\n").unwrap_err();
    assert_eq!(
        e,
        InputError::DuplicateUnit {
            unit: "1".into(),
            first_line: 2,
            line: 4
        }
    );
}

#[test]
fn empty_ids() {
    assert_eq!(
        long("unit,rater,score\na,x,1\n,y,2\n").unwrap_err(),
        InputError::EmptyId {
            line: 3,
            what: "unit"
        }
    );
    assert_eq!(
        long("unit,rater,score\na,,1\n").unwrap_err(),
        InputError::EmptyId {
            line: 2,
            what: "rater"
        }
    );
    assert_eq!(
        wide("unit,a,b\n,1,2\n").unwrap_err(),
        InputError::EmptyId {
            line: 2,
            what: "unit"
        }
    );
}

#[test]
fn only_one_rater() {
    let e = long("unit,rater,score\na,x,1\nb,x,2\n").unwrap_err();
    assert_eq!(e, InputError::OnlyOneRater { rater: "x".into() });
    assert!(e.to_string().contains("one rater (\"x\")"));
    // A second rater column with no scores does not count.
    assert_eq!(
        wide("unit,a,b\n1,1,\n2,2,\n").unwrap_err(),
        InputError::OnlyOneRater { rater: "a".into() }
    );
    assert_eq!(
        wide("unit,a\n1,1\n2,2\n").unwrap_err(),
        InputError::OnlyOneRater { rater: "a".into() }
    );
}

#[test]
fn no_pairable_units() {
    let e = long("unit,rater,score\na,x,1\nb,y,2\n").unwrap_err();
    assert_eq!(e, InputError::NoPairableUnits);
    assert_eq!(
        wide("unit,a,b\n1,1,\n2,,2\n").unwrap_err(),
        InputError::NoPairableUnits
    );
}

#[test]
fn no_ratings() {
    assert_eq!(
        long("unit,rater,score\n").unwrap_err(),
        InputError::NoRatings
    );
    assert_eq!(wide("unit,a,b\n1,,\n").unwrap_err(), InputError::NoRatings);
}

#[test]
fn malformed_csv() {
    let e = long_bytes(b"unit,rater,score\na,x,1\na,y,\xff\n").unwrap_err();
    match e {
        InputError::Malformed {
            line: Some(3),
            message,
        } => assert!(message.contains("UTF-8"), "{message}"),
        other => panic!("{other:?}"),
    }
}

fn long_bytes(b: &[u8]) -> Result<takes_irr::Ratings, InputError> {
    read_long(b)
}

#[test]
fn invalid_utf8_header() {
    assert!(matches!(
        long_bytes(b"un\xffit,rater,score\n"),
        Err(InputError::Malformed { line: Some(1), .. })
    ));
}

#[test]
fn line_numbers_with_crlf_cr_and_multiline_fields() {
    let crlf = "unit,rater,score\r\na,x,1\r\n\r\na,y,oops\r\n";
    assert!(matches!(
        long(crlf),
        Err(InputError::NonNumeric { line: 4, .. })
    ));
    let cr = "unit,rater,score\ra,x,1\ra,y,oops\r";
    assert!(matches!(
        long(cr),
        Err(InputError::NonNumeric { line: 3, .. })
    ));
    // A quoted unit name spanning two lines: the next record is on line 4.
    let multi = "unit,rater,score\n\"a\nb\",x,1\nc,y,oops\n";
    assert!(matches!(
        long(multi),
        Err(InputError::NonNumeric { line: 4, .. })
    ));
}
