//! Uploads are hostile input to ffprobe: a playlist that would make it
//! fetch segments from the network is refused before ffprobe interprets
//! it, nothing connects to the address it names, and ffprobe's own
//! messages (server paths, quoted file contents) never reach the caller.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use reqwest::StatusCode;

use crate::invitations::{no_tweak, Life};
use crate::lifecycle_test;

lifecycle_test!(
    a_playlist_upload_is_refused_without_any_connection,
    no_tweak,
    |l: Life| async move {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let seen = Arc::new(AtomicUsize::new(0));
        let count = seen.clone();
        tokio::spawn(async move {
            while let Ok((_conn, _)) = listener.accept().await {
                count.fetch_add(1, Ordering::SeqCst);
            }
        });
        let inv = l.invite_agreed("Ada Lovelace", "ada@example.org").await;
        let secret = inv["access_secret"].as_str().expect("secret").to_string();
        let q1 = l.questions[0].clone();
        let before = l.media_files();
        for playlist in [
            format!(
                "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:10\n#EXT-X-MEDIA-SEQUENCE:0\n\
                 #EXTINF:10.0,\nhttp://127.0.0.1:{port}/segment0.ts\n#EXT-X-ENDLIST\n"
            ),
            format!(
                "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=100000\nhttp://127.0.0.1:{port}/variant.m3u8\n"
            ),
            format!("ffconcat version 1.0\nfile 'http://127.0.0.1:{port}/part.webm'\n"),
            // Local files a playlist could pull in, on today's defaults.
            "#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXTINF:10.0,\nfile:///etc/passwd\n#EXT-X-ENDLIST\n"
                .to_string(),
        ] {
            let (s, p) = l
                .upload(&secret, &q1, playlist.clone().into_bytes(), None)
                .await;
            assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{playlist}: {p}");
            assert_eq!(p["field"], "body", "{p}");
            let detail = p["detail"].as_str().unwrap_or_default();
            assert!(detail.contains("not a video"), "{detail}");
            // Nothing of ffprobe's: no messages, paths, or quoted input.
            for leak in [
                "Invalid data",
                "whitelist",
                "Protocol",
                "hls",
                "/",
                "127.0.0.1",
                "passwd",
                "segment",
            ] {
                assert!(!detail.contains(leak), "{leak:?} in {detail:?}");
            }
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert_eq!(seen.load(Ordering::SeqCst), 0, "ffprobe connected out");
        assert_eq!(l.media_files(), before, "a refused upload left a file");
    }
);
