//! `takes audit verify`: walks the platform's audit log hash chain and says
//! whether it is intact, or where it first breaks.

use std::process::ExitCode;

use takes_platform::store::audit::{self, Verdict};

/// Exit status 0: intact; 1: broken (the entry, its position and what
/// differs are printed); 2: the check could not run.
pub async fn verify(database: Option<String>) -> ExitCode {
    match check(database).await {
        Ok(Verdict::Intact { entries, head }) => {
            println!("audit log intact: {entries} entries, head hash {head}");
            ExitCode::SUCCESS
        }
        Ok(Verdict::Broken(link)) => {
            println!(
                "audit log broken at entry {} (position {}): {}",
                link.id, link.position, link.problem
            );
            ExitCode::from(1)
        }
        Err(e) => {
            eprintln!("takes audit verify: {e:#}");
            ExitCode::from(2)
        }
    }
}

async fn check(database: Option<String>) -> anyhow::Result<Verdict> {
    let url = match database {
        Some(url) => url,
        None => takes_platform::db::default_database_url()?,
    };
    // Opening runs pending migrations and chains entries from before the
    // chain existed, as a server start would; entries already chained are
    // never touched, so tampering stays visible.
    let db = takes_platform::Db::connect(&url).await?;
    let verdict = audit::verify(&db.pool).await;
    db.pool.close().await;
    Ok(verdict?)
}
