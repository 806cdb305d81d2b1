//! The process file: TOML read by hand from toml's spanned tree, so every
//! problem (unknown key, wrong type, missing key, and later any
//! [`takes_api::process::validate`] or `lint` path) has a line and column.

use std::collections::HashMap;
use std::ops::Range;

use takes_api::process::{
    CaptionsRef, IntroVideoRef, ProcessDocument, ProcessQuestion, ProcessRole, ProcessUser,
};
use takes_api::{Anchor, Rubric, UserRole};
use toml::de::{DeTable, DeValue};
use toml::Spanned;

use super::keys;

/// Defaults of keys a file may leave out (documented in `docs/PROCESS.md`).
pub mod defaults {
    pub const USER_ROLE: &str = "reviewer";
    pub const COMPLETION_WINDOW_HOURS: i64 = 72;
    pub const RETAKES: i64 = 1;
    pub const REVIEWERS_PER_INTERVIEW: i64 = 2;
    pub const TIME_LIMIT_S: i64 = 120;
    pub const THINKING_TIME_S: i64 = 30;
    pub const SCALE: (i64, i64) = (1, 5);
}

/// A parsed file: the document, where each of its keys is, and the intro
/// videos and captions named by a path (hashed, and uploaded by `apply`,
/// before the document goes to the server).
#[derive(Debug)]
pub struct ProcessFile {
    pub doc: ProcessDocument,
    pub spans: Spans,
    pub videos: Vec<LocalVideo>,
    pub captions: Vec<LocalCaptions>,
}

/// `intro_video = "intro.mp4"` (or `{ path = "intro.mp4" }`) of
/// `role[role]`, relative to the file; `captions` are those the table
/// names by sha256, kept when the video is hashed.
#[derive(Debug, Clone, PartialEq)]
pub struct LocalVideo {
    pub role: usize,
    pub path: String,
    pub captions: Option<CaptionsRef>,
}

/// `captions = "intro.vtt"` (or `{ path, language }`) of `role[role]`'s
/// intro video, relative to the file: checked as WebVTT before anything
/// is sent.
#[derive(Debug, Clone, PartialEq)]
pub struct LocalCaptions {
    pub role: usize,
    pub path: String,
    pub language: String,
}

/// What a role's intro video names by a path.
#[derive(Debug, Default)]
struct Local {
    video: Option<LocalVideo>,
    captions: Option<LocalCaptions>,
}

/// Byte ranges of keys by their path (`role[0].question[1].prompt`).
#[derive(Debug, Default)]
pub struct Spans(HashMap<String, Range<usize>>);

impl Spans {
    /// The span of `path`, else of its nearest parent the file has (a key
    /// left out to its default is reported at its table).
    pub fn find(&self, path: &str) -> Option<Range<usize>> {
        let mut p = path;
        loop {
            if let Some(s) = self.0.get(p) {
                return Some(s.clone());
            }
            let cut = p.rfind(['.', '['])?;
            p = &p[..cut];
        }
    }
}

/// Something wrong with the file's shape, at a byte range.
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    pub span: Option<Range<usize>>,
    pub message: String,
}

/// Splits an anchor written `"Strong: what it shows"` into label and
/// description, when the part before the first `": "` is a short label (a
/// word or two); otherwise the whole text is the description.
pub fn split_anchor(text: &str) -> (String, String) {
    if let Some((label, description)) = text.split_once(": ") {
        let words = label.split_whitespace().count();
        let short = (1..=2).contains(&words)
            && label.chars().count() <= 24
            && label == label.trim()
            && !label.contains(['.', ',', ';', '"', '\n']);
        if short {
            return (label.to_string(), description.to_string());
        }
    }
    (String::new(), text.to_string())
}

