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

/// How a forwarded body is compared with the expected output.
#[derive(Clone, Copy)]
enum Compare {
    Xml,
    Json,
    Csv,
}

impl Compare {
    fn assert_same(self, case: &str, got: &[u8], expected: &[u8]) {
        match self {
            Compare::Xml => {
                let got = String::from_utf8_lossy(got);
                let expected = String::from_utf8_lossy(expected);
                assert!(
                    edxml_documents::xml_equivalent(&got, &expected),
                    "{case}: national form differs\n{got}"
                );
            }
            Compare::Json => {
                assert_eq!(json(got, "forwarded"), json(expected, "expected"), "{case}")
            }
            Compare::Csv => assert_eq!(normalise_csv(got), normalise_csv(expected), "{case}"),
        }
    }
}

/// Fixture inputs sent through one service; what the hub forwards to `forwarded_to` must be
/// the expected output beside each input.
struct Through {
    adapter: &'static str,
    kind: &'static str,
    input_ext: &'static str,
    expected_ext: &'static str,
    service: &'static str,
    key: &'static str,
    content_type: &'static str,
    forwarded_to: &'static str,
    compare: Compare,
    /// What the caller must get back: a prefix of the reply's content type.
    reply_type: &'static str,
}

async fn through_hub(hub: &TestHub, t: Through) {
    for (case, input, expected) in cases(&fixtures(t.adapter, t.kind), t.input_ext, t.expected_ext)
    {
        let r = hub
            .exchange(t.service, Some(t.key), t.content_type, read(&input))
            .await;
        assert_eq!(r.status, 200, "{case}: {}", r.text());
        let id = r.exchange_id.clone().expect("id");
        let forwarded = hub
            .recorder
            .find(&id, t.forwarded_to)
            .unwrap_or_else(|| panic!("{case}: nothing reached {}", t.forwarded_to));
        t.compare
            .assert_same(&case, &forwarded.body, &read(&expected));
        assert!(
            r.content_type.starts_with(t.reply_type),
            "{case}: reply is {}",
            r.content_type
        );
    }
}

async fn rejected_through_hub(
    hub: &TestHub,
    adapter: &str,
    input_ext: &str,
    service: &str,
    key: &str,
    content_type: &str,
) {
    for (case, input, expected) in cases(
        &fixtures(adapter, "rejected"),
        input_ext,
        "expected-violations.json",
    ) {
        let r = hub
            .exchange(service, Some(key), content_type, read(&input))
            .await;
        let p = r.problem(422, "adapter-rejected");
        assert_eq!(path_codes(&p), expected_path_codes(&expected), "{case}");
        let id = r.exchange_id.clone().expect("id");
        assert!(
            !hub.recorder.any(&id),
            "{case}: a rejected message is never forwarded"
        );
    }
}

#[tokio::test]
async fn edxml_documents_outbound_through_the_hub() {
    let t = Through {
        adapter: "edxml-documents",
        kind: "to-national",
        input_ext: "json",
        expected_ext: "expected.edxml",
        service: "documents.send",
        key: keys::DMS_A,
        content_type: "application/json",
        forwarded_to: "/national/edxml",
        compare: Compare::Xml,
        reply_type: "application/json",
    };
    through_hub(&TestHub::shared(), t).await;
}

#[tokio::test]
async fn edxml_documents_inbound_through_the_hub() {
    let t = Through {
        adapter: "edxml-documents",
        kind: "to-local",
        input_ext: "edxml",
        expected_ext: "expected.json",
        service: "documents.deliver.h41",
        key: keys::NATIONAL,
        content_type: "application/xml",
        forwarded_to: "/agency/dms",
        compare: Compare::Json,
        reply_type: "application/xml",
    };
    through_hub(&TestHub::shared(), t).await;
}

#[tokio::test]
async fn edxml_documents_agency_to_agency_through_the_hub() {
    // A's local JSON reaches B's system as B's local JSON: the same document, since both
    // agencies run the same adapter.
    let hub = TestHub::shared();
    for (case, input, _) in cases(
        &fixtures("edxml-documents", "to-national"),
        "json",
        "expected.edxml",
    ) {
        let r = hub
            .exchange(
                "documents.deliver.h41",
                Some(keys::DMS_A),
                "application/json",
                read(&input),
            )
            .await;
        assert_eq!(r.status, 200, "{case}: {}", r.text());
        let id = r.exchange_id.clone().expect("id");
        let delivered = hub
            .recorder
            .find(&id, "/agency/dms")
            .expect("delivered to B");
        assert_eq!(
            json(&delivered.body, "delivered")["kind"],
            json(&read(&input), "input")["kind"],
            "{case}"
        );
        assert_eq!(json(&r.body, "reply")["kind"], "status", "{case}");
    }
}

#[tokio::test]
async fn edxml_documents_rejections_through_the_hub() {
    let hub = TestHub::shared();
    rejected_through_hub(
        &hub,
        "edxml-documents",
        "json",
        "documents.send",
        keys::DMS_A,
        "application/json",
    )
    .await;
}

