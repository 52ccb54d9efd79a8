//! `lgsp-demo`: builds the sample adapters, starts the stand-ins and the real `lgsp` binary
//! with `demo/lgsp.toml`, sends the real sample messages through the hub in every direction,
//! and prints what happened to each.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use clap::Parser;

const HUB: &str = "http://127.0.0.1:18080";
const STANDIN_ADDR: &str = "127.0.0.1:18081";

const KEY_DMS: &str = "demo-key-dms-hoa-tien";
const KEY_NATIONAL: &str = "demo-key-national-exchange";
const KEY_REGISTRY: &str = "demo-key-registry-ba-dinh";
const TOKEN_OPERATOR: &str = "demo-token-operator";

/// Runs the LGSP demo.
#[derive(Parser)]
struct Args {
    /// The `lgsp` binary to run.
    #[arg(long)]
    lgsp: PathBuf,
    /// The hub's configuration.
    #[arg(long, default_value_os_t = root().join("demo/lgsp.toml"))]
    config: PathBuf,
    /// The real sample messages (`samples/` in the repository).
    #[arg(long, default_value_os_t = root().join("samples"))]
    samples: PathBuf,
}

/// The repository: `LGSP_CHECKOUT` (set by demo.sh), else where this binary was built from.
/// Checkouts that share a target directory can share this binary, so the run-time value wins.
fn root() -> PathBuf {
    std::env::var_os("LGSP_CHECKOUT")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
            manifest.parent().unwrap_or(Path::new(".")).to_owned()
        })
}

struct Hub(std::process::Child);

impl Drop for Hub {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let root = root();

    for name in ["edxml-documents", "civil-registry-csv"] {
        eprint!("demo: building adapter {name} ... ");
        let started = Instant::now();
        let path = lgsp_adapter_build::build_adapter(
            &root.join("sample-adapters").join(name),
            &root.join("target/wasm"),
            &root.join("target/adapters"),
        )
        .with_context(|| format!("failed to build adapter {name}"))?;
        let size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
        eprintln!(
            "{} KB in {:.1} s",
            size / 1024,
            started.elapsed().as_secs_f64()
        );
    }

    let listener = tokio::net::TcpListener::bind(STANDIN_ADDR)
        .await
        .with_context(|| {
            format!(
                "failed to listen on {STANDIN_ADDR} for the stand-ins (is a demo already running?)"
            )
        })?;
    tokio::spawn(lgsp_standin::serve(listener));
    eprintln!("demo: national exchange and agency stand-ins on http://{STANDIN_ADDR}");

    // Each run starts with an empty message log, so its listing shows this run only.
    let data = root.join("target/demo-data");
    if data.exists() {
        std::fs::remove_dir_all(&data).with_context(|| format!("failed to empty {data:?}"))?;
    }
    let log_path = root.join("target/demo-hub.log");
    let log = std::fs::File::create(&log_path)
        .with_context(|| format!("failed to create {log_path:?}"))?;
    let _hub = Hub(std::process::Command::new(&args.lgsp)
        .arg("serve")
        .arg("--config")
        .arg(&args.config)
        .env(
            "RUST_LOG",
            std::env::var("RUST_LOG").unwrap_or_else(|_| "info".into()),
        )
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .with_context(|| format!("failed to start {:?}", args.lgsp))?);
    let http = reqwest::Client::new();
    wait_ready(&http, &log_path).await?;
    eprintln!("demo: hub on {HUB} (its log: {})\n", log_path.display());

    let mut demo = Demo {
        http,
        rows: 0,
        by_status: Default::default(),
    };
    let edxml_fx = root.join("sample-adapters/edxml-documents/fixtures");
    let civil_fx = root.join("sample-adapters/civil-registry-csv/fixtures");

    demo.section(
        "1. Documents from a commune's DMS to the national exchange (local JSON -> edXML)",
    );
    for f in files(&edxml_fx.join("to-national"), ".input.json") {
        demo.send("documents.send", KEY_DMS, "application/json", &f)
            .await;
    }
    demo.section("2. Real edXML samples from the national exchange, delivered to Nghệ An's DMS (edXML -> local JSON)");
    for f in files(&args.samples.join("edxml"), ".edxml") {
        demo.send("documents.deliver.h41", KEY_NATIONAL, "application/xml", &f)
            .await;
    }
    demo.section("3. Agency to agency: Hòa Tiến's DMS to Nghệ An's DMS through the standard");
    for f in files(&edxml_fx.join("to-national"), ".input.json") {
        demo.send("documents.deliver.h41", KEY_DMS, "application/json", &f)
            .await;
    }
    demo.section(
        "4. Citizen records from Ba Đình's civil registry to the national service (CSV -> JSON)",
    );
    for f in files(&civil_fx.join("to-national"), ".input.csv") {
        demo.send(
            "citizens.register",
            KEY_REGISTRY,
            "text/csv; charset=utf-8",
            &f,
        )
        .await;
    }
    demo.section("5. Agency to agency: Ba Đình's registry to a second commune's registry");
    for f in files(&civil_fx.join("to-national"), ".input.csv") {
        demo.send(
            "citizens.transfer.26734",
            KEY_REGISTRY,
            "text/csv; charset=utf-8",
            &f,
        )
        .await;
    }
    demo.section(
        "6. Citizen records from the national service to the second commune (JSON -> CSV)",
    );
    for f in files(&civil_fx.join("to-local"), ".input.json") {
        demo.send(
            "citizens.transfer.26734",
            KEY_NATIONAL,
            "application/json",
            &f,
        )
        .await;
    }
    demo.section("7. Bad input: refused with the reasons, never forwarded");
    for f in files(&edxml_fx.join("rejected"), ".input.json") {
        demo.send("documents.send", KEY_DMS, "application/json", &f)
            .await;
    }
    for f in files(&civil_fx.join("rejected"), ".input.csv") {
        demo.send(
            "citizens.register",
            KEY_REGISTRY,
            "text/csv; charset=utf-8",
            &f,
        )
        .await;
    }

