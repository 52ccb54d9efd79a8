//! Isolation under a spinning neighbour: the latency of one agency's normal exchanges alone,
//! then while another agency's adapter spins to its CPU deadline on every request.
//!
//! `cargo bench -p lgsp-benches --bench isolation` prints p50 and p99 of each phase and their
//! ratio. The hub runs in process on a two-worker runtime, with the stand-ins, over loopback.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use lgsp_tests::{TestHub, keys};

fn iterations() -> usize {
    std::env::var("LGSP_BENCH_ITERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2000)
}

fn quantiles(mut samples: Vec<Duration>) -> (f64, f64) {
    samples.sort();
    let at =
        |q: f64| samples[((samples.len() as f64 - 1.0) * q).round() as usize].as_secs_f64() * 1e6;
    (at(0.5), at(0.99))
}

async fn measure(hub: &TestHub, csv: &[u8], n: usize) -> Vec<Duration> {
    let mut samples = Vec::with_capacity(n);
    for _ in 0..n {
        let t = Instant::now();
        let r = hub
            .exchange(
                "citizens.register",
                Some(keys::REGISTRY_A),
                "text/csv",
                csv.to_vec(),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.text());
        samples.push(t.elapsed());
    }
    samples
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let hub = TestHub::start().await;
        let csv = std::fs::read(
            lgsp_tests::root().join("sample-adapters/civil-registry-csv/fixtures/to-national/ba-dinh-batch.input.csv"),
        )
        .expect("fixture");
        measure(&hub, &csv, 200).await;

        let (alone_p50, alone_p99) = quantiles(measure(&hub, &csv, iterations()).await);

        let stop = Arc::new(AtomicBool::new(false));
        let spun = Arc::new(AtomicUsize::new(0));
        let spinner = {
            let (hub, stop, spun) = (hub.handle(), stop.clone(), spun.clone());
            tokio::spawn(async move {
                while !stop.load(Ordering::Relaxed) {
                    let r = hub
                        .exchange_with("hostile.echo", Some(keys::HOSTILE), "application/json", &[("lgsp-meta-mode", "loop")], "{}")
                        .await;
                    assert_eq!(r.status, 502, "the spinner is stopped by its deadline");
                    spun.fetch_add(1, Ordering::Relaxed);
                }
            })
        };
        tokio::time::sleep(Duration::from_millis(100)).await;
        let (busy_p50, busy_p99) = quantiles(measure(&hub, &csv, iterations()).await);
        stop.store(true, Ordering::Relaxed);
        spinner.await.expect("spinner");

        println!("civil-registry-csv exchanges, n={} each, hostile adapter deadline 500 ms", iterations());
        println!("alone:                          p50 {alone_p50:>9.1} us   p99 {alone_p99:>9.1} us");
        println!("neighbour spinning to deadline: p50 {busy_p50:>9.1} us   p99 {busy_p99:>9.1} us   ({} spins)", spun.load(Ordering::Relaxed));
        println!("ratio busy/alone:               p50 {:>9.2}      p99 {:>9.2}", busy_p50 / alone_p50, busy_p99 / alone_p99);
    });
}
