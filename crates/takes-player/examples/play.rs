//! `takes play` without the rest of takes (benchmarks, manual checks):
//! `cargo run --release -p takes-player --example play -- FILE [--stats]
//!  [--output auto|kitty|sixel|iterm2|halfblocks|off] [--max-fps N]
//!  [--max-kbps N] [--threshold N] [--no-audio]`

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let mut opts = takes_player::PlayOptions::new(String::new());
    let mut stats = false;
    while let Some(a) = args.next() {
        match a.as_str() {
            "--stats" => stats = true,
            "--no-audio" => opts.audio = false,
            "--output" => {
                opts.output = args
                    .next()
                    .unwrap_or_default()
                    .parse()
                    .map_err(anyhow::Error::msg)?
            }
            "--max-fps" => opts.max_fps = args.next().and_then(|v| v.parse().ok()),
            "--max-kbps" => {
                opts.max_bytes_per_sec = args
                    .next()
                    .and_then(|v| v.parse::<u64>().ok())
                    .map(|k| k * 1000)
            }
            "--threshold" => opts.threshold = args.next().and_then(|v| v.parse().ok()).unwrap_or(3),
            _ => opts.source = a,
        }
    }
    anyhow::ensure!(!opts.source.is_empty(), "usage: play FILE_OR_URL [--stats]");
    let s = takes_player::play_command(opts)?;
    if stats {
        eprintln!("{}", s.to_json_line());
    }
    if let Some(e) = s.error {
        anyhow::bail!(e);
    }
    Ok(())
}