pub fn parse(text: &str) -> Result<ProcessFile, Vec<Problem>> {
    let root = match DeTable::parse(text) {
        Ok(root) => root,
        Err(e) => {
            return Err(vec![Problem {
                span: e.span(),
                message: e.message().trim().to_string(),
            }])
        }
    };
    let mut w = Walk::default();
    w.keys("", root.get_ref(), keys::ROOT);
    let mut doc = ProcessDocument::default();
    for (i, t) in w.tables("", root.get_ref(), "user").into_iter().enumerate() {
        if let Some(u) = w.user(&format!("user[{i}]"), t) {
            doc.users.push(u);
        }
    }
    let (mut videos, mut captions) = (Vec::new(), Vec::new());
    for (i, t) in w.tables("", root.get_ref(), "role").into_iter().enumerate() {
        let (role, local) = w.role(&format!("role[{i}]"), t);
        doc.roles.push(role);
        videos.extend(local.video.map(|v| LocalVideo { role: i, ..v }));
        captions.extend(local.captions.map(|c| LocalCaptions { role: i, ..c }));
    }
    if !w.problems.is_empty() {
        w.problems.sort_by_key(|p| p.span.as_ref().map(|s| s.start));
        return Err(w.problems);
    }
    Ok(ProcessFile {
        doc,
        spans: Spans(w.spans),
        videos,
        captions,
    })
}

type Value<'i> = Spanned<DeValue<'i>>;

#[derive(Default)]
struct Walk {
    problems: Vec<Problem>,
    spans: HashMap<String, Range<usize>>,
}

fn join(at: &str, key: &str) -> String {
    if at.is_empty() {
        key.to_string()
    } else {
        format!("{at}.{key}")
    }
}

impl Walk {
    fn fail(&mut self, span: Range<usize>, message: String) {
        self.problems.push(Problem {
            span: Some(span),
            message,
        });
    }

    /// Records each key's span; a key not in `allowed` is an error with the
    /// nearest allowed one suggested.
    fn keys(&mut self, at: &str, table: &DeTable<'_>, allowed: &[&str]) {
        for (k, _) in table.iter() {
            let name: &str = k.get_ref();
            if allowed.contains(&name) {
                self.spans.insert(join(at, name), k.span());
                continue;
            }
            let place = if at.is_empty() {
                "at the top level".to_string()
            } else {
                format!("in {at}")
            };
            let hint = match keys::suggest(name, allowed) {
                Some(s) => format!("; did you mean `{s}`?"),
                None => format!("; expected one of {}", keys::list(allowed)),
            };
            self.fail(k.span(), format!("unknown key `{name}` {place}{hint}"));
        }
    }

    fn get<'t, 'i>(&self, table: &'t DeTable<'i>, key: &str) -> Option<&'t Value<'i>> {
        table.get(key)
    }

    fn wrong(&mut self, path: &str, v: &Value<'_>, expected: &str) {
        self.fail(
            v.span(),
            format!(
                "{path}: expected {expected}, found {}",
                article(v.get_ref().type_str())
            ),
        );
    }

    fn missing(&mut self, at: &str, span: Range<usize>, key: &str) {
        self.fail(span, format!("{at}: missing `{key}` (it is required)"));
    }

    /// The tables of the array of tables `key` (`[[role]]`), recording each
    /// one's span as `key[i]`.
    fn tables<'t, 'i>(
        &mut self,
        at: &str,
        table: &'t DeTable<'i>,
        key: &str,
    ) -> Vec<(Range<usize>, &'t DeTable<'i>)> {
        let path = join(at, key);
        let Some(v) = self.get(table, key) else {
            return Vec::new();
        };
        let Some(items) = v.get_ref().as_array() else {
            self.wrong(&path, v, &format!("an array of tables ([[{key}]])"));
            return Vec::new();
        };
        let mut out = Vec::new();
        for (i, item) in items.iter().enumerate() {
            match item.get_ref().as_table() {
                Some(t) => {
                    self.spans.insert(format!("{path}[{i}]"), item.span());
                    out.push((item.span(), t));
                }
                None => self.wrong(&format!("{path}[{i}]"), item, "a table"),
            }
        }
        out
    }

    fn string(&mut self, at: &str, table: &DeTable<'_>, key: &str) -> Option<String> {
        let v = self.get(table, key)?;
        match v.get_ref().as_str() {
            Some(s) => Some(s.to_string()),
            None => {
                self.wrong(&join(at, key), v, "a string");
                None
            }
        }
    }

    fn required_string(
        &mut self,
        at: &str,
        span: &Range<usize>,
        table: &DeTable<'_>,
        key: &str,
    ) -> String {
        if self.get(table, key).is_none() {
            self.missing(at, span.clone(), key);
        }
        self.string(at, table, key).unwrap_or_default()
    }

