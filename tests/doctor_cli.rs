//! `takes doctor` as a user runs it: the binary, a config file, no terminal.

use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_takes");

fn doctor(config: &str, args: &[&str]) -> String {
    let home = tempfile::tempdir().expect("tempdir");
    let dir = home.path().join("config/takes");
    std::fs::create_dir_all(&dir).expect("config dir");
    std::fs::write(dir.join("config.toml"), config).expect("config");
    let out = Command::new(BIN)
        .arg("doctor")
        .args(args)
        .env("HOME", home.path())
        .env("XDG_CONFIG_HOME", home.path().join("config"))
        .env_remove("TAKES_CONFIG")
        .env_remove("TAKES_GRAPHICS")
        // A colour terminal, whatever the runner's TERM (CI may say dumb).
        .env("TERM", "xterm-256color")
        .env("TAKES_SERVER", "http://127.0.0.1:9")
        .stdin(std::process::Stdio::null())
        .output()
        .expect("takes doctor runs");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn doctor_reports_libmpv_and_the_configured_video_output() {
    let out = doctor("[video]\noutput = \"off\"\n", &[]);
    assert!(
        out.contains("video:       off (video.output = \"off\")"),
        "{out}"
    );
    assert!(out.contains("libmpv:      ok, mpv "), "{out}");
    assert!(out.contains("unreachable"), "{out}");
    assert!(
        out.contains("terminal:    not asked (stdin is not a terminal)"),
        "{out}"
    );
    // The flag wins over the file.
    let out = doctor("[video]\noutput = \"off\"\n", &["--output", "halfblocks"]);
    assert!(
        out.contains("video:       halfblocks (video.output = \"halfblocks\")"),
        "{out}"
    );
}

/// `takes doctor` with `envs` set on top of a machine with no sound at all
/// (no runtime-dir sockets, no ALSA devices, no PULSE_SERVER).
fn doctor_env(envs: &[(&str, &str)]) -> String {
    let home = tempfile::tempdir().expect("tempdir");
    let empty = home.path().join("empty");
    std::fs::create_dir_all(&empty).expect("dir");
    let mut cmd = Command::new(BIN);
    cmd.arg("doctor")
        .env("HOME", home.path())
        .env("XDG_CONFIG_HOME", home.path().join("config"))
        .env("XDG_RUNTIME_DIR", &empty)
        .env("TAKES_SND_DIR", &empty)
        .env_remove("TAKES_CONFIG")
        .env_remove("TAKES_GRAPHICS")
        .env_remove("PULSE_SERVER")
        .env_remove("SSH_CONNECTION")
        .env_remove("SSH_CLIENT")
        .env_remove("SSH_TTY")
        .env("TAKES_SERVER", "http://127.0.0.1:9")
        .stdin(std::process::Stdio::null());
    for (k, v) in envs {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("takes doctor runs");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn doctor_over_ssh_without_sound_says_so_and_how_to_forward_it() {
    let out = doctor_env(&[("SSH_CONNECTION", "10.99.0.1 50122 10.99.0.2 22")]);
    assert!(
        out.contains("session:     over SSH from 10.99.0.1"),
        "{out}"
    );
    assert!(
        out.contains("audio:       no audio device or sound server reachable"),
        "{out}"
    );
    assert!(out.contains("ssh -R 4713:127.0.0.1:4713 HOST"), "{out}");
    assert!(
        out.contains("PULSE_SERVER=tcp:127.0.0.1:4713 takes"),
        "{out}"
    );
    // No terminal on stdin: nothing to time, and it says so.
    assert!(out.contains("link:        not measured"), "{out}");
}

#[test]
fn doctor_names_the_sound_route_it_finds() {
    let out = doctor_env(&[
        ("SSH_CONNECTION", "10.99.0.1 50122 10.99.0.2 22"),
        ("PULSE_SERVER", "tcp:127.0.0.1:4713"),
    ]);
    assert!(
        out.contains("audio:       sound goes to PULSE_SERVER=tcp:127.0.0.1:4713"),
        "{out}"
    );
    assert!(!out.contains("ssh -R"), "forwarded already: {out}");
    let out = doctor_env(&[]);
    assert!(out.contains("session:     local"), "{out}");
    assert!(out.contains("audio:       no audio device"), "{out}");
    assert!(!out.contains("ssh -R"), "not over SSH: {out}");
}

/// A terminal without colour: no picture, and doctor says why.
#[test]
fn doctor_on_a_terminal_without_colour_says_video_needs_colour() {
    for term in ["vt100", "xterm-mono", "dumb"] {
        let out = doctor_env(&[("TERM", term), ("COLORTERM", "")]);
        assert!(
            out.contains("video:       off (video needs colour: TERM="),
            "{term}: {out}"
        );
        assert!(
            out.contains("colours:     none: video needs colour"),
            "{term}: {out}"
        );
    }
    let out = doctor_env(&[("TERM", "xterm-256color"), ("COLORTERM", "")]);
    assert!(!out.contains("needs colour"), "{out}");
}

/// `TAKES_GRAPHICS` overrides the file and the flag; a bad value is ignored.
#[test]
fn takes_graphics_overrides_the_configured_output() {
    let out = doctor_env(&[("TAKES_GRAPHICS", "off")]);
    assert!(
        out.contains("video:       off (TAKES_GRAPHICS=off)"),
        "{out}"
    );
    let out = doctor_env(&[("TAKES_GRAPHICS", "sixel")]);
    assert!(
        out.contains(
            "video:       sixel (TAKES_GRAPHICS=sixel (not checked: stdin is not a terminal))"
        ),
        "{out}"
    );
    let out = doctor_env(&[("TAKES_GRAPHICS", "braille")]);
    assert!(
        out.contains("video:       halfblocks (stdin is not a terminal"),
        "{out}"
    );
}

/// In a real terminal (tmux here; kitty and xterm in `tests/e2e_xvfb.rs`)
/// doctor names it from its XTVERSION answer, even with its report
/// redirected to a file.
#[test]
fn doctor_in_a_terminal_names_it_and_its_version() {
    let dir = tempfile::tempdir().expect("tempdir");
    let report = dir.path().join("report.txt");
    let socket = format!("takes-doctor-{}", std::process::id());
    let cmd = format!(
        "env -u TAKES_GRAPHICS HOME={home} XDG_CONFIG_HOME={home}/config TAKES_SERVER=http://127.0.0.1:9 {BIN} doctor > {out} 2>&1; touch {out}.done",
        home = dir.path().display(),
        out = report.display()
    );
    let st = Command::new("tmux")
        .args([
            "-L",
            &socket,
            "new-session",
            "-d",
            "-x",
            "100",
            "-y",
            "30",
            &cmd,
        ])
        .status()
        .expect("tmux must be installed");
    assert!(st.success());
    let done = report.with_extension("txt.done");
    let start = std::time::Instant::now();
    while !done.exists() && start.elapsed() < std::time::Duration::from_secs(20) {
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let _ = Command::new("tmux")
        .args(["-L", &socket, "kill-server"])
        .status();
    let out = std::fs::read_to_string(&report).unwrap_or_default();
    let line = out
        .lines()
        .find(|l| l.starts_with("terminal:"))
        .unwrap_or_default();
    assert!(
        line.starts_with("terminal:    tmux ") && line.ends_with("(its answer to XTVERSION)"),
        "{out}"
    );
    // The queries went to the terminal, not into the report.
    assert!(!out.contains('\u{1b}'), "{out:?}");
    assert!(
        out.contains("video:       halfblocks (inside tmux/screen"),
        "{out}"
    );
}
