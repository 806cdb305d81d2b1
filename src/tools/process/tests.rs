//! The process file end to end without a server: parse, validate, lint,
//! each problem at its line and column; export reads back as the same
//! document.

use std::collections::HashMap;
use std::path::Path;

use proptest::prelude::*;
use takes_api::process::{
    CaptionsRef, IntroVideoRef, ProcessDocument, ProcessQuestion, ProcessRole, ProcessUser,
};
use takes_api::{Anchor, Rubric, UserRole};

use super::file::{parse, split_anchor};
use super::{check, refusal, write};
use crate::client::ClientError;

/// Valid, and following the seed's advice: no error, no warning.
const BASE: &str = r#"[[user]]
email = "riley@example.com"
name = "Riley Chen"

[[user]]
email = "sam@example.com"
name = "Sam Alvarez"
role = "recruiter"

[[role]]
key = "backend-2027"
title = "Backend Engineer"
reviewers = ["riley@example.com"]
reviewers_per_interview = 1

[[role.question]]
prompt = "Describe a time when you had to deliver under pressure."
competency = "Delivery"

[role.question.rubric]
anchors = { 1 = "Weak: vague", 3 = "Acceptable: clear", 5 = "Strong: measured" }

[[role.question]]
prompt = "Describe a time you changed your mind."
competency = "Judgement"

[role.question.rubric]
anchors = { 1 = "Weak: no", 3 = "Acceptable: some", 5 = "Strong: yes" }

[[role.question]]
prompt = "Describe a time you taught someone."
competency = "Coaching"
time_limit_s = 90

[role.question.rubric]
scale = [1, 5]
pass = 3
anchors = { 1 = "Weak: no", 3 = "Acceptable: some", 5 = "Strong: yes" }
"#;

/// `(errors, warnings)` as printed, for the file `p.toml`.
fn run(text: &str) -> (Vec<String>, Vec<String>) {
    let c = check(Path::new("p.toml"), text.to_string());
    let show = |d: Vec<crate::config::Diagnostic>| d.iter().map(|d| d.to_string()).collect();
    (show(c.errors), show(c.warnings))
}

fn edit(from: &str, to: &str) -> String {
    assert!(BASE.contains(from), "{from}");
    BASE.replacen(from, to, 1)
}

fn errors(text: &str) -> Vec<String> {
    run(text).0
}

fn warnings(text: &str) -> Vec<String> {
    let (e, w) = run(text);
    assert!(e.is_empty(), "{e:?}");
    w
}

#[test]
fn the_base_file_is_clean_and_reads_with_its_defaults() {
    assert_eq!(run(BASE), (vec![], vec![]));
    let f = parse(BASE).expect("parses");
    let d = &f.doc;
    assert_eq!(
        d.users[0].role,
        UserRole::Reviewer,
        "role defaults to reviewer"
    );
    assert_eq!(d.users[1].role, UserRole::Recruiter);
    let r = &d.roles[0];
    assert_eq!((r.completion_window_hours, r.retakes), (72, 1));
    assert_eq!(r.department, "");
    assert_eq!(r.reviewers, vec!["riley@example.com"]);
    assert_eq!(r.questions.len(), 3);
    let q = &r.questions[0];
    assert_eq!((q.time_limit_s, q.thinking_time_s), (120, 30));
    assert_eq!(
        (q.rubric.scale_min, q.rubric.scale_max, q.rubric.pass_score),
        (1, 5, 3)
    );
    assert_eq!(
        q.rubric.anchors[1],
        Anchor {
            score: 3,
            label: "Acceptable".into(),
            description: "clear".into()
        }
    );
    assert_eq!(r.questions[2].time_limit_s, 90);
}

#[test]
fn syntax_errors_name_their_line() {
    let e = errors(&edit("title = \"Backend Engineer\"", "title = \"Backend"));
    assert_eq!(e.len(), 1, "{e:?}");
    assert!(e[0].starts_with("p.toml:12:"), "{e:?}");
}

