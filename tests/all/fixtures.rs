//! The sample adapters' fixture files, run through the real hub: what the hub forwards must
//! be exactly the expected output next to each input, and every real edXML sample must pass
//! the standard or be refused for the reason the standard's README states.

use std::path::{Path, PathBuf};

use lgsp_tests::{TestHub, keys};

/// `(case, input, expected)` for every `<case>.input.<ext>` in `dir` with a `<case>.<expected>`.
fn cases(dir: &Path, input_ext: &str, expected_ext: &str) -> Vec<(String, PathBuf, PathBuf)> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return out;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if let Some(case) = name.strip_suffix(&format!(".input.{input_ext}")) {
            let expected = dir.join(format!("{case}.{expected_ext}"));
            assert!(
                expected.exists(),
                "{} has no expected output {}",
                name,
                expected.display()
            );
            out.push((case.to_owned(), entry.path(), expected));
        }
    }
    out.sort();
    assert!(!out.is_empty(), "no fixtures in {}", dir.display());
    out
}

fn fixtures(adapter: &str, kind: &str) -> PathBuf {
    lgsp_tests::root()
        .join("sample-adapters")
        .join(adapter)
        .join("fixtures")
        .join(kind)
}

fn read(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn json(bytes: &[u8], what: &str) -> serde_json::Value {
    serde_json::from_slice(bytes).unwrap_or_else(|e| {
        panic!(
            "{what} is not JSON ({e}): {}",
            String::from_utf8_lossy(bytes)
        )
    })
}

fn normalise_csv(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes)
        .replace("\r\n", "\n")
        .trim_end()
        .to_owned()
}

