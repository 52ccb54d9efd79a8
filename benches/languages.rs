//! The civil-registry adapter in its four languages (Rust, JavaScript, Python, C), side by
//! side: component size, compile time, the time to prepare it and call it once, and the
//! per-message time at the median, each on the hub's own runtime with the same fixture.
//!
//! `cargo bench -p lgsp-benches --bench languages` prints one table. Compile time is
//! wasmtime compiling the component from its bytes (what an upload costs once; the hub then
//! keeps the compiled form). "Prepare + first call" is what follows a compile when the hub
//! loads an adapter: linking, asking the adapter to describe itself, and a first
//! `to-national` on a fresh instance. "Per message" is one `to-national` of the fixture on a
//! fresh instance, as the hub runs every message. `LGSP_BENCH_ITERS` (default 200) sets the
//! number of measured messages per language; `LGSP_BENCH_LANGUAGES=python,c` measures only
//! those.

use std::sync::Arc;
use std::time::{Duration, Instant};

use lgsp::catalogue::Catalogues;
use lgsp::config;
use lgsp::message::Message;
use lgsp::runtime::{AdapterLimits, CallContext, Direction, Phase, Runtime, RuntimeSettings};
use lgsp_tests::components;

/// The fixture every language maps: a batch of civil-registry records in the agency's CSV.
const FIXTURE: &str =
    "sample-adapters/civil-registry-csv/fixtures/to-national/ba-dinh-batch.input.csv";
/// The national standard the adapter is told it maps to.
const STANDARD: &str = "citizen-record@1.0";
/// Times the compile is repeated; the median is reported.
const COMPILES: usize = 3;

fn iterations() -> usize {
    std::env::var("LGSP_BENCH_ITERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(200)
}

fn limits() -> AdapterLimits {
    AdapterLimits {
        deadline: config::DEFAULT_ADAPTER_DEADLINE,
        max_memory_bytes: config::DEFAULT_ADAPTER_MEMORY_BYTES,
        max_output_bytes: config::DEFAULT_ADAPTER_OUTPUT_BYTES,
        max_in_flight: 1,
    }
}

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1e3)
}

fn us(d: Duration) -> String {
    format!("{:.0} µs", d.as_secs_f64() * 1e6)
}

/// One language's figures.
struct Row {
    language: &'static str,
    size: usize,
    compile: Duration,
    prepare_and_call: Duration,
    per_message: Duration,
    p99: Duration,
}

async fn measure(
    language: &'static str,
    path: &str,
    catalogues: &Arc<Catalogues>,
    msg: &Message,
) -> Row {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let cx = CallContext {
        exchange_id: "bench",
        service: "citizens.register",
        standard: STANDARD,
        phase: Phase::Request,
    };

    // Compile on a fresh runtime each time, so that nothing is cached.
    let mut compiles = Vec::new();
    for _ in 0..COMPILES {
        let runtime =
            Runtime::new(RuntimeSettings::default(), Arc::clone(catalogues)).expect("a runtime");
        let t = Instant::now();
        wasmtime::component::Component::new(runtime.engine(), &bytes).expect("compiles");
        compiles.push(t.elapsed());
    }

    // Load once to compile into the runtime's memory, then time a second agency's load (the
    // compiled code is shared) and its first call.
    let runtime =
        Runtime::new(RuntimeSettings::default(), Arc::clone(catalogues)).expect("a runtime");
    runtime
        .load("warm-up", &bytes, limits())
        .await
        .expect("loads");
    let t = Instant::now();
    let adapter = runtime
        .load("commune-00004", &bytes, limits())
        .await
        .expect("loads");
    adapter
        .call(Direction::ToNational, &cx, msg)
        .await
        .expect("maps the fixture");
    let prepare_and_call = t.elapsed();

    let n = iterations();
    for _ in 0..n / 10 {
        adapter
            .call(Direction::ToNational, &cx, msg)
            .await
            .expect("maps");
    }
    let mut samples = Vec::with_capacity(n);
    for _ in 0..n {
        let t = Instant::now();
        adapter
            .call(Direction::ToNational, &cx, msg)
            .await
            .expect("maps");
        samples.push(t.elapsed());
    }
    samples.sort();
    let p99 = samples[((samples.len() - 1) as f64 * 0.99).round() as usize];
    Row {
        language,
        size: bytes.len(),
        compile: median(compiles),
        prepare_and_call,
        per_message: median(samples),
        p99,
    }
}

#[tokio::main]
async fn main() {
    let root = lgsp_tests::root();
    let catalogues = Arc::new(
        Catalogues::load_admin_units(&root.join("catalogues/admin-units-vn-2025.json"))
            .expect("the catalogue"),
    );
    let body = std::fs::read(root.join(FIXTURE)).expect("the fixture");
    let msg = Message {
        content_type: "text/csv; charset=utf-8".to_owned(),
        metadata: Vec::new(),
        body: body.clone().into(),
    };
    let languages = [
        ("Rust", components::CIVIL_REGISTRY_CSV),
        (
            "JavaScript",
            components::built(components::CIVIL_REGISTRY_CSV_JS),
        ),
        (
            "Python",
            components::built(components::CIVIL_REGISTRY_CSV_PYTHON),
        ),
        ("C", components::built(components::CIVIL_REGISTRY_CSV_C)),
    ];
    println!(
        "civil-registry-csv, to-national of {} ({} bytes), {} messages per language",
        FIXTURE.rsplit('/').next().unwrap_or(FIXTURE),
        body.len(),
        iterations()
    );
    println!();
    println!(
        "| language | component | compile | prepare + first call | per message (median) | p99 |"
    );
    println!("|---|---:|---:|---:|---:|---:|");
    let only = std::env::var("LGSP_BENCH_LANGUAGES").ok();
    let wanted = |language: &str| {
        only.as_deref().is_none_or(|list| {
            list.split(',').any(|l| {
                l.trim().eq_ignore_ascii_case(language)
                    || (l.trim() == "js" && language == "JavaScript")
            })
        })
    };
    for (language, path) in languages {
        if !wanted(language) {
            continue;
        }
        let row = measure(language, path, &catalogues, &msg).await;
        println!(
            "| {} | {:.1} KiB | {} | {} | {} | {} |",
            row.language,
            row.size as f64 / 1024.0,
            ms(row.compile),
            ms(row.prepare_and_call),
            us(row.per_message),
            us(row.p99)
        );
    }
}