    fn int_value(&mut self, path: &str, v: &Value<'_>) -> Option<i64> {
        match v.get_ref() {
            DeValue::Integer(n) => match i64::from_str_radix(n.as_str(), n.radix()) {
                Ok(n) => Some(n),
                Err(_) => {
                    self.fail(v.span(), format!("{path}: {n} does not fit in 64 bits"));
                    None
                }
            },
            _ => {
                self.wrong(path, v, "an integer");
                None
            }
        }
    }

    fn int(&mut self, at: &str, table: &DeTable<'_>, key: &str, default: i64) -> i64 {
        match self.get(table, key) {
            Some(v) => self.int_value(&join(at, key), v).unwrap_or(default),
            None => default,
        }
    }

    fn flag(&mut self, at: &str, table: &DeTable<'_>, key: &str, default: bool) -> bool {
        let Some(v) = self.get(table, key) else {
            return default;
        };
        match v.get_ref() {
            DeValue::Boolean(b) => *b,
            _ => {
                self.wrong(&join(at, key), v, "true or false");
                default
            }
        }
    }

    fn strings(&mut self, at: &str, table: &DeTable<'_>, key: &str) -> Vec<String> {
        let path = join(at, key);
        let Some(v) = self.get(table, key) else {
            return Vec::new();
        };
        let Some(items) = v.get_ref().as_array() else {
            self.wrong(&path, v, "an array of strings");
            return Vec::new();
        };
        let mut out = Vec::new();
        for (i, item) in items.iter().enumerate() {
            let p = format!("{path}[{i}]");
            self.spans.insert(p.clone(), item.span());
            match item.get_ref().as_str() {
                Some(s) => out.push(s.to_string()),
                None => self.wrong(&p, item, "a string"),
            }
        }
        out
    }

