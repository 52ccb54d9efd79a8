//! Time from uploading an adapter to the first message it serves, for each sample adapter:
//! cold (the hub has never compiled these bytes); a restart until the agency is served again
//! (the compiled form comes from the on-disk cache, no compile); and the same bytes uploaded
//! for a second agency (already compiled in memory: validation and preparation only).
//!
//! `cargo bench -p lgsp-benches --bench registry` prints one line per adapter and case.

use std::time::{Duration, Instant};

use lgsp_tests::{TestHub, agencies, components, keys};
use reqwest::Method;

/// One sample adapter and an exchange that needs it.
struct Case {
    name: &'static str,
    component: String,
    /// The agency whose adapter is uploaded first, and the one that gets it after a restart.
    first: &'static str,
    second: &'static str,
    /// An exchange served by the first agency's adapter, then one that needs the second's.
    first_exchange: (&'static str, &'static str, &'static str),
    second_exchange: (&'static str, &'static str, &'static str),
    input: (&'static str, &'static str),
}

fn fixture(adapter: &str, kind: &str, file: &str) -> Vec<u8> {
    std::fs::read(
        lgsp_tests::root()
            .join("sample-adapters")
            .join(adapter)
            .join("fixtures")
            .join(kind)
            .join(file),
    )
    .expect("fixture")
}

/// Removes the `component` line of both agencies' entries: their adapters come from uploads.
fn strip(text: String, agencies: [&str; 2]) -> String {
    let mut out = String::new();
    let mut skip_next = false;
    for line in text.lines() {
        if skip_next && line.starts_with("component = ") {
            skip_next = false;
            continue;
        }
        skip_next = agencies.iter().any(|a| line == format!("agency = \"{a}\""));
        out.push_str(line);
        out.push('\n');
    }
    out
}

async fn served(hub: &TestHub, (service, key, content_type): (&str, &str, &str), body: &[u8]) {
    loop {
        let r = hub
            .exchange(service, Some(key), content_type, body.to_vec())
            .await;
        if r.status == 200 {
            return;
        }
        assert!(r.status == 503, "{}", r.text());
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
}

async fn upload(hub: &TestHub, agency: &str, bytes: &[u8]) -> u64 {
    let r = hub
        .admin(
            Method::POST,
            &format!("/admin/v1/agencies/{agency}/adapters?activate=true"),
            Some(keys::OPERATOR),
            &[],
            Some(("application/wasm", bytes.to_vec())),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text());
    r.json()["compile_ms"].as_u64().unwrap_or_default()
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

#[tokio::main]
async fn main() {
    let cases = [
        Case {
            name: "edxml-documents",
            component: components::EDXML_DOCUMENTS.to_owned(),
            first: agencies::DMS_A,
            second: agencies::DMS_B,
            first_exchange: ("documents.send", keys::DMS_A, "application/json"),
            second_exchange: ("documents.deliver.h41", keys::DMS_A, "application/json"),
            input: ("to-national", "document-minimal.input.json"),
        },
        Case {
            name: "civil-registry-csv",
            component: components::civil_registry_csv(),
            first: agencies::REGISTRY_A,
            second: agencies::REGISTRY_B,
            first_exchange: (
                "citizens.register",
                keys::REGISTRY_A,
                "text/csv; charset=utf-8",
            ),
            second_exchange: (
                "citizens.transfer.b",
                keys::REGISTRY_A,
                "text/csv; charset=utf-8",
            ),
            input: ("to-national", "ba-dinh-batch.input.csv"),
        },
    ];
    println!(
        "upload to first served message (debug hub when run with cargo test; release with cargo bench)"
    );
    for case in cases {
        let adapter_dir = case.name;
        let body = fixture(adapter_dir, case.input.0, case.input.1);
        let bytes = std::fs::read(&case.component).expect("component");
        let pair = [case.first, case.second];
        let hub = TestHub::start_with(move |text| strip(text, pair)).await;

        let started = Instant::now();
        let compile_ms = upload(&hub, case.first, &bytes).await;
        served(&hub, case.first_exchange, &body).await;
        let cold = started.elapsed();

        let restarted = Instant::now();
        let hub = hub.restart().await;
        served(&hub, case.first_exchange, &body).await;
        let restart = restarted.elapsed();

        let started = Instant::now();
        let warm_compile_ms = upload(&hub, case.second, &bytes).await;
        served(&hub, case.second_exchange, &body).await;
        let warm = started.elapsed();

        println!(
            "{:<20} {:>5} KiB  cold upload to served {:>7.1} ms (check+compile {:>4} ms)   restart to served {:>6.1} ms (disk cache)   upload for a 2nd agency to served {:>6.1} ms (check {:>3} ms)",
            case.name,
            bytes.len() / 1024,
            ms(cold),
            compile_ms,
            ms(restart),
            ms(warm),
            warm_compile_ms,
        );
    }
}
