//! Time of one whole exchange through each sample adapter, over real HTTP on loopback: the
//! hub in process with the stand-ins, one request at a time, so the figure is latency, not
//! throughput. Also the adapter call alone (fresh instance, call, drop) without HTTP.
//!
//! `cargo bench -p lgsp-benches --bench exchange` prints, per case, the median and the 99th
//! percentile over `LGSP_BENCH_ITERS` iterations (default 2000) after a warm-up.

use std::path::Path;
use std::time::{Duration, Instant};

use lgsp::message::Message;
use lgsp::runtime::{CallContext, Direction, Phase};
use lgsp_tests::{TestHub, keys};

fn iterations() -> usize {
    std::env::var("LGSP_BENCH_ITERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2000)
}

fn first_fixture(adapter: &str, kind: &str, suffix: &str) -> Vec<u8> {
    let dir = lgsp_tests::root()
        .join("sample-adapters")
        .join(adapter)
        .join("fixtures")
        .join(kind);
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.to_string_lossy().ends_with(suffix))
        .collect();
    files.sort();
    std::fs::read(&files[0]).expect("fixture")
}

fn report(name: &str, mut samples: Vec<Duration>) {
    samples.sort();
    let at = |q: f64| samples[((samples.len() as f64 - 1.0) * q).round() as usize];
    println!(
        "{name:<58} n={:<6} median {:>9.1} us   p99 {:>9.1} us",
        samples.len(),
        at(0.5).as_secs_f64() * 1e6,
        at(0.99).as_secs_f64() * 1e6
    );
}

async fn bench_http(
    hub: &TestHub,
    name: &str,
    service: &str,
    key: &str,
    content_type: &str,
    body: &[u8],
) {
    let n = iterations();
    let send = || async {
        let r = hub
            .http
            .post(format!("{}/v1/exchange/{service}", hub.url))
            .bearer_auth(key)
            .header("content-type", content_type)
            .body(body.to_vec())
            .send()
            .await
            .expect("the hub answers");
        assert_eq!(r.status(), 200, "{name}");
        r.bytes().await.expect("body");
    };
    for _ in 0..n / 10 {
        send().await;
    }
    let mut samples = Vec::with_capacity(n);
    for _ in 0..n {
        let t = Instant::now();
        send().await;
        samples.push(t.elapsed());
    }
    report(name, samples);
}

async fn bench_adapter(
    hub: &TestHub,
    name: &str,
    agency: &str,
    content_type: &str,
    body: &[u8],
    standard: &str,
) {
    let adapter = hub.hub.adapter(agency).expect("adapter");
    let msg = Message {
        content_type: content_type.to_owned(),
        metadata: Vec::new(),
        body: body.to_vec().into(),
    };
    let cx = CallContext {
        exchange_id: "bench",
        service: "bench",
        standard,
        phase: Phase::Request,
    };
    let n = iterations() * 2;
    for _ in 0..n / 10 {
        adapter
            .call(Direction::ToNational, &cx, &msg)
            .await
            .expect("maps");
    }
    let mut samples = Vec::with_capacity(n);
    for _ in 0..n {
        let t = Instant::now();
        adapter
            .call(Direction::ToNational, &cx, &msg)
            .await
            .expect("maps");
        samples.push(t.elapsed());
    }
    report(name, samples);
}

#[tokio::main]
async fn main() {
    // `cargo bench` passes `--bench`; a filter argument is not supported.
    let hub = TestHub::start().await;
    let doc = first_fixture("edxml-documents", "to-national", ".input.json");
    let csv = first_fixture("civil-registry-csv", "to-national", ".input.csv");
    let edxml_sample =
        std::fs::read(Path::new(&lgsp_tests::root()).join("samples/edxml/status_finish_06.edxml"))
            .expect("sample");
    println!(
        "bodies: document JSON {} B, citizen CSV {} B, edXML status {} B",
        doc.len(),
        csv.len(),
        edxml_sample.len()
    );

    bench_adapter(
        &hub,
        "adapter call: edxml-documents to-national",
        lgsp_tests::agencies::DMS_A,
        "application/json",
        &doc,
        "edxml@2016",
    )
    .await;
    bench_adapter(
        &hub,
        "adapter call: civil-registry-csv to-national",
        lgsp_tests::agencies::REGISTRY_A,
        "text/csv",
        &csv,
        "citizen-record@1.0",
    )
    .await;

    bench_http(
        &hub,
        "exchange: edxml-documents -> national (documents.send)",
        "documents.send",
        keys::DMS_A,
        "application/json",
        &doc,
    )
    .await;
    bench_http(
        &hub,
        "exchange: national -> edxml-documents (deliver, status 06)",
        "documents.deliver.h41",
        keys::NATIONAL,
        "application/xml",
        &edxml_sample,
    )
    .await;
    bench_http(
        &hub,
        "exchange: edxml-documents -> edxml-documents (A to B)",
        "documents.deliver.h41",
        keys::DMS_A,
        "application/json",
        &doc,
    )
    .await;
    bench_http(
        &hub,
        "exchange: civil-registry-csv -> national (citizens.register)",
        "citizens.register",
        keys::REGISTRY_A,
        "text/csv",
        &csv,
    )
    .await;
    bench_http(
        &hub,
        "exchange: civil-registry-csv -> civil-registry-csv (A to B)",
        "citizens.transfer.b",
        keys::REGISTRY_A,
        "text/csv",
        &csv,
    )
    .await;
}