    fn user(&mut self, at: &str, (span, t): (Range<usize>, &DeTable<'_>)) -> Option<ProcessUser> {
        self.keys(at, t, keys::USER);
        let email = self.required_string(at, &span, t, "email");
        let name = self
            .string(at, t, "name")
            .unwrap_or_else(|| email.split('@').next().unwrap_or_default().to_string());
        let role = match self.get(t, "role") {
            None => UserRole::parse(defaults::USER_ROLE),
            Some(v) => match v.get_ref().as_str() {
                Some(s) => {
                    let role = UserRole::parse(s);
                    if role.is_none() {
                        self.fail(
                            v.span(),
                            format!("{at}.role: {s:?} is not a role; expected reviewer, recruiter or admin"),
                        );
                    }
                    role
                }
                None => {
                    self.wrong(&format!("{at}.role"), v, "a string");
                    None
                }
            },
        }?;
        Some(ProcessUser { email, name, role })
    }

    fn role(&mut self, at: &str, (span, t): (Range<usize>, &DeTable<'_>)) -> (ProcessRole, Local) {
        self.keys(at, t, keys::ROLE);
        let key = self.required_string(at, &span, t, "key");
        let title = self.required_string(at, &span, t, "title");
        let (intro_video, local) = self.intro_video(at, t);
        let mut questions = Vec::new();
        if self.get(t, "question").is_none() {
            self.missing(at, span.clone(), "question");
        }
        for (j, q) in self.tables(at, t, "question").into_iter().enumerate() {
            questions.push(self.question(&format!("{at}.question[{j}]"), q));
        }
        let role = ProcessRole {
            key,
            title,
            department: self.string(at, t, "department").unwrap_or_default(),
            completion_window_hours: self.int(
                at,
                t,
                "completion_window_hours",
                defaults::COMPLETION_WINDOW_HOURS,
            ),
            retakes: self.int(at, t, "retakes", defaults::RETAKES),
            reviewers_per_interview: self.int(
                at,
                t,
                "reviewers_per_interview",
                defaults::REVIEWERS_PER_INTERVIEW,
            ),
            reviewers: self.strings(at, t, "reviewers"),
            recruiters: self.strings(at, t, "recruiters"),
            hiring_manager: self.string(at, t, "hiring_manager"),
            support_contact: self.string(at, t, "support_contact"),
            intro_video,
            invitation_message: self.string(at, t, "invitation_message"),
            allow_audio_only: self.flag(at, t, "allow_audio_only", false),
            allow_low_resolution: self.flag(at, t, "allow_low_resolution", true),
            questions,
        };
        (role, local)
    }

    /// A path (uploaded by `apply`), `{ path, captions }`, or
    /// `{ sha256, file_name, captions }`, a video the server already has.
    fn intro_video(&mut self, at: &str, t: &DeTable<'_>) -> (Option<IntroVideoRef>, Local) {
        let path = join(at, "intro_video");
        let Some(v) = self.get(t, "intro_video") else {
            return (None, Local::default());
        };
        match v.get_ref() {
            DeValue::String(s) => {
                let video = self.local_path(&path, v, s).map(|p| LocalVideo {
                    role: 0,
                    path: p,
                    captions: None,
                });
                (
                    None,
                    Local {
                        video,
                        captions: None,
                    },
                )
            }
            DeValue::Table(vt) => {
                self.keys(&path, vt, keys::INTRO_VIDEO);
                let (captions, local_captions) = self.captions(&path, vt);
                let by_path = self.get(vt, "path");
                if let Some(p) = by_path {
                    if let Some(sha) = self.get(vt, "sha256") {
                        self.fail(
                            sha.span(),
                            format!("{path}: name the video by path or by sha256, not both"),
                        );
                    }
                    let video = match p.get_ref().as_str() {
                        Some(s) => self.local_path(&join(&path, "path"), p, s),
                        None => {
                            self.wrong(&join(&path, "path"), p, "a string");
                            None
                        }
                    }
                    .map(|p| LocalVideo {
                        role: 0,
                        path: p,
                        captions,
                    });
                    return (
                        None,
                        Local {
                            video,
                            captions: local_captions,
                        },
                    );
                }
                let sha256 = self.required_string(&path, &v.span(), vt, "sha256");
                let file_name = self.string(&path, vt, "file_name");
                let video = IntroVideoRef {
                    sha256,
                    file_name,
                    captions,
                };
                (
                    Some(video),
                    Local {
                        video: None,
                        captions: local_captions,
                    },
                )
            }
            _ => {
                self.wrong(
                    &path,
                    v,
                    "a file path or a table { path, captions } or { sha256, file_name, captions }",
                );
                (None, Local::default())
            }
        }
    }

    /// A file path value, which must not be blank.
    fn local_path(&mut self, path: &str, v: &Value<'_>, s: &str) -> Option<String> {
        if s.trim().is_empty() {
            self.fail(
                v.span(),
                format!("{path}: must not be empty (leave the key out for none)"),
            );
            return None;
        }
        Some(s.to_string())
    }

    /// `captions` of an intro video: a WebVTT file beside the process file
    /// (`"intro.vtt"` or `{ path, language }`, checked and uploaded by
    /// `apply`), or `{ sha256, file_name, language }`, one the server
    /// already has (`PUT /v1/process/intro-captions`).
    fn captions(
        &mut self,
        at: &str,
        t: &DeTable<'_>,
    ) -> (Option<CaptionsRef>, Option<LocalCaptions>) {
        let path = join(at, "captions");
        let Some(v) = self.get(t, "captions") else {
            return (None, None);
        };
        let local = |p: Option<String>, language: String| {
            p.map(|path| LocalCaptions {
                role: 0,
                path,
                language,
            })
        };
        if let Some(s) = v.get_ref().as_str() {
            let p = self.local_path(&path, v, s);
            return (None, local(p, "en".into()));
        }
        let Some(ct) = v.get_ref().as_table() else {
            self.wrong(
                &path,
                v,
                "a file path or a table { path, language } or { sha256, file_name, language }",
            );
            return (None, None);
        };
        self.keys(&path, ct, keys::CAPTIONS);
        let language = self
            .string(&path, ct, "language")
            .unwrap_or_else(|| "en".into());
        if let Some(p) = self.get(ct, "path") {
            if let Some(sha) = self.get(ct, "sha256") {
                self.fail(
                    sha.span(),
                    format!("{path}: name the captions by path or by sha256, not both"),
                );
            }
            let p = match p.get_ref().as_str() {
                Some(s) => self.local_path(&join(&path, "path"), p, s),
                None => {
                    self.wrong(&join(&path, "path"), p, "a string");
                    None
                }
            };
            return (None, local(p, language));
        }
        let sha256 = self.required_string(&path, &v.span(), ct, "sha256");
        let captions = CaptionsRef {
            sha256,
            file_name: self.string(&path, ct, "file_name"),
            language,
        };
        (Some(captions), None)
    }

    fn question(&mut self, at: &str, (span, t): (Range<usize>, &DeTable<'_>)) -> ProcessQuestion {
        self.keys(at, t, keys::QUESTION);
        let prompt = self.required_string(at, &span, t, "prompt");
        let competency = self.required_string(at, &span, t, "competency");
        let rubric = match self.get(t, "rubric") {
            None => {
                self.missing(at, span.clone(), "rubric");
                None
            }
            Some(v) => match v.get_ref().as_table() {
                Some(rt) => Some(self.rubric(&format!("{at}.rubric"), rt)),
                None => {
                    self.wrong(
                        &format!("{at}.rubric"),
                        v,
                        "a table ([role.question.rubric])",
                    );
                    None
                }
            },
        };
        ProcessQuestion {
            prompt,
            competency,
            time_limit_s: self.int(at, t, "time_limit_s", defaults::TIME_LIMIT_S),
            thinking_time_s: self.int(at, t, "thinking_time_s", defaults::THINKING_TIME_S),
            rubric: rubric.unwrap_or(Rubric {
                scale_min: 0,
                scale_max: 0,
                pass_score: 0,
                anchors: Vec::new(),
            }),
        }
    }

    fn rubric(&mut self, at: &str, t: &DeTable<'_>) -> Rubric {
        self.keys(at, t, keys::RUBRIC);
        let (mut lo, mut hi) = defaults::SCALE;
        if let Some(v) = self.get(t, "scale") {
            let path = join(at, "scale");
            match v.get_ref().as_array().map(|a| &**a) {
                Some([a, b]) => {
                    lo = self.int_value(&path, a).unwrap_or(lo);
                    hi = self.int_value(&path, b).unwrap_or(hi);
                }
                _ => self.wrong(&path, v, "two integers [min, max]"),
            }
        }
        // The middle of the scale, rounded up: 3 of [1, 5].
        let middle = (i128::from(lo) + i128::from(hi) + 1).div_euclid(2);
        let pass = self.int(at, t, "pass", i64::try_from(middle).unwrap_or(lo));
        let mut anchors = Vec::new();
        if let Some(v) = self.get(t, "anchors") {
            let path = join(at, "anchors");
            match v.get_ref().as_table() {
                Some(at_) => {
                    for (k, a) in at_.iter() {
                        if let Some(anchor) = self.anchor(&path, k, a) {
                            anchors.push(anchor);
                        }
                    }
                }
                None => self.wrong(&path, v, "a table of score = \"Label: description\""),
            }
        }
        anchors.sort_by_key(|a: &Anchor| a.score);
        Rubric {
            scale_min: lo,
            scale_max: hi,
            pass_score: pass,
            anchors,
        }
    }

    fn anchor(
        &mut self,
        at: &str,
        k: &Spanned<std::borrow::Cow<'_, str>>,
        v: &Value<'_>,
    ) -> Option<Anchor> {
        let key: &str = k.get_ref();
        let Ok(score) = key.trim().parse::<i64>() else {
            self.fail(k.span(), format!("{at}: `{key}` is not a score; anchors are keyed by the score they describe, e.g. 1 = \"Weak: …\""));
            return None;
        };
        let path = format!("{at}.{score}");
        self.spans.insert(path.clone(), k.span());
        let (label, description) = match v.get_ref() {
            DeValue::String(s) => split_anchor(s),
            DeValue::Table(t) => {
                self.keys(&path, t, keys::ANCHOR);
                let label = self.required_string(&path, &v.span(), t, "label");
                (
                    label,
                    self.string(&path, t, "description").unwrap_or_default(),
                )
            }
            _ => {
                self.wrong(
                    &path,
                    v,
                    "a string \"Label: description\" or a table { label, description }",
                );
                return None;
            }
        };
        Some(Anchor {
            score,
            label,
            description,
        })
    }
}

fn article(kind: &str) -> String {
    if kind.starts_with(['a', 'e', 'i', 'o', 'u']) {
        format!("an {kind}")
    } else {
        format!("a {kind}")
    }
}
