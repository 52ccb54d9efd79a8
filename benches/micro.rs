//! Micro-benchmarks (divan) of the steps of an exchange, each alone and then all together:
//!
//! - `adapter::compile`: compiling the bench-person component (new bytes every time);
//! - `adapter::prepare`: preparing an already compiled component for a new agency and asking
//!   it to describe itself (one instantiation and one call);
//! - `adapter::call_empty`: a fresh instance and one call that returns a 2-byte message (the
//!   `hostile` adapter's `echo`): the floor of every call;
//! - `adapter::call`: a fresh instance of bench-person and its `to-national` on messages of
//!   1 KiB, 100 KiB and 10 MiB (the argument is the size in bytes);
//! - `validate::json_schema` and `validate::xsd`: the hub's check of a national form of
//!   those sizes (bench-person's JSON Schema; edXML's XSD through libxml2);
//! - `exchange::in_process`: the whole exchange (authentication, two adapter calls, both
//!   validations, the provider call, the message log's commit) through the hub's router
//!   without a client socket; only the provider is reached over loopback.
//!
//! `cargo bench -p lgsp-benches --bench micro` (add a filter such as `adapter` to run part).

use std::sync::{Arc, OnceLock};

use bytes::Bytes;
use divan::Bencher;
use lgsp::config::{StandardConfig, StandardKind};
use lgsp::message::Message;
use lgsp::runtime::{AdapterLimits, CallContext, Direction, LoadedAdapter, Phase};
use lgsp::standard::Standard;
use lgsp_benches::{AGENCY, InProcess, SERVICE, SIZES};

fn main() {
    divan::main();
}

/// What every benchmark shares: one runtime on this thread and one hub.
struct Bench {
    rt: tokio::runtime::Runtime,
    hub: InProcess,
    echo: Arc<LoadedAdapter>,
}

fn bench() -> &'static Bench {
    static BENCH: OnceLock<Bench> = OnceLock::new();
    BENCH.get_or_init(|| {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a runtime");
        let (hub, echo) = rt.block_on(async {
            let upstream = lgsp_benches::ack_upstream().await;
            let hub = InProcess::start(&upstream, |t| t).await;
            let hostile = std::fs::read(lgsp_tests::components::HOSTILE).expect("hostile");
            let echo = hub
                .hub
                .runtime()
                .load("bench-echo", &hostile, limits())
                .await
                .expect("hostile loads");
            (hub, echo)
        });
        Bench { rt, hub, echo }
    })
}

fn limits() -> AdapterLimits {
    AdapterLimits {
        deadline: lgsp::config::DEFAULT_ADAPTER_DEADLINE,
        max_memory_bytes: lgsp::config::DEFAULT_ADAPTER_MEMORY_BYTES,
        max_output_bytes: lgsp::config::DEFAULT_ADAPTER_OUTPUT_BYTES,
        max_in_flight: lgsp::config::DEFAULT_ADAPTER_MAX_IN_FLIGHT,
    }
}

fn json(body: Vec<u8>) -> Message {
    Message {
        content_type: "application/json".to_owned(),
        metadata: Vec::new(),
        body: Bytes::from(body),
    }
}

mod adapter {
    use super::*;

    /// A component section named `lgsp-bench` holding `n`, appended so that every compile
    /// sees bytes it has not seen before.
    fn unique(component: &[u8], n: u64) -> Vec<u8> {
        let name = b"lgsp-bench";
        let payload = n.to_le_bytes();
        let size = 1 + name.len() + payload.len();
        let mut out = component.to_vec();
        out.push(0); // custom section
        out.push(size as u8);
        out.push(name.len() as u8);
        out.extend_from_slice(name);
        out.extend_from_slice(&payload);
        out
    }

    #[divan::bench(sample_count = 10, sample_size = 1)]
    fn compile(bencher: Bencher) {
        let b = bench();
        let bytes = std::fs::read(lgsp_benches::bench_person_component()).expect("component");
        let mut n = 0u64;
        bencher
            .with_inputs(|| {
                n += 1;
                unique(&bytes, n)
            })
            .bench_local_values(|bytes| {
                b.rt.block_on(b.hub.hub.runtime().load("bench-compile", &bytes, limits()))
                    .expect("loads")
            });
    }

    #[divan::bench]
    fn prepare(bencher: Bencher) {
        let b = bench();
        let bytes = std::fs::read(lgsp_benches::bench_person_component()).expect("component");
        bencher.bench_local(|| {
            b.rt.block_on(b.hub.hub.runtime().load("bench-prepare", &bytes, limits()))
                .expect("loads")
        });
    }

    #[divan::bench]
    fn call_empty(bencher: Bencher) {
        let b = bench();
        let msg = json(b"{}".to_vec());
        let cx = CallContext {
            exchange_id: "bench",
            service: "hostile.echo",
            standard: "bench-person@1.0",
            phase: Phase::Request,
        };
        bencher.bench_local(|| {
            b.rt.block_on(b.echo.call(Direction::ToNational, &cx, &msg))
                .expect("echoes")
        });
    }

    #[divan::bench(args = SIZES, max_time = 10)]
    fn call(bencher: Bencher, size: usize) {
        let b = bench();
        let adapter = b.hub.hub.adapter(AGENCY).expect("bench-person");
        let msg = json(lgsp_benches::local_person(size));
        let cx = CallContext {
            exchange_id: "bench",
            service: SERVICE,
            standard: "bench-person@1.0",
            phase: Phase::Request,
        };
        bencher.bench_local(|| {
            b.rt.block_on(adapter.call(Direction::ToNational, &cx, &msg))
                .expect("maps")
        });
    }
}

mod validate {
    use super::*;

    fn standard(id: &str, version: &str, kind: StandardKind, schema: &str) -> Standard {
        Standard::load(&StandardConfig {
            id: id.to_owned(),
            version: version.to_owned(),
            kind,
            schema: lgsp_benches::root().join(schema),
        })
        .expect("the standard compiles")
    }

    #[divan::bench(args = SIZES, max_time = 10)]
    fn json_schema(bencher: Bencher, size: usize) {
        let standard = standard(
            "bench-person",
            "1.0",
            StandardKind::JsonSchema,
            "standards/bench-person/person-envelope.schema.json",
        );
        let msg = json(lgsp_benches::national_person(size));
        bencher.bench_local(|| standard.validate_blocking(&msg).expect("valid"));
    }

    #[divan::bench(args = SIZES, max_time = 10)]
    fn xsd(bencher: Bencher, size: usize) {
        let standard = standard(
            "edxml",
            "2016",
            StandardKind::Xsd,
            "standards/edxml/qcvn-102-2016.xsd",
        );
        let msg = Message {
            content_type: "application/xml".to_owned(),
            metadata: Vec::new(),
            body: Bytes::from(lgsp_benches::edxml_of_size(size)),
        };
        bencher.bench_local(|| standard.validate_blocking(&msg).expect("valid"));
    }
}

mod exchange {
    use super::*;

    #[divan::bench(args = SIZES, max_time = 10)]
    fn in_process(bencher: Bencher, size: usize) {
        let b = bench();
        let body = lgsp_benches::local_person(size);
        bencher
            .with_inputs(|| body.clone())
            .bench_local_values(|body| {
                let (status, reply) = b.rt.block_on(b.hub.exchange(SERVICE, body));
                assert_eq!(status, 200, "{}", String::from_utf8_lossy(&reply));
            });
    }
}
