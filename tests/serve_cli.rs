//! `takes serve` as an operator starts it: the real binary, whose start-up
//! errors end up in terminals, CI logs and bug reports, must never print the
//! database password.

use std::process::Command;

/// Each URL carries the password `secret` in a different place; none of the
/// servers they name can be reached or parsed, so every start fails.
const URLS: &[&str] = &[
    // Nothing listens on port 1: the connection is refused.
    "postgres://user:secret@127.0.0.1:1/x",
    // Not a port: the URL itself is refused.
    "postgres://user:secret@127.0.0.1:notaport/x",
    // Not a supported database.
    "mysql://user:secret@127.0.0.1:1/x",
    // An unencoded `@` inside the password.
    "postgres://user:p@secret@127.0.0.1:1/x",
    // The password as a query parameter.
    "postgres://user@127.0.0.1:1/x?password=secret",
];

#[test]
fn start_up_errors_never_print_the_database_password() {
    // In parallel: a refused PostgreSQL connection is retried until the
    // pool's acquire timeout.
    let runs: Vec<_> = URLS
        .iter()
        .map(|url| {
            let url = url.to_string();
            std::thread::spawn(move || {
                let out = Command::new(env!("CARGO_BIN_EXE_takes"))
                    .args(["serve", "--bind", "127.0.0.1:0", "--database", &url])
                    .env_remove("TAKES_DATABASE")
                    .env_remove("TAKES_SERVER_CONFIG")
                    .env("RUST_LOG", "debug")
                    .output()
                    .expect("run takes serve");
                (url, out)
            })
        })
        .collect();
    for run in runs {
        let (url, out) = run.join().expect("thread");
        let stderr = String::from_utf8_lossy(&out.stderr);
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(!out.status.success(), "{url} started?\n{stderr}");
        assert!(
            !stderr.contains("secret") && !stdout.contains("secret"),
            "{url}: the password is printed:\n{stderr}{stdout}"
        );
        // The message still says which database it was.
        assert!(
            stderr.contains("127.0.0.1") && stderr.contains("***"),
            "{url}: the redacted URL is missing:\n{stderr}"
        );
    }
}
