//! `lgsp adapter push | list | activate | rollback`: an operator's commands against a running
//! hub's admin API. This module reads the token and the files, shows progress, and prints
//! what [`super::client`] brings back; it owns no HTTP detail.

use std::io::IsTerminal;
use std::path::Path;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context;
use comfy_table::{Table, presets};
use indicatif::{ProgressBar, ProgressStyle};

use super::HubArgs;
use super::client::{AdminClient, AgencyVersions, Overview, Version};
use crate::signing::{self, Signature};

/// The environment variable that carries the operator token.
pub const TOKEN_ENV: &str = "LGSP_ADMIN_TOKEN";

/// Why an admin command refused to start.
#[derive(Debug, thiserror::Error)]
pub enum AdminError {
    /// No token in the environment.
    #[error(
        "{TOKEN_ENV} is not set: export the operator token that the hub's configuration \
         declares under [[operators]] (the CLI never takes it as an argument, so that it stays \
         out of process lists and shell histories)"
    )]
    NoToken,
}

/// The operator token from [`TOKEN_ENV`]; an empty value counts as none.
pub fn token_from_env() -> Result<String, AdminError> {
    std::env::var(TOKEN_ENV)
        .ok()
        .map(|t| t.trim().to_owned())
        .filter(|t| !t.is_empty())
        .ok_or(AdminError::NoToken)
}

fn client(hub: &HubArgs) -> anyhow::Result<AdminClient> {
    let token = token_from_env()?;
    Ok(AdminClient::new(&hub.hub, &token)?)
}

