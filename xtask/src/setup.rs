//! System packages, installed only when missing (so a second run is quick
//! and needs no network).

use std::process::{Command, Stdio};

use anyhow::{bail, Context, Result};

/// Debian packages the build, the demo and the tests need.
const PACKAGES: &[(&str, &str)] = &[
    ("pkg-config", "finding libmpv when building"),
    (
        "libmpv-dev",
        "the embedded video player: libmpv.so.2, loaded at run time when a review plays",
    ),
    ("postgresql", "the PostgreSQL half of the storage tests"),
    (
        "ffmpeg",
        "checking served media and transcripts in tests, making demo clips",
    ),
    (
        "tmux",
        "end-to-end tests of the workstation in a real terminal",
    ),
    ("curl", "the ATS demo walkthrough (scripts/demo-ats.sh)"),
    ("xvfb", "real terminals under X: tests/e2e_xvfb.rs"),
    ("kitty", "e2e_xvfb: Debian's kitty 0.26"),
    ("xterm", "e2e_xvfb: xterm -ti vt340 (sixel)"),
    ("imagemagick", "e2e_xvfb: screenshots (import)"),
    ("xdotool", "e2e_xvfb: keys to the terminal"),
    ("libgl1-mesa-dri", "e2e_xvfb: software GL for kitty"),
    ("fonts-dejavu-core", "e2e_xvfb: kitty's font"),
    (
        "chromium",
        "the candidate page's browser tests (fake camera and microphone)",
    ),
    (
        "python3-pip",
        "installing the OpenAPI validator used by the tests",
    ),
    ("espeak-ng", "speech for transcription tests and benchmarks"),
    (
        "openssh-server",
        "the slow-link test: sshd in a network namespace (tests/slow_link.rs)",
    ),
    (
        "mosh",
        "cargo xtask bench ssh: takes inside mosh, the anchor",
    ),
    (
        "iproute2",
        "the slow-link test: namespaces, veth and tc tbf",
    ),
];

/// Python packages: tools the tests call, and pocketsphinx, the server's
/// default transcription engine (with its English model), so the demo
/// transcribes answers without set-up.
const PIP_PACKAGES: &[(&str, &str)] = &[
    ("pocketsphinx", "pocketsphinx"),
    ("openapi-spec-validator", "openapi_spec_validator"),
    ("standardwebhooks", "standardwebhooks"),
    ("schemathesis", "schemathesis"),
    ("playwright", "playwright"),
];

pub fn ensure() -> Result<()> {
    let missing: Vec<&str> = PACKAGES
        .iter()
        .filter(|(pkg, _)| !installed(pkg))
        .map(|(pkg, _)| *pkg)
        .collect();
    if !missing.is_empty() {
        eprintln!("xtask: installing {}", missing.join(", "));
        let sudo = if is_root() { vec![] } else { vec!["sudo"] };
        run(&sudo, &["apt-get", "update", "-qq"])?;
        let mut install = vec![
            "env",
            "DEBIAN_FRONTEND=noninteractive",
            "apt-get",
            "install",
            "-y",
            "-qq",
            "--no-install-recommends",
        ];
        install.extend(missing.iter());
        run(&sudo, &install)?;
    }
    ensure_pip(PIP_PACKAGES)
}

/// Installs the Python packages whose module cannot be imported.
pub fn ensure_pip(packages: &[(&str, &str)]) -> Result<()> {
    for (pkg, module) in packages {
        let have = Command::new("python3")
            .args(["-c", &format!("import {module}")])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .map(|s| s.success())
            .unwrap_or(false);
        if !have {
            eprintln!("xtask: installing the Python package {pkg}");
            let pip = |extra: &[&str]| {
                Command::new("python3")
                    .args([
                        "-m",
                        "pip",
                        "install",
                        "--quiet",
                        "--disable-pip-version-check",
                    ])
                    .args(extra)
                    .arg(pkg)
                    .status()
                    .map(|s| s.success())
                    .unwrap_or(false)
            };
            // Debian's own python3 refuses pip installs (PEP 668) unless told;
            // these are test tools, so that is acceptable there.
            if !pip(&[]) && !pip(&["--break-system-packages"]) {
                bail!("pip could not install {pkg}");
            }
        }
    }
    Ok(())
}

/// cargo-fuzz, for the fuzz targets of `fuzz/`, built from crates.io when
/// missing (it runs on the stable toolchain with RUSTC_BOOTSTRAP=1).
pub fn ensure_cargo_fuzz() -> Result<()> {
    let have = Command::new("cargo")
        .args(["fuzz", "--version"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .map(|s| s.success())
        .unwrap_or(false);
    if !have {
        eprintln!("xtask: installing cargo-fuzz");
        run(&[], &["cargo", "install", "cargo-fuzz", "--locked"])?;
    }
    Ok(())
}

fn installed(pkg: &str) -> bool {
    Command::new("dpkg-query")
        .args(["-W", "-f=${Status}", pkg])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).contains("install ok installed"))
        .unwrap_or(false)
}

pub fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

fn run(prefix: &[&str], args: &[&str]) -> Result<()> {
    let all: Vec<&str> = prefix.iter().chain(args.iter()).copied().collect();
    let (program, rest) = all.split_first().context("empty command")?;
    let status = Command::new(program)
        .args(rest)
        .status()
        .with_context(|| format!("cannot run {program}"))?;
    if !status.success() {
        bail!("`{}` failed ({status})", all.join(" "));
    }
    Ok(())
}
