//! The `lgsp` command: parses arguments, sets up logging, runs, and prints the error chain.

use std::path::PathBuf;

use anyhow::Context;
use clap::{Parser, Subcommand};
use sha2::{Digest, Sha256};

/// LGSP, the Local Government Service Platform hub.
#[derive(Parser)]
#[command(version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Runs the hub.
    Serve {
        /// The configuration file.
        #[arg(long, env = "LGSP_CONFIG")]
        config: PathBuf,
    },
    /// Checks a configuration file and prints what it declares, without starting anything.
    CheckConfig {
        /// The configuration file.
        #[arg(long, env = "LGSP_CONFIG")]
        config: PathBuf,
    },
    /// Makes a new random API key or operator token and prints it with its SHA-256 for the
    /// configuration file. The key is shown once; only the hash belongs in the config.
    NewKey,
    /// Prints the SHA-256 of a key read from standard input, for the configuration file.
    HashKey,
    /// Works with adapters.
    #[command(subcommand)]
    Adapter(AdapterCommand),
}

#[derive(Subcommand)]
enum AdapterCommand {
    /// Builds a Rust adapter crate into a component that imports only the contract.
    Build {
        /// The adapter crate's folder.
        #[arg(default_value = ".")]
        dir: PathBuf,
        /// Where to write `<name>.wasm`.
        #[arg(long, default_value = "target/adapters")]
        out: PathBuf,
        /// The cargo target directory for the Wasm build.
        #[arg(long, env = "LGSP_ADAPTER_TARGET_DIR", default_value = "target/wasm")]
        target_dir: PathBuf,
    },
}

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
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    init_tracing();
    match cli.command {
        Command::Serve { config } => serve(config).await,
        Command::CheckConfig { config: path } => {
            let config = lgsp::config::Config::load(&path)?;
            let loaded = lgsp::Hub::check(&config)
                .await
                .with_context(|| format!("{path:?} does not start a hub"))?;
            println!("listen: {}", config.listen);
            println!("data_dir: {}", config.data_dir.display());
            println!(
                "standards: {}",
                config
                    .standards
                    .keys()
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(", ")
            );
            for adapter in loaded.adapters() {
                println!(
                    "adapter: {} runs {} ({})",
                    adapter.agency(),
                    adapter.label(),
                    adapter.sha256()
                );
            }
            println!(
                "services: {}",
                config
                    .services
                    .keys()
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(", ")
            );
            println!("clients: {}", config.clients.len());
            println!("operators: {}", config.operators.len());
            println!("ok: every schema, catalogue and adapter loads");
            Ok(())
        }
        Command::NewKey => {
            let key = format!(
                "lgsp_{}{}",
                uuid::Uuid::new_v4().simple(),
                uuid::Uuid::new_v4().simple()
            );
            println!("key:    {key}");
            println!("sha256: {}", hex::encode(Sha256::digest(key.as_bytes())));
            Ok(())
        }
        Command::HashKey => {
            let mut key = String::new();
            std::io::stdin()
                .read_line(&mut key)
                .context("failed to read the key from standard input")?;
            println!("{}", hex::encode(Sha256::digest(key.trim().as_bytes())));
            Ok(())
        }
        Command::Adapter(AdapterCommand::Build {
            dir,
            out,
            target_dir,
        }) => {
            let path = lgsp_adapter_build::build_adapter(&dir, &target_dir, &out)
                .with_context(|| format!("failed to build the adapter in {dir:?}"))?;
            let size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
            println!("built {} ({size} bytes)", path.display());
            Ok(())
        }
    }
}

async fn serve(config_path: PathBuf) -> anyhow::Result<()> {
    let config = lgsp::config::Config::load(&config_path)?;
    let listen = config.listen;
    let hub = lgsp::Hub::start(config)
        .await
        .with_context(|| format!("failed to start the hub from {config_path:?}"))?;
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .with_context(|| format!("failed to listen on {listen}"))?;
    tracing::info!(addr = %listener.local_addr()?, "hub listening");
    lgsp::serve(hub, listener, shutdown_signal()).await?;
    tracing::info!("hub stopped");
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
}
