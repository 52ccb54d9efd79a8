//! Runs every fixture under `fixtures/` natively, with a stand-in host: `cargo test`.
//!
//! - `to-national/<case>.input.json` must give `<case>.expected.json`;
//! - `to-local/<case>.input.json` must give `<case>.expected.json`;
//! - `rejected/<case>.input.json` must be refused with the `{path, code}` list of
//!   `<case>.expected-violations.json`, in order.
//!
//! `lgsp adapter test` runs the same files through the built component, under the hub's own
//! runtime, and checks every national form against `standard.schema.json` too.

use std::path::{Path, PathBuf};

use lgsp_guest::testing::{MockHost, context};
use lgsp_guest::{Adapter, AdapterError, Message, Phase};
use serde_json::{Value, json};

use super::{Mapping, STANDARD, day_first_to_iso, iso_to_day_first};

/// The provinces the fixtures name. For the whole catalogue, use
/// `MockHost::new().with_admin_units("<lgsp>/catalogues/admin-units-vn-2025.json")`.
fn host() -> MockHost {
    MockHost::new().with_entry("provinces", "01", "Thành phố Hà Nội", None)
}

fn cases(folder: &str) -> Vec<(String, PathBuf)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(folder);
    let mut out: Vec<(String, PathBuf)> = std::fs::read_dir(&dir)
        .unwrap_or_else(|err| panic!("failed to list {}: {err}", dir.display()))
        .map(|entry| entry.expect("a directory entry").path())
        .filter_map(|path| {
            let name = path
                .file_name()?
                .to_str()?
                .strip_suffix(".input.json")?
                .to_owned();
            Some((name, path))
        })
        .collect();
    out.sort();
    assert!(!out.is_empty(), "no fixtures in {}", dir.display());
    out
}

fn read_json(path: &Path) -> Value {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|err| panic!("failed to read {}: {err}", path.display()));
    serde_json::from_str(&text)
        .unwrap_or_else(|err| panic!("{} is not JSON: {err}", path.display()))
}

fn message(path: &Path) -> Message {
    Message::new("application/json", std::fs::read(path).expect("the input"))
}

#[test]
fn to_national_gives_the_expected_national_form() {
    let cx = context("example.service", STANDARD, Phase::Request);
    for (name, input) in cases("to-national") {
        let out = Mapping::to_national(&host(), &cx, message(&input))
            .unwrap_or_else(|err| panic!("{name}: {err:?}"));
        let got: Value = serde_json::from_slice(&out.body).expect("JSON output");
        assert_eq!(
            got,
            read_json(&input.with_file_name(format!("{name}.expected.json"))),
            "{name}"
        );
    }
}

#[test]
fn to_local_gives_the_expected_local_form() {
    let cx = context("example.service", STANDARD, Phase::Request);
    for (name, input) in cases("to-local") {
        let out = Mapping::to_local(&host(), &cx, message(&input))
            .unwrap_or_else(|err| panic!("{name}: {err:?}"));
        let got: Value = serde_json::from_slice(&out.body).expect("JSON output");
        assert_eq!(
            got,
            read_json(&input.with_file_name(format!("{name}.expected.json"))),
            "{name}"
        );
    }
}

#[test]
fn bad_input_is_refused_with_every_violation() {
    let cx = context("example.service", STANDARD, Phase::Request);
    for (name, input) in cases("rejected") {
        let err = Mapping::to_national(&host(), &cx, message(&input)).expect_err(&name);
        let AdapterError::Rejected(violations) = err else {
            panic!("{name}: expected a rejection, got {err:?}");
        };
        let got: Vec<Value> = violations
            .iter()
            .map(|v| json!({ "path": v.path, "code": v.code }))
            .collect();
        let expected = read_json(&input.with_file_name(format!("{name}.expected-violations.json")));
        assert_eq!(Value::Array(got), expected, "{name}");
    }
}

#[test]
fn dates_are_checked_against_the_calendar() {
    assert_eq!(day_first_to_iso("1/2/2024"), Ok("2024-02-01".to_owned()));
    assert_eq!(day_first_to_iso("29/02/2024"), Ok("2024-02-29".to_owned()));
    assert_eq!(day_first_to_iso("29/02/2023").map_err(|e| e.0), Err("date"));
    assert_eq!(
        day_first_to_iso("2024-02-01").map_err(|e| e.0),
        Err("format")
    );
    assert_eq!(
        iso_to_day_first("2025-08-15").as_deref(),
        Some("15/08/2025")
    );
}
