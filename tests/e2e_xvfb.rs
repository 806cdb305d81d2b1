//! End-to-end in real terminals, not tmux (issue 14, point 6): Debian's
//! `kitty` and `xterm -ti vt340` under `Xvfb`, each running the real
//! `takes` against a real platform (in-process, demo data). The test opens
//! a review, takes screenshots of the X screen (`import -window root`) and
//! checks that the video pane holds a picture in the served clip's colours:
//! before issue 14.6 kitty 0.26.5 showed a grid of boxes there (it was sent
//! Unicode placeholders, which it draws only from 0.28).
//!
//! Screenshots are kept in `target/tmp/e2e-xvfb/`. The tests skip (saying
//! why) only when Xvfb cannot start; `cargo xtask test` installs the
//! packages (`xvfb kitty xterm imagemagick xdotool libgl1-mesa-dri`).

mod common;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::{Home, Server, BIN};

const SCREEN: (usize, usize) = (1280, 800);

/// An X server of our own; `None` when it cannot start.
struct Xvfb {
    child: Child,
    display: String,
}

impl Xvfb {
    fn start() -> Result<Xvfb, String> {
        // -displayfd: Xvfb picks a free display and prints its number.
        let mut child = Command::new("Xvfb")
            .args(["-displayfd", "1", "-nolisten", "tcp", "-screen", "0"])
            .arg(format!("{}x{}x24", SCREEN.0, SCREEN.1))
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("Xvfb cannot start: {e}"))?;
        let out = child.stdout.take().ok_or("no Xvfb stdout")?;
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut line = String::new();
            let _ = BufReader::new(out).read_line(&mut line);
            let _ = tx.send(line);
        });
        match rx.recv_timeout(Duration::from_secs(10)) {
            Ok(n) if n.trim().parse::<u32>().is_ok() => Ok(Xvfb {
                child,
                display: format!(":{}", n.trim()),
            }),
            other => {
                let _ = child.kill();
                let _ = child.wait();
                Err(format!("Xvfb did not report a display ({other:?})"))
            }
        }
    }
}

