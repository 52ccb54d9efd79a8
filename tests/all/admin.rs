//! The admin API against the real hub: the adapter registry's whole life (upload, activate,
//! hot swap under load, rollback, restart), run-time tables, rights on every path of the
//! OpenAPI document, and the audit log. Signatures are in `signatures.rs`.

#![allow(clippy::unwrap_used, reason = "a failed step fails the test")]

use std::collections::BTreeSet;

use lgsp_tests::{Reply, TestHub, agencies, components, keys};
use reqwest::Method;
use serde_json::{Value, json};

const CSV: &str = "text/csv; charset=utf-8";

pub(crate) fn civil_bytes() -> Vec<u8> {
    std::fs::read(components::civil_registry_csv()).expect("built by build.rs")
}

/// The same component with a custom section appended: other bytes, same behaviour, so a
/// second version to swap in.
pub(crate) fn with_custom_section(mut bytes: Vec<u8>, text: &str) -> Vec<u8> {
    let name = b"lgsp-test";
    let payload = text.as_bytes();
    let size = 1 + name.len() + payload.len();
    bytes.push(0); // custom section id
    let mut leb = size;
    loop {
        let byte = (leb & 0x7f) as u8;
        leb >>= 7;
        if leb == 0 {
            bytes.push(byte);
            break;
        }
        bytes.push(byte | 0x80);
    }
    bytes.push(name.len() as u8);
    bytes.extend_from_slice(name);
    bytes.extend_from_slice(payload);
    bytes
}

fn csv_input() -> Vec<u8> {
    std::fs::read(
        lgsp_tests::root().join(
            "sample-adapters/civil-registry-csv/fixtures/to-national/ba-dinh-batch.input.csv",
        ),
    )
    .expect("fixture")
}

/// The test config with registry A's adapter left to the registry (limits only).
fn without_registry_a_component(text: String) -> String {
    let marker = format!("agency = \"{}\"\ncomponent = ", agencies::REGISTRY_A);
    let start = text.find(&marker).expect("registry A's adapter entry") + marker.len()
        - "component = ".len();
    let end = start + text[start..].find('\n').expect("end of line") + 1;
    format!("{}{}", &text[..start], &text[end..])
}

pub(crate) async fn upload(
    hub: &TestHub,
    agency: &str,
    bytes: Vec<u8>,
    query: &str,
    headers: &[(&str, &str)],
) -> Reply {
    hub.admin(
        Method::POST,
        &format!("/admin/v1/agencies/{agency}/adapters{query}"),
        Some(keys::OPERATOR),
        headers,
        Some(("application/wasm", bytes)),
    )
    .await
}

async fn served_by(hub: &TestHub, exchange_id: &str) -> String {
    let r = hub
        .get(&format!("/v1/messages/{exchange_id}"), Some(keys::OPERATOR))
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    r.json()["caller_adapter_sha256"]
        .as_str()
        .expect("the record names the adapter's content")
        .to_owned()
}

pub(crate) async fn register_once(hub: &TestHub) -> Reply {
    hub.exchange(
        "citizens.register",
        Some(keys::REGISTRY_A),
        CSV,
        csv_input(),
    )
    .await
}

