//! Every statistic for one data set, as JSON for machines and as a table
//! for people (`takes irr`).

use serde::Serialize;

use crate::alpha::alpha_all_metrics;
use crate::icc::{complete_units, icc};
use crate::kappa::{cohen_kappa, first_two_raters, fleiss_kappa, Weights};
use crate::{Ratings, Undefined};

/// All reliability figures for one data set. Serialises to a JSON object
/// with exactly the public numeric fields below as keys; a figure that does
/// not apply or is undefined is `null`, and [`Report::null_reason`] says
/// why.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Report {
    /// Units in the input, including any with no ratings.
    pub n_units: usize,
    /// Raters in the input.
    pub n_raters: usize,
    /// Ratings present.
    pub n_ratings: usize,
    pub alpha_nominal: Option<f64>,
    pub alpha_ordinal: Option<f64>,
    pub alpha_interval: Option<f64>,
    pub alpha_ratio: Option<f64>,
    pub icc1_1: Option<f64>,
    pub icc2_1: Option<f64>,
    pub icc3_1: Option<f64>,
    pub icc1_k: Option<f64>,
    pub icc2_k: Option<f64>,
    pub icc3_k: Option<f64>,
    /// Units rated by every rater: the ones the ICCs use.
    pub icc_units: usize,
    /// Null unless every unit has the same number (≥ 2) of ratings.
    pub fleiss_kappa: Option<f64>,
    /// Null unless there are exactly two raters; uses units both rated.
    pub cohen_kappa: Option<f64>,
    pub cohen_kappa_linear: Option<f64>,
    pub cohen_kappa_quadratic: Option<f64>,
    /// `(JSON key, reason)` for each null figure. Not serialised, so the
    /// JSON keys stay exactly the figures.
    #[serde(skip)]
    pub notes: Vec<(&'static str, String)>,
}

/// Computes every figure of a [`Report`] for `data`. Never fails: what
/// cannot be computed is `None` with a note.
pub fn report(data: &Ratings) -> Report {
    let mut notes: Vec<(&'static str, String)> = Vec::new();
    let mut keep = |key: &'static str, r: Result<f64, Undefined>| match r {
        Ok(v) => Some(v),
        Err(e) => {
            notes.push((key, e.reason));
            None
        }
    };

    let [nominal, ordinal, interval, ratio] = alpha_all_metrics(data);
    let alpha_nominal = keep("alpha_nominal", nominal);
    let alpha_ordinal = keep("alpha_ordinal", ordinal);
    let alpha_interval = keep("alpha_interval", interval);
    let alpha_ratio = keep("alpha_ratio", ratio);

    let iccs = match icc(data) {
        Ok(i) => [i.icc1_1, i.icc2_1, i.icc3_1, i.icc1_k, i.icc2_k, i.icc3_k],
        Err(e) => std::array::from_fn(|_| Err(e.clone())),
    };
    let [i11, i21, i31, i1k, i2k, i3k] = iccs;
    let icc1_1 = keep("icc1_1", i11);
    let icc2_1 = keep("icc2_1", i21);
    let icc3_1 = keep("icc3_1", i31);
    let icc1_k = keep("icc1_k", i1k);
    let icc2_k = keep("icc2_k", i2k);
    let icc3_k = keep("icc3_k", i3k);

    let fleiss = keep("fleiss_kappa", fleiss_kappa(data));

    let cohen = |w: Weights| {
        if data.n_raters() != 2 {
            return Err(Undefined::new(format!(
                "Cohen's kappa needs exactly two raters; there are {}",
                data.n_raters()
            )));
        }
        let (a, b) = first_two_raters(data);
        cohen_kappa(&a, &b, w, None)
    };
    let cohen_kappa = keep("cohen_kappa", cohen(Weights::Unweighted));
    let cohen_kappa_linear = keep("cohen_kappa_linear", cohen(Weights::Linear));
    let cohen_kappa_quadratic = keep("cohen_kappa_quadratic", cohen(Weights::Quadratic));

    Report {
        n_units: data.n_units(),
        n_raters: data.n_raters(),
        n_ratings: data.n_ratings(),
        alpha_nominal,
        alpha_ordinal,
        alpha_interval,
        alpha_ratio,
        icc1_1,
        icc2_1,
        icc3_1,
        icc1_k,
        icc2_k,
        icc3_k,
        icc_units: complete_units(data),
        fleiss_kappa: fleiss,
        cohen_kappa,
        cohen_kappa_linear,
        cohen_kappa_quadratic,
        notes,
    }
}

#[derive(Clone, Copy)]
enum Scale {
    Alpha,
    Icc,
    Kappa,
}

