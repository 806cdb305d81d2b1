//! The `[ats]` table: one sub-table per integration, each off until it is
//! present. Secrets are checked when the file is read, so a malformed one
//! stops the server at start instead of failing every request.

use std::collections::BTreeMap;

use serde::{Deserialize, Deserializer};
use sha2::{Digest, Sha256};

use crate::webhooks::signing;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AtsConfig {
    /// `[ats.generic]`: Standard-Webhooks-signed events from Zapier, Make
    /// or custom code at `POST /v1/ats/inbound`.
    #[serde(default)]
    pub generic: Option<GenericConfig>,
    /// `[ats.greenhouse]`: the Greenhouse Assessment Partner API.
    #[serde(default)]
    pub greenhouse: Option<GreenhouseConfig>,
    /// `[ats.lever]`: Lever's `candidateStageChange` webhook.
    #[serde(default, deserialize_with = "lever_checked")]
    pub lever: Option<LeverConfig>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GenericConfig {
    /// `whsec_…`: the Standard Webhooks secret the sender signs with.
    pub secret: WebhookSecret,
    /// The stage whose entry sends the interview invitation.
    #[serde(default = "default_screening_stage")]
    pub screening_stage: String,
    /// The sender's job ids mapped to our role ids, for senders that know
    /// only their own ids (`data.job_id`).
    #[serde(default)]
    pub jobs: BTreeMap<String, String>,
}

fn default_screening_stage() -> String {
    "screening".to_string()
}

#[derive(Debug, Clone, Deserialize)]
#[serde(try_from = "GreenhouseFile")]
pub struct GreenhouseConfig {
    /// The single organisation's API key (kept from before organisations
    /// existed): Greenhouse sends it as the Basic-auth user name, and we
    /// send it back on the completion PATCH. It serves every role no
    /// organisation lists.
    pub api_key: Option<ApiKey>,
    /// `[[ats.greenhouse.organisations]]`: one platform serving several
    /// Greenhouse customers, each with its own key and roles.
    pub organisations: Vec<GreenhouseOrganisation>,
    /// Where Greenhouse links to for results (`partner_profile_url`);
    /// `{interview_id}` is replaced. Default: the interview's results
    /// page behind a share link under `public_url`.
    pub profile_url: Option<String>,
    /// The completion PATCH goes only to a `url` starting with one of
    /// these, so a caller holding the key cannot aim the server at an
    /// arbitrary host.
    pub callback_url_prefixes: Vec<String>,
}

/// One Greenhouse customer: its key and the roles it may send as tests.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GreenhouseOrganisation {
    /// Names the organisation in logs, errors and the stored test.
    pub name: String,
    pub api_key: ApiKey,
    /// Our role ids this organisation sees in list_tests and may send.
    pub roles: Vec<String>,
}

/// `[ats.greenhouse]` as written, checked into a `GreenhouseConfig`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct GreenhouseFile {
    #[serde(default)]
    api_key: Option<ApiKey>,
    #[serde(default)]
    organisations: Vec<GreenhouseOrganisation>,
    #[serde(default)]
    profile_url: Option<String>,
    #[serde(
        default = "default_callback_prefixes",
        deserialize_with = "callback_prefixes"
    )]
    callback_url_prefixes: Vec<String>,
}

impl TryFrom<GreenhouseFile> for GreenhouseConfig {
    type Error = String;

