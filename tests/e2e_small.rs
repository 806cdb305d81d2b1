//! End-to-end on small and plain terminals (issue 14, point 5): the real
//! binary in tmux playing a demo response at 80x24, with `NO_COLOR=1`, and
//! under a terminal without colour. Colours are read back from tmux's own
//! screen (`capture-pane -e`), cell by cell.

mod common;

use common::{colour_sgrs, Home, Server, Tmux};

/// One cell of a `capture-pane -e` screen: its glyph and whether a
/// foreground or background colour was in force.
#[derive(Debug, Clone)]
struct Cell {
    glyph: char,
    coloured: bool,
}

/// Reads SGR sequences as a terminal would (colour set by 30–38, 40–48,
/// 90–97, 100–107, with 38/48's extended forms; cleared by 0, 39, 49).
fn cells(styled: &str) -> Vec<Vec<Cell>> {
    let (mut fg, mut bg) = (false, false);
    let mut rows = Vec::new();
    for line in styled.lines() {
        let mut row = Vec::new();
        let mut chars = line.chars().peekable();
        while let Some(c) = chars.next() {
            if c != '\u{1b}' {
                row.push(Cell {
                    glyph: c,
                    coloured: fg || bg,
                });
                continue;
            }
            if chars.peek() != Some(&'[') {
                continue;
            }
            chars.next();
            let mut params = String::new();
            let mut fin = None;
            for c in chars.by_ref() {
                if c.is_ascii_digit() || c == ';' || c == ':' {
                    params.push(c);
                } else {
                    fin = Some(c);
                    break;
                }
            }
            if fin != Some('m') {
                continue;
            }
            let ps: Vec<u16> = params
                .split([';', ':'])
                .map(|p| p.parse().unwrap_or(0))
                .collect();
            let mut i = 0;
            while i < ps.len() {
                match ps[i] {
                    0 => (fg, bg) = (false, false),
                    39 => fg = false,
                    49 => bg = false,
                    30..=37 | 90..=97 => fg = true,
                    40..=47 | 100..=107 => bg = true,
                    38 | 48 => {
                        if ps[i] == 38 {
                            fg = true
                        } else {
                            bg = true
                        }
                        i += match ps.get(i + 1) {
                            Some(2) => 4,
                            Some(5) => 2,
                            _ => 0,
                        };
                    }
                    _ => {}
                }
                i += 1;
            }
        }
        rows.push(row);
    }
    rows
}

/// The bounding box of the half-block cells: (x0, y0, x1, y1), inclusive.
fn picture_box(rows: &[Vec<Cell>]) -> Option<(usize, usize, usize, usize)> {
    let mut b: Option<(usize, usize, usize, usize)> = None;
    for (y, r) in rows.iter().enumerate() {
        for (x, c) in r.iter().enumerate() {
            if c.glyph == '▀' {
                b = Some(match b {
                    None => (x, y, x, y),
                    Some((x0, y0, x1, y1)) => (x0.min(x), y0.min(y), x1.max(x), y1.max(y)),
                });
            }
        }
    }
    b
}

fn playing(t: &Tmux) -> String {
    t.wait_queue();
    t.keys(&["Enter"]);
    t.wait("playback under way at 80x24", 25, |s| {
        s.contains("▶") && s.matches('▀').count() > 100
    })
}

#[test]
fn at_80x24_a_picture_plays_and_zoom_fills_the_review_area() {
    let srv = Server::start();
    let token = srv.token_of_role("reviewer");
    let home = Home::new();
    let t = Tmux::signed_in(&home, &srv, &token, 80, 24);
    let s = playing(&t);
    let styled = t.capture_styled();
    let rows = cells(&styled);
    let coloured_blocks = rows
        .iter()
        .flatten()
        .filter(|c| c.glyph == '▀' && c.coloured)
        .count();
    // Before issue 14.5 the pane at 80x24 was its status line: no cell.
    assert!(coloured_blocks > 200, "{coloured_blocks} cells:\n{s}");
    assert!(styled.contains("38;2;"), "truecolor cells");
    assert!(s.contains("Transcript"), "{s}");
    assert!(s.contains("z zooms"), "{s}");
    // The hint bar fits: whole entries, `?` kept.
    let bar = s.lines().nth(23).unwrap_or_default().trim_end().to_string();
    assert!(bar.ends_with("? help"), "{bar}");
    // Zoom: the picture over the whole review area, captions under it.
    t.keys(&["z"]);
    let z = t.wait("zoomed", 10, |s| {
        s.contains("z back") && s.matches('▀').count() > 2 * coloured_blocks
    });
    assert!(!z.contains("Transcript ("), "{z}");
    // A rating key while zoomed is taken (the muted pass's rating).
    t.keys(&["2"]);
    t.wait_for("Muted rating 2 saved", 10);
    assert!(t.capture().contains("z back"), "still zoomed");
    t.keys(&["z"]);
    t.wait("back from zoom", 10, |s| s.contains("Transcript ("));
    t.keys(&["q"]);
    t.wait_queue();
    t.keys(&["q"]);
    t.assert_exits_cleanly(5);
}

