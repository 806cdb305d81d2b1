//! Time to first frame when the review screen opens a response, streamed by
//! libmpv over HTTP from a local platform (demo data, real clips), cold and
//! prefetched, side by side in one run. Run with `cargo xtask bench player`
//! (or `cargo bench --bench first_frame`); figures go to docs/BENCHMARKS.md.
//!
//! "First frame" is from `Player::load` to the first decoded frame of that
//! file in the frame mailbox, rendered at a 120x30-cell half-block pane
//! (120x60 pixels), what the review screen draws on a 200x50 terminal.

use std::sync::mpsc;
use std::time::{Duration, Instant};

use takes_platform::{Clock, StorageOptions};
use takes_player::{Player, PlayerConfig, PlayerEvent};

const ROUNDS: usize = 20;

fn main() -> anyhow::Result<()> {
    let rt = tokio::runtime::Runtime::new()?;
    let dir = tempfile::tempdir()?;
    let (server, token, urls) = rt.block_on(async {
        let state = StorageOptions {
            database_url: Some(takes_platform::db::sqlite_url(
                &dir.path().join("db.sqlite"),
            )),
            media_dir: Some(dir.path().join("media")),
        }
        .open(Clock::System)
        .await?;
        let report = takes_platform::seed::demo::load(&state).await?;
        let token = report
            .users
            .iter()
            .find(|u| u.role == "reviewer")
            .map(|u| u.token.clone())
            .ok_or_else(|| anyhow::anyhow!("no reviewer in the demo data"))?;
        let server = takes_platform::start(state, "127.0.0.1:0".parse()?).await?;
        let base = server.base_url();
        let http = reqwest::Client::new();
        let queue: serde_json::Value = http
            .get(format!("{base}/v1/queue?limit=50&status=pending"))
            .bearer_auth(&token)
            .send()
            .await?
            .json()
            .await?;
        let mut urls = Vec::new();
        for item in queue["items"].as_array().into_iter().flatten() {
            let id = item["id"].as_str().unwrap_or_default();
            let d: serde_json::Value = http
                .get(format!("{base}/v1/assignments/{id}"))
                .bearer_auth(&token)
                .send()
                .await?
                .json()
                .await?;
            for q in d["questions"].as_array().into_iter().flatten() {
                if let Some(u) = q["response"]["media_url"].as_str() {
                    urls.push(format!("{base}{u}"));
                }
            }
        }
        anyhow::Ok((server, token, urls))
    })?;
    anyhow::ensure!(urls.len() >= 2, "the demo queue has no responses");

    let (tx, rx) = mpsc::channel();
    let config = PlayerConfig {
        audio: false,
        ..PlayerConfig::default()
    }
    .with_bearer(&token);
    let player = Player::start(config, move |ev| {
        let _ = tx.send(ev);
    })?;
    player.set_render_size(120, 60);

    let first_frame = |player: &Player, url: &str| -> anyhow::Result<Duration> {
        while rx.try_recv().is_ok() {}
        let _ = player.latest_frame();
        let t0 = Instant::now();
        player.load(url);
        let mut loaded = false;
        loop {
            match rx.recv_timeout(Duration::from_secs(10)) {
                Ok(PlayerEvent::Loaded) => loaded = true,
                Ok(PlayerEvent::Frame) if loaded => return Ok(t0.elapsed()),
                // Frames of the previous file: re-arm the notification.
                Ok(PlayerEvent::Frame) => {
                    let _ = player.latest_frame();
                }
                Ok(PlayerEvent::Error(e)) => anyhow::bail!("{url}: {e}"),
                Ok(_) => {}
                Err(_) => anyhow::bail!("{url}: no frame within 10 s"),
            }
        }
    };

    let mut cold = Vec::new();
    let mut warm = Vec::new();
    for round in 0..ROUNDS {
        let a = &urls[(2 * round) % urls.len()];
        let b = &urls[(2 * round + 1) % urls.len()];
        cold.push(first_frame(&player, a)?);
        // The reviewer watches `a` while `b` is opened in the background.
        player.prefetch(b);
        std::thread::sleep(Duration::from_millis(1500));
        warm.push(first_frame(&player, b)?);
    }
    drop(player);
    rt.block_on(server.stop())?;

    let report = |name: &str, v: &mut Vec<Duration>| {
        v.sort();
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        println!(
            "{name:<34} n={:<3} median {:>6.1} ms   p90 {:>6.1} ms   min {:>6.1} ms   max {:>6.1} ms",
            v.len(),
            ms(v[v.len() / 2]),
            ms(v[v.len() * 9 / 10]),
            ms(v[0]),
            ms(v[v.len() - 1]),
        );
    };
    println!(
        "time to first frame, {} demo responses over HTTP from a local platform:",
        urls.len()
    );
    report("opened cold (not prefetched)", &mut cold);
    report("opened after prefetch", &mut warm);
    Ok(())
}
