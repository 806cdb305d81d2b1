//! `takes play FILE_OR_URL [--stats]`: one video, full screen, with the
//! workstation's renderer and controls.

use std::process::ExitCode;

use takes_player::{play_command, OutputSetting, PlayOptions};

pub struct PlayArgs {
    pub source: String,
    pub stats: bool,
    pub output: OutputSetting,
    pub max_fps: Option<f64>,
    pub token: Option<String>,
}

pub fn run(args: PlayArgs) -> ExitCode {
    let mut opts = PlayOptions::new(args.source);
    opts.output = args.output;
    opts.max_fps = args.max_fps;
    if let Some(token) = args.token {
        opts.http_headers
            .push(format!("Authorization: Bearer {token}"));
    }
    match play_command(opts) {
        Ok(stats) => {
            if args.stats {
                eprintln!("{}", stats.to_json_line());
            }
            match stats.error {
                Some(e) => {
                    eprintln!("takes play: {e}");
                    ExitCode::FAILURE
                }
                None => ExitCode::SUCCESS,
            }
        }
        Err(e) => {
            eprintln!("takes play: {e:#}");
            ExitCode::FAILURE
        }
    }
}