#[test]
fn unknown_keys_suggest_the_key_meant() {
    let e = errors(&edit("title = ", "titel = "));
    assert_eq!(
        e,
        vec![
            "p.toml:10:1: role[0]: missing `title` (it is required)",
            "p.toml:12:1: unknown key `titel` in role[0]; did you mean `title`?",
        ]
    );
    let e = errors(&edit("pass = 3", "pass_score = 3"));
    assert_eq!(
        e,
        vec!["p.toml:37:1: unknown key `pass_score` in role[0].question[2].rubric; did you mean `pass`?"]
    );
    let e = errors(&format!("colour = 1\n{BASE}"));
    assert_eq!(
        e,
        vec!["p.toml:1:1: unknown key `colour` at the top level; expected one of `user`, `role`"]
    );
}

#[test]
fn wrong_types_name_the_key_and_what_was_expected() {
    let e = errors(&edit(
        "reviewers_per_interview = 1",
        "reviewers_per_interview = \"one\"",
    ));
    assert_eq!(
        e,
        vec!["p.toml:14:27: role[0].reviewers_per_interview: expected an integer, found a string"]
    );
    let e = errors(&edit("time_limit_s = 90", "time_limit_s = 1.5"));
    assert_eq!(
        e,
        vec!["p.toml:33:16: role[0].question[2].time_limit_s: expected an integer, found a float"]
    );
    let e = errors(&edit("role = \"recruiter\"", "role = \"boss\""));
    assert_eq!(
        e,
        vec!["p.toml:8:8: user[1].role: \"boss\" is not a role; expected reviewer, recruiter or admin"]
    );
    let e = errors(&edit("scale = [1, 5]", "scale = [1, 5, 7]"));
    assert_eq!(
        e,
        vec!["p.toml:36:9: role[0].question[2].rubric.scale: expected two integers [min, max], found an array"]
    );
}

#[test]
fn required_keys_are_named_at_their_table() {
    let e = errors(&edit("competency = \"Coaching\"\n", ""));
    assert_eq!(
        e,
        vec!["p.toml:30:1: role[0].question[2]: missing `competency` (it is required)"]
    );
    let e = errors(&edit(
        "\n[role.question.rubric]\nscale = [1, 5]\npass = 3\nanchors = { 1 = \"Weak: no\", 3 = \"Acceptable: some\", 5 = \"Strong: yes\" }\n",
        "\n",
    ));
    assert_eq!(
        e,
        vec!["p.toml:30:1: role[0].question[2]: missing `rubric` (it is required)"]
    );
}

#[test]
fn validation_errors_are_at_the_line_of_their_key() {
    let cases: &[(&str, &str, &str)] = &[
        (
            "email = \"sam@example.com\"",
            "email = \"RILEY@example.com\"",
            "p.toml:6:1: user[1].email: \"RILEY@example.com\" is also user[0] (emails are compared without case)",
        ),
        (
            "email = \"sam@example.com\"",
            "email = \"sam.example.com\"",
            "p.toml:6:1: user[1].email: \"sam.example.com\" is not an email address (name@example.com)",
        ),
        (
            "key = \"backend-2027\"",
            "key = \"Backend 2027\"",
            "p.toml:11:1: role[0].key: \"Backend 2027\" is not a key: lowercase letters, digits, `-`, `_` and `.`, at most 64, e.g. \"backend-2027\"",
        ),
        (
            "title = \"Backend Engineer\"",
            "title = \"  \"",
            "p.toml:12:1: role[0].title: must not be empty",
        ),
        (
            "reviewers = [\"riley@example.com\"]",
            "reviewers = [\"riley@example.com\", \"sam@example.com\"]",
            "p.toml:13:35: role[0].reviewers[1]: \"sam@example.com\" is a recruiter in this file, not a reviewer",
        ),
        (
            "reviewers_per_interview = 1",
            "reviewers_per_interview = 0",
            "p.toml:14:1: role[0].reviewers_per_interview: is 0; it must be 1 to 10",
        ),
        (
            "time_limit_s = 90",
            "time_limit_s = 0",
            "p.toml:33:1: role[0].question[2].time_limit_s: is 0 s; it must be 1 to 3600 s",
        ),
        (
            "scale = [1, 5]",
            "scale = [5, 1]",
            "p.toml:36:1: role[0].question[2].rubric.scale: [5, 1]: the first must be below the second",
        ),
        (
            "pass = 3",
            "pass = 6",
            "p.toml:37:1: role[0].question[2].rubric.pass: 6 is outside the scale [1, 5]",
        ),
        (
            "5 = \"Strong: measured\" }",
            "5 = \"Strong: measured\", 7 = \"Wow: great\" }",
            "p.toml:21:81: role[0].question[0].rubric.anchors.7: anchor 7 is outside the scale [1, 5]",
        ),
        (
            "5 = \"Strong: measured\" }",
            "5 = \"measured, as a strong answer is\" }",
            "p.toml:21:57: role[0].question[0].rubric.anchors.5: has no label: write \"Label: what such an answer shows\", e.g. \"Strong: …\"",
        ),
        (
            "prompt = \"Describe a time you changed your mind.\"",
            "prompt = \"\"",
            "p.toml:24:1: role[0].question[1].prompt: must not be empty",
        ),
    ];
    for (from, to, want) in cases {
        assert_eq!(errors(&edit(from, to)), vec![want.to_string()], "{to}");
    }
}