    let page: serde_json::Value = demo
        .http
        .get(format!("{HUB}/v1/messages?limit=500"))
        .bearer_auth(TOKEN_OPERATOR)
        .send()
        .await?
        .json()
        .await?;
    let logged = page["records"].as_array().map_or(0, Vec::len);
    println!(
        "\n{} exchanges sent; by status: {:?}",
        demo.rows, demo.by_status
    );
    println!("message log: {logged} records in the hub's SQLite (GET {HUB}/v1/messages)");
    Ok(())
}

async fn wait_ready(http: &reqwest::Client, log: &Path) -> anyhow::Result<()> {
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(60) {
        if let Ok(r) = http.get(format!("{HUB}/healthz")).send().await
            && r.status().is_success()
        {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let tail = std::fs::read_to_string(log).unwrap_or_default();
    bail!("the hub did not become ready within 60 s; its log:\n{tail}")
}

fn files(dir: &Path, suffix: &str) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.flatten()
                .map(|e| e.path())
                .filter(|p| p.to_string_lossy().ends_with(suffix))
                .collect()
        })
        .unwrap_or_default();
    out.sort();
    out
}

struct Demo {
    http: reqwest::Client,
    rows: usize,
    by_status: std::collections::BTreeMap<u16, usize>,
}

impl Demo {
    fn section(&self, title: &str) {
        println!("\n{title}");
        println!(
            "  {:<44} {:>6} {:>7}  {:<36}  outcome",
            "message", "status", "ms", "exchange id"
        );
    }

    async fn send(&mut self, service: &str, key: &str, content_type: &str, file: &Path) {
        let name = file
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let name = name.split(".input.").next().unwrap_or(&name).to_owned();
        let body = match std::fs::read(file) {
            Ok(b) => b,
            Err(err) => {
                println!("  {name:<44} cannot read: {err}");
                return;
            }
        };
        let started = Instant::now();
        let sent = self
            .http
            .post(format!("{HUB}/v1/exchange/{service}"))
            .bearer_auth(key)
            .header("content-type", content_type)
            .body(body)
            .send()
            .await;
        let millis = started.elapsed().as_secs_f64() * 1000.0;
        self.rows += 1;
        let r = match sent {
            Ok(r) => r,
            Err(err) => {
                println!("  {name:<44} failed to reach the hub: {err}");
                return;
            }
        };
        let status = r.status().as_u16();
        *self.by_status.entry(status).or_default() += 1;
        let id = r
            .headers()
            .get("lgsp-exchange-id")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("-")
            .to_owned();
        let ct = r
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned();
        let body = r.bytes().await.unwrap_or_default();
        println!(
            "  {name:<44} {status:>6} {millis:>7.1}  {id:<36}  {}",
            summarise(status, &ct, &body)
        );
    }
}

/// One line about a reply: what the provider said, or why the hub refused.
fn summarise(status: u16, content_type: &str, body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    if content_type.starts_with("application/problem+json") {
        let p: serde_json::Value = serde_json::from_slice(body).unwrap_or_default();
        let kind = p["type"]
            .as_str()
            .unwrap_or("")
            .trim_start_matches("urn:lgsp:problem:");
        let first = &p["violations"][0];
        return if first.is_object() {
            format!(
                "{kind} ({} violation(s)); first: {} [{}] {}",
                p["violations"].as_array().map_or(0, Vec::len),
                first["path"].as_str().unwrap_or(""),
                first["code"].as_str().unwrap_or(""),
                first["message"].as_str().unwrap_or("")
            )
        } else {
            format!("{kind}: {}", p["detail"].as_str().unwrap_or(""))
        };
    }
    if status != 200 {
        return format!(
            "{content_type}: {}",
            text.chars().take(80).collect::<String>()
        );
    }
    if content_type.contains("json") {
        let v: serde_json::Value = serde_json::from_slice(body).unwrap_or_default();
        let kind = v["kind"]
            .as_str()
            .or(v["standard"].as_str())
            .unwrap_or("reply");
        let code = v["status_code"]
            .as_str()
            .or(v["status"].as_str())
            .unwrap_or("");
        return format!(
            "delivered; reply: {kind} {code} ({} bytes JSON)",
            body.len()
        );
    }
    if content_type.contains("xml") {
        let code = text
            .split("StatusCode>")
            .nth(1)
            .and_then(|s| s.split('<').next())
            .unwrap_or("?");
        return format!(
            "delivered; reply: edXML Status {code} ({} bytes)",
            body.len()
        );
    }
    let first_data_line = text.lines().nth(1).unwrap_or("");
    format!(
        "delivered; reply CSV: {}",
        first_data_line.chars().take(70).collect::<String>()
    )
}
