//! Every error kind of the exchange endpoint: status, problem `type`, and the details a caller
//! needs (violations, side, limit).

use lgsp_tests::{TestHub, keys};

/// A national citizen record that satisfies `citizen-record@1.0`, from the adapter's fixtures.
fn valid_citizen_record() -> Vec<u8> {
    let dir = lgsp_tests::root().join("sample-adapters/civil-registry-csv/fixtures/to-national");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("civil fixtures")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.to_string_lossy().ends_with(".expected.json"))
        .collect();
    files.sort();
    std::fs::read(&files[0]).expect("a national record fixture")
}

#[tokio::test]
async fn no_key_is_401_and_is_recorded() {
    let hub = TestHub::shared();
    let r = hub
        .exchange("documents.send", None, "application/json", "{}")
        .await;
    let p = r.problem(401, "unauthenticated");
    let id = r
        .exchange_id
        .clone()
        .expect("an exchange id even for a refusal");
    assert_eq!(p["exchange_id"], id.as_str());

    let record = hub
        .get(&format!("/v1/messages/{id}"), Some(keys::OPERATOR))
        .await
        .json();
    assert_eq!(record["outcome"], "rejected");
    assert_eq!(record["status"], 401);
    assert_eq!(record["caller"], serde_json::Value::Null);
    assert_eq!(record["problem_type"], "urn:lgsp:problem:unauthenticated");
}

#[tokio::test]
async fn unknown_key_is_401() {
    let hub = TestHub::shared();
    let r = hub
        .exchange(
            "documents.send",
            Some("not-a-key"),
            "application/json",
            "{}",
        )
        .await;
    r.problem(401, "unauthenticated");
}

