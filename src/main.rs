//! The `flowc` binary: everything lives in the library.
fn main() -> std::process::ExitCode {
    std::process::ExitCode::from(flowc::run_cli())
}
