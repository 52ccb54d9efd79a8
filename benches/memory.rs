//! Memory benchmarks, each phase in a process of its own so that the kernel's counts belong
//! to that phase alone:
//!
//! 1. **1,000 agencies.** A hub with one agency, then with 1,000 agencies' adapters loaded
//!    (copies of the sample adapters bench-person, edxml-documents and civil-registry-csv
//!    under different agency ids), started twice on the same data directory: the first start
//!    compiles, the second is a restart. Each reports its resident memory, the time
//!    `Hub::start` took, the time from process start to the first answered exchange, and the
//!    median and p99 of agency-a's exchanges (the whole exchange in process, as in `micro`).
//!    Two kinds of copies: `shared`, byte-identical files (one compilation serves all the
//!    agencies that run it, as when one vendor's adapter runs in every commune), and
//!    `distinct`, each copy made unique by a custom section carrying its agency id (every
//!    agency compiled and kept apart: the worst case).
//! 2. **A 10 MiB message.** One whole exchange of a 10 MiB person through bench-person;
//!    the growth of the peak resident memory over the hub at rest, as a multiple of the
//!    message's size. The message itself is made after the baseline, so it is counted.
//!
//! `cargo bench -p lgsp-benches --bench memory`; `LGSP_BENCH_AGENCIES` changes the 1,000,
//! `LGSP_BENCH_COPIES=shared` or `distinct` runs one kind of copy only.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use lgsp_benches::{AGENCY, InProcess, SERVICE, memory};

/// Environment variable that makes this binary run one phase and print its figures.
const CHILD: &str = "LGSP_BENCH_MEMORY_PHASE";
const MIB: f64 = 1024.0 * 1024.0;

fn main() {
    match std::env::var(CHILD).ok().as_deref() {
        Some("agencies") => agencies_phase(),
        Some("big") => big_phase(),
        Some(other) => panic!("unknown phase {other:?}"),
        None => orchestrate(),
    }
}

