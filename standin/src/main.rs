//! `lgsp-standin`: serves the national exchange and agency stand-ins on one address.

use clap::Parser;

/// Stand-ins for the national exchange and for agencies' local endpoints.
#[derive(Parser)]
struct Args {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:18081", env = "LGSP_STANDIN_ADDR")]
    listen: std::net::SocketAddr,
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_target(false)
        .init();
    let args = Args::parse();
    let listener = tokio::net::TcpListener::bind(args.listen).await?;
    tracing::info!(addr = %args.listen, "stand-ins listening");
    lgsp_standin::serve(listener).await
}
