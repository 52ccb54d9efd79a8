//! The message log over the API: every exchange is recorded with sizes and digests, and only
//! operators can read it.

use lgsp_tests::{TestHub, keys, sha256};

#[tokio::test]
async fn a_delivered_exchange_is_recorded_with_steps_and_digests() {
    // A hub of its own: the test reads the newest record of the log.
    let hub = TestHub::start().await;
    let fixtures =
        lgsp_tests::root().join("sample-adapters/civil-registry-csv/fixtures/to-national");
    let mut inputs: Vec<_> = std::fs::read_dir(&fixtures)
        .expect("fixtures")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.to_string_lossy().ends_with(".input.csv"))
        .collect();
    inputs.sort();
    let csv = std::fs::read(&inputs[0]).expect("csv");

    let r = hub
        .exchange(
            "citizens.register",
            Some(keys::REGISTRY_A),
            "text/csv; charset=utf-8",
            csv.clone(),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let id = r.exchange_id.clone().expect("id");

    let record = hub
        .get(&format!("/v1/messages/{id}"), Some(keys::OPERATOR))
        .await
        .json();
    assert_eq!(record["id"], id.as_str());
    assert_eq!(record["outcome"], "delivered");
    assert_eq!(record["status"], 200);
    assert_eq!(record["caller"], lgsp_tests::agencies::REGISTRY_A);
    assert_eq!(record["service"], "citizens.register");
    assert_eq!(record["caller_adapter"], "civil-registry-csv@0.1.0");
    let steps: Vec<_> = record["steps"]
        .as_array()
        .expect("steps")
        .iter()
        .map(|s| s["step"].as_str().unwrap_or_default().to_owned())
        .collect();
    assert_eq!(
        steps,
        [
            "caller-to-national",
            "validate-request",
            "provider",
            "validate-reply",
            "caller-to-local"
        ]
    );

    let bodies = record["bodies"].as_array().expect("bodies");
    let leg = |name: &str| {
        bodies
            .iter()
            .find(|b| b["leg"] == name)
            .unwrap_or_else(|| panic!("leg {name}: {record}"))
            .clone()
    };
    assert_eq!(leg("request")["sha256"], sha256(&csv));
    assert_eq!(leg("request")["bytes"], csv.len());
    assert_eq!(leg("response")["sha256"], sha256(&r.body));
    let national = hub
        .recorder
        .find(&id, "/national/citizens")
        .expect("forwarded");
    assert_eq!(leg("national-request")["sha256"], sha256(&national.body));

    let page = hub
        .get("/v1/messages?limit=1", Some(keys::OPERATOR))
        .await
        .json();
    assert_eq!(page["records"][0]["id"], id.as_str());
}

#[tokio::test]
async fn only_operators_read_the_log() {
    let hub = TestHub::shared();
    hub.get("/v1/messages", None)
        .await
        .problem(401, "unauthenticated");
    // An agency's key is valid, but does not open the log.
    hub.get("/v1/messages", Some(keys::DMS_A))
        .await
        .problem(403, "forbidden");
    hub.get("/v1/messages/nope", Some(keys::OPERATOR))
        .await
        .problem(404, "unknown-exchange");
    hub.get("/v1/messages?before=zzz", Some(keys::OPERATOR))
        .await
        .problem(400, "bad-request");
    hub.get("/v1/messages/%FF", Some(keys::OPERATOR))
        .await
        .problem(400, "bad-request");
    hub.get("/v1/messages?limit=0", Some(keys::OPERATOR))
        .await
        .problem(400, "bad-request");
}
