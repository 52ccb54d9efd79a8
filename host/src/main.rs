//! The `lgsp` command: parses arguments, sets up logging, runs, and prints the error chain.
//! Every command lives in `lgsp::cli`.

use std::process::ExitCode;

use clap::Parser;
use lgsp::cli::Cli;

/// Logs go to standard error, as JSON lines with `LGSP_LOG_FORMAT=json`, without colours
/// when standard error is not a terminal.
fn init_tracing() {
    use std::io::IsTerminal;
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let json = std::env::var("LGSP_LOG_FORMAT").is_ok_and(|f| f == "json");
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if json {
        builder.json().init();
    } else {
        builder
            .with_ansi(std::io::stderr().is_terminal())
            .with_target(false)
            .init();
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    init_tracing();
    match lgsp::cli::run(cli.command).await {
        Ok(code) => code,
        Err(err) => {
            eprintln!("error: {}", lgsp::cli::error_report(&err));
            ExitCode::FAILURE
        }
    }
}