impl Report {
    /// Why the figure with this JSON key is null, if it is.
    pub fn null_reason(&self, key: &str) -> Option<&str> {
        self.notes
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, r)| r.as_str())
    }

    fn rows(&self) -> [(&'static str, String, Option<f64>, Scale); 14] {
        let k = self.n_raters;
        [
            (
                "alpha_nominal",
                "Krippendorff's alpha, nominal".into(),
                self.alpha_nominal,
                Scale::Alpha,
            ),
            (
                "alpha_ordinal",
                "Krippendorff's alpha, ordinal".into(),
                self.alpha_ordinal,
                Scale::Alpha,
            ),
            (
                "alpha_interval",
                "Krippendorff's alpha, interval".into(),
                self.alpha_interval,
                Scale::Alpha,
            ),
            (
                "alpha_ratio",
                "Krippendorff's alpha, ratio".into(),
                self.alpha_ratio,
                Scale::Alpha,
            ),
            (
                "icc1_1",
                "ICC(1,1) one-way, single rater".into(),
                self.icc1_1,
                Scale::Icc,
            ),
            (
                "icc2_1",
                "ICC(2,1) absolute, single rater".into(),
                self.icc2_1,
                Scale::Icc,
            ),
            (
                "icc3_1",
                "ICC(3,1) consistency, single rater".into(),
                self.icc3_1,
                Scale::Icc,
            ),
            (
                "icc1_k",
                format!("ICC(1,k) one-way, mean of {k}"),
                self.icc1_k,
                Scale::Icc,
            ),
            (
                "icc2_k",
                format!("ICC(2,k) absolute, mean of {k}"),
                self.icc2_k,
                Scale::Icc,
            ),
            (
                "icc3_k",
                format!("ICC(3,k) consistency, mean of {k}"),
                self.icc3_k,
                Scale::Icc,
            ),
            (
                "fleiss_kappa",
                "Fleiss' kappa".into(),
                self.fleiss_kappa,
                Scale::Kappa,
            ),
            (
                "cohen_kappa",
                "Cohen's kappa".into(),
                self.cohen_kappa,
                Scale::Kappa,
            ),
            (
                "cohen_kappa_linear",
                "Cohen's kappa, linear weights".into(),
                self.cohen_kappa_linear,
                Scale::Kappa,
            ),
            (
                "cohen_kappa_quadratic",
                "Cohen's kappa, quadratic weights".into(),
                self.cohen_kappa_quadratic,
                Scale::Kappa,
            ),
        ]
    }

    /// A plain-text table of every figure with a verbal reading, for
    /// people. Readings: alpha per Krippendorff (2004, *Content Analysis*,
    /// 2nd ed., p. 241); ICC per Koo & Li (2016); kappa per Landis & Koch
    /// (1977, Biometrics 33(1), 159–174).
    pub fn to_table(&self) -> String {
        let rows = self.rows();
        let width = rows
            .iter()
            .map(|(_, label, _, _)| label.chars().count())
            .max()
            .unwrap_or(0);
        let mut out = format!(
            "Inter-rater reliability: {} units, {} raters, {} ratings\n\n",
            self.n_units, self.n_raters, self.n_ratings
        );
        out += &format!("{:<width$}  {:>6}  Reading\n", "Statistic", "Value");
        out += &format!(
            "{}  {}  {}\n",
            "-".repeat(width),
            "-".repeat(6),
            "-".repeat(30)
        );
        for (key, label, value, scale) in &rows {
            let (shown, reading) = match value {
                Some(v) => (format!("{v:.3}"), reading(*scale, *v).to_string()),
                None => (
                    "-".to_string(),
                    format!("n/a: {}", self.null_reason(key).unwrap_or("not computed")),
                ),
            };
            out += &format!("{label:<width$}  {shown:>6}  {reading}\n");
        }
        let raters = match self.n_raters {
            2 => "both raters".to_string(),
            k => format!("all {k} raters"),
        };
        out += &format!(
            "\nICCs use the {} unit{} rated by {raters}.\n",
            self.icc_units,
            if self.icc_units == 1 { "" } else { "s" },
        );
        out += "Readings: alpha >= .800 reliable, >= .667 tentative only, lower unreliable \
                (Krippendorff 2004);\n  ICC < .50 poor, .50-.75 moderate, .75-.90 good, \
                > .90 excellent (Koo & Li 2016);\n  kappa < 0 poor, to .20 slight, to .40 \
                fair, to .60 moderate, to .80 substantial, above almost perfect \
                (Landis & Koch 1977).\n";
        out
    }
}

fn reading(scale: Scale, v: f64) -> &'static str {
    match scale {
        Scale::Alpha if v >= 0.800 => "reliable",
        Scale::Alpha if v >= 0.667 => "tentative",
        Scale::Alpha => "unreliable",
        Scale::Icc if v < 0.5 => "poor",
        Scale::Icc if v < 0.75 => "moderate",
        Scale::Icc if v <= 0.9 => "good",
        Scale::Icc => "excellent",
        Scale::Kappa if v < 0.0 => "poor (worse than chance)",
        Scale::Kappa if v <= 0.20 => "slight",
        Scale::Kappa if v <= 0.40 => "fair",
        Scale::Kappa if v <= 0.60 => "moderate",
        Scale::Kappa if v <= 0.80 => "substantial",
        Scale::Kappa => "almost perfect",
    }
}
