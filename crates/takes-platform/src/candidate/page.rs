//! The candidate's recording page: plain HTML, CSS and JavaScript compiled
//! into the binary, so the page works without a build step at run time and
//! makes no request to anyone but this server.

/// One embedded file of the page.
pub struct Asset {
    pub content_type: &'static str,
    pub body: &'static str,
}

/// The page itself, served at `/candidate`.
pub const INDEX: Asset = Asset {
    content_type: "text/html; charset=utf-8",
    body: include_str!("../../candidate/index.html"),
};

/// Only what this server ships may run or load: no inline script, no third
/// party, camera and microphone data only as `blob:` recordings played back
/// in the page. `connect-src 'self'` keeps the secret from leaving the site.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; \
     style-src 'self'; img-src 'self' data:; media-src 'self' blob:; connect-src 'self'; \
     base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/// Camera and microphone for this page only, nothing else.
pub const PERMISSIONS_POLICY: &str = "camera=(self), microphone=(self), geolocation=()";

/// The page's assets by the name under `/candidate/assets/`.
pub fn asset(name: &str) -> Option<Asset> {
    let (content_type, body) = match name {
        "app.js" => (
            "text/javascript; charset=utf-8",
            include_str!("../../candidate/app.js"),
        ),
        "self_id.js" => (
            "text/javascript; charset=utf-8",
            include_str!("../../candidate/self_id.js"),
        ),
        "app.css" => (
            "text/css; charset=utf-8",
            include_str!("../../candidate/app.css"),
        ),
        "en.json" => (
            "application/json; charset=utf-8",
            include_str!("../../candidate/i18n/en.json"),
        ),
        _ => return None,
    };
    Some(Asset { content_type, body })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_loads_only_shipped_assets() {
        for name in ["app.js", "self_id.js", "app.css", "en.json"] {
            assert!(asset(name).is_some(), "{name}");
        }
        assert!(asset("../Cargo.toml").is_none());
        assert!(INDEX.body.contains("/candidate/assets/app.js"));
        assert!(!INDEX.body.contains("http://") && !INDEX.body.contains("https://"));
    }

    /// The page arrives with its progress list filled in, so the list
    /// appearing once the strings load never pushes the page down.
    #[test]
    fn the_progress_list_is_in_the_page_as_the_strings_name_it() {
        let strings: serde_json::Value =
            serde_json::from_str(asset("en.json").expect("en").body).expect("json");
        let items: String = strings["steps"]
            .as_array()
            .expect("steps")
            .iter()
            .map(|s| format!("<li>{}</li>", s.as_str().expect("a step")))
            .collect();
        assert!(items.len() > 20, "{items}");
        assert!(
            INDEX.body.contains(&format!(
                "<ol id=\"steps\" class=\"steps\" aria-label=\"Progress\">{items}</ol>"
            )),
            "index.html's progress list differs from en.json's steps"
        );
    }

    #[test]
    fn every_string_the_script_asks_for_is_translated() {
        let strings: serde_json::Value =
            serde_json::from_str(asset("en.json").expect("en").body).expect("json");
        let js = asset("app.js").expect("js").body;
        let mut missing = Vec::new();
        for (at, _) in js.match_indices("t(\"") {
            // `t(` itself, not the end of `get(` or `select(`.
            if js[..at].ends_with(|c: char| c.is_alphanumeric() || c == '_' || c == '.') {
                continue;
            }
            let key = js[at + 3..].split('"').next().unwrap_or_default();
            if strings.get(key).is_none() {
                missing.push(key.to_string());
            }
        }
        assert!(
            js.contains("t(\"consent_version\")"),
            "the check sees the calls"
        );
        assert!(missing.is_empty(), "keys missing from en.json: {missing:?}");
    }
}
