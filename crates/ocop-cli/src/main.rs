//! The `ocop` command.

use std::process::ExitCode;

fn main() -> ExitCode {
    ocop_cli::run_with(std::env::args_os())
}