fn agency_count() -> usize {
    std::env::var("LGSP_BENCH_AGENCIES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1000)
}

/// Runs this binary again for one phase and returns what it printed.
fn phase(name: &str, envs: &[(&str, String)]) -> String {
    let exe = std::env::current_exe().expect("this benchmark's path");
    let mut cmd = Command::new(exe);
    cmd.env(CHILD, name);
    for (k, v) in envs {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("run a phase");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "phase {name} failed ({}):\n{stdout}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

fn orchestrate() {
    let n = agency_count();
    let copies: Vec<&str> = match std::env::var("LGSP_BENCH_COPIES").ok().as_deref() {
        Some("shared") => vec!["shared"],
        Some("distinct") => vec!["distinct"],
        _ => vec!["shared", "distinct"],
    };
    println!("== adapters loaded: resident memory, start time, agency-a's exchanges ==");
    let one = tempfile::tempdir().expect("temp dir");
    let base = |dir: &Path, count: usize, kind: &str| {
        vec![
            ("LGSP_BENCH_DIR", dir.display().to_string()),
            ("LGSP_BENCH_AGENCIES", count.to_string()),
            ("LGSP_BENCH_COPIES", kind.to_owned()),
        ]
    };
    print!("{}", phase("agencies", &base(one.path(), 1, "shared")));
    for kind in copies {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut envs = base(dir.path(), n, kind);
        envs.push(("LGSP_BENCH_RUN", "first start".to_owned()));
        print!("{}", phase("agencies", &envs));
        envs.pop();
        envs.push(("LGSP_BENCH_RUN", "restart".to_owned()));
        print!("{}", phase("agencies", &envs));
    }

    println!("== one 10 MiB message: peak resident memory over the hub at rest ==");
    print!("{}", phase("big", &[]));
}

/// The sample components the copies are made of.
fn samples() -> [PathBuf; 3] {
    [
        lgsp_benches::bench_person_component(),
        PathBuf::from(lgsp_tests::components::EDXML_DOCUMENTS),
        PathBuf::from(lgsp_tests::components::CIVIL_REGISTRY_CSV),
    ]
}

/// `bytes` with a custom section named `lgsp-agency` holding `agency` appended: a valid
/// component that differs from every other copy.
fn stamped(bytes: &[u8], agency: &str) -> Vec<u8> {
    fn leb(mut n: usize, out: &mut Vec<u8>) {
        loop {
            let byte = (n & 0x7f) as u8;
            n >>= 7;
            if n == 0 {
                out.push(byte);
                return;
            }
            out.push(byte | 0x80);
        }
    }
    let name = b"lgsp-agency";
    let mut payload = Vec::new();
    leb(name.len(), &mut payload);
    payload.extend_from_slice(name);
    payload.extend_from_slice(agency.as_bytes());
    let mut out = bytes.to_vec();
    out.push(0);
    leb(payload.len(), &mut out);
    out.extend_from_slice(&payload);
    out
}

/// The `[[adapters]]` entries of agencies 2..=n, in `dir`, each a copy of a sample adapter.
fn extra_adapters(dir: &Path, n: usize, distinct: bool) -> String {
    let samples = samples();
    let components = dir.join("components");
    std::fs::create_dir_all(&components).expect("components dir");
    let mut text = String::new();
    for i in 1..n {
        let agency = format!("agency-{i:04}");
        let sample = &samples[i % samples.len()];
        let path = if distinct {
            let bytes = std::fs::read(sample).expect("sample component");
            let path = components.join(format!("{agency}.wasm"));
            if !path.exists() {
                std::fs::write(&path, stamped(&bytes, &agency)).expect("write a copy");
            }
            path
        } else {
            sample.clone()
        };
        text.push_str(&format!(
            "\n[[adapters]]\nagency = \"{agency}\"\ncomponent = \"{}\"\n",
            path.display()
        ));
    }
    text
}

fn agencies_phase() {
    let process_start = Instant::now();
    let dir = PathBuf::from(std::env::var("LGSP_BENCH_DIR").expect("LGSP_BENCH_DIR"));
    let n = agency_count();
    let distinct = std::env::var("LGSP_BENCH_COPIES").is_ok_and(|k| k == "distinct");
    let run = std::env::var("LGSP_BENCH_RUN").unwrap_or_default();
    let extra = extra_adapters(&dir, n, distinct);

    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    rt.block_on(async {
        let upstream = lgsp_benches::ack_upstream().await;
        let before = memory::resident();
        let started = Instant::now();
        let data = dir.join("data");
        let hub = InProcess::start_in(&upstream, &data, |t| t + &extra).await;
        let start_time = started.elapsed();
        let loaded = hub.hub.config().adapters.len();
        assert_eq!(loaded, n, "every adapter is configured");

        let body = lgsp_benches::local_person(lgsp_benches::PEERS_BODY.len());
        let (status, reply) = hub.exchange(SERVICE, body.clone()).await;
        assert_eq!(status, 200, "{}", String::from_utf8_lossy(&reply));
        let serving = process_start.elapsed();
        let resident = memory::resident();

        let mut samples = Vec::new();
        for i in 0..2200 {
            let t = Instant::now();
            let (status, _) = hub.exchange(SERVICE, body.clone()).await;
            assert_eq!(status, 200);
            if i >= 200 {
                samples.push(t.elapsed());
            }
        }
        let (p50, p99) = lgsp_benches::quantiles(samples);
        let kind = if n == 1 {
            "1 agency".to_owned()
        } else {
            format!(
                "{n} agencies, {} copies, {run}",
                if distinct { "distinct" } else { "shared" }
            )
        };
        println!(
            "{kind:<44} resident {:>7.1} MiB (hub {:>7.1} MiB)   Hub::start {:>8.2} s   serving after {:>8.2} s   {AGENCY} exchange p50 {p50:>7.1} us p99 {p99:>7.1} us",
            resident as f64 / MIB,
            resident.saturating_sub(before) as f64 / MIB,
            secs(start_time),
            secs(serving),
        );
    });
}

fn big_phase() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    rt.block_on(async {
        let upstream = lgsp_benches::ack_upstream().await;
        let hub = InProcess::start(&upstream, |t| t).await;
        // Warm up with small and large messages so that lazily made things exist, then rest.
        for size in [1 << 10, 100 << 10] {
            let (status, _) = hub
                .exchange(SERVICE, lgsp_benches::local_person(size))
                .await;
            assert_eq!(status, 200);
        }
        let size = 10 << 20;
        for round in 1..=3 {
            let rest = memory::resident();
            memory::reset_peak();
            let body = lgsp_benches::local_person(size);
            let (status, reply) = hub.exchange(SERVICE, body).await;
            assert_eq!(status, 200, "{}", String::from_utf8_lossy(&reply));
            let peak = memory::peak();
            let growth = peak.saturating_sub(rest);
            println!(
                "round {round}: message {:.1} MiB   at rest {:>7.1} MiB   peak {:>7.1} MiB   growth {:>6.1} MiB = {:.2} x the message",
                size as f64 / MIB,
                rest as f64 / MIB,
                peak as f64 / MIB,
                growth as f64 / MIB,
                growth as f64 / size as f64
            );
        }
    });
}

fn secs(d: Duration) -> f64 {
    d.as_secs_f64()
}