#[test]
fn no_color_keeps_the_pictures_colours_and_drops_the_rest() {
    let srv = Server::start();
    let token = srv.token_of_role("reviewer");
    let home = Home::new();
    let t = Tmux::start(
        &home,
        &["--server", &srv.url, "--token", &token],
        &[("NO_COLOR", "1")],
        80,
        24,
    );
    let s = playing(&t);
    // The picture keeps moving; compare one capture with itself.
    let styled = t.capture_styled();
    let rows = cells(&styled);
    let (x0, y0, x1, y1) = picture_box(&rows).expect("a picture");
    let mut inside = 0;
    for (y, r) in rows.iter().enumerate() {
        for (x, c) in r.iter().enumerate() {
            let within = (x0..=x1).contains(&x) && (y0..=y1).contains(&y);
            if within {
                inside += usize::from(c.coloured);
            } else {
                assert!(
                    !c.coloured,
                    "colour outside the picture at {x},{y} ({:?}):\n{s}",
                    c.glyph
                );
            }
        }
    }
    assert!(inside > 200, "{inside} coloured picture cells:\n{styled}");
    t.keys(&["q"]);
    t.wait_queue();
    t.keys(&["q"]);
    t.assert_exits_cleanly(5);
}

#[test]
fn a_terminal_without_colour_says_video_needs_colour() {
    let srv = Server::start();
    let token = srv.token_of_role("reviewer");
    let home = Home::new();
    let t = Tmux::start(
        &home,
        &["--server", &srv.url, "--token", &token],
        &[("TERM", "xterm-mono"), ("COLORTERM", "")],
        80,
        24,
    );
    t.wait_queue();
    t.keys(&["Enter"]);
    t.wait("the review screen", 20, |s| {
        s.contains("Video needs colour")
    });
    // The transcript takes the pane's room; no meaningless glyphs.
    let s = t.wait("the transcript", 10, |s| {
        s.contains("0:00") && s.contains("Transcript")
    });
    assert!(!s.contains('▀'), "{s}");
    let styled = t.capture_styled();
    assert_eq!(colour_sgrs(&styled), Vec::<String>::new(), "{styled}");
    // Zoomed, the pane says it in words.
    t.keys(&["z"]);
    let z = t.wait("zoomed", 10, |s| s.contains("z back"));
    assert!(z.contains("Video needs colour"), "{z}");
    assert!(!z.contains('▀'), "{z}");
    t.keys(&["q"]);
    t.wait_queue();
    t.keys(&["q"]);
    t.assert_exits_cleanly(5);
}

/// `takes play` has no interface colours of its own: under `NO_COLOR` the
/// picture keeps its colours there too.
#[test]
fn takes_play_keeps_the_pictures_colours_under_no_color() {
    let clip = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("crates/takes-platform/demo/clips/c01-q1.webm")
        .display()
        .to_string();
    let home = Home::new();
    let t = Tmux::start(&home, &["play", &clip], &[("NO_COLOR", "1")], 80, 24);
    t.wait("the picture", 20, |s| s.matches('▀').count() > 300);
    let styled = t.capture_styled();
    let coloured = cells(&styled)
        .iter()
        .flatten()
        .filter(|c| c.glyph == '▀' && c.coloured)
        .count();
    assert!(coloured > 300, "{coloured} coloured cells:\n{styled}");
    t.keys(&["q"]);
}
