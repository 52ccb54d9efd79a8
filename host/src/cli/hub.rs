//! `lgsp serve` and `lgsp check-config`: starting a hub from its configuration file, or
//! loading everything it would load and printing a summary.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;

/// Runs the hub until Ctrl-C or SIGTERM, then lets in-flight exchanges finish.
pub async fn serve(config_path: PathBuf) -> anyhow::Result<ExitCode> {
    let config = crate::config::Config::load(&config_path)?;
    let listen = config.listen;
    let hub = crate::Hub::start(config)
        .await
        .with_context(|| format!("failed to start the hub from {config_path:?}"))?;
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .with_context(|| format!("failed to listen on {listen}"))?;
    tracing::info!(addr = %listener.local_addr()?, "hub listening");
    crate::serve(hub, listener, shutdown_signal()).await?;
    tracing::info!("hub stopped");
    Ok(ExitCode::SUCCESS)
}

/// Loads every schema, catalogue and adapter of the configuration as `serve` would, and
/// prints what it declares.
pub async fn check_config(path: PathBuf) -> anyhow::Result<ExitCode> {
    let config = crate::config::Config::load(&path)?;
    let loaded = crate::Hub::check(&config)
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
    Ok(ExitCode::SUCCESS)
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