#[tokio::test]
async fn an_adapter_is_uploaded_swapped_under_load_rolled_back_and_survives_a_restart() {
    let hub = TestHub::start_with(without_registry_a_component).await;
    let v1 = civil_bytes();
    let v2 = with_custom_section(v1.clone(), "second build");
    let (sha1, sha2) = (lgsp_tests::sha256(&v1), lgsp_tests::sha256(&v2));

    // No adapter yet: the agency's exchanges fail, naming why.
    register_once(&hub)
        .await
        .problem(503, "adapter-unavailable");

    let r = upload(
        &hub,
        agencies::REGISTRY_A,
        v1.clone(),
        "?activate=true",
        &[],
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.text());
    let up = r.json();
    assert_eq!(up["version"], 1);
    assert_eq!(up["sha256"], sha1);
    assert_eq!(up["name"], "civil-registry-csv");
    assert_eq!(up["active"], true);
    assert_eq!(up["uploaded_by"], "test-operator");

    // The same bytes again: the same version, 200.
    let r = upload(&hub, agencies::REGISTRY_A, v1.clone(), "", &[]).await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()["version"], 1);

    let r = register_once(&hub).await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(
        served_by(&hub, r.exchange_id.as_deref().unwrap()).await,
        sha1
    );

    let r = upload(&hub, agencies::REGISTRY_A, v2.clone(), "", &[]).await;
    assert_eq!(r.status, 201, "{}", r.text());
    assert_eq!(r.json()["version"], 2);
    assert_eq!(r.json()["active"], false, "uploaded without activate");

    // A stream of exchanges runs while version 2 is activated; each stream goes on until it
    // has had ten answers after the activation returned.
    let activated = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let mut streams = Vec::new();
    for _ in 0..4 {
        let h = hub.handle();
        let activated = activated.clone();
        streams.push(tokio::spawn(async move {
            let mut ids = Vec::new();
            let mut after = 0;
            while after < 10 {
                let late = activated.load(std::sync::atomic::Ordering::SeqCst);
                let r = register_once(&h).await;
                assert_eq!(
                    r.status,
                    200,
                    "an exchange failed during the swap: {}",
                    r.text()
                );
                ids.push((late, r.exchange_id.expect("exchange id")));
                after += usize::from(late);
            }
            ids
        }));
    }
    tokio::time::sleep(std::time::Duration::from_millis(150)).await;
    let r = hub
        .admin(
            Method::POST,
            &format!(
                "/admin/v1/agencies/{}/adapters/2/activate",
                agencies::REGISTRY_A
            ),
            Some(keys::OPERATOR),
            &[],
            None,
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()["previous"], 1);
    activated.store(true, std::sync::atomic::Ordering::SeqCst);
    let mut ids = Vec::new();
    for s in streams {
        ids.extend(s.await.expect("stream"));
    }
    let mut seen = BTreeSet::new();
    for (late, id) in &ids {
        let sha = served_by(&hub, id).await;
        assert!(
            sha == sha1 || sha == sha2,
            "served by an unknown version {sha}"
        );
        if *late {
            assert_eq!(sha, sha2, "sent after the activation returned");
        }
        seen.insert(sha);
    }
    assert_eq!(
        seen,
        BTreeSet::from([sha1.clone(), sha2.clone()]),
        "both versions served"
    );
    let last = register_once(&hub).await;
    assert_eq!(
        served_by(&hub, last.exchange_id.as_deref().unwrap()).await,
        sha2
    );

    // Deleting the active version is refused; rollback goes back to version 1 at once.
    let r = hub
        .admin(
            Method::DELETE,
            &format!("/admin/v1/agencies/{}/adapters/2", agencies::REGISTRY_A),
            Some(keys::OPERATOR),
            &[],
            None,
        )
        .await;
    r.problem(409, "version-active");
    let r = hub
        .admin(
            Method::POST,
            &format!("/admin/v1/agencies/{}/rollback", agencies::REGISTRY_A),
            Some(keys::OPERATOR),
            &[],
            None,
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()["version"], 1);
    assert_eq!(r.json()["previous"], 2);
    let r = register_once(&hub).await;
    assert_eq!(
        served_by(&hub, r.exchange_id.as_deref().unwrap()).await,
        sha1
    );

    // A restart keeps the registry and the rolled-back choice.
    let hub = hub.restart().await;
    let r = register_once(&hub).await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(
        served_by(&hub, r.exchange_id.as_deref().unwrap()).await,
        sha1
    );
    let r = hub
        .get(
            &format!("/admin/v1/agencies/{}/adapters", agencies::REGISTRY_A),
            Some(keys::AUDITOR),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let listing = r.json();
    assert_eq!(listing["active"], 1);
    let versions: Vec<i64> = listing["versions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["version"].as_i64().unwrap())
        .collect();
    assert_eq!(versions, [1, 2]);

    // Now version 2 is not active and can go.
    let r = hub
        .admin(
            Method::DELETE,
            &format!("/admin/v1/agencies/{}/adapters/2", agencies::REGISTRY_A),
            Some(keys::OPERATOR),
            &[],
            None,
        )
        .await;
    assert_eq!(r.status, 204, "{}", r.text());

    // The audit log has every change, newest first, with who and what.
    let r = hub
        .get("/admin/v1/audit?limit=100", Some(keys::AUDITOR))
        .await;
    let entries = r.json()["entries"].as_array().unwrap().clone();
    let actions: Vec<&str> = entries
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        [
            "adapter.delete",
            "adapter.rollback",
            "adapter.delete",
            "adapter.activate",
            "adapter.upload",
            "adapter.upload",
            "adapter.upload",
        ]
    );
    assert_eq!(entries[2]["outcome"], "refused");
    assert_eq!(entries[2]["status"], 409);
    assert_eq!(entries[1]["before"], json!({ "active": 2 }));
    assert_eq!(entries[1]["after"], json!({ "active": 1 }));
    assert!(entries.iter().all(|e| e["actor"] == "test-operator"));
    assert!(
        entries
            .iter()
            .all(|e| e["remote"].as_str().unwrap().starts_with("127.0.0.1:"))
    );
}

