use super::*;
use proptest::prelude::*;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use std::collections::HashMap;

/// What a terminal holds in a cell after the bytes: symbol, SGR state.
#[derive(Debug, Clone, PartialEq, Default)]
struct Shown {
    sym: String,
    fg: Vec<u16>,
    bg: Vec<u16>,
    attrs: [bool; 10],
}

/// A small terminal: cursor moves, SGR and text, as xterm reads them.
fn screen(bytes: &str) -> HashMap<(u16, u16), Shown> {
    let mut cells = HashMap::new();
    let (mut x, mut y) = (0u16, 0u16);
    let mut pen = Shown::default();
    let mut rest = bytes;
    while !rest.is_empty() {
        if let Some(r) = rest.strip_prefix("\x1b[") {
            let end = r
                .find(|c: char| c.is_ascii_alphabetic())
                .expect("a final byte");
            let (params, fin) = (&r[..end], &r[end..end + 1]);
            rest = &r[end + 1..];
            if params.starts_with('?') {
                continue;
            }
            let p: Vec<u16> = params.split(';').map(|s| s.parse().unwrap_or(0)).collect();
            match fin {
                "X" => {
                    let erased = Shown {
                        sym: " ".into(),
                        bg: pen.bg.clone(),
                        ..Shown::default()
                    };
                    for k in 0..p[0] {
                        cells.insert((x + k, y), erased.clone());
                    }
                }
                "C" => x += p[0],
                "H" => {
                    y = p[0] - 1;
                    x = p.get(1).copied().unwrap_or(1) - 1;
                }
                "m" => {
                    let mut i = 0;
                    while i < p.len() {
                        match p[i] {
                            0 => pen = Shown::default(),
                            n @ 1..=9 => pen.attrs[n as usize] = true,
                            22 => {
                                pen.attrs[1] = false;
                                pen.attrs[2] = false;
                            }
                            25 => {
                                pen.attrs[5] = false;
                                pen.attrs[6] = false;
                            }
                            n @ (23 | 24 | 27 | 28 | 29) => pen.attrs[n as usize - 20] = false,
                            39 => pen.fg.clear(),
                            49 => pen.bg.clear(),
                            59 => {}
                            n @ (38 | 48) => {
                                let len = if p[i + 1] == 5 { 2 } else { 4 };
                                let c = p[i + 1..=i + len].to_vec();
                                if n == 38 {
                                    pen.fg = c;
                                } else {
                                    pen.bg = c;
                                }
                                i += len;
                            }
                            n => panic!("unexpected SGR {n}"),
                        }
                        i += 1;
                    }
                }
                f => panic!("unexpected CSI {f}"),
            }
            continue;
        }
        let ch = rest.chars().next().expect("a char");
        rest = &rest[ch.len_utf8()..];
        cells.insert(
            (x, y),
            Shown {
                sym: ch.to_string(),
                ..pen.clone()
            },
        );
        x += 1;
    }
    assert_eq!(pen, Shown::default(), "the draw leaves the pen reset");
    cells
}

fn crossterm_bytes(buf: &Buffer) -> String {
    let mut out = Vec::new();
    {
        let mut b = CrosstermBackend::new(&mut out);
        Backend::draw(
            &mut b,
            buf.content.iter().enumerate().map(|(i, c)| {
                let (x, y) = buf.pos_of(i);
                (x, y, c)
            }),
        )
        .expect("draw");
    }
    String::from_utf8(out).expect("utf-8")
}

fn lean_bytes(buf: &Buffer, coarse: bool) -> String {
    encode(
        buf.content.iter().enumerate().map(|(i, c)| {
            let (x, y) = buf.pos_of(i);
            (x, y, c)
        }),
        coarse,
    )
}

fn colour() -> impl Strategy<Value = Color> {
    prop_oneof![
        Just(Color::Reset),
        Just(Color::Red),
        Just(Color::DarkGray),
        Just(Color::White),
        any::<u8>().prop_map(Color::Indexed),
        (any::<u8>(), any::<u8>(), any::<u8>()).prop_map(|(r, g, b)| Color::Rgb(r, g, b)),
    ]
}

fn cell() -> impl Strategy<Value = (char, Color, Color, u16)> {
    (
        prop_oneof![Just('a'), Just('▀'), Just(' '), Just('│')],
        colour(),
        colour(),
        // Without RAPID_BLINK: crossterm drops a kept slow blink when a
        // rapid one goes, which no screen of ours uses.
        (0u16..(1 << 9)).prop_map(|m| m & !Modifier::RAPID_BLINK.bits()),
    )
}