/// Uploads a component, with its signature when there is one, and prints the version.
pub async fn push(
    hub: &HubArgs,
    component: &Path,
    agency: &str,
    activate: bool,
    signature: Option<&Path>,
) -> anyhow::Result<ExitCode> {
    let client = client(hub)?;
    let bytes = std::fs::read(component)
        .with_context(|| format!("failed to read the component {component:?}"))?;
    let signature = read_signature(component, signature)?;

    let progress = upload_progress(bytes.len() as u64);
    let pushed = client
        .push(
            agency,
            bytes.into(),
            signature.as_ref(),
            activate,
            &progress,
            compiling,
        )
        .await;
    progress.finish_and_clear();
    let pushed = pushed?;

    let v = &pushed.version;
    if pushed.created {
        let compiled = v
            .compile_ms
            .map(|ms| format!(" (compiled in {ms} ms)"))
            .unwrap_or_default();
        println!(
            "uploaded version {} of {}'s adapter{compiled}",
            v.version, v.agency
        );
    } else {
        println!(
            "already registered: these bytes are version {} of {}'s adapter",
            v.version, v.agency
        );
    }
    print_fields(&version_fields(v));
    if !v.active {
        println!(
            "\nnot active; activate it with: lgsp adapter activate --agency {} {}",
            v.agency, v.version
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// Prints every agency's active adapter, or one agency's versions, as a table or as the
/// hub's JSON.
pub async fn list(hub: &HubArgs, agency: Option<&str>, json: bool) -> anyhow::Result<ExitCode> {
    let client = client(hub)?;
    if json {
        let doc = match agency {
            Some(agency) => {
                client
                    .get_document(&["agencies", agency, "adapters"])
                    .await?
            }
            None => client.get_document(&["adapters"]).await?,
        };
        println!("{}", serde_json::to_string_pretty(&doc)?);
        return Ok(ExitCode::SUCCESS);
    }
    match agency {
        Some(agency) => print!("{}", versions_table(&client.versions(agency).await?)),
        None => print!("{}", overview_table(&client.overview().await?)),
    }
    Ok(ExitCode::SUCCESS)
}

/// Activates one version and says which one it replaced.
pub async fn activate(hub: &HubArgs, agency: &str, version: u64) -> anyhow::Result<ExitCode> {
    let client = client(hub)?;
    let v = client.activate(agency, version).await?;
    let previous = match v.previous {
        Some(p) if p == v.version => " (it already was)".to_owned(),
        Some(p) => format!(" (was version {p})"),
        None => " (no version was active before)".to_owned(),
    };
    println!(
        "version {} of {}'s adapter is active{previous}",
        v.version, v.agency
    );
    print_fields(&version_fields(&v));
    Ok(ExitCode::SUCCESS)
}

/// Rolls an agency back to its previously active version.
pub async fn rollback(hub: &HubArgs, agency: &str) -> anyhow::Result<ExitCode> {
    let client = client(hub)?;
    let v = client.rollback(agency).await?;
    println!(
        "rolled back: version {} of {}'s adapter is active again",
        v.version, v.agency
    );
    print_fields(&version_fields(&v));
    Ok(ExitCode::SUCCESS)
}

/// The explicit signature file, or `<component>.sig` when it exists, parsed.
fn read_signature(component: &Path, explicit: Option<&Path>) -> anyhow::Result<Option<Signature>> {
    let path = match explicit {
        Some(path) => path.to_owned(),
        None => {
            let default = signing::with_suffix(component, "sig");
            if !default.exists() {
                eprintln!(
                    "no signature: {} does not exist (the hub may require one)",
                    default.display()
                );
                return Ok(None);
            }
            default
        }
    };
    let text = signing::read_text(&path)?;
    let signature = text
        .parse()
        .with_context(|| format!("failed to read the signature in {path:?}"))?;
    eprintln!("signature: {}", path.display());
    Ok(Some(signature))
}

/// A byte counter while the component goes out; when standard error is not a terminal, plain
/// lines instead, so that logs and pipes get no control characters.
fn upload_progress(total: u64) -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        eprintln!("uploading {total} bytes");
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(total);
    let style = ProgressStyle::with_template(
        "uploading [{bar:30}] {bytes}/{total_bytes} ({bytes_per_sec}, {eta})",
    )
    .unwrap_or_else(|_| ProgressStyle::default_bar())
    .progress_chars("=> ");
    bar.set_style(style);
    bar
}

/// Once every byte is sent: a spinner (or a line) while the hub validates and compiles.
fn compiling(bar: &ProgressBar) {
    if bar.is_hidden() {
        eprintln!("sent; the hub is validating and compiling the component");
        return;
    }
    let style = ProgressStyle::with_template("{spinner} {msg} ({elapsed})")
        .unwrap_or_else(|_| ProgressStyle::default_spinner());
    bar.set_style(style);
    bar.set_message("the hub is validating and compiling the component");
    bar.enable_steady_tick(Duration::from_millis(100));
}

/// A version object as label and value pairs, in the order an operator reads them.
pub fn version_fields(v: &Version) -> Vec<(&'static str, String)> {
    let or_none = |list: &[String], none: &str| {
        if list.is_empty() {
            none.to_owned()
        } else {
            list.join(", ")
        }
    };
    vec![
        ("agency", v.agency.clone()),
        ("version", v.version.to_string()),
        (
            "state",
            if v.active { "active" } else { "inactive" }.to_owned(),
        ),
        ("adapter", format!("{} {}", v.name, v.adapter_version)),
        ("standards", or_none(&v.standards, "none declared")),
        ("services", or_none(&v.services, "any of its standards")),
        ("sha256", v.sha256.clone()),
        ("size", human_size(v.size)),
        (
            "uploaded",
            format!("{} by {}", v.uploaded_at, v.uploaded_by),
        ),
        (
            "publisher",
            v.publisher
                .clone()
                .unwrap_or_else(|| "none (unsigned)".to_owned()),
        ),
    ]
}

fn print_fields(fields: &[(&str, String)]) {
    let width = fields.iter().map(|(k, _)| k.len()).max().unwrap_or(0);
    for (label, value) in fields {
        println!("  {label:<width$}  {value}");
    }
}

/// `1234567 bytes (1.2 MiB)`.
pub fn human_size(bytes: u64) -> String {
    const UNITS: [&str; 3] = ["KiB", "MiB", "GiB"];
    if bytes < 1024 {
        return format!("{bytes} bytes");
    }
    let mut value = bytes as f64 / 1024.0;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    format!("{bytes} bytes ({value:.1} {})", UNITS[unit])
}

fn short_hash(sha256: &str) -> String {
    sha256.chars().take(12).collect()
}

fn table(header: &[&str]) -> Table {
    let mut table = Table::new();
    table
        .load_preset(presets::NOTHING)
        .set_header(header.to_vec());
    table
}

/// Every agency, its active adapter and how many versions it has.
pub fn overview_table(overview: &Overview) -> String {
    if overview.agencies.is_empty() {
        return "no adapters registered\n".to_owned();
    }
    let mut t = table(&["AGENCY", "ACTIVE", "ADAPTER", "SHA256", "VERSIONS"]);
    for a in &overview.agencies {
        let (active, adapter, sha) = match &a.active {
            Some(v) => (
                v.version.to_string(),
                format!("{} {}", v.name, v.adapter_version),
                short_hash(&v.sha256),
            ),
            None => ("-".to_owned(), "-".to_owned(), "-".to_owned()),
        };
        t.add_row(vec![
            a.agency.clone(),
            active,
            adapter,
            sha,
            a.versions.to_string(),
        ]);
    }
    format!("{}\n", trim_lines(&t.to_string()))
}

/// One agency's versions, newest last, the active one starred.
pub fn versions_table(list: &AgencyVersions) -> String {
    if list.versions.is_empty() {
        return format!("agency {} has no adapter versions\n", list.agency);
    }
    let mut t = table(&[
        "VERSION",
        "ACTIVE",
        "ADAPTER",
        "SHA256",
        "SIZE",
        "UPLOADED",
        "BY",
        "PUBLISHER",
    ]);
    for v in &list.versions {
        let active = v.active || list.active == Some(v.version);
        t.add_row(vec![
            v.version.to_string(),
            if active { "*" } else { "" }.to_owned(),
            format!("{} {}", v.name, v.adapter_version),
            short_hash(&v.sha256),
            v.size.to_string(),
            v.uploaded_at.clone(),
            v.uploaded_by.clone(),
            v.publisher.clone().unwrap_or_else(|| "-".to_owned()),
        ]);
    }
    format!("{}\n", trim_lines(&t.to_string()))
}

/// comfy-table pads every cell, the last one too; trailing blanks only get in the way of
/// `grep` and of tests.
fn trim_lines(text: &str) -> String {
    text.lines()
        .map(|l| l.trim_end())
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn version(n: u64, active: bool) -> Version {
        Version {
            agency: "commune-00004".to_owned(),
            version: n,
            sha256: format!("{n}{}", "a".repeat(63)),
            size: 2_345_678,
            name: "civil-registry-csv".to_owned(),
            adapter_version: "0.1.0".to_owned(),
            standards: vec!["citizen-record@1.0".to_owned()],
            services: vec![],
            uploaded_at: "2025-12-03T10:00:00Z".to_owned(),
            uploaded_by: "alice".to_owned(),
            publisher: (n == 2).then(|| "ba-dinh".to_owned()),
            active,
            compile_ms: None,
            previous: None,
        }
    }

    #[test]
    fn versions_table_stars_the_active_one_and_names_the_publisher() {
        let list = AgencyVersions {
            agency: "commune-00004".to_owned(),
            active: Some(2),
            versions: vec![version(1, false), version(2, true)],
        };
        let text = versions_table(&list);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 3, "{text}");
        assert!(lines[0].trim_start().starts_with("VERSION"), "{text}");
        let one: Vec<&str> = lines[1].split_whitespace().collect();
        let two: Vec<&str> = lines[2].split_whitespace().collect();
        assert_eq!(one[0], "1");
        assert_eq!(one[1], "civil-registry-csv", "no star on version 1: {text}");
        assert_eq!(&two[..3], ["2", "*", "civil-registry-csv"]);
        assert_eq!(two.last(), Some(&"ba-dinh"));
        assert!(one.contains(&"1aaaaaaaaaaa"), "{text}");
    }

    #[test]
    fn overview_table_shows_agencies_without_an_active_version() {
        let overview = Overview {
            agencies: vec![
                super::super::client::AgencySummary {
                    agency: "commune-00004".to_owned(),
                    active: Some(version(2, true)),
                    versions: 2,
                },
                super::super::client::AgencySummary {
                    agency: "000.00.00.A80".to_owned(),
                    active: None,
                    versions: 1,
                },
            ],
        };
        let text = overview_table(&overview);
        let rows: Vec<Vec<&str>> = text
            .lines()
            .skip(1)
            .map(|l| l.split_whitespace().collect())
            .collect();
        assert_eq!(
            rows[0],
            [
                "commune-00004",
                "2",
                "civil-registry-csv",
                "0.1.0",
                "2aaaaaaaaaaa",
                "2"
            ]
        );
        assert_eq!(rows[1], ["000.00.00.A80", "-", "-", "-", "1"]);
        assert_eq!(
            overview_table(&Overview { agencies: vec![] }),
            "no adapters registered\n"
        );
    }

    #[test]
    fn sizes_read_as_bytes_and_binary_units() {
        assert_eq!(human_size(512), "512 bytes");
        assert_eq!(human_size(2_345_678), "2345678 bytes (2.2 MiB)");
    }
}