    fn try_from(f: GreenhouseFile) -> Result<Self, String> {
        if f.api_key.is_none() && f.organisations.is_empty() {
            return Err("[ats.greenhouse] needs an api_key or at least one \
                        [[ats.greenhouse.organisations]] entry"
                .into());
        }
        let entry = |i: usize, o: &GreenhouseOrganisation| {
            format!("ats.greenhouse.organisations[{i}] ({:?})", o.name)
        };
        for (i, o) in f.organisations.iter().enumerate() {
            let this = entry(i, o);
            if o.name.trim().is_empty() {
                return Err(format!("ats.greenhouse.organisations[{i}]: name is empty"));
            }
            if o.roles.is_empty() {
                return Err(format!(
                    "{this}: roles is empty; list the role ids it may send"
                ));
            }
            if f.api_key.as_ref().is_some_and(|k| k.hash == o.api_key.hash) {
                return Err(format!(
                    "{this}: api_key is the same as [ats.greenhouse] api_key; each organisation \
                     needs its own key"
                ));
            }
            for (j, other) in f.organisations[..i].iter().enumerate() {
                let that = entry(j, other);
                if other.name == o.name {
                    return Err(format!("{this}: name is also the name of {that}"));
                }
                if other.api_key.hash == o.api_key.hash {
                    return Err(format!("{this}: api_key is also the key of {that}"));
                }
                if let Some(role) = o.roles.iter().find(|r| other.roles.contains(r)) {
                    return Err(format!(
                        "{this}: role {role:?} is also listed by {that}; a role belongs to one \
                         organisation"
                    ));
                }
            }
        }
        Ok(GreenhouseConfig {
            api_key: f.api_key,
            organisations: f.organisations,
            profile_url: f.profile_url,
            callback_url_prefixes: f.callback_url_prefixes,
        })
    }
}

/// Who a Greenhouse request came from: an organisation by name, or `None`
/// for the single `api_key`.
pub type Organisation = Option<String>;

impl GreenhouseConfig {
    /// The organisation whose key `presented` is; every key is compared,
    /// each in constant time.
    pub fn organisation_of(&self, presented: &str) -> Option<Organisation> {
        let mut found = None;
        if self.api_key.as_ref().is_some_and(|k| k.matches(presented)) {
            found = Some(None);
        }
        for o in &self.organisations {
            if o.api_key.matches(presented) {
                found = Some(Some(o.name.clone()));
            }
        }
        found
    }

    /// The key that organisation's completion PATCH carries; `None` once
    /// it is no longer configured.
    pub fn key_of(&self, organisation: Option<&str>) -> Option<&ApiKey> {
        match organisation {
            None => self.api_key.as_ref(),
            Some(name) => self
                .organisations
                .iter()
                .find(|o| o.name == name)
                .map(|o| &o.api_key),
        }
    }

    /// Whether the organisation may see and send role `role_id`: its own
    /// roles, or for the single key every role no organisation lists.
    pub fn serves(&self, organisation: Option<&str>, role_id: &str) -> bool {
        match organisation {
            Some(name) => self
                .organisations
                .iter()
                .any(|o| o.name == name && o.roles.iter().any(|r| r == role_id)),
            None => !self
                .organisations
                .iter()
                .any(|o| o.roles.iter().any(|r| r == role_id)),
        }
    }
}

fn default_callback_prefixes() -> Vec<String> {
    vec![
        "https://app.greenhouse.io/".to_string(),
        "https://app.eu.greenhouse.io/".to_string(),
    ]
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LeverConfig {
    /// The signature token of a single webhook, shown in Lever's webhook
    /// settings. With several webhooks, use `[[ats.lever.webhooks]]`.
    #[serde(default)]
    pub signature_token: Option<Secret>,
    /// Lever issues one signature token per webhook: one entry each, with
    /// the postings that webhook serves (empty: any).
    #[serde(default)]
    pub webhooks: Vec<LeverWebhookToken>,
    /// A Lever API key allowed to read opportunities.
    pub api_key: Secret,
    /// The Lever API (the EU or sandbox host, or a test server).
    #[serde(default = "default_lever_api")]
    pub api_base: String,
    /// The Lever stage id whose entry sends the interview invitation.
    pub screening_stage: String,
    /// The role for opportunities whose posting is not in `postings`.
    #[serde(default)]
    pub role_id: Option<String>,
    /// Lever posting ids mapped to our role ids.
    #[serde(default)]
    pub postings: BTreeMap<String, String>,
    /// `[ats.lever.writeback]`: results written back to the opportunity
    /// (a note, tags); off until present.
    #[serde(default)]
    pub writeback: Option<LeverWriteback>,
    /// `[ats.lever.stages]`: the Lever stage each decision moves the
    /// opportunity to (with `[ats.lever.writeback]`); a decision not named
    /// here moves nothing.
    #[serde(default)]
    pub stages: LeverStages,
}

/// What is written back to Lever and as whom.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LeverWriteback {
    /// The Lever user id notes, tags and stage moves are made as
    /// (`perform_as`).
    #[serde(deserialize_with = "lever_text")]
    pub perform_as: String,
    /// Applied when every review is in; empty: none.
    #[serde(default = "default_reviewed_tag", deserialize_with = "lever_tag")]
    pub reviewed_tag: String,
    /// Applied per decision; empty: none.
    #[serde(default)]
    pub decision_tags: LeverDecisionTags,
}