#[test]
fn more_than_five_questions_is_a_warning_and_more_than_ten_an_error() {
    let q = "\n[[role.question]]\nprompt = \"Describe a time you learned something.\"\ncompetency = \"Learning\"\n\n[role.question.rubric]\nanchors = { 1 = \"Weak: no\", 3 = \"Acceptable: some\", 5 = \"Strong: yes\" }\n";
    let six = format!("{BASE}{q}{q}{q}");
    assert_eq!(errors(&six), Vec::<String>::new());
    assert_eq!(
        warnings(&six),
        vec!["p.toml:16:8: warning: role[0].question: \"backend-2027\" has 6 questions: three to five is optimal for a screening interview; every question past five lengthens it and lowers completion"]
    );
    let eleven = format!("{BASE}{}", q.repeat(8));
    assert_eq!(
        errors(&eleven),
        vec!["p.toml:16:8: role[0].question: 11 questions; a role has at most 10 (and the seed advises three to five)"]
    );
}

#[test]
fn every_lint_is_at_its_line_with_the_seeds_reason() {
    let w = warnings(&edit(
        "reviewers_per_interview = 1",
        "reviewers_per_interview = 1\ncompletion_window_hours = 24\nretakes = 0",
    ));
    assert_eq!(
        w,
        vec![
            "p.toml:15:1: warning: role[0].completion_window_hours: a completion window of 24 h is under 48 h: give candidates 48–72 hours; a tight deadline raises anxiety and dropout",
            "p.toml:16:1: warning: role[0].retakes: no retake: allow at least one per question; technical failures and nervousness are real, and a retake reduces dropout",
        ]
    );
    let w = warnings(&edit(
        "reviewers_per_interview = 1",
        "reviewers_per_interview = 1\ncompletion_window_hours = 200",
    ));
    assert_eq!(w.len(), 1);
    assert!(w[0].starts_with("p.toml:15:1: warning: role[0].completion_window_hours: a completion window of 200 h is over 7 days: 48–72 hours"), "{w:?}");

    let w = warnings(&edit("time_limit_s = 90", "time_limit_s = 240"));
    assert_eq!(
        w,
        vec!["p.toml:33:1: warning: role[0].question[2].time_limit_s: a time limit of 240 s is over 180 s: each answer should take no more than 2–3 minutes, keeping the interview to 10–15 minutes"]
    );

    let w = warnings(&edit(
        "Describe a time you changed your mind.",
        "Tell me about yourself!",
    ));
    assert_eq!(
        w,
        vec!["p.toml:24:1: warning: role[0].question[1].prompt: vague prompt (\"tell me about yourself\"): vague questions generate vague answers and low signal; ask a structured behavioural question (\"Describe a time when …\") that can be scored against the competency"]
    );

    let w = warnings(&edit(
        "3 = \"Acceptable: clear\", 5 = \"Strong: measured\"",
        "4 = \"Good: clear\"",
    ));
    assert_eq!(
        w,
        vec!["p.toml:21:1: warning: role[0].question[0].rubric.anchors: no anchor at 3 (the pass line), 5 (the top of the scale): define what a weak, acceptable and strong answer looks like in advance, so reviewers score against criteria, not an overall impression"]
    );

    let w = warnings(&edit(
        "reviewers_per_interview = 1",
        "reviewers_per_interview = 2",
    ));
    assert_eq!(
        w,
        vec!["p.toml:14:1: warning: role[0].reviewers_per_interview: 2 reviewers per interview, but the pool names 1: each interview gets only 1, fewer independent scores than planned"]
    );

    let two = BASE
        .rsplit_once("\n[[role.question]]")
        .map(|(head, _)| head.to_string())
        .expect("three questions");
    assert_eq!(
        warnings(&format!("{two}\n")),
        vec!["p.toml:16:8: warning: role[0].question: \"backend-2027\" has 2 questions: three to five is optimal for a screening interview, enough signal without lowering completion"]
    );
}

