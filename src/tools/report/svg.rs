//! Hand-built inline SVG charts for the HTML report: horizontal bars,
//! a histogram, and bars diverging from zero. Every chart scales with its
//! container (viewBox, no fixed size) and carries a <title> for screen
//! readers; all text is escaped.

use std::fmt::Write as _;

/// The platform's escaper: one for every page the project writes.
pub use takes_platform::html::escape as esc;

/// One bar: its label, its length as a share of the track (0..1), and the
/// figure written beside it.
pub struct Bar {
    pub label: String,
    pub share: f64,
    pub text: String,
}

const W: f64 = 600.0;
const LABEL_W: f64 = 200.0;
const ROW: f64 = 34.0;
/// Room right of a bar for its figure.
const VALUE_W: f64 = 120.0;

fn clip(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        format!("{}…", s.chars().take(n - 1).collect::<String>())
    }
}

fn open(out: &mut String, title: &str, h: f64) {
    let _ = write!(
        out,
        r#"<svg class="chart" viewBox="0 0 {W} {h}" role="img" preserveAspectRatio="xMinYMin meet" xmlns="http://www.w3.org/2000/svg"><title>{}</title>"#,
        esc(title)
    );
}

fn share(v: f64) -> f64 {
    if v.is_finite() {
        v.clamp(0.0, 1.0)
    } else {
        0.0
    }
}

/// Horizontal bars on a grey track, one row each.
pub fn hbars(title: &str, bars: &[Bar]) -> String {
    let mut out = String::new();
    let h = ROW * bars.len().max(1) as f64 + 4.0;
    open(&mut out, title, h);
    let track = W - LABEL_W - VALUE_W;
    for (i, b) in bars.iter().enumerate() {
        let y = i as f64 * ROW + 4.0;
        let _ = write!(
            out,
            r#"<text x="0" y="{ty}" class="lbl"><title>{full}</title>{label}</text><rect class="track" x="{LABEL_W}" y="{y}" width="{track}" height="24" rx="3"/><rect class="bar" x="{LABEL_W}" y="{y}" width="{bw:.1}" height="24" rx="3"/><text x="{tx:.1}" y="{ty}" class="val">{text}</text>"#,
            ty = y + 18.0,
            full = esc(&b.label),
            label = esc(&clip(&b.label, 17)),
            bw = share(b.share) * track,
            tx = LABEL_W + track + 6.0,
            text = esc(&b.text),
        );
    }
    out.push_str("</svg>");
    out
}

/// Vertical columns (a histogram or a series of weeks) with their labels
/// below and their figures above.
pub fn columns(title: &str, cols: &[Bar]) -> String {
    let mut out = String::new();
    let (h, base, top) = (220.0, 180.0, 24.0);
    open(&mut out, title, h);
    let n = cols.len().max(1) as f64;
    let slot = (W - 20.0) / n;
    let bw = (slot * 0.7).min(90.0);
    let _ = write!(
        out,
        r#"<rect class="track" x="10" y="{top}" width="{}" height="{}"/>"#,
        W - 20.0,
        base - top
    );
    for (i, c) in cols.iter().enumerate() {
        let x = 10.0 + i as f64 * slot + (slot - bw) / 2.0;
        let bh = share(c.share) * (base - top);
        let _ = write!(
            out,
            r#"<rect class="bar" x="{x:.1}" y="{y:.1}" width="{bw:.1}" height="{bh:.1}"/><text x="{cx:.1}" y="{vy:.1}" class="val mid">{text}</text><text x="{cx:.1}" y="{ly}" class="lbl mid">{label}</text>"#,
            y = base - bh,
            cx = x + bw / 2.0,
            vy = base - bh - 5.0,
            ly = base + 20.0,
            text = esc(&c.text),
            label = esc(&clip(&c.label, (slot / 11.0).max(3.0) as usize)),
        );
    }
    out.push_str("</svg>");
    out
}

/// Bars from a zero line, left for negative values and right for
/// positive; `limit` is the value at either edge.
pub fn diverging(title: &str, rows: &[(String, f64, String, bool)], limit: f64) -> String {
    let mut out = String::new();
    let h = ROW * rows.len().max(1) as f64 + 4.0;
    open(&mut out, title, h);
    let half = (W - LABEL_W - VALUE_W) / 2.0;
    let zero = LABEL_W + half;
    let limit = if limit.is_finite() && limit > 0.0 {
        limit
    } else {
        1.0
    };
    for (i, (label, v, text, flagged)) in rows.iter().enumerate() {
        let y = i as f64 * ROW + 4.0;
        let len = share(v.abs() / limit) * half;
        let x = if *v < 0.0 { zero - len } else { zero };
        let _ = write!(
            out,
            r#"<text x="0" y="{ty}" class="lbl"><title>{full}</title>{l}</text><rect class="track" x="{LABEL_W}" y="{y}" width="{tw}" height="24" rx="3"/><rect class="{cls}" x="{x:.1}" y="{y}" width="{len:.1}" height="24"/><line class="zero" x1="{zero}" x2="{zero}" y1="{y}" y2="{y2}"/><text x="{tx}" y="{ty}" class="val">{t}</text>"#,
            ty = y + 18.0,
            full = esc(label),
            l = esc(&clip(label, 17)),
            tw = 2.0 * half,
            cls = if *flagged { "bar flag" } else { "bar" },
            y2 = y + 24.0,
            tx = LABEL_W + 2.0 * half + 6.0,
            t = esc(text),
        );
    }
    out.push_str("</svg>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_escaped_and_bars_clamped() {
        let svg = hbars(
            "t<",
            &[Bar {
                label: "<script>alert(1)</script>".into(),
                share: 7.0,
                text: "\"x\"".into(),
            }],
        );
        assert!(!svg.contains("<script>"), "{svg}");
        assert!(svg.contains("&lt;script&gt;"));
        assert!(svg.contains("&quot;x&quot;"));
        // 600 − 200 − 120 = 280 is the whole track.
        assert!(
            svg.contains(r#"class="bar" x="200" y="4" width="280.0""#),
            "{svg}"
        );
    }

    #[test]
    fn negative_shift_grows_left_of_zero() {
        let svg = diverging("s", &[("A".into(), -0.5, "-0.50".into(), true)], 1.0);
        // half = 140, zero = 340: −0.5 of 1.0 is 70 to the left.
        assert!(
            svg.contains(r#"class="bar flag" x="270.0" y="4" width="70.0""#),
            "{svg}"
        );
    }
}