fn default_reviewed_tag() -> String {
    "async-screen:reviewed".to_string()
}

/// The tag each decision applies.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LeverDecisionTags {
    #[serde(default = "tag_advance", deserialize_with = "lever_tag")]
    pub advance: String,
    #[serde(default = "tag_reject", deserialize_with = "lever_tag")]
    pub reject: String,
    #[serde(default = "tag_hold", deserialize_with = "lever_tag")]
    pub hold: String,
}

impl Default for LeverDecisionTags {
    fn default() -> Self {
        LeverDecisionTags {
            advance: tag_advance(),
            reject: tag_reject(),
            hold: tag_hold(),
        }
    }
}

fn tag_advance() -> String {
    "async-screen:advance".to_string()
}
fn tag_reject() -> String {
    "async-screen:reject".to_string()
}
fn tag_hold() -> String {
    "async-screen:hold".to_string()
}

/// Lever stage ids by decision.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LeverStages {
    #[serde(default, deserialize_with = "lever_opt_text")]
    pub advance: Option<String>,
    #[serde(default, deserialize_with = "lever_opt_text")]
    pub reject: Option<String>,
    #[serde(default, deserialize_with = "lever_opt_text")]
    pub hold: Option<String>,
}

/// Stage moves are made as the write-back user: mapped stages without
/// `[ats.lever.writeback]` would silently do nothing.
fn lever_checked<'de, D: Deserializer<'de>>(d: D) -> Result<Option<LeverConfig>, D::Error> {
    let cfg = Option::<LeverConfig>::deserialize(d)?;
    if let Some(c) = &cfg {
        let s = &c.stages;
        if c.writeback.is_none() && (s.advance.is_some() || s.reject.is_some() || s.hold.is_some())
        {
            return Err(serde::de::Error::custom(
                "[ats.lever.stages] moves opportunities through the Lever API as the \
                 write-back user: add [ats.lever.writeback] with perform_as",
            ));
        }
    }
    Ok(cfg)
}

/// Lever ids and tags travel in URLs and JSON: printable text, at most
/// this long.
const LEVER_TEXT_MAX: usize = 200;

fn check_lever_text(s: &str, empty_ok: bool) -> Result<String, String> {
    let t = s.trim();
    if t.is_empty() && !empty_ok {
        return Err("must not be empty".into());
    }
    if t.chars().count() > LEVER_TEXT_MAX {
        return Err(format!("is longer than {LEVER_TEXT_MAX} characters"));
    }
    if t.chars().any(char::is_control) {
        return Err("must not contain control characters".into());
    }
    Ok(t.to_string())
}

fn lever_text<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    let s = String::deserialize(d)?;
    check_lever_text(&s, false).map_err(|e| serde::de::Error::custom(format!("{s:?} {e}")))
}

fn lever_tag<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    let s = String::deserialize(d)?;
    check_lever_text(&s, true).map_err(|e| serde::de::Error::custom(format!("{s:?} {e}")))
}

fn lever_opt_text<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    lever_text(d).map(Some)
}

/// One Lever webhook's signature token and the postings it serves.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LeverWebhookToken {
    pub signature_token: Secret,
    /// Lever posting ids; an opportunity for none of them is ignored.
    #[serde(default)]
    pub postings: Vec<String>,
}