#[tokio::test]
async fn what_is_not_a_valid_adapter_is_refused_with_the_reason() {
    let hub = TestHub::start_with(without_registry_a_component).await;
    let r = upload(
        &hub,
        agencies::REGISTRY_A,
        b"\0asm not really".to_vec(),
        "",
        &[],
    )
    .await;
    let p = r.problem(422, "adapter-invalid");
    assert!(p["detail"].as_str().unwrap().contains("compile"), "{p}");

    let wasi = std::fs::read(components::HOSTILE_WASI).unwrap();
    let r = upload(&hub, agencies::REGISTRY_A, wasi, "", &[]).await;
    let p = r.problem(422, "adapter-invalid");
    let detail = p["detail"].as_str().unwrap();
    assert!(detail.contains("wasi:filesystem"), "{detail}");
    assert!(detail.contains("wasi:sockets"), "{detail}");

    let r = upload(&hub, agencies::REGISTRY_A, Vec::new(), "", &[]).await;
    r.problem(422, "adapter-invalid");
    let r = upload(&hub, "bad agency!", civil_bytes(), "", &[]).await;
    r.problem(400, "bad-request");
    let r = upload(
        &hub,
        agencies::REGISTRY_A,
        civil_bytes(),
        "?activate=yes",
        &[],
    )
    .await;
    r.problem(400, "bad-request");
    let r = hub
        .get(
            &format!("/admin/v1/agencies/{}/adapters", agencies::REGISTRY_A),
            Some(keys::OPERATOR),
        )
        .await;
    assert_eq!(r.json()["versions"], json!([]), "nothing refused was kept");

    // A path segment that is not UTF-8 is refused by the router itself, still as a problem.
    let r = hub
        .admin(
            Method::PUT,
            "/admin/v1/services/%c0",
            Some(keys::OPERATOR),
            &[],
            Some(("application/json", b"{}".to_vec())),
        )
        .await;
    let p = r.problem(400, "bad-request");
    assert!(
        p["detail"].as_str().unwrap_or_default().contains("UTF-8"),
        "{p}"
    );

    // A body over a route's limit is a problem document too, once the caller is known.
    let huge = vec![b' '; lgsp::api::admin::MAX_JSON_BYTES + 1];
    let r = hub
        .admin(
            Method::PUT,
            "/admin/v1/services/big",
            Some(keys::OPERATOR),
            &[],
            Some(("application/json", huge.clone())),
        )
        .await;
    let p = r.problem(413, "body-too-large");
    assert_eq!(
        p["limit"],
        format!("bytes={}", lgsp::api::admin::MAX_JSON_BYTES)
    );
    let r = hub
        .admin(
            Method::PUT,
            "/admin/v1/services/big",
            Some(keys::AUDITOR),
            &[],
            Some(("application/json", huge)),
        )
        .await;
    r.problem(403, "forbidden");
}

/// A DELETE by the operator.
async fn operator_delete(hub: &TestHub, path: &str) -> Reply {
    hub.admin(Method::DELETE, path, Some(keys::OPERATOR), &[], None)
        .await
}

/// A value for each path parameter of the OpenAPI document.
fn fill(path: &str) -> String {
    path.replace("{agency}", agencies::REGISTRY_A)
        .replace("{version}", "1")
        .replace("{id}", "x")
}