#[test]
fn a_missing_intro_video_is_an_error_at_its_key() {
    let text = edit(
        "reviewers_per_interview = 1",
        "reviewers_per_interview = 1\nintro_video = \"no-such-intro.mp4\"",
    );
    let e = errors(&text);
    assert_eq!(e.len(), 1, "{e:?}");
    assert!(
        e[0].starts_with("p.toml:15:1: role[0].intro_video: cannot read ./no-such-intro.mp4:"),
        "{e:?}"
    );
}

#[test]
fn an_intro_video_beside_the_file_is_named_by_its_hash() {
    let dir = tempfile::tempdir().expect("dir");
    std::fs::write(dir.path().join("intro.mp4"), b"not really a video").expect("write");
    let text = edit(
        "reviewers_per_interview = 1",
        "reviewers_per_interview = 1\nintro_video = \"intro.mp4\"",
    );
    let c = check(&dir.path().join("p.toml"), text);
    assert!(c.errors.is_empty(), "{:?}", c.errors);
    let doc = c.loaded.expect("loaded").file.doc;
    assert_eq!(
        doc.roles[0].intro_video,
        Some(IntroVideoRef {
            // sha256 of "not really a video"
            sha256: hex::encode(<sha2::Sha256 as sha2::Digest>::digest(
                b"not really a video"
            )),
            file_name: Some("intro.mp4".into()),
            captions: None,
        })
    );
}

#[test]
fn intro_captions_beside_the_file_are_checked_and_named_by_their_hash() {
    let dir = tempfile::tempdir().expect("dir");
    std::fs::write(dir.path().join("intro.mp4"), b"not really a video").expect("write");
    let good = "WEBVTT\n\n00:00.000 --> 00:02.000\nHello.\n";
    std::fs::write(dir.path().join("intro.vtt"), good).expect("write");
    let sha = |b: &[u8]| hex::encode(<sha2::Sha256 as sha2::Digest>::digest(b));
    for captions in [
        "\"intro.vtt\"",
        "{ path = \"intro.vtt\", language = \"en\" }",
    ] {
        let text = edit(
            "reviewers_per_interview = 1",
            &format!(
                "reviewers_per_interview = 1\nintro_video = {{ path = \"intro.mp4\", captions = {captions} }}"
            ),
        );
        let c = check(&dir.path().join("p.toml"), text);
        assert!(c.errors.is_empty(), "{:?}", c.errors);
        let loaded = c.loaded.expect("loaded");
        assert_eq!(loaded.file.captions.len(), 1);
        assert_eq!(
            loaded.file.doc.roles[0].intro_video,
            Some(IntroVideoRef {
                sha256: sha(b"not really a video"),
                file_name: Some("intro.mp4".into()),
                captions: Some(CaptionsRef {
                    sha256: sha(good.as_bytes()),
                    file_name: Some("intro.vtt".into()),
                    language: "en".into(),
                }),
            })
        );
    }

    // A bad cue: the error is at the key, naming the file and its line.
    std::fs::write(
        dir.path().join("bad.vtt"),
        "WEBVTT\n\n00:00.000 --> 00:02.000\nHello.\n\n00:03.000 --> 00:01.000\nBye.\n",
    )
    .expect("write");
    let text = edit(
        "reviewers_per_interview = 1",
        &format!(
            "reviewers_per_interview = 1\nintro_video = {{ sha256 = \"{}\", captions = \"bad.vtt\" }}",
            "ab".repeat(32)
        ),
    );
    let e = check(&dir.path().join("p.toml"), text).errors;
    let e: Vec<String> = e.iter().map(|d| d.to_string()).collect();
    assert_eq!(e.len(), 1, "{e:?}");
    assert!(
        e[0].contains("role[0].intro_video.captions:")
            && e[0].contains("bad.vtt is not valid WebVTT: line 6:"),
        "{e:?}"
    );

    // Named by path and by hash at once: refused.
    let text = edit(
        "reviewers_per_interview = 1",
        "reviewers_per_interview = 1\nintro_video = { path = \"intro.mp4\", sha256 = \"ab\" }",
    );
    let e = errors(&text);
    assert!(
        e.iter()
            .any(|e| e.contains("by path or by sha256, not both")),
        "{e:?}"
    );
}