impl Drop for Xvfb {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A terminal window with `takes` in it; killed on drop.
struct Terminal(Child);

impl Drop for Terminal {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn artifacts() -> PathBuf {
    let d = Path::new(env!("CARGO_TARGET_TMPDIR")).join("e2e-xvfb");
    std::fs::create_dir_all(&d).expect("artifact dir");
    d
}

/// The screen as RGB bytes, saved as `png` too.
fn screenshot(display: &str, png: &Path) -> Vec<u8> {
    let st = Command::new("import")
        .args(["-display", display, "-window", "root"])
        .arg(png)
        .status()
        .expect("imagemagick's import must be installed");
    assert!(st.success(), "import failed");
    let out = Command::new("convert")
        .arg(png)
        .args(["-depth", "8", "rgb:-"])
        .output()
        .expect("convert");
    assert_eq!(out.stdout.len(), SCREEN.0 * SCREEN.1 * 3, "screenshot size");
    out.stdout
}

/// The most common colour of the served clip's frame at 2 s (its
/// background), read with ffmpeg over HTTP as libmpv reads it.
fn clip_colour(srv: &Server, token: &str) -> [u8; 3] {
    let q = srv.get_json(token, "/v1/queue?limit=50");
    let first = q["items"]
        .as_array()
        .and_then(|a| a.iter().find(|i| i["status"] != "submitted").cloned())
        .expect("an open assignment");
    let id = first["id"].as_str().expect("id");
    let detail = srv.get_json(token, &format!("/v1/assignments/{id}"));
    let media = detail["questions"][0]["response"]["media_url"]
        .as_str()
        .expect("media_url");
    let url = if media.starts_with('/') {
        format!("{}{media}", srv.url)
    } else {
        media.to_string()
    };
    let out = Command::new("ffmpeg")
        .args(["-v", "error", "-headers"])
        .arg(format!("Authorization: Bearer {token}\r\n"))
        .args(["-ss", "2", "-i", &url, "-frames:v", "1"])
        .args(["-f", "rawvideo", "-pix_fmt", "rgb24", "-"])
        .output()
        .expect("ffmpeg");
    assert!(!out.stdout.is_empty(), "ffmpeg read no frame from {url}");
    let mut counts = std::collections::HashMap::<[u8; 3], usize>::new();
    for p in out.stdout.chunks_exact(3) {
        // Quantized, so the codec's noise does not split the background.
        *counts.entry([p[0] & !7, p[1] & !7, p[2] & !7]).or_default() += 1;
    }
    let (c, _) = counts.into_iter().max_by_key(|(_, n)| *n).expect("pixels");
    [c[0] + 4, c[1] + 4, c[2] + 4]
}

/// Solid 16x16 blocks of the clip's colour: a picture has many side by
/// side; text (anti-aliased glyphs), a grid of boxes or an empty pane none.
#[derive(Debug)]
struct Picture {
    blocks: usize,
    /// Bounding box of the solid blocks, in pixels.
    bbox: (usize, usize, usize, usize),
}

const BLOCK: usize = 16;

fn find_picture(rgb: &[u8], colour: [u8; 3]) -> Picture {
    let near = |x: usize, y: usize| {
        let i = (y * SCREEN.0 + x) * 3;
        rgb[i..i + 3]
            .iter()
            .zip(colour)
            .all(|(a, b)| (i16::from(*a) - i16::from(b)).abs() <= 20)
    };
    let (mut n, mut x0, mut y0, mut x1, mut y1) = (0, usize::MAX, usize::MAX, 0, 0);
    for by in 0..SCREEN.1 / BLOCK {
        for bx in 0..SCREEN.0 / BLOCK {
            let hits = (0..BLOCK * BLOCK)
                .filter(|k| near(bx * BLOCK + k % BLOCK, by * BLOCK + k / BLOCK))
                .count();
            if hits * 10 >= BLOCK * BLOCK * 9 {
                n += 1;
                let (x, y) = (bx * BLOCK, by * BLOCK);
                (x0, y0, x1, y1) = (x0.min(x), y0.min(y), x1.max(x + BLOCK), y1.max(y + BLOCK));
            }
        }
    }
    Picture {
        blocks: n,
        bbox: (x0, y0, x1, y1),
    }
}

/// The video pane at these sizes is several hundred pixels each way.
fn is_picture(p: &Picture) -> bool {
    p.blocks >= 80
}

/// Runs `takes doctor` (report to a file) and then the workstation in the
/// terminal `argv`, opens the first review with Enter and returns the
/// doctor's report and the picture found, after saving screenshots.
fn review_in(name: &str, argv: &[&str], env: &[(&str, &str)]) -> Option<(String, Picture)> {
    let x = match Xvfb::start() {
        Ok(x) => x,
        Err(why) => {
            eprintln!("SKIPPED: {why}");
            return None;
        }
    };
    let srv = Server::start();
    let token = srv.token_of_role("reviewer");
    let colour = clip_colour(&srv, &token);
    let home = Home::new();
    let dir = artifacts();
    let doctor = home.dir.path().join("doctor.txt");
    let mut script =
        String::from("unset TAKES_TOKEN TAKES_SERVER TAKES_CONFIG TAKES_GRAPHICS NO_COLOR TMUX\n");
    for (k, v) in home.env() {
        script.push_str(&format!("export {k}='{v}'\n"));
    }
    script.push_str(&format!(
        "TAKES_SERVER=http://127.0.0.1:9 '{BIN}' doctor > '{}' 2>&1\n",
        doctor.display()
    ));
    script.push_str(&format!(
        "exec '{BIN}' --server '{}' --token '{token}' 2> '{}'\n",
        srv.url,
        home.dir.path().join("takes.err").display()
    ));
    let script_path = home.dir.path().join("run.sh");
    std::fs::write(&script_path, script).expect("script");
    let mut cmd = Command::new(argv[0]);
    cmd.args(&argv[1..])
        .arg("/bin/sh")
        .arg(&script_path)
        .env("DISPLAY", &x.display)
        .env_remove("TMUX")
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let _term = Terminal(cmd.spawn().unwrap_or_else(|e| panic!("{name}: {e}")));
    let start = Instant::now();
    // Doctor done and something drawn. Not more: xterm's own background is
    // white and the 16-colour theme paints black, so how much of the
    // screen is lit says nothing about who drew it. The review step below
    // presses Enter again until the picture shows, which is the real check.
    let painted = |rgb: &[u8]| {
        rgb.chunks_exact(3)
            .filter(|p| p.iter().any(|c| *c > 12))
            .count()
    };
    let shot = dir.join(format!("{name}-queue.png"));
    loop {
        let ready =
            doctor.exists() && std::fs::read_to_string(&doctor).is_ok_and(|d| d.contains("server"));
        if ready && painted(&screenshot(&x.display, &shot)) > SCREEN.0 * SCREEN.1 / 200 {
            break;
        }
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "{name}: the workstation did not paint in 30 s (see {})",
            shot.display()
        );
        std::thread::sleep(Duration::from_millis(500));
    }
    // The queue's first page arrives from a local server: give it a moment.
    std::thread::sleep(Duration::from_secs(2));
    let xdo = |args: &[&str]| {
        Command::new("xdotool")
            .args(args)
            .env("DISPLAY", &x.display)
            .status()
            .expect("xdotool must be installed")
    };
    // No window manager: focus follows the pointer.
    xdo(&["mousemove", "400", "300"]);
    xdo(&["key", "Return"]);
    let shot = dir.join(format!("{name}-review.png"));
    let mut best = None;
    let mut pressed = Instant::now();
    while start.elapsed() < Duration::from_secs(45) {
        std::thread::sleep(Duration::from_millis(700));
        // On a loaded machine the queue may have come after the key; in the
        // review Enter only plays from the selected cue, so pressing again
        // is harmless.
        if pressed.elapsed() > Duration::from_secs(6) {
            xdo(&["key", "Return"]);
            pressed = Instant::now();
        }
        let p = find_picture(&screenshot(&x.display, &shot), colour);
        let good = is_picture(&p);
        best = Some(p);
        if good {
            break;
        }
    }
    xdo(&["key", "q"]);
    let report = std::fs::read_to_string(&doctor).unwrap_or_default();
    eprintln!(
        "{name}: clip colour {colour:?}, {best:?}, screenshot {}\n{report}",
        shot.display()
    );
    Some((report, best.expect("one screenshot")))
}

fn assert_picture(name: &str, p: &Picture) {
    assert!(
        is_picture(p),
        "{name}: no picture in the clip's colours: {p:?}"
    );
    // In the left column, where the review screen puts the video pane.
    assert!(p.bbox.2 <= SCREEN.0 * 6 / 10, "{name}: {p:?}");
}

#[test]
fn kitty_0_26_shows_the_picture_not_a_grid_of_boxes() {
    let Some((report, p)) = review_in(
        "kitty",
        &[
            "kitty",
            "--config",
            "NONE",
            "-o",
            "initial_window_width=1200",
            "-o",
            "initial_window_height=760",
            "-o",
            "remember_window_size=no",
        ],
        &[("LIBGL_ALWAYS_SOFTWARE", "1")],
    ) else {
        return;
    };
    let line = |key: &str| {
        report
            .lines()
            .find(|l| l.starts_with(key))
            .unwrap_or_default()
            .to_string()
    };
    assert!(
        line("terminal:").starts_with("terminal:    kitty "),
        "{report}"
    );
    // Debian 12 has kitty 0.26: half-blocks, because no placeholders;
    // a kitty from 0.28 on keeps its own protocol.
    let version: Vec<u32> = line("terminal:")
        .trim_start_matches("terminal:    kitty ")
        .split([' ', '.'])
        .map_while(|n| n.parse().ok())
        .collect();
    if version.as_slice() < [0, 28].as_slice() {
        assert!(
            line("video:").starts_with("video:       halfblocks (kitty 0.2"),
            "{report}"
        );
    } else {
        assert!(line("video:").starts_with("video:       kitty"), "{report}");
    }
    assert_picture("kitty", &p);
}

#[test]
fn xterm_vt340_shows_the_picture_in_sixel() {
    let Some((report, p)) = review_in(
        "xterm",
        &["xterm", "-ti", "vt340", "-geometry", "160x50+0+0", "-e"],
        &[],
    ) else {
        return;
    };
    assert!(report.contains("terminal:    XTerm "), "{report}");
    assert!(report.contains("video:       sixel (XTerm "), "{report}");
    assert_picture("xterm", &p);
}