#[tokio::test]
async fn every_real_edxml_sample_meets_the_standard_or_is_refused_for_its_stated_reason() {
    let hub = TestHub::shared();
    let outcomes = json(
        &read(&lgsp_tests::root().join("standards/edxml/sample-outcomes.json")),
        "outcomes",
    );
    let samples = lgsp_tests::root().join("samples/edxml");
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

/// The civil-registry fixtures, in every direction, through `hub`: the suite each language's
/// build of the adapter must pass (see `languages.rs`).
pub async fn civil_registry_suite(hub: &TestHub) {
    civil_registry_outbound(hub).await;
    civil_registry_inbound(hub).await;
    civil_registry_agency_to_agency(hub).await;
    civil_registry_rejections(hub).await;
}

#[tokio::test]
async fn civil_registry_outbound_through_the_hub() {
    civil_registry_outbound(&TestHub::shared()).await;
}

#[tokio::test]
async fn civil_registry_inbound_through_the_hub() {
    civil_registry_inbound(&TestHub::shared()).await;
}

#[tokio::test]
async fn civil_registry_agency_to_agency_through_the_hub() {
    civil_registry_agency_to_agency(&TestHub::shared()).await;
}

#[tokio::test]
async fn civil_registry_rejections_through_the_hub() {
    civil_registry_rejections(&TestHub::shared()).await;
}

async fn civil_registry_outbound(hub: &TestHub) {
    let t = Through {
        adapter: "civil-registry-csv",
        kind: "to-national",
        input_ext: "csv",
        expected_ext: "expected.json",
        service: "citizens.register",
        key: keys::REGISTRY_A,
        content_type: "text/csv; charset=utf-8",
        forwarded_to: "/national/citizens",
        compare: Compare::Json,
        reply_type: "text/csv",
    };
    through_hub(hub, t).await;
}

async fn civil_registry_inbound(hub: &TestHub) {
    let t = Through {
        adapter: "civil-registry-csv",
        kind: "to-local",
        input_ext: "json",
        expected_ext: "expected.csv",
        service: "citizens.transfer.b",
        key: keys::NATIONAL,
        content_type: "application/json",
        forwarded_to: "/agency/civil-registry",
        compare: Compare::Csv,
        reply_type: "application/json",
    };
    through_hub(hub, t).await;
}

async fn civil_registry_agency_to_agency(hub: &TestHub) {
    // Registry A's CSV, through A's adapter and B's, reaches B as the CSV that B's adapter
    // makes of A's national form.
    let t = Through {
        adapter: "civil-registry-csv",
        kind: "to-national",
        input_ext: "csv",
        expected_ext: "expected.json",
        service: "citizens.transfer.b",
        key: keys::REGISTRY_A,
        content_type: "text/csv; charset=utf-8",
        forwarded_to: "/agency/civil-registry",
        compare: Compare::Csv,
        reply_type: "text/csv",
    };
    for (case, input, _) in cases(&fixtures(t.adapter, t.kind), t.input_ext, t.expected_ext) {
        let r = hub
            .exchange(t.service, Some(t.key), t.content_type, read(&input))
            .await;
        assert_eq!(r.status, 200, "{case}: {}", r.text());
        let delivered = hub
            .recorder
            .find(r.exchange_id.as_deref().unwrap_or_default(), t.forwarded_to)
            .expect("delivered to B");
        let csv = normalise_csv(&delivered.body);
        assert!(
            csv.starts_with("so_dinh_danh,"),
            "{case}: B gets its own CSV: {csv}"
        );
        assert!(r.content_type.starts_with(t.reply_type), "{case}");
    }
}

async fn civil_registry_rejections(hub: &TestHub) {
    rejected_through_hub(
        hub,
        "civil-registry-csv",
        "csv",
        "citizens.register",
        keys::REGISTRY_A,
        "text/csv; charset=utf-8",
    )
    .await;
}

/// A batch at the adapter's record limit, whose mapping needs more than the SDK allocator's
/// first arena (`lgsp_guest::allocator::ARENA_BYTES`, 1 MiB), goes through whole: the
/// instance grows its memory past the arena and every record reaches the provider.
#[tokio::test]
async fn a_batch_larger_than_the_adapters_arena_is_forwarded_whole() {
    let fixture =
        read(&fixtures("civil-registry-csv", "to-national").join("ba-dinh-batch.input.csv"));
    let text = String::from_utf8(fixture).expect("utf-8 fixture");
    let (header, rows) = text.split_once('\n').expect("a header line");
    // The first record with a new citizen id and registration number on each copy.
    let first: Vec<&str> = rows.lines().next().expect("a record").split(',').collect();
    let records = 1000;
    let mut csv = format!("{header}\n");
    for i in 0..records {
        let mut row = first.clone();
        let id = format!("001325{i:06}");
        let number = format!("{}/2025", i + 1);
        row[0] = &id;
        row[7] = &number;
        csv.push_str(&row.join(","));
        csv.push('\n');
    }

    let hub = TestHub::shared();
    let r = hub
        .exchange(
            "citizens.register",
            Some(keys::REGISTRY_A),
            "text/csv; charset=utf-8",
            csv,
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let forwarded = hub
        .recorder
        .find(
            r.exchange_id.as_deref().unwrap_or_default(),
            "/national/citizens",
        )
        .expect("forwarded to the national registry");
    let national: serde_json::Value = serde_json::from_slice(&forwarded.body).expect("JSON");
    let forwarded = national["records"].as_array().expect("records");
    assert_eq!(forwarded.len(), records);
    assert_eq!(forwarded[records - 1]["citizenId"], "001325000999");
    assert_eq!(
        forwarded[records - 1]["registration"]["number"],
        "1000/2025"
    );
}
