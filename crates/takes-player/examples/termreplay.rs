//! Benchmark helper: replays a recorded terminal byte stream of half-block
//! video (takes' `▀` or mpv `--vo=tct`'s `▄`), reconstructs the pixel grid
//! after each frame and compares it with the source frames scaled to the
//! same grid (raw rgb24 from ffmpeg). Prints one JSON line.
//!
//! `termreplay STREAM REF.rgb COLS ROWS (reset|cup-up|cup-up0)`
//! Frame boundaries: `reset` = after each `ESC[0m` (ratatui ends every draw
//! with it); `cup-up` = before a cursor move to a row above the last one
//! (mpv's tct redraws top to bottom). Each snapshot is matched with the
//! reference frame of least error at or after the previous match (within 12
//! frames), so dropped frames do not misalign the comparison.

use std::fs;

fn palette(n: u8) -> [u8; 3] {
    const CUBE: [u8; 6] = [0, 95, 135, 175, 215, 255];
    match n {
        16..=231 => {
            let i = n - 16;
            [
                CUBE[(i / 36) as usize],
                CUBE[((i / 6) % 6) as usize],
                CUBE[(i % 6) as usize],
            ]
        }
        232..=255 => [8 + 10 * (n - 232); 3],
        _ => [128; 3],
    }
}

fn main() -> anyhow::Result<()> {
    let a: Vec<String> = std::env::args().collect();
    anyhow::ensure!(
        a.len() == 6,
        "usage: termreplay STREAM REF.rgb COLS ROWS reset|cup-up"
    );
    let stream = fs::read(&a[1])?;
    let reference = fs::read(&a[2])?;
    let cols: usize = a[3].parse()?;
    let rows: usize = a[4].parse()?;
    let by_reset = a[5] == "reset";
    // mpv 0.35's tct writes 0-based cursor positions (`ESC[0;0f`, `ESC[1;0f`,
    // ...), which a real terminal reads as 1-based (rows 0 and 1 collide).
    // `cup-up0` reads them as mpv meant them, so mpv is not penalised for it.
    let zero_based = a[5] == "cup-up0";
    let (w, h) = (cols, rows * 2);
    let frame_len = w * h * 3;
    let nref = reference.len() / frame_len;
    anyhow::ensure!(nref > 0, "empty reference");
    let mut img = vec![0u8; frame_len];
    let (mut cx, mut cy) = (0usize, 0usize);
    let (mut fg, mut bg) = ([255u8; 3], [0u8; 3]);
    let mut last_row = 0usize;
    let mut dirty = false;
    let mut psnrs = Vec::new();
    let mut next_ref = 0usize;
    let snapshot = |img: &[u8], psnrs: &mut Vec<f64>, next_ref: &mut usize| {
        let mut best = (f64::MAX, *next_ref);
        for r in *next_ref..(*next_ref + 12).min(nref) {
            let f = &reference[r * frame_len..(r + 1) * frame_len];
            let mse = img
                .iter()
                .zip(f)
                .map(|(x, y)| (*x as f64 - *y as f64).powi(2))
                .sum::<f64>()
                / frame_len as f64;
            if mse < best.0 {
                best = (mse, r);
            }
        }
        if best.0 < f64::MAX {
            *next_ref = best.1;
            psnrs.push(10.0 * (255.0f64 * 255.0 / best.0.max(1e-3)).log10());
        }
    };
    let mut i = 0;
    while i < stream.len() {
        let b = stream[i];
        if b == 0x1b {
            if stream.get(i + 1) != Some(&b'[') {
                i += 2;
                continue;
            }
            let mut j = i + 2;
            while j < stream.len() && !(0x40..=0x7e).contains(&stream[j]) {
                j += 1;
            }
            let Some(&fin) = stream.get(j) else { break };
            let params = std::str::from_utf8(&stream[i + 2..j]).unwrap_or("");
            if !params.starts_with('?') {
                let nums: Vec<u32> = params.split(';').map(|p| p.parse().unwrap_or(0)).collect();
                match fin {
                    b'H' | b'f' => {
                        let base = if zero_based { 0 } else { 1 };
                        let row = nums.first().copied().unwrap_or(1).max(base) - base;
                        let col = nums.get(1).copied().unwrap_or(1).max(base) - base;
                        let (row, col) = (row as usize, col as usize);
                        if !by_reset && dirty && row < last_row {
                            snapshot(&img, &mut psnrs, &mut next_ref);
                            dirty = false;
                        }
                        last_row = row;
                        cx = col;
                        cy = row;
                    }
                    b'm' => {
                        let mut k = 0;
                        if by_reset && nums == [0] && dirty {
                            snapshot(&img, &mut psnrs, &mut next_ref);
                            dirty = false;
                        }
                        while k < nums.len() {
                            match (nums[k], nums.get(k + 1)) {
                                (38, Some(2)) if k + 4 < nums.len() => {
                                    fg = [nums[k + 2] as u8, nums[k + 3] as u8, nums[k + 4] as u8];
                                    k += 5;
                                }
                                (48, Some(2)) if k + 4 < nums.len() => {
                                    bg = [nums[k + 2] as u8, nums[k + 3] as u8, nums[k + 4] as u8];
                                    k += 5;
                                }
                                (38, Some(5)) if k + 2 < nums.len() => {
                                    fg = palette(nums[k + 2] as u8);
                                    k += 3;
                                }
                                (48, Some(5)) if k + 2 < nums.len() => {
                                    bg = palette(nums[k + 2] as u8);
                                    k += 3;
                                }
                                _ => k += 1,
                            }
                        }
                    }
                    _ => {}
                }
            }
            i = j + 1;
            continue;
        }
        // One printable character (UTF-8).
        let len = match b {
            0..=0x7f => 1,
            0xc0..=0xdf => 2,
            0xe0..=0xef => 3,
            _ => 4,
        };
        let ch = &stream[i..(i + len).min(stream.len())];
        let (top, bottom) = match ch {
            [0xe2, 0x96, 0x80] => (fg, bg),
            [0xe2, 0x96, 0x84] => (bg, fg),
            b" " => (bg, bg),
            _ => {
                i += len;
                continue;
            }
        };
        if cx < cols && cy < rows {
            let t = (2 * cy * w + cx) * 3;
            let u = ((2 * cy + 1) * w + cx) * 3;
            img[t..t + 3].copy_from_slice(&top);
            img[u..u + 3].copy_from_slice(&bottom);
            dirty = true;
        }
        cx += 1;
        i += len;
    }
    if dirty {
        snapshot(&img, &mut psnrs, &mut next_ref);
    }
    let mean = psnrs.iter().sum::<f64>() / psnrs.len().max(1) as f64;
    println!(
        "{{\"frames\":{},\"psnr_mean_db\":{:.2},\"ref_frames\":{},\"bytes\":{}}}",
        psnrs.len(),
        mean,
        nref,
        stream.len()
    );
    Ok(())
}
