//! `takes doctor`: what this terminal, this build and the configured server
//! can do, and why.

use std::process::ExitCode;
use std::time::Duration;

use takes_player::{doctor_report, OutputSetting, QUERY_TIMEOUT};

pub async fn run(output: OutputSetting, server: Option<String>) -> ExitCode {
    // Terminal queries block on stdin; keep them off the async runtime.
    let report =
        match tokio::task::spawn_blocking(move || doctor_report(output, QUERY_TIMEOUT)).await {
            Ok(r) => r,
            Err(e) => {
                eprintln!("takes doctor: the terminal check failed: {e}");
                return ExitCode::FAILURE;
            }
        };
    println!("{report}");
    let server = server.unwrap_or_else(|| "http://127.0.0.1:8420".to_string());
    let verdict = check_server(&server).await;
    println!("server       {server}: {verdict}");
    ExitCode::SUCCESS
}

async fn check_server(server: &str) -> String {
    let client = match reqwest::Client::builder()
        .timeout(Duration::from_secs(3))
        .build()
    {
        Ok(c) => c,
        Err(e) => return format!("cannot create an HTTP client ({e})"),
    };
    let url = format!("{}/v1/health", server.trim_end_matches('/'));
    match client.get(&url).send().await {
        Ok(r) if r.status().is_success() => match r.json::<takes_api::Health>().await {
            Ok(h) => format!("answers (takes platform {}, {})", h.version, h.database),
            Err(_) => "answers, but not like a takes platform".to_string(),
        },
        Ok(r) => format!("answers {} on /v1/health", r.status()),
        Err(e) if e.is_timeout() => "no answer within 3 s".to_string(),
        Err(e) if e.is_connect() => "unreachable (connection refused or no route)".to_string(),
        Err(e) => format!("unreachable ({e})"),
    }
}
