//! The hostile input suite: every case in `tests/hostile-input/` is refused with its 4xx
//! problem document, never a 5xx, and recorded in the message log as rejected.

use std::path::PathBuf;

use lgsp_tests::{TestHub, keys};
use serde::Deserialize;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    about: String,
    service: String,
    client: String,
    content_type: Option<String>,
    prefix: Option<String>,
    body: Option<String>,
    body_hex: Option<String>,
    repeat: Option<String>,
    times: Option<usize>,
    /// An extra header `header_name` whose value is `header_unit` repeated `header_times`.
    header_name: Option<String>,
    header_unit: Option<String>,
    header_times: Option<usize>,
    expect: Expect,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Expect {
    status: u16,
    #[serde(rename = "type")]
    kind: String,
    code: Option<String>,
    absent: Option<String>,
    limit: Option<String>,
}

impl Case {
    fn body(&self) -> Vec<u8> {
        let mut body = Vec::new();
        if let Some(prefix) = &self.prefix {
            body.extend(prefix.as_bytes());
        }
        if let (Some(unit), Some(times)) = (&self.repeat, self.times) {
            body.extend(unit.as_bytes().repeat(times));
        }
        if let Some(hex) = &self.body_hex {
            body.extend(hex::decode(hex).expect("body_hex is hex"));
        }
        if let Some(text) = &self.body {
            body.extend(text.as_bytes());
        }
        body
    }

    fn key(&self) -> Option<&'static str> {
        match self.client.as_str() {
            "dms-a" => Some(keys::DMS_A),
            "national" => Some(keys::NATIONAL),
            "registry-a" => Some(keys::REGISTRY_A),
            "hostile" => Some(keys::HOSTILE),
            "unknown-key" => Some("a-key-no-agency-has"),
            "none" => None,
            other => panic!("unknown client {other:?}"),
        }
    }
}

fn cases() -> Vec<(String, Case)> {
    let dir = lgsp_tests::root().join("tests/hostile-input");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("tests/hostile-input")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|path| {
            let name = path
                .file_stem()
                .unwrap_or_default()
                .to_string_lossy()
                .into_owned();
            let text = std::fs::read_to_string(&path).expect("readable");
            let case: Case = toml::from_str(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
            (name, case)
        })
        .collect()
}

#[tokio::test]
async fn every_hostile_input_is_refused_with_its_problem_and_recorded() {
    let hub = TestHub::shared();
    let cases = cases();
    assert!(cases.len() >= 20, "the suite has its cases");
    for (name, case) in cases {
        let mut request = hub
            .http
            .post(format!("{}/v1/exchange/{}", hub.url, case.service))
            .body(case.body());
        if let Some(ct) = &case.content_type {
            request = request.header("content-type", ct);
        }
        if let Some(key) = case.key() {
            request = request.bearer_auth(key);
        }
        if let (Some(name), Some(unit), Some(times)) =
            (&case.header_name, &case.header_unit, case.header_times)
        {
            request = request.header(name.as_str(), unit.repeat(times));
        }
        let response = request
            .send()
            .await
            .unwrap_or_else(|e| panic!("{name}: the hub did not answer: {e}"));
        let status = response.status().as_u16();
        let content_type = response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned();
        let id = response
            .headers()
            .get("lgsp-exchange-id")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let text = response.text().await.unwrap_or_default();

        assert_eq!(
            status, case.expect.status,
            "{name} ({}): {text}",
            case.about
        );
        assert_eq!(content_type, "application/problem+json", "{name}");
        let problem: serde_json::Value =
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("{name}: {e}: {text}"));
        assert_eq!(
            problem["type"],
            format!("urn:lgsp:problem:{}", case.expect.kind),
            "{name}: {text}"
        );
        if let Some(code) = &case.expect.code {
            let codes = problem["violations"]
                .as_array()
                .cloned()
                .unwrap_or_default();
            assert!(
                codes.iter().any(|v| v["code"] == code.as_str()),
                "{name}: no {code:?} in {text}"
            );
        }
        if let Some(limit) = &case.expect.limit {
            assert_eq!(problem["limit"], limit.as_str(), "{name}: {text}");
        }
        if let Some(absent) = &case.expect.absent {
            assert!(
                !text.contains(absent.as_str()),
                "{name}: the answer holds {absent:?}"
            );
        }

        let id = id.unwrap_or_else(|| panic!("{name}: no exchange id"));
        let record = hub
            .get(&format!("/v1/messages/{id}"), Some(keys::OPERATOR))
            .await
            .json();
        assert_eq!(record["outcome"], "rejected", "{name}: {record}");
        assert_eq!(record["status"], case.expect.status, "{name}");
    }
}
