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
    // The flag wins over the file.
    let out = doctor("[video]\noutput = \"off\"\n", &["--output", "halfblocks"]);
    assert!(
        out.contains("video:       halfblocks (video.output = \"halfblocks\")"),
        "{out}"
    );
}