#[test]
fn the_example_file_is_valid_and_clean() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/process.toml");
    let text = std::fs::read_to_string(&path).expect("examples/process.toml");
    assert_eq!(run(&text), (vec![], vec![]));
}

#[test]
fn extreme_numbers_are_errors_not_panics() {
    let e = errors(&edit(
        "scale = [1, 5]",
        "scale = [-9223372036854775808, 9223372036854775807]",
    ));
    assert_eq!(
        e,
        vec!["p.toml:36:1: role[0].question[2].rubric.scale: [-9223372036854775808, 9223372036854775807] must lie within [1, 9] (the workstation rates with the keys 1 to 9)".to_string()]
    );
    let e = errors(&edit(
        "time_limit_s = 90",
        "time_limit_s = 99999999999999999999",
    ));
    assert_eq!(e.len(), 1, "{e:?}");
    assert!(e[0].starts_with("p.toml:33:16: "), "{e:?}");
}

#[test]
fn anchors_split_into_label_and_description_only_at_a_short_label() {
    assert_eq!(
        split_anchor("Weak: no example"),
        ("Weak".into(), "no example".into())
    );
    assert_eq!(
        split_anchor("Very strong: a: b"),
        ("Very strong".into(), "a: b".into())
    );
    assert_eq!(
        split_anchor("The answer names three things: a, b, c"),
        (
            String::new(),
            "The answer names three things: a, b, c".into()
        )
    );
    assert_eq!(split_anchor("Strong"), (String::new(), "Strong".into()));
    let table = edit(
        "5 = \"Strong: measured\" }",
        "5 = { label = \"Strong\", description = \"measured\" } }",
    );
    let doc = parse(&table).expect("parses").doc;
    assert_eq!(doc, parse(BASE).expect("parses").doc);
}

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        "[A-Za-z][a-z ]{0,20}",
        "[ -~]{0,30}",
        ".{0,20}",
        Just("Strong: with a colon: inside".to_string()),
        Just("line one\nline \"two\"\t\\ end".to_string()),
    ]
}

fn anchor() -> impl Strategy<Value = Anchor> {
    (1i64..=9, text(), text()).prop_map(|(score, label, description)| Anchor {
        score,
        label,
        description,
    })
}

fn question() -> impl Strategy<Value = ProcessQuestion> {
    (
        text(),
        text(),
        -5i64..400,
        0i64..100,
        (1i64..=9, 1i64..=9, 1i64..=9),
        proptest::collection::vec(anchor(), 0..5),
    )
        .prop_map(
            |(prompt, competency, time_limit_s, thinking_time_s, (lo, hi, pass), anchors)| {
                let mut anchors: Vec<Anchor> = anchors;
                anchors.sort_by_key(|a| a.score);
                anchors.dedup_by_key(|a| a.score);
                ProcessQuestion {
                    prompt,
                    competency,
                    time_limit_s,
                    thinking_time_s,
                    rubric: Rubric {
                        scale_min: lo,
                        scale_max: hi,
                        pass_score: pass,
                        anchors,
                    },
                }
            },
        )
}

