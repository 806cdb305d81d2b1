//! `takes`: the reviewer's workstation and its platform server, one binary.

mod cli;

fn main() -> std::process::ExitCode {
    cli::run()
}