impl LeverConfig {
    /// Every configured token with the postings it is limited to (empty:
    /// any), the single `signature_token` first.
    pub fn tokens(&self) -> Vec<(&str, &[String])> {
        self.signature_token
            .iter()
            .map(|t| (t.expose(), &[][..]))
            .chain(
                self.webhooks
                    .iter()
                    .map(|w| (w.signature_token.expose(), w.postings.as_slice())),
            )
            .collect()
    }
}

fn default_lever_api() -> String {
    "https://api.lever.co".to_string()
}

/// Each prefix must name a scheme, a host and at least the root path, so
/// `https://app.greenhouse.io` cannot also admit `app.greenhouse.io.evil`.
fn callback_prefixes<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    let prefixes = Vec::<String>::deserialize(d)?;
    for p in &prefixes {
        let parsed = reqwest::Url::parse(p).map_err(|e| {
            serde::de::Error::custom(format!("callback_url_prefixes: {p:?} is not a URL: {e}"))
        })?;
        if !matches!(parsed.scheme(), "http" | "https") || !p.ends_with('/') {
            return Err(serde::de::Error::custom(format!(
                "callback_url_prefixes: {p:?} must be an http(s) URL ending in `/`"
            )));
        }
    }
    Ok(prefixes)
}

/// A secret that never shows up in logs or `Debug` output.
#[derive(Clone, Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    pub fn new(s: impl Into<String>) -> Secret {
        Secret(s.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(…)")
    }
}

/// A `whsec_` secret, decoded once.
#[derive(Clone)]
pub struct WebhookSecret {
    key: Vec<u8>,
}

impl WebhookSecret {
    pub fn parse(secret: &str) -> Option<WebhookSecret> {
        signing::key_of(secret.trim()).map(|key| WebhookSecret { key })
    }

    pub fn key(&self) -> &[u8] {
        &self.key
    }
}

impl std::fmt::Debug for WebhookSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("WebhookSecret(…)")
    }
}

impl<'de> Deserialize<'de> for WebhookSecret {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        WebhookSecret::parse(&s).ok_or_else(|| {
            serde::de::Error::custom(
                "secret must be a Standard Webhooks secret: `whsec_` followed by base64",
            )
        })
    }
}

/// Greenhouse's API key: the key itself (sent back on the PATCH) and its
/// SHA-256, which is what incoming requests are compared against.
#[derive(Clone)]
pub struct ApiKey {
    key: String,
    hash: [u8; 32],
}

/// Greenhouse refuses keys of 171 characters or more.
const API_KEY_MAX_CHARS: usize = 170;

impl ApiKey {
    pub fn parse(key: &str) -> Result<ApiKey, String> {
        if key.is_empty() {
            return Err("api_key is empty".into());
        }
        if key.chars().count() > API_KEY_MAX_CHARS {
            return Err(format!(
                "api_key is longer than Greenhouse's limit of {API_KEY_MAX_CHARS} characters"
            ));
        }
        // The key travels as a Basic-auth user name, which cannot hold a colon.
        if key.contains(':') || key.chars().any(char::is_control) {
            return Err("api_key must not contain `:` or control characters".into());
        }
        Ok(ApiKey {
            key: key.to_string(),
            hash: Sha256::digest(key.as_bytes()).into(),
        })
    }

    pub fn expose(&self) -> &str {
        &self.key
    }

    /// Whether `presented` is this key, compared by hash in constant time.
    pub fn matches(&self, presented: &str) -> bool {
        let digest: [u8; 32] = Sha256::digest(presented.as_bytes()).into();
        super::signature::ct_eq(&digest, &self.hash)
    }
}

impl std::fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ApiKey(…)")
    }
}

impl<'de> Deserialize<'de> for ApiKey {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        ApiKey::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use crate::config::ServerConfig;

    fn parse(text: &str) -> Result<ServerConfig, String> {
        ServerConfig::parse(Path::new("s.toml"), text).map_err(|e| e.to_string())
    }

    #[test]
    fn every_integration_is_off_by_default() {
        let c = parse("").expect("empty config");
        assert!(c.ats.generic.is_none() && c.ats.greenhouse.is_none() && c.ats.lever.is_none());
    }

