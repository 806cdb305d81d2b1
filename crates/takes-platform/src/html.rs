//! Text into HTML: the one escaper for every page and report the project
//! writes (the share link's results page here, the workstation's HTML
//! report and its SVG charts).

/// Escapes text for HTML and XML element content and quoted attribute
/// values. Control characters other than newline and tab, which HTML does
/// not allow, become U+FFFD.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if c.is_control() && c != '\n' && c != '\t' => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn markup_quotes_and_controls_are_neutralised() {
        assert_eq!(
            escape("<a href=\"x\">Tom & 'Jo'</a>\u{7}\n\t"),
            "&lt;a href=&quot;x&quot;&gt;Tom &amp; &#39;Jo&#39;&lt;/a&gt;\u{fffd}\n\t"
        );
    }
}