fn buffer(cells: &[(char, Color, Color, u16)], w: u16) -> Buffer {
    let h = (cells.len() as u16).div_ceil(w).max(1);
    let mut buf = Buffer::empty(Rect::new(0, 0, w, h));
    for (i, (ch, fg, bg, m)) in cells.iter().enumerate() {
        let (x, y) = ((i as u16) % w, (i as u16) / w);
        buf[(x, y)].set_char(*ch).set_style(
            Style::default()
                .fg(*fg)
                .bg(*bg)
                .add_modifier(Modifier::from_bits_truncate(*m)),
        );
    }
    buf
}

proptest! {
    /// The lean bytes put the very same cells on screen as crossterm's,
    /// and never take more bytes.
    #[test]
    fn lean_draws_what_crossterm_draws_in_fewer_bytes(
        cells in proptest::collection::vec(cell(), 1..120),
        w in 1u16..20,
    ) {
        let buf = buffer(&cells, w);
        let (ct, lean) = (crossterm_bytes(&buf), lean_bytes(&buf, false));
        prop_assert_eq!(screen(&lean), screen(&ct));
        prop_assert!(lean.len() <= ct.len(), "{} > {}", lean.len(), ct.len());
    }

    /// Coarse draws hold no truecolour, and look the same: every symbol,
    /// every background (in the palette), and the foreground and
    /// attributes wherever they can show.
    #[test]
    fn coarse_draws_look_the_same_in_palette_colours(
        cells in proptest::collection::vec(cell(), 1..120),
        w in 1u16..40,
    ) {
        let buf = buffer(&cells, w);
        let coarse = lean_bytes(&buf, true);
        let (a, b) = (screen(&coarse), screen(&lean_bytes(&buf, false)));
        prop_assert!(
            a.values().all(|c| c.fg.first() != Some(&2) && c.bg.first() != Some(&2)),
            "truecolour in {:?}", coarse
        );
        prop_assert_eq!(a.len(), b.len());
        let pal = |c: &Vec<u16>| match c.as_slice() {
            [2, r, g, b] => vec![5, u16::from(to_256(*r as u8, *g as u8, *b as u8))],
            other => other.to_vec(),
        };
        for (k, v) in a {
            let want = &b[&k];
            prop_assert_eq!(&v.sym, &want.sym);
            prop_assert_eq!(&v.bg, &pal(&want.bg));
            let shows = |s: &Shown| s.attrs[4] || s.attrs[7] || s.attrs[9];
            if v.sym != " " || shows(want) || shows(&v) {
                prop_assert_eq!(v.attrs, want.attrs);
                prop_assert_eq!(&v.fg, &pal(&want.fg));
            }
        }
    }
}

#[test]
fn a_long_blank_is_erased_not_printed() {
    let mut buf = Buffer::empty(Rect::new(0, 0, 30, 1));
    let s = Style::default()
        .bg(Color::Rgb(0, 0, 0))
        .fg(Color::Rgb(9, 9, 9));
    for x in 0..30 {
        buf[(x, 0)]
            .set_char(if x == 29 { 'z' } else { ' ' })
            .set_style(s);
    }
    assert_eq!(
        lean_bytes(&buf, true),
        "\x1b[1;1H\x1b[48;5;16m\x1b[29X\x1b[29C\x1b[38;5;232mz\x1b[0m"
    );
}

#[test]
fn the_palette_keeps_primaries_and_greys() {
    assert_eq!(to_256(255, 0, 0), 196);
    assert_eq!(to_256(0, 0, 0), 16);
    assert_eq!(to_256(255, 255, 255), 231);
    assert_eq!(to_256(128, 128, 128), 244);
    assert_eq!(to_256(0, 95, 135), 24);
    assert_eq!(shade(Color::Rgb(255, 0, 0), false), Color::Rgb(255, 0, 0));
    assert_eq!(shade(Color::Red, true), Color::Red);
}

#[test]
fn a_colour_change_sends_only_what_changed() {
    let mut buf = Buffer::empty(Rect::new(0, 0, 3, 1));
    let s = Style::default()
        .fg(Color::Rgb(1, 2, 3))
        .bg(Color::Rgb(9, 9, 9));
    buf[(0, 0)].set_char('a').set_style(s);
    buf[(1, 0)]
        .set_char('b')
        .set_style(s.fg(Color::Rgb(4, 5, 6)));
    buf[(2, 0)]
        .set_char('c')
        .set_style(s.fg(Color::Rgb(4, 5, 6)));
    assert_eq!(
        lean_bytes(&buf, false),
        "\x1b[1;1H\x1b[38;2;1;2;3;48;2;9;9;9ma\x1b[38;2;4;5;6mbc\x1b[0m"
    );
}

#[test]
fn the_cursor_position_is_remembered_not_asked() {
    let mut b = LeanBackend::new(Vec::new());
    assert_eq!(b.get_cursor_position().expect("known"), Position::ORIGIN);
    b.set_cursor_position(Position::new(3, 4)).expect("set");
    assert_eq!(b.get_cursor_position().expect("known"), Position::new(3, 4));
}