    #[test]
    fn reads_all_three_tables() {
        let c = parse(
            r#"
[ats.generic]
secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
[ats.generic.jobs]
"job-7" = "role-1"

[ats.greenhouse]
api_key = "gh-key"

[ats.lever]
signature_token = "tok"
api_key = "lv"
screening_stage = "stage-1"
role_id = "role-1"
"#,
        )
        .expect("config");
        let g = c.ats.generic.expect("generic");
        assert_eq!(g.screening_stage, "screening");
        assert_eq!(g.jobs.get("job-7").map(String::as_str), Some("role-1"));
        let gh = c.ats.greenhouse.expect("greenhouse");
        assert_eq!(gh.organisation_of("gh-key"), Some(None));
        assert_eq!(gh.organisation_of("gh-kez"), None);
        assert_eq!(gh.callback_url_prefixes.len(), 2);
        let l = c.ats.lever.expect("lever");
        assert_eq!(l.api_base, "https://api.lever.co");
        assert_eq!(l.tokens().len(), 1);
        // Secrets stay out of Debug output.
        assert!(!format!("{l:?}").contains("tok\""));
        assert!(!format!("{gh:?}").contains("gh-key"));
    }

    #[test]
    fn lever_takes_a_token_per_webhook() {
        let c = parse(
            r#"
[ats.lever]
api_key = "lv"
screening_stage = "stage-1"
[[ats.lever.webhooks]]
signature_token = "one"
postings = ["p-1"]
[[ats.lever.webhooks]]
signature_token = "two"
"#,
        )
        .expect("config");
        let l = c.ats.lever.expect("lever");
        let t = l.tokens();
        assert_eq!(t.len(), 2);
        assert_eq!(t[0], ("one", &["p-1".to_string()][..]));
        assert_eq!(t[1].0, "two");
        assert!(t[1].1.is_empty());
    }

    const TWO_ORGS: &str = r#"
[ats.greenhouse]
api_key = "own"
[[ats.greenhouse.organisations]]
name = "Acme"
api_key = "acme-key"
roles = ["r-1", "r-2"]
[[ats.greenhouse.organisations]]
name = "Beta"
api_key = "beta-key"
roles = ["r-3"]
"#;

    #[test]
    fn greenhouse_organisations_each_have_a_key_and_roles() {
        let gh = parse(TWO_ORGS).expect("config").ats.greenhouse.expect("gh");
        assert_eq!(gh.organisation_of("acme-key"), Some(Some("Acme".into())));
        assert_eq!(gh.organisation_of("beta-key"), Some(Some("Beta".into())));
        assert_eq!(gh.organisation_of("own"), Some(None));
        assert_eq!(gh.organisation_of("acme-kez"), None);
        assert!(gh.serves(Some("Acme"), "r-2") && !gh.serves(Some("Acme"), "r-3"));
        assert!(gh.serves(Some("Beta"), "r-3") && !gh.serves(Some("Beta"), "r-1"));
        // The single key keeps the roles no organisation lists.
        assert!(gh.serves(None, "r-9") && !gh.serves(None, "r-1"));
        assert_eq!(
            gh.key_of(Some("Beta")).map(|k| k.expose()),
            Some("beta-key")
        );
        assert_eq!(gh.key_of(None).map(|k| k.expose()), Some("own"));
        assert!(gh.key_of(Some("Gone")).is_none());
        assert!(!format!("{gh:?}").contains("acme-key"));
        // Organisations alone, without the single key.
        let only = parse(
            "[[ats.greenhouse.organisations]]\nname = \"A\"\napi_key = \"k\"\nroles = [\"r\"]\n",
        )
        .expect("organisations only");
        assert!(only.ats.greenhouse.expect("gh").api_key.is_none());
    }