fn role() -> impl Strategy<Value = ProcessRole> {
    (
        ("[a-z0-9-]{1,12}", text(), text()),
        (0i64..400, 0i64..4, 1i64..4),
        proptest::collection::vec(text(), 0..3),
        proptest::collection::vec(text(), 0..2),
        (
            proptest::option::of(text()),
            proptest::option::of(text()),
            proptest::option::of(text()),
        ),
        (
            proptest::option::of(("[0-9a-f]{64}", proptest::option::of("[a-z]{1,8}\\.mp4"))),
            proptest::option::of((
                "[0-9a-f]{64}",
                proptest::option::of("[a-z]{1,8}\\.vtt"),
                "[a-z]{2}(-[A-Z]{2})?",
            )),
            (any::<bool>(), any::<bool>()),
        ),
        proptest::collection::vec(question(), 1..6),
    )
        .prop_map(
            |(
                (key, title, department),
                (window, retakes, per),
                reviewers,
                recruiters,
                (hm, sc, msg),
                (video, captions, (allow_audio_only, allow_low_resolution)),
                questions,
            )| ProcessRole {
                key,
                title,
                department,
                completion_window_hours: window,
                retakes,
                reviewers_per_interview: per,
                reviewers,
                recruiters,
                hiring_manager: hm,
                support_contact: sc,
                intro_video: video.map(|(sha256, file_name)| IntroVideoRef {
                    sha256,
                    file_name,
                    captions: captions.map(|(sha256, file_name, language)| CaptionsRef {
                        sha256,
                        file_name,
                        language,
                    }),
                }),
                invitation_message: msg,
                allow_audio_only,
                allow_low_resolution,
                questions,
            },
        )
}

fn document() -> impl Strategy<Value = ProcessDocument> {
    let user = (
        text(),
        text(),
        prop_oneof![
            Just(UserRole::Reviewer),
            Just(UserRole::Recruiter),
            Just(UserRole::Admin)
        ],
    )
        .prop_map(|(email, name, role)| ProcessUser { email, name, role });
    (
        proptest::collection::vec(user, 0..4),
        proptest::collection::vec(role(), 0..3),
    )
        .prop_map(|(users, roles)| ProcessDocument { users, roles })
}

proptest! {
    /// Whatever the server holds (valid or not), export then parse gives
    /// the same document back: no spurious plan after an export.
    #[test]
    fn export_then_parse_is_the_identity(doc in document()) {
        let text = write::write(&doc, "exported\nby a test", &HashMap::new());
        let back = parse(&text).map_err(|p| TestCaseError::fail(format!("{p:?}\n{text}")))?;
        prop_assert_eq!(back.doc, doc, "{}", text);
    }
}

#[test]
fn export_names_a_video_beside_the_file_by_its_path() {
    let doc = parse(BASE).expect("parses").doc;
    let mut with_video = doc.clone();
    with_video.roles[0].intro_video = Some(IntroVideoRef {
        sha256: "ab".repeat(32),
        file_name: Some("intro.mp4".into()),
        captions: None,
    });
    let text = write::write(
        &with_video,
        "x",
        &HashMap::from([(0, "intro.mp4".to_string())]),
    );
    assert!(text.contains("\nintro_video = \"intro.mp4\"\n"), "{text}");
    let back = parse(&text).expect("parses");
    assert_eq!(back.videos.len(), 1);
    assert_eq!(
        back.doc, doc,
        "the video is hashed from the file, not named"
    );
}

#[test]
fn server_refusals_are_told_at_the_line_of_the_path_they_name() {
    let loaded = check(Path::new("p.toml"), BASE.to_string())
        .loaded
        .expect("valid");
    let stale = ClientError::Invalid {
        status: 412,
        detail: "the process changed on the server since your plan".into(),
    };
    assert_eq!(
        refusal(Some(&loaded), "apply", &stale),
        "takes process apply: the server changed since the plan; run plan again"
    );
    let unknown = ClientError::Invalid {
        status: 422,
        detail: "`role[0].reviewers[0]`: no active reviewer riley@example.com".into(),
    };
    assert_eq!(
        refusal(Some(&loaded), "plan", &unknown),
        "p.toml:13:14: the server refused: `role[0].reviewers[0]`: no active reviewer riley@example.com"
    );
    let forbidden = ClientError::Forbidden("admins only".into());
    assert_eq!(
        refusal(Some(&loaded), "plan", &forbidden),
        "takes process plan: not allowed (403): admins only"
    );
}
