//! The sandbox under a misbehaving adapter: each misbehaviour ends that exchange with a
//! problem document naming the adapter, and the next message is served normally.

use lgsp_tests::{TestHub, keys};

fn valid_citizen_record() -> Vec<u8> {
    let dir = lgsp_tests::root().join("sample-adapters/civil-registry-csv/fixtures/to-national");
    std::fs::read(dir.join("ba-dinh-batch.expected.json")).expect("a national record fixture")
}

async fn with_mode(hub: &TestHub, mode: &str) -> lgsp_tests::Reply {
    hub.exchange_with(
        "hostile.echo",
        Some(keys::HOSTILE),
        "application/json",
        &[("lgsp-meta-mode", mode)],
        valid_citizen_record(),
    )
    .await
}

fn civil_csv() -> Vec<u8> {
    let path = "sample-adapters/civil-registry-csv/fixtures/to-national/ba-dinh-batch.input.csv";
    std::fs::read(lgsp_tests::root().join(path)).expect("fixture")
}

/// Each misbehaviour: its problem type, the limit it names (if it broke one), and a word of
/// the detail that says why.
const MISBEHAVIOURS: [(&str, &str, Option<&str>, &str); 10] = [
    ("panic", "adapter-fault", None, "trap"),
    (
        "recurse",
        "adapter-stack-overflow",
        Some("max_wasm_stack=524288"),
        "stack",
    ),
    (
        "grow",
        "adapter-memory-limit",
        Some("max_memory_bytes=67108864"),
        "memory",
    ),
    (
        "huge-output",
        "adapter-memory-limit",
        Some("max_memory_bytes=67108864"),
        "memory",
    ),
    (
        "big-output",
        "adapter-output-too-large",
        Some("max_output_bytes=1048576"),
        "limit",
    ),
    (
        "huge-log",
        "adapter-transfer-limit",
        Some("hostcall_bytes=2097152"),
        "more than",
    ),
    ("bad-utf8", "adapter-fault", None, "utf-8"),
    ("bad-metadata", "adapter-fault", None, "not a header value"),
    (
        "internal",
        "adapter-fault",
        None,
        "hostile adapter reports a failure",
    ),
    (
        "loop",
        "adapter-deadline",
        Some("deadline_ms=500"),
        "deadline",
    ),
];

#[tokio::test]
async fn each_misbehaviour_is_a_problem_and_the_next_message_is_served() {
    let hub = TestHub::shared();
    for (mode, kind, limit, why) in MISBEHAVIOURS {
        // Another agency's exchange runs while the adapter misbehaves.
        let other = {
            let hub = hub.handle();
            tokio::spawn(async move {
                tokio::time::sleep(std::time::Duration::from_millis(20)).await;
                hub.exchange(
                    "citizens.register",
                    Some(keys::REGISTRY_A),
                    "text/csv",
                    civil_csv(),
                )
                .await
            })
        };
        let r = with_mode(&hub, mode).await;
        let p = r.problem(502, kind);
        assert_eq!(p["adapter"], "hostile@0.1.0", "{mode}");
        assert_eq!(p["side"], "caller", "{mode}");
        assert_eq!(
            p["exchange_id"].as_str(),
            r.exchange_id.as_deref(),
            "{mode}"
        );
        assert_eq!(p["limit"].as_str(), limit, "{mode}: {p}");
        let detail = p["detail"].as_str().unwrap_or_default().to_lowercase();
        assert!(detail.contains(why), "{mode}: {detail}");
        assert!(
            !detail.contains('\n'),
            "{mode}: one line, no backtrace: {detail}"
        );

        // One warn line for the operator, naming the adapter and its version.
        let id = r.exchange_id.clone().expect("id");
        let warnings = lgsp_tests::logs::events(&id, tracing::Level::WARN);
        assert_eq!(warnings.len(), 1, "{mode}: {warnings:?}");
        assert_eq!(
            warnings[0].fields.get("adapter").map(String::as_str),
            Some("hostile@0.1.0"),
            "{mode}"
        );

        let other = other.await.expect("joined");
        assert_eq!(
            other.status,
            200,
            "another agency while {mode}: {}",
            other.text()
        );

        let next = with_mode(&hub, "echo").await;
        assert_eq!(next.status, 200, "after {mode}: {}", next.text());
    }
}

