//! `takes irr FILE.csv [--json] [--wide]`: inter-rater reliability of a
//! ratings file, through `takes-irr`.

use std::path::Path;
use std::process::ExitCode;

/// Exit code for a file that cannot be read as ratings (the contract).
const BAD_INPUT: u8 = 2;

pub fn run(file: &Path, json: bool, wide: bool) -> ExitCode {
    let reader = match std::fs::File::open(file) {
        Ok(f) => std::io::BufReader::new(f),
        Err(e) => {
            eprintln!("takes irr: cannot open {}: {e}", file.display());
            return ExitCode::from(BAD_INPUT);
        }
    };
    let ratings = if wide {
        takes_irr::read_wide(reader)
    } else {
        takes_irr::read_long(reader)
    };
    let ratings = match ratings {
        Ok(r) => r,
        Err(e) => {
            eprintln!("takes irr: {}: {e}", file.display());
            return ExitCode::from(BAD_INPUT);
        }
    };
    let report = takes_irr::report(&ratings);
    if json {
        match serde_json::to_string(&report) {
            Ok(s) => println!("{s}"),
            Err(e) => {
                eprintln!("takes irr: cannot encode the report: {e}");
                return ExitCode::FAILURE;
            }
        }
    } else {
        print!("{}", report.to_table());
    }
    ExitCode::SUCCESS
}