#[tokio::test]
async fn every_admin_path_needs_credentials_and_auditors_change_nothing() {
    let hub = TestHub::start().await;
    let r = hub.get("/admin/v1/openapi.json", Some(keys::AUDITOR)).await;
    assert_eq!(r.status, 200, "{}", r.text());
    let doc = r.json();
    let paths = doc["paths"].as_object().expect("paths");
    assert!(paths.len() >= 12, "{}", paths.len());
    let mut walked = 0;
    for (path, item) in paths {
        for method in item.as_object().unwrap().keys() {
            let m = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            let url = fill(path);
            let body = Some(("application/json", b"{}".to_vec()));
            let r = hub.admin(m.clone(), &url, None, &[], body.clone()).await;
            r.problem(401, "unauthenticated");
            let r = hub
                .admin(m.clone(), &url, Some("not-a-token"), &[], body.clone())
                .await;
            r.problem(401, "unauthenticated");
            let r = hub
                .admin(m.clone(), &url, Some(keys::REGISTRY_A), &[], body.clone())
                .await;
            r.problem(403, "forbidden");
            if m != Method::GET {
                let r = hub
                    .admin(m.clone(), &url, Some(keys::AUDITOR), &[], body)
                    .await;
                r.problem(403, "forbidden");
            }
            walked += 1;
        }
    }
    assert!(walked >= 17, "{walked}");
    // Each refused change is in the audit log, without an actor for the anonymous ones.
    let r = hub
        .get("/admin/v1/audit?limit=500", Some(keys::AUDITOR))
        .await;
    let entries = r.json()["entries"].as_array().unwrap().clone();
    assert!(entries.iter().all(|e| e["outcome"] == "refused"));
    assert!(
        entries
            .iter()
            .any(|e| e["actor"] == "test-auditor" && e["status"] == 403)
    );
    assert!(
        entries
            .iter()
            .any(|e| e["actor"].is_null() && e["status"] == 401)
    );
}

#[tokio::test]
async fn the_openapi_document_lists_exactly_the_admin_routes() {
    let doc: Value = serde_json::from_str(lgsp::api::admin::OPENAPI).unwrap();
    assert_eq!(doc["openapi"], "3.1.0");
    let documented: BTreeSet<String> = doc["paths"].as_object().unwrap().keys().cloned().collect();
    let hub = TestHub::shared();
    // Every documented path answers (401, not 404), and a neighbour that is not documented
    // is not an admin route.
    for path in &documented {
        let r = hub.admin(Method::GET, &fill(path), None, &[], None).await;
        assert_ne!(r.status, 404, "{path} is documented but not routed");
    }
    let r = hub
        .admin(Method::GET, "/admin/v1/nothing", None, &[], None)
        .await;
    assert_eq!(r.status, 404);
}

