//! `takes`: the reviewer's workstation and its platform server, one binary.

fn main() -> std::process::ExitCode {
    takes::cli::run()
}