#[tokio::test]
async fn service_not_granted_is_403() {
    let hub = TestHub::shared();
    let r = hub
        .exchange("citizens.register", Some(keys::DMS_A), "text/csv", "x")
        .await;
    let p = r.problem(403, "forbidden");
    assert!(
        p["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("citizens.register"),
        "{p}"
    );
}

#[tokio::test]
async fn unknown_service_is_404() {
    let hub = TestHub::shared();
    let r = hub
        .exchange(
            "no.such.service",
            Some(keys::DMS_A),
            "application/json",
            "{}",
        )
        .await;
    r.problem(404, "unknown-service");
}

#[tokio::test]
async fn body_over_the_limit_is_413_before_any_adapter_runs() {
    let hub = TestHub::shared();
    let body = vec![b'a'; 1024 * 1024 + 1];
    let r = hub
        .exchange(
            "citizens.register",
            Some(keys::REGISTRY_A),
            "text/csv",
            body,
        )
        .await;
    let p = r.problem(413, "body-too-large");
    assert_eq!(p["limit"], "max_body_bytes=1048576");
    let record = hub
        .get(
            &format!("/v1/messages/{}", r.exchange_id.expect("id")),
            Some(keys::OPERATOR),
        )
        .await
        .json();
    assert_eq!(record["steps"], serde_json::json!([]), "no adapter ran");

    let exactly = vec![b'a'; 1024 * 1024];
    let r = hub
        .exchange(
            "citizens.register",
            Some(keys::REGISTRY_A),
            "text/csv",
            exactly,
        )
        .await;
    assert_ne!(r.status, 413, "a body at the limit is read");
}

#[tokio::test]
async fn caller_adapter_rejection_is_422_with_violations() {
    let hub = TestHub::shared();
    let csv = "so_dinh_danh,ho_ten,ngay_sinh,gioi_tinh,ma_xa,ma_tinh\n001090001234,Nguyễn Văn A,31/02/1990,Nam,00004,01\n";
    let r = hub
        .exchange(
            "citizens.register",
            Some(keys::REGISTRY_A),
            "text/csv; charset=utf-8",
            csv,
        )
        .await;
    let p = r.problem(422, "adapter-rejected");
    assert_eq!(p["side"], "caller");
    assert_eq!(p["phase"], "request");
    assert_eq!(p["agency"], lgsp_tests::agencies::REGISTRY_A);
    let violations = p["violations"].as_array().expect("violations");
    assert!(
        violations
            .iter()
            .any(|v| v["path"].as_str().is_some_and(|s| s.contains("ngay_sinh"))),
        "the bad date is named: {p}"
    );
}

#[tokio::test]
async fn caller_national_form_failing_the_standard_is_422_caller_side() {
    let hub = TestHub::shared();
    // The hostile adapter copies the message through: the hub must catch what it lets by.
    let r = hub
        .exchange(
            "hostile.echo",
            Some(keys::HOSTILE),
            "application/json",
            r#"{"records":[]}"#,
        )
        .await;
    let p = r.problem(422, "standard-violation");
    assert_eq!(p["side"], "caller");
    assert_eq!(p["standard"], "citizen-record@1.0");
    let violations = p["violations"].as_array().expect("violations");
    assert!(violations.iter().any(|v| v["code"] == "required"), "{p}");
}

#[tokio::test]
async fn provider_reply_failing_the_standard_is_422_provider_side() {
    let hub = TestHub::shared();
    let r = hub
        .exchange(
            "broken.invalid-reply",
            Some(keys::HOSTILE),
            "application/json",
            valid_citizen_record(),
        )
        .await;
    let p = r.problem(422, "standard-violation");
    assert_eq!(p["side"], "provider");
    assert_eq!(p["standard"], "citizen-receipt@1.0");
    assert!(!p["violations"].as_array().expect("violations").is_empty());
}

#[tokio::test]
async fn national_form_with_a_doctype_is_refused_unexpanded() {
    let hub = TestHub::shared();
    let xxe = r#"<?xml version="1.0"?><!DOCTYPE edXML [<!ENTITY x SYSTEM "file:///etc/passwd">]><edXML xmlns="http://www.mic.gov.vn/TBT/QCVN_102_2016">&x;</edXML>"#;
    let r = hub
        .exchange(
            "documents.deliver.h41",
            Some(keys::NATIONAL),
            "application/xml",
            xxe,
        )
        .await;
    let p = r.problem(422, "standard-violation");
    assert_eq!(p["violations"][0]["code"], "doctype");
    assert!(!r.text().contains("root:"), "no file content leaks");
}

#[tokio::test]
async fn adapter_trap_is_502_and_does_not_poison_the_next_message() {
    let hub = TestHub::shared();
    let r = hub
        .exchange_with(
            "hostile.echo",
            Some(keys::HOSTILE),
            "application/json",
            &[("lgsp-meta-mode", "panic")],
            "{}",
        )
        .await;
    let p = r.problem(502, "adapter-fault");
    assert_eq!(p["adapter"], "hostile@0.1.0");
    assert_eq!(p["agency"], "hostile");
    assert!(p["exchange_id"].is_string());

    let r = hub
        .exchange(
            "hostile.echo",
            Some(keys::HOSTILE),
            "application/json",
            valid_citizen_record(),
        )
        .await;
    assert_eq!(r.status, 200, "the next message is served: {}", r.text());
}

#[tokio::test]
async fn adapter_past_its_deadline_is_502_naming_the_limit() {
    let hub = TestHub::shared();
    let r = hub
        .exchange_with(
            "hostile.echo",
            Some(keys::HOSTILE),
            "application/json",
            &[("lgsp-meta-mode", "loop")],
            "{}",
        )
        .await;
    let p = r.problem(502, "adapter-deadline");
    assert_eq!(p["limit"], "deadline_ms=500");
}

#[tokio::test]
async fn unsupported_message_is_422() {
    let hub = TestHub::shared();
    let r = hub
        .exchange_with(
            "hostile.echo",
            Some(keys::HOSTILE),
            "application/json",
            &[("lgsp-meta-mode", "unsupported")],
            "{}",
        )
        .await;
    let p = r.problem(422, "unsupported-message");
    assert_eq!(p["side"], "caller");
}

#[tokio::test]
async fn unreachable_provider_is_502() {
    let hub = TestHub::shared();
    let r = hub
        .exchange(
            "broken.unreachable",
            Some(keys::HOSTILE),
            "application/json",
            valid_citizen_record(),
        )
        .await;
    let p = r.problem(502, "provider-unreachable");
    assert_eq!(p["side"], "provider");
}

#[tokio::test]
async fn slow_provider_is_504() {
    let hub = TestHub::shared();
    let r = hub
        .exchange(
            "broken.slow",
            Some(keys::HOSTILE),
            "application/json",
            valid_citizen_record(),
        )
        .await;
    let p = r.problem(504, "provider-timeout");
    assert!(
        p["detail"].as_str().unwrap_or_default().contains("300 ms"),
        "{p}"
    );
}

#[tokio::test]
async fn provider_error_status_is_502() {
    let hub = TestHub::shared();
    let r = hub
        .exchange(
            "broken.status",
            Some(keys::HOSTILE),
            "application/json",
            valid_citizen_record(),
        )
        .await;
    let p = r.problem(502, "provider-error");
    assert!(
        p["detail"].as_str().unwrap_or_default().contains("500"),
        "{p}"
    );
}

#[tokio::test]
async fn unknown_routes_and_methods_are_problem_documents() {
    let hub = TestHub::shared();
    hub.get("/v2/whatever", None)
        .await
        .problem(404, "not-found");
    hub.get("/v1/exchange/documents.send", Some(keys::DMS_A))
        .await
        .problem(405, "method-not-allowed");
}

#[tokio::test]
async fn a_client_dribbling_its_body_gets_408() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let hub = TestHub::shared();
    let addr = hub.url.trim_start_matches("http://").to_owned();
    let mut conn = tokio::net::TcpStream::connect(&addr)
        .await
        .expect("connect");
    let head = format!(
        "POST /v1/exchange/citizens.register HTTP/1.1\r\nhost: {addr}\r\nauthorization: Bearer {}\r\ncontent-type: text/csv\r\ncontent-length: 1000\r\n\r\nso_dinh",
        keys::REGISTRY_A
    );
    conn.write_all(head.as_bytes()).await.expect("write");
    // Then nothing more: the hub must answer once exchange_timeout_ms (3 s here) has passed.
    let mut answer = Vec::new();
    let read = tokio::time::timeout(
        std::time::Duration::from_secs(10),
        conn.read_to_end(&mut answer),
    )
    .await;
    assert!(
        read.is_ok(),
        "the hub answered a stalled body within its limit"
    );
    let text = String::from_utf8_lossy(&answer);
    assert!(text.starts_with("HTTP/1.1 408"), "{text}");
    assert!(text.contains("urn:lgsp:problem:body-timeout"), "{text}");
}

#[tokio::test]
async fn a_client_dribbling_its_headers_is_cut_off() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let hub = TestHub::shared();
    let addr = hub.url.trim_start_matches("http://").to_owned();
    let mut conn = tokio::net::TcpStream::connect(&addr)
        .await
        .expect("connect");
    conn.write_all(b"POST /v1/exchange/documents.send HTTP/1.1\r\nhost: x\r\n")
        .await
        .expect("write");
    // Then nothing more: the header section never ends.
    let started = std::time::Instant::now();
    let mut answer = Vec::new();
    let read = tokio::time::timeout(
        lgsp::server::HEADER_READ_TIMEOUT + std::time::Duration::from_secs(5),
        conn.read_to_end(&mut answer),
    )
    .await;
    assert!(read.is_ok(), "the hub closed the connection");
    assert!(
        started.elapsed() >= lgsp::server::HEADER_READ_TIMEOUT - std::time::Duration::from_secs(1)
    );
    // And the hub still serves everyone else.
    hub.get("/healthz", None).await;
}