#[tokio::test]
async fn a_trap_in_the_reply_direction_only_names_the_reply_leg() {
    let hub = TestHub::shared();
    // to-national copies the record through; the national reply then traps in to-local.
    let r = hub
        .exchange(
            "hostile.unreachable-to-local",
            Some(keys::HOSTILE),
            "application/json",
            valid_citizen_record(),
        )
        .await;
    let p = r.problem(502, "adapter-fault");
    assert_eq!(p["phase"], "reply");
    assert!(
        p["detail"].as_str().unwrap_or_default().contains("trap"),
        "{p}"
    );
}

#[tokio::test]
async fn a_log_flood_is_cut_and_the_message_still_served() {
    let hub = TestHub::shared();
    let r = with_mode(&hub, "log-flood").await;
    assert_eq!(r.status, 200, "{}", r.text());
    let id = r.exchange_id.clone().expect("id");
    let kept = lgsp_tests::logs::events(&id, tracing::Level::INFO)
        .into_iter()
        .filter(|e| e.fields.get("message").is_some_and(|m| m == "flood"))
        .count();
    assert_eq!(kept, 64, "the first 64 lines reach the log");
    let warnings = lgsp_tests::logs::events(&id, tracing::Level::WARN);
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert_eq!(
        warnings[0].fields.get("dropped").map(String::as_str),
        Some("9936")
    );
}

#[tokio::test]
async fn another_agency_is_served_while_an_adapter_spins() {
    let hub = TestHub::shared();
    let spinning = {
        let hub = hub.handle();
        tokio::spawn(async move { with_mode(&hub, "loop").await.status })
    };
    let csv =
        std::fs::read(lgsp_tests::root().join(
            "sample-adapters/civil-registry-csv/fixtures/to-national/ba-dinh-batch.input.csv",
        ))
        .expect("fixture");
    for _ in 0..10 {
        let r = hub
            .exchange(
                "citizens.register",
                Some(keys::REGISTRY_A),
                "text/csv",
                csv.clone(),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.text());
    }
    assert_eq!(spinning.await.expect("joined"), 502);
}

#[tokio::test]
async fn messages_over_the_in_flight_limit_get_503_with_retry_after() {
    // A hub of its own: the limit counts every message in flight for this adapter.
    let hub = TestHub::start_with(|t| t.replace("max_in_flight = 16", "max_in_flight = 2")).await;
    let spin = |hub: TestHub| tokio::spawn(async move { with_mode(&hub, "loop").await.status });
    let first = spin(hub.handle());
    let second = spin(hub.handle());
    tokio::time::sleep(std::time::Duration::from_millis(150)).await;

    let r = with_mode(&hub, "echo").await;
    let p = r.problem(503, "adapter-busy");
    assert_eq!(p["limit"], "max_in_flight=2");
    assert_eq!(r.retry_after.as_deref(), Some("1"));

    assert_eq!(first.await.expect("joined"), 502);
    assert_eq!(second.await.expect("joined"), 502);
    let r = with_mode(&hub, "echo").await;
    assert_eq!(
        r.status,
        200,
        "served again once the others are done: {}",
        r.text()
    );
}

#[tokio::test]
async fn an_exchange_over_its_wall_clock_limit_is_504() {
    let hub = TestHub::shared();
    let r = hub
        .exchange(
            "broken.slower",
            Some(keys::HOSTILE),
            "application/json",
            valid_citizen_record(),
        )
        .await;
    let p = r.problem(504, "exchange-timeout");
    assert_eq!(p["limit"], "exchange_timeout_ms=3000");
}