    #[test]
    fn greenhouse_organisation_errors_name_the_entry() {
        for (what, text, says) in [
            ("duplicate key", TWO_ORGS.replace("beta-key", "acme-key"),
             "organisations[1] (\"Beta\"): api_key is also the key of ats.greenhouse.organisations[0] (\"Acme\")"),
            ("role in two", TWO_ORGS.replace("\"r-3\"", "\"r-2\""),
             "organisations[1] (\"Beta\"): role \"r-2\" is also listed by ats.greenhouse.organisations[0] (\"Acme\")"),
            ("same name", TWO_ORGS.replace("\"Beta\"", "\"Acme\""), "name is also the name of"),
            ("the single key reused", TWO_ORGS.replace("\"own\"", "\"beta-key\""),
             "organisations[1] (\"Beta\"): api_key is the same as [ats.greenhouse] api_key"),
            ("no roles", TWO_ORGS.replace("[\"r-3\"]", "[]"), "organisations[1] (\"Beta\"): roles is empty"),
            ("no key at all", "[ats.greenhouse]\nprofile_url = \"x\"\n".to_string(), "needs an api_key"),
            ("bad key", TWO_ORGS.replace("beta-key", "b:k"), "api_key must not contain"),
        ] {
            let err = parse(&text).expect_err(what);
            assert!(err.contains(says), "{what}: {err}");
            assert!(err.starts_with("s.toml:"), "{what}: {err}");
        }
    }

    #[test]
    fn lever_write_back_has_tags_by_default_and_stages_only_when_mapped() {
        let c = parse(
            r#"
[ats.lever]
api_key = "lv"
screening_stage = "stage-1"
[ats.lever.writeback]
perform_as = "user-1"
[ats.lever.writeback.decision_tags]
hold = ""
[ats.lever.stages]
advance = "stage-onsite"
"#,
        )
        .expect("config");
        let l = c.ats.lever.expect("lever");
        let w = l.writeback.expect("writeback");
        assert_eq!(w.perform_as, "user-1");
        assert_eq!(w.reviewed_tag, "async-screen:reviewed");
        assert_eq!(w.decision_tags.advance, "async-screen:advance");
        assert_eq!(w.decision_tags.reject, "async-screen:reject");
        assert_eq!(w.decision_tags.hold, "");
        assert_eq!(l.stages.advance.as_deref(), Some("stage-onsite"));
        assert_eq!(l.stages.reject, None);

        let base = "[ats.lever]\napi_key = \"k\"\nscreening_stage = \"s\"\n";
        let err = parse(&format!("{base}[ats.lever.stages]\nadvanse = \"x\"\n"))
            .expect_err("unknown decision");
        assert!(err.contains("advanse"), "{err}");
        let err = parse(&format!(
            "{base}[ats.lever.writeback]\nperform_as = \" \"\n"
        ))
        .expect_err("blank user");
        assert!(
            err.starts_with("s.toml:5:") && err.contains("empty"),
            "{err}"
        );
        let err = parse(&format!("{base}[ats.lever.writeback]\n")).expect_err("no user");
        assert!(err.contains("perform_as"), "{err}");
        let err = parse(&format!("{base}[ats.lever.stages]\nadvance = \"x\"\n"))
            .expect_err("stages without write-back");
        assert!(err.contains("[ats.lever.writeback]"), "{err}");
    }

    #[test]
    fn bad_secrets_and_keys_are_refused_with_the_line() {
        let err = parse("[ats.generic]\nsecret = \"not-a-secret\"\n").expect_err("bad secret");
        assert!(err.starts_with("s.toml:2:"), "{err}");
        assert!(err.contains("whsec_"), "{err}");
        let err = parse("[ats.greenhouse]\napi_key = \"a:b\"\n").expect_err("bad key");
        assert!(err.contains("api_key"), "{err}");
        let err = parse("[ats.lever]\nsignature_token = \"t\"\napi_key = \"k\"\n")
            .expect_err("missing stage");
        assert!(err.contains("screening_stage"), "{err}");
        let err = parse(
            "[ats.greenhouse]\napi_key = \"k\"\ncallback_url_prefixes = [\"https://app.greenhouse.io\"]\n",
        )
        .expect_err("prefix without a path");
        assert!(
            err.starts_with("s.toml:3:") && err.contains("ending in `/`"),
            "{err}"
        );
        let err = parse("[ats.greenhouse]\napi_key = \"k\"\napikey = 1\n").expect_err("unknown");
        assert!(err.contains("apikey"), "{err}");
    }
}