#[tokio::test]
async fn standards_services_and_clients_change_at_run_time_and_survive_a_restart() {
    let hub = TestHub::start().await;
    let op = Some(keys::OPERATOR);
    let schema = std::fs::read(
        lgsp_tests::root().join("standards/citizen-record/citizen-record.schema.json"),
    )
    .unwrap();
    let r = hub
        .admin(
            Method::PUT,
            "/admin/v1/standards/citizen-record/2.0?kind=json-schema",
            op,
            &[],
            Some(("application/schema+json", schema)),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text());
    assert_eq!(r.json()["source"], "api");
    let r = hub
        .admin(
            Method::PUT,
            "/admin/v1/standards/broken/1?kind=json-schema",
            op,
            &[],
            Some(("application/schema+json", b"{\"type\": 12}".to_vec())),
        )
        .await;
    r.problem(422, "standard-invalid");
    // An uploaded XSD may not reach for another document, on disk or on the network.
    for reference in [
        r#"<xs:include schemaLocation="/etc/passwd"/>"#,
        r#"<xs:import namespace="urn:x" schemaLocation="http://127.0.0.1:9/probe.xsd"/>"#,
    ] {
        let schema = format!(
            r#"<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">{reference}</xs:schema>"#
        );
        let r = hub
            .admin(
                Method::PUT,
                "/admin/v1/standards/reaching/1?kind=xsd",
                op,
                &[],
                Some(("application/xml", schema.into_bytes())),
            )
            .await;
        let p = r.problem(422, "standard-invalid");
        let detail = p["detail"].as_str().unwrap_or_default();
        assert!(detail.contains("one self-contained document"), "{detail}");
        assert!(!detail.contains("root:"), "{detail}");
    }
    // Refused schemas leave no file behind: only the accepted one is stored.
    let stored = std::fs::read_dir(hub.data_dir().join("standards"))
        .unwrap()
        .count();
    assert_eq!(stored, 1, "only citizen-record 2.0's schema is kept");
    let r = hub
        .admin(
            Method::PUT,
            "/admin/v1/standards/edxml/2016?kind=xsd",
            op,
            &[],
            Some(("application/xml", b"<x/>".to_vec())),
        )
        .await;
    r.problem(409, "declared-in-config");

    // A service on the new standard (the adapter does not speak it: it only holds the
    // standard in use), and one the adapter serves.
    let on_v2 = json!({
        "standard": "citizen-record@2.0",
        "provider": { "upstream": format!("{}/national/citizens", hub.peers_url) },
    });
    let r = hub
        .admin(
            Method::PUT,
            "/admin/v1/services/records.v2",
            op,
            &[],
            Some(("application/json", on_v2.to_string().into_bytes())),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text());
    let service = json!({
        "standard": "citizen-record@1.0",
        "reply_standard": "citizen-receipt@1.0",
        "provider": { "upstream": format!("{}/national/citizens", hub.peers_url) },
    });
    let r = hub
        .admin(
            Method::PUT,
            "/admin/v1/services/citizens.register.v2",
            op,
            &[],
            Some(("application/json", service.to_string().into_bytes())),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text());
    let r = hub
        .admin(
            Method::PUT,
            "/admin/v1/services/citizens.register.v2",
            op,
            &[],
            Some((
                "application/json",
                br#"{"standard":"nope@1","provider":{"upstream":"http://x"}}"#.to_vec(),
            )),
        )
        .await;
    r.problem(422, "invalid-request");

    let client = json!({ "agency": agencies::REGISTRY_A, "services": ["citizens.register.v2"] });
    let r = hub
        .admin(
            Method::POST,
            "/admin/v1/clients",
            op,
            &[],
            Some(("application/json", client.to_string().into_bytes())),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text());
    let made = r.json();
    let key = made["api_key"].as_str().unwrap().to_owned();
    let id = made["id"].as_str().unwrap().to_owned();
    let r = hub
        .exchange("citizens.register.v2", Some(&key), CSV, csv_input())
        .await;
    assert_eq!(r.status, 200, "{}", r.text());

    // The key is never shown again, nor stored: listings and the audit log lack it.
    let r = hub.get("/admin/v1/clients", Some(keys::AUDITOR)).await;
    assert!(!r.text().contains(&key));
    let r = hub.get("/admin/v1/audit", Some(keys::AUDITOR)).await;
    assert!(!r.text().contains(&key));

    let hub = hub.restart().await;
    let r = hub
        .exchange("citizens.register.v2", Some(&key), CSV, csv_input())
        .await;
    assert_eq!(r.status, 200, "after restart: {}", r.text());

    // In use: the service and the standard cannot go before the client.
    let r = operator_delete(&hub, "/admin/v1/services/citizens.register.v2").await;
    r.problem(409, "in-use");
    let r = operator_delete(&hub, "/admin/v1/standards/citizen-record/2.0").await;
    r.problem(409, "in-use");
    let r = operator_delete(&hub, &format!("/admin/v1/clients/{id}")).await;
    assert_eq!(r.status, 204, "{}", r.text());
    let r = hub
        .exchange("citizens.register.v2", Some(&key), CSV, csv_input())
        .await;
    r.problem(401, "unauthenticated");
    let r = operator_delete(&hub, "/admin/v1/services/citizens.register.v2").await;
    assert_eq!(r.status, 204, "{}", r.text());
    let r = operator_delete(&hub, "/admin/v1/services/records.v2").await;
    assert_eq!(r.status, 204, "{}", r.text());
    let r = operator_delete(&hub, "/admin/v1/standards/citizen-record/2.0").await;
    assert_eq!(r.status, 204, "{}", r.text());

    let r = hub.get("/admin/v1/audit", Some(keys::AUDITOR)).await;
    let entries = r.json()["entries"].as_array().unwrap().clone();
    let service_put = entries
        .iter()
        .find(|e| e["action"] == "service.put" && e["outcome"] == "done")
        .unwrap();
    assert_eq!(service_put["before"], Value::Null);
    assert_eq!(service_put["after"]["id"], "citizens.register.v2");
    assert_eq!(service_put["after"]["standard"], "citizen-record@1.0");
    let deleted = entries
        .iter()
        .find(|e| e["action"] == "client.delete")
        .unwrap();
    assert_eq!(deleted["before"]["id"], id);
}

#[tokio::test]
async fn a_second_hub_on_the_same_data_directory_is_refused() {
    let hub = TestHub::start().await;
    let scratch = tempfile::tempdir().unwrap();
    let path = scratch.path().join("lgsp.toml");
    std::fs::write(
        &path,
        lgsp_tests::config_text(&hub.peers_url, &hub.data_dir()),
    )
    .unwrap();
    let config = lgsp::config::Config::load(&path).unwrap();
    let err = lgsp::hub::Hub::start(config)
        .await
        .expect_err("the first hub holds the directory");
    assert!(
        matches!(err, lgsp::hub::StartError::DataDirInUse { .. }),
        "{err}"
    );
    // The first hub is unharmed.
    assert_eq!(register_once(&hub).await.status, 200);
}