/// `[{path, code}]` of a problem document's violations.
fn path_codes(problem: &serde_json::Value) -> serde_json::Value {
    let list = problem["violations"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    list.iter()
        .map(|v| serde_json::json!({"path": v["path"], "code": v["code"]}))
        .collect()
}

fn expected_path_codes(path: &Path) -> serde_json::Value {
    let list = json(&read(path), "expected violations");
    list.as_array()
        .expect("an array")
        .iter()
        .map(|v| serde_json::json!({"path": v["path"], "code": v["code"]}))
        .collect()
}

#[tokio::test]
async fn edxml_documents_outbound_through_the_hub() {
    let hub = TestHub::shared();
    for (case, input, expected) in cases(
        &fixtures("edxml-documents", "to-national"),
        "json",
        "expected.edxml",
    ) {
        let r = hub
            .exchange(
                "documents.send",
                Some(keys::DMS_A),
                "application/json",
                read(&input),
            )
            .await;
        assert_eq!(r.status, 200, "{case}: {}", r.text());
        let id = r.exchange_id.clone().expect("id");
        let sent = hub
            .recorder
            .find(&id, "/national/edxml")
            .expect("forwarded to the national exchange");
        let expected = String::from_utf8(read(&expected)).expect("utf-8");
        let sent_text = String::from_utf8(sent.body.to_vec()).expect("utf-8");
        assert!(
            edxml_documents::xml_equivalent(&sent_text, &expected),
            "{case}: national form differs\n{sent_text}"
        );
        // The caller gets the national exchange's status back in its own form.
        assert_eq!(json(&r.body, "reply")["kind"], "status", "{case}");
    }
}

#[tokio::test]
async fn edxml_documents_inbound_through_the_hub() {
    let hub = TestHub::shared();
    for (case, input, expected) in cases(
        &fixtures("edxml-documents", "to-local"),
        "edxml",
        "expected.json",
    ) {
        let r = hub
            .exchange(
                "documents.deliver.h41",
                Some(keys::NATIONAL),
                "application/xml",
                read(&input),
            )
            .await;
        assert_eq!(r.status, 200, "{case}: {}", r.text());
        let id = r.exchange_id.clone().expect("id");
        let delivered = hub
            .recorder
            .find(&id, "/agency/dms")
            .expect("delivered to agency B");
        assert_eq!(
            json(&delivered.body, "local form"),
            json(&read(&expected), "expected"),
            "{case}"
        );
        assert!(
            r.content_type.starts_with("application/xml"),
            "{case}: the national client gets edXML back"
        );
    }
}

#[tokio::test]
async fn edxml_documents_rejections_through_the_hub() {
    let hub = TestHub::shared();
    for (case, input, expected) in cases(
        &fixtures("edxml-documents", "rejected"),
        "json",
        "expected-violations.json",
    ) {
        let r = hub
            .exchange(
                "documents.send",
                Some(keys::DMS_A),
                "application/json",
                read(&input),
            )
            .await;
        let p = r.problem(422, "adapter-rejected");
        assert_eq!(path_codes(&p), expected_path_codes(&expected), "{case}");
    }
}

#[tokio::test]
async fn every_real_edxml_sample_meets_the_standard_or_is_refused_for_its_stated_reason() {
    let hub = TestHub::shared();
    let outcomes = json(
        &read(&lgsp_tests::root().join("standards/edxml/sample-outcomes.json")),
        "outcomes",
    );
    let samples = lgsp_tests::root().join("../shared/samples/edxml");
    let mut seen = 0;
    for entry in std::fs::read_dir(&samples)
        .expect("the shared samples")
        .flatten()
    {
        let name = entry.file_name().to_string_lossy().into_owned();
        if !name.ends_with(".edxml") {
            continue;
        }
        seen += 1;
        let outcome = &outcomes[&name];
        assert!(outcome.is_object(), "{name} has no stated outcome");
        let r = hub
            .exchange(
                "documents.deliver.h41",
                Some(keys::NATIONAL),
                "application/xml",
                read(&entry.path()),
            )
            .await;
        if outcome["valid"] == true {
            assert_eq!(r.status, 200, "{name}: {}", r.text());
        } else {
            let p = r.problem(422, "standard-violation");
            assert_eq!(p["side"], "caller", "{name}");
            assert!(
                !p["violations"].as_array().expect("violations").is_empty(),
                "{name}"
            );
        }
    }
    assert_eq!(seen, 17, "every sample was sent");
}

#[tokio::test]
async fn civil_registry_outbound_through_the_hub() {
    let hub = TestHub::shared();
    for (case, input, expected) in cases(
        &fixtures("civil-registry-csv", "to-national"),
        "csv",
        "expected.json",
    ) {
        let r = hub
            .exchange(
                "citizens.register",
                Some(keys::REGISTRY_A),
                "text/csv; charset=utf-8",
                read(&input),
            )
            .await;
        assert_eq!(r.status, 200, "{case}: {}", r.text());
        let id = r.exchange_id.clone().expect("id");
        let sent = hub
            .recorder
            .find(&id, "/national/citizens")
            .expect("forwarded");
        assert_eq!(
            json(&sent.body, "national form"),
            json(&read(&expected), "expected"),
            "{case}"
        );
        assert!(
            r.content_type.starts_with("text/csv"),
            "{case}: the registry gets CSV back"
        );
    }
}

#[tokio::test]
async fn civil_registry_inbound_through_the_hub() {
    let hub = TestHub::shared();
    for (case, input, expected) in cases(
        &fixtures("civil-registry-csv", "to-local"),
        "json",
        "expected.csv",
    ) {
        let r = hub
            .exchange(
                "citizens.transfer.b",
                Some(keys::NATIONAL),
                "application/json",
                read(&input),
            )
            .await;
        assert_eq!(r.status, 200, "{case}: {}", r.text());
        let id = r.exchange_id.clone().expect("id");
        let delivered = hub
            .recorder
            .find(&id, "/agency/civil-registry")
            .expect("delivered");
        assert_eq!(
            normalise_csv(&delivered.body),
            normalise_csv(&read(&expected)),
            "{case}"
        );
    }
}

#[tokio::test]
async fn civil_registry_agency_to_agency_through_the_hub() {
    let hub = TestHub::shared();
    for (case, input, _) in cases(
        &fixtures("civil-registry-csv", "to-national"),
        "csv",
        "expected.json",
    ) {
        let r = hub
            .exchange(
                "citizens.transfer.b",
                Some(keys::REGISTRY_A),
                "text/csv; charset=utf-8",
                read(&input),
            )
            .await;
        assert_eq!(r.status, 200, "{case}: {}", r.text());
        let id = r.exchange_id.clone().expect("id");
        assert!(
            hub.recorder.find(&id, "/agency/civil-registry").is_some(),
            "{case}: B received it"
        );
    }
}

#[tokio::test]
async fn civil_registry_rejections_through_the_hub() {
    let hub = TestHub::shared();
    for (case, input, expected) in cases(
        &fixtures("civil-registry-csv", "rejected"),
        "csv",
        "expected-violations.json",
    ) {
        let r = hub
            .exchange(
                "citizens.register",
                Some(keys::REGISTRY_A),
                "text/csv; charset=utf-8",
                read(&input),
            )
            .await;
        let p = r.problem(422, "adapter-rejected");
        assert_eq!(path_codes(&p), expected_path_codes(&expected), "{case}");
    }
}
