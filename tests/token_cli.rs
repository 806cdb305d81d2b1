//! `takes token create|list|revoke` as an operator runs them: the real
//! binary against a real database, on SQLite and PostgreSQL.

mod cli_support;

use std::process::Output;

use cli_support::{fresh_database, takes};

fn ok(out: &Output) -> String {
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

fn list(url: &str) -> serde_json::Value {
    let out = ok(&takes(&["token", "list", "--json", "--database", url]));
    serde_json::from_str(&out).expect("json")
}

async fn create_list_revoke(postgres: bool) {
    let dir = tempfile::tempdir().expect("dir");
    let url = fresh_database(postgres, dir.path(), "tokens.db").await;
    let out = takes(&[
        "token",
        "create",
        "--name",
        "Ci Bot",
        "--role",
        "reviewer",
        "--expires",
        "90d",
        "--database",
        &url,
    ]);
    let token = ok(&out).trim().to_string();
    assert!(token.starts_with("tk_"), "{token}");
    ok(&takes(&[
        "token",
        "create",
        "--name",
        "Ann",
        "--role",
        "admin",
        "--database",
        &url,
    ]));

    let all = list(&url);
    let items = all["items"].as_array().expect("items");
    assert_eq!(items.len(), 2, "{all}");
    let bot = items
        .iter()
        .find(|t| t["user_name"] == "Ci Bot")
        .expect("the bot's token");
    // 90 days from now, to the day.
    let expires = time::OffsetDateTime::parse(
        bot["expires_at"].as_str().expect("expires_at"),
        &time::format_description::well_known::Rfc3339,
    )
    .expect("rfc3339");
    let days = (expires - time::OffsetDateTime::now_utc()).whole_hours();
    assert!((89 * 24..=90 * 24).contains(&days), "{bot}");
    assert!(bot["last_used_at"].is_null());
    assert!(!all.to_string().contains(&token), "never the token itself");
    let only = ok(&takes(&[
        "token",
        "list",
        "--user",
        "Ann",
        "--database",
        &url,
    ]));
    assert!(only.contains("Ann") && !only.contains("Ci Bot"), "{only}");

    let id = bot["id"].as_str().expect("id").to_string();
    let out = ok(&takes(&["token", "revoke", &id, "--database", &url]));
    assert!(out.contains("revoked"), "{out}");
    let after = list(&url);
    let bot = after["items"]
        .as_array()
        .and_then(|a| a.iter().find(|t| t["id"] == id.as_str()).cloned())
        .expect("still listed");
    assert!(bot["revoked_at"].is_string(), "{bot}");
    let table = ok(&takes(&["token", "list", "--database", &url]));
    assert!(table.contains("revoked"), "{table}");

    // Mistakes are named, and change nothing.
    let out = takes(&["token", "revoke", "no-such-id", "--database", &url]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("no-such-id"));
    let out = takes(&[
        "token",
        "create",
        "--name",
        "Bo",
        "--role",
        "reviewer",
        "--expires",
        "90x",
        "--database",
        &url,
    ]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--expires"));
    assert_eq!(list(&url)["items"].as_array().map(Vec::len), Some(2));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn token_create_list_revoke_sqlite() {
    create_list_revoke(false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn token_create_list_revoke_postgres() {
    create_list_revoke(true).await;
}

/// `--email` gives the user the email process files name people by: the
/// first admin of an organisation's own process.
async fn create_with_email(postgres: bool) {
    let dir = tempfile::tempdir().expect("dir");
    let url = fresh_database(postgres, dir.path(), "emails.db").await;
    let create = |email: &str| {
        takes(&[
            "token",
            "create",
            "--name",
            "Ann",
            "--role",
            "admin",
            "--email",
            email,
            "--database",
            &url,
        ])
    };
    let token = ok(&create("Ann@Example.com")).trim().to_string();
    assert!(token.starts_with("tk_"), "{token}");
    // The same again is another token for her; another email is refused.
    ok(&create("ann@example.com"));
    let out = create("someone@example.com");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("ann@example.com"));
    let out = create("not an email");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--email"));
    assert_eq!(list(&url)["items"].as_array().map(Vec::len), Some(2));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn token_create_with_email_sqlite() {
    create_with_email(false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn token_create_with_email_postgres() {
    create_with_email(true).await;
}
