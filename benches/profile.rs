//! A steady loop of one hot-path operation, for profilers: start-up (compiling the adapter
//! takes most of it) stays outside `profile_loop`, so that callgrind can count the loop alone:
//!
//! ```text
//! valgrind --tool=callgrind --toggle-collect='*profile_loop*' \
//!     <target>/release/deps/profile-<hash>
//! ```
//!
//! `LGSP_PROFILE` picks the operation: `exchange` (default; the whole exchange in process),
//! `call` (bench-person's `to-national`), `empty` (a fresh instance and a trivial call),
//! `json` (the JSON Schema check of a national form of that size);
//! `LGSP_PROFILE_SIZE` the message size in bytes (default 1024); `LGSP_PROFILE_ITERS` the
//! number of iterations (default 2000).

use std::sync::Arc;

use bytes::Bytes;
use lgsp::config::{StandardConfig, StandardKind};
use lgsp::message::Message;
use lgsp::runtime::{AdapterLimits, CallContext, Direction, LoadedAdapter, Phase};
use lgsp::standard::Standard;
use lgsp_benches::{AGENCY, InProcess, SERVICE};

fn env(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

#[inline(never)]
fn profile_loop(
    rt: &tokio::runtime::Runtime,
    hub: &InProcess,
    adapter: &Arc<LoadedAdapter>,
    op: &str,
    body: &[u8],
    iters: usize,
) {
    let msg = Message {
        content_type: "application/json".to_owned(),
        metadata: Vec::new(),
        body: Bytes::copy_from_slice(body),
    };
    let cx = CallContext {
        exchange_id: "profile",
        service: SERVICE,
        standard: "bench-person@1.0",
        phase: Phase::Request,
    };
    let standard = (op == "json").then(|| {
        Standard::load(&StandardConfig {
            id: "bench-person".to_owned(),
            version: "1.0".to_owned(),
            kind: StandardKind::JsonSchema,
            schema: lgsp_benches::root().join("standards/bench-person/person-envelope.schema.json"),
        })
        .expect("the standard compiles")
    });
    for _ in 0..iters {
        match op {
            "json" => {
                if let Some(standard) = &standard {
                    standard.validate_blocking(&msg).expect("valid");
                }
            }
            "exchange" => {
                let (status, _) = rt.block_on(hub.exchange(SERVICE, body.to_vec()));
                assert_eq!(status, 200);
            }
            _ => {
                rt.block_on(adapter.call(Direction::ToNational, &cx, &msg))
                    .expect("the adapter maps");
            }
        }
    }
}

fn main() {
    let op = std::env::var("LGSP_PROFILE").unwrap_or_else(|_| "exchange".to_owned());
    let size = env("LGSP_PROFILE_SIZE", 1024);
    let iters = env("LGSP_PROFILE_ITERS", 2000);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    let (hub, adapter) = rt.block_on(async {
        let upstream = lgsp_benches::ack_upstream().await;
        let hub = InProcess::start(&upstream, |t| t).await;
        let adapter = if op == "empty" {
            let hostile = std::fs::read(lgsp_tests::components::HOSTILE).expect("hostile");
            let limits = AdapterLimits {
                deadline: lgsp::config::DEFAULT_ADAPTER_DEADLINE,
                max_memory_bytes: lgsp::config::DEFAULT_ADAPTER_MEMORY_BYTES,
                max_output_bytes: lgsp::config::DEFAULT_ADAPTER_OUTPUT_BYTES,
                max_in_flight: lgsp::config::DEFAULT_ADAPTER_MAX_IN_FLIGHT,
            };
            hub.hub
                .runtime()
                .load("profile-echo", &hostile, limits)
                .await
                .expect("hostile loads")
        } else {
            hub.hub.adapter(AGENCY).expect("bench-person")
        };
        (hub, adapter)
    });
    let body = if op == "empty" {
        b"{}".to_vec()
    } else if op == "json" {
        lgsp_benches::national_person(size)
    } else {
        lgsp_benches::local_person(size)
    };
    // Warm up: first calls fault in pages and fill caches.
    profile_loop(&rt, &hub, &adapter, &op, &body, 50);
    let started = std::time::Instant::now();
    let cpu = thread_cpu_ns();
    profile_loop(&rt, &hub, &adapter, &op, &body, iters);
    let cpu = thread_cpu_ns() - cpu;
    println!(
        "{op} of {} bytes: {iters} iterations, {:.1} us each, {:.1} us of this thread's CPU",
        body.len(),
        started.elapsed().as_secs_f64() * 1e6 / iters as f64,
        cpu as f64 / 1e3 / iters as f64
    );
    if op == "exchange" {
        print_steps(&rt, &hub);
    }
}

/// CPU time this thread has run, user and kernel, in nanoseconds: steadier than wall time on
/// a machine shared with builds.
fn thread_cpu_ns() -> u64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse().ok())
        .unwrap_or(0)
}

/// The mean time of each step of the last exchanges, from their message log records.
fn print_steps(rt: &tokio::runtime::Runtime, hub: &InProcess) {
    let records = rt
        .block_on(hub.hub.message_log().list(None, 500))
        .expect("the message log lists");
    let mut steps: Vec<(String, u64)> = Vec::new();
    let mut whole = 0;
    for r in &records {
        whole += r.duration_micros;
        for s in &r.steps {
            match steps.iter_mut().find(|(name, _)| *name == s.step) {
                Some((_, total)) => *total += s.micros,
                None => steps.push((s.step.clone(), s.micros)),
            }
        }
    }
    let n = records.len().max(1) as f64;
    println!(
        "mean of the last {} records: whole {:.1} us",
        records.len(),
        whole as f64 / n
    );
    for (name, total) in steps {
        println!("  {name:<22} {:>8.1} us", total as f64 / n);
    }
}
