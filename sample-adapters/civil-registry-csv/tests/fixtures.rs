//! Runs every fixture under `fixtures/` through the adapter natively, with the hub's own
//! administrative catalogue, and checks every national document the fixtures hold against the
//! standards in `standards/citizen-record/`.
//!
//! The folder layout is shared with the hub's integration test, which runs the same files
//! through the real hub: `<case>.input.*` next to `<case>.expected.*`, or next to
//! `<case>.expected-violations.json` for refused files.

use std::fs;
use std::path::{Path, PathBuf};

use civil_registry_csv::CivilRegistryCsv;
use lgsp_guest::testing::{MockHost, context};
use lgsp_guest::{Adapter, AdapterError, Message, Phase};
use serde_json::{Value, json};

const CSV: &str = "text/csv; charset=utf-8";
const JSON: &str = "application/json";

fn crate_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn host() -> MockHost {
    MockHost::new().with_admin_units(crate_dir().join("../../catalogues/admin-units-vn-2025.json"))
}

fn read(path: &Path) -> Vec<u8> {
    fs::read(path).unwrap_or_else(|err| panic!("failed to read {}: {err}", path.display()))
}

fn read_json(path: &Path) -> Value {
    serde_json::from_slice(&read(path))
        .unwrap_or_else(|err| panic!("failed to parse {}: {err}", path.display()))
}

/// The cases in `fixtures/<folder>`: each case's name and its input file.
fn cases(folder: &str, input_ext: &str) -> Vec<(String, PathBuf)> {
    let dir = crate_dir().join("fixtures").join(folder);
    let suffix = format!(".input.{input_ext}");
    let entries =
        fs::read_dir(&dir).unwrap_or_else(|err| panic!("failed to list {}: {err}", dir.display()));
    let mut cases: Vec<_> = entries
        .map(|entry| entry.unwrap_or_else(|err| panic!("failed to list {}: {err}", dir.display())))
        .filter_map(|entry| {
            let name = entry.file_name().to_string_lossy().into_owned();
            let case = name.strip_suffix(&suffix)?.to_owned();
            Some((case, entry.path()))
        })
        .collect();
    cases.sort();
    assert!(!cases.is_empty(), "no cases in {}", dir.display());
    cases
}

/// A sibling of a case's input file.
fn sibling(input: &Path, case: &str, ending: &str) -> PathBuf {
    input.with_file_name(format!("{case}.{ending}"))
}

fn standard(phase: Phase) -> &'static str {
    match phase {
        Phase::Request => "citizen-record@1.0",
        Phase::Reply => "citizen-receipt@1.0",
    }
}

fn to_national(host: &MockHost, phase: Phase, body: Vec<u8>) -> Result<Message, AdapterError> {
    let cx = context("citizens.register", standard(phase), phase);
    CivilRegistryCsv::to_national(host, &cx, Message::new(CSV, body))
}

fn to_local(host: &MockHost, phase: Phase, body: Vec<u8>) -> Result<Message, AdapterError> {
    let cx = context("citizens.register", standard(phase), phase);
    CivilRegistryCsv::to_local(host, &cx, Message::new(JSON, body))
}

fn translated(case: &str, result: Result<Message, AdapterError>) -> Message {
    result.unwrap_or_else(|err| panic!("case `{case}` was refused: {err:?}"))
}

/// Runs the CSV inputs of `folder` through `to_national` and compares with the expected JSON.
fn check_to_national(folder: &str, phase: Phase) {
    let host = host();
    for (case, input) in cases(folder, "csv") {
        let message = translated(&case, to_national(&host, phase, read(&input)));
        assert_eq!(message.content_type, JSON, "{folder}/{case}");
        let actual: Value = serde_json::from_slice(&message.body)
            .unwrap_or_else(|err| panic!("{folder}/{case}: output is not JSON: {err}"));
        let expected = read_json(&sibling(&input, &case, "expected.json"));
        assert_eq!(actual, expected, "{folder}/{case}");
    }
}

/// Runs the JSON inputs of `folder` through `to_local` and compares with the expected CSV.
fn check_to_local(folder: &str, phase: Phase) {
    let host = host();
    let text = |bytes: Vec<u8>, what: &str| {
        String::from_utf8(bytes)
            .unwrap_or_else(|err| panic!("{what} is not UTF-8: {err}"))
            .replace("\r\n", "\n")
    };
    for (case, input) in cases(folder, "json") {
        let message = translated(&case, to_local(&host, phase, read(&input)));
        assert_eq!(message.content_type, CSV, "{folder}/{case}");
        let expected = read(&sibling(&input, &case, "expected.csv"));
        assert_eq!(
            text(message.body, "the output"),
            text(expected, "the expected file"),
            "{folder}/{case}"
        );
    }
}

#[test]
fn registry_files_become_citizen_records() {
    check_to_national("to-national", Phase::Request);
}

#[test]
fn citizen_records_become_registry_files() {
    check_to_local("to-local", Phase::Request);
}

#[test]
fn registry_receipts_become_citizen_receipts() {
    check_to_national("reply-to-national", Phase::Reply);
}

#[test]
fn citizen_receipts_become_registry_receipts() {
    check_to_local("reply-to-local", Phase::Reply);
}

#[test]
fn refused_files_list_every_violation_in_order() {
    let host = host();
    for (case, input) in cases("rejected", "csv") {
        let violations = match to_national(&host, Phase::Request, read(&input)) {
            Err(AdapterError::Rejected(violations)) => violations,
            other => panic!("rejected/{case}: expected a rejection, got {other:?}"),
        };
        for violation in &violations {
            assert!(
                !violation.message.is_empty(),
                "rejected/{case}: {violation:?}"
            );
        }
        let actual: Vec<Value> = violations
            .iter()
            .map(|v| json!({ "path": v.path, "code": v.code }))
            .collect();
        let expected = read_json(&sibling(&input, &case, "expected-violations.json"));
        assert_eq!(Value::Array(actual), expected, "rejected/{case}");
    }
}

/// A validator for one of the standards, with `format` asserted so that dates are checked
/// twice: by the format and by the pattern the hub relies on when formats are off.
fn validator(file: &str) -> jsonschema::Validator {
    let path = crate_dir()
        .join("../../standards/citizen-record")
        .join(file);
    let schema = read_json(&path);
    jsonschema::options()
        .with_draft(jsonschema::Draft::Draft202012)
        .should_validate_formats(true)
        .build(&schema)
        .unwrap_or_else(|err| panic!("{} is not a valid schema: {err}", path.display()))
}

fn assert_valid(validator: &jsonschema::Validator, document: &Value, what: &str) {
    let errors: Vec<String> = validator
        .iter_errors(document)
        .map(|err| format!("{}: {err}", err.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{what} breaks its standard: {errors:#?}");
}

#[test]
fn national_documents_of_the_fixtures_satisfy_the_standards() {
    let records = validator("citizen-record.schema.json");
    let receipts = validator("citizen-receipt.schema.json");
    let documents = [
        ("to-national", "csv", "expected.json", &records),
        ("to-local", "json", "input.json", &records),
        ("reply-to-national", "csv", "expected.json", &receipts),
        ("reply-to-local", "json", "input.json", &receipts),
    ];
    for (folder, input_ext, ending, validator) in documents {
        for (case, input) in cases(folder, input_ext) {
            let document = read_json(&sibling(&input, &case, ending));
            assert_valid(validator, &document, &format!("{folder}/{case}.{ending}"));
        }
    }
}

#[test]
fn the_standards_refuse_what_they_promise_to() {
    let records = validator("citizen-record.schema.json");
    let receipts = validator("citizen-receipt.schema.json");
    let batch = read_json(&crate_dir().join("fixtures/to-local/ba-dinh-batch.input.json"));
    let receipt = read_json(&crate_dir().join("fixtures/reply-to-local/partial.input.json"));
    assert_valid(&records, &batch, "the base batch");
    assert_valid(&receipts, &receipt, "the base receipt");

    let broken_batches = [
        // A province code that was merged away on 1 July 2025 (Hà Giang, now Tuyên Quang).
        ("/records/0/citizenId", json!("002325004567")),
        ("/records/0/citizenId", json!("00132500456")),
        ("/records/0/birthDate", json!("2025-02-30")),
        ("/records/0/birthDate", json!("15/08/2025")),
        ("/records/0/communeCode", json!("0004")),
        ("/records/0/provinceCode", json!("02")),
        ("/records/0/fullName", json!("")),
        ("/records/0/fullName", json!(" Trần Thị Bích Ngọc")),
        ("/records/0/fullName", json!("Trần Thị\nBích Ngọc")),
        ("/records/0/sex", json!("Nữ")),
        ("/records/0/nickname", json!("Bống")),
        ("/registry/wardCode", json!("00004")),
        ("/records", json!([])),
    ];
    for (pointer, value) in broken_batches {
        let document = with(&batch, pointer, value.clone());
        assert!(
            !records.is_valid(&document),
            "{pointer} = {value} was accepted"
        );
    }

    let broken_receipts = [
        ("/records/1/reason", Value::Null),
        ("/records/0/status", json!("partial")),
        ("/receivedAt", json!("2025-12-31T23:59:59")),
        ("/receivedAt", json!("31/12/2025 23:59:59")),
        ("/status", json!("ok")),
        ("/receiptId", json!("")),
        ("/accepted", json!(-1)),
    ];
    for (pointer, value) in broken_receipts {
        let document = with(&receipt, pointer, value.clone());
        assert!(
            !receipts.is_valid(&document),
            "{pointer} = {value} was accepted"
        );
    }
}

/// `document` with the member at `pointer` set to `value`, or removed when `value` is null.
fn with(document: &Value, pointer: &str, value: Value) -> Value {
    let mut document = document.clone();
    let (parent, key) = pointer.rsplit_once('/').unwrap_or(("", pointer));
    match document.pointer_mut(parent) {
        Some(Value::Object(map)) if value.is_null() => {
            map.remove(key);
        }
        Some(Value::Object(map)) => {
            map.insert(key.to_owned(), value);
        }
        _ => panic!("no object at {parent}"),
    }
    document
}

#[test]
fn batches_survive_a_round_trip() {
    let host = host();
    for (case, input) in cases("to-national", "csv") {
        let national = translated(&case, to_national(&host, Phase::Request, read(&input)));
        let local = translated(
            &case,
            to_local(&host, Phase::Request, national.body.clone()),
        );
        let again = translated(&case, to_national(&host, Phase::Request, local.body));
        assert_eq!(again.body, national.body, "to-national/{case}");
    }
    for (case, input) in cases("reply-to-national", "csv") {
        let national = translated(&case, to_national(&host, Phase::Reply, read(&input)));
        let local = translated(&case, to_local(&host, Phase::Reply, national.body.clone()));
        let again = translated(&case, to_national(&host, Phase::Reply, local.body));
        assert_eq!(again.body, national.body, "reply-to-national/{case}");
    }
}

#[test]
fn other_content_types_and_standards_are_declined() {
    let host = host();
    let cx = context("citizens.register", "citizen-record@1.0", Phase::Request);
    let body = b"so_dinh_danh\n".to_vec();
    for content_type in [
        "application/json",
        "text/csv; charset=windows-1258",
        "text/plain",
    ] {
        let result =
            CivilRegistryCsv::to_national(&host, &cx, Message::new(content_type, body.clone()));
        assert!(
            matches!(result, Err(AdapterError::Unsupported(_))),
            "{content_type}"
        );
    }
    for content_type in ["TEXT/CSV", "text/csv;charset=\"UTF-8\""] {
        let result =
            CivilRegistryCsv::to_national(&host, &cx, Message::new(content_type, body.clone()));
        assert!(
            matches!(result, Err(AdapterError::Rejected(_))),
            "{content_type}"
        );
    }
    let result = CivilRegistryCsv::to_local(&host, &cx, Message::new(CSV, b"{}".to_vec()));
    assert!(matches!(result, Err(AdapterError::Unsupported(_))));

    let cx = context("documents.send", "edxml@2.0", Phase::Request);
    let result = CivilRegistryCsv::to_local(&host, &cx, Message::new(JSON, b"{}".to_vec()));
    assert!(matches!(result, Err(AdapterError::Unsupported(_))));
}

#[test]
fn metadata_travels_with_the_message() {
    let host = host();
    let cx = context("citizens.register", "citizen-record@1.0", Phase::Request);
    let input = crate_dir().join("fixtures/to-national/ba-dinh-batch.input.csv");
    let msg = Message::new(CSV, read(&input)).with_meta("so-cong-van", "125/UBND-TP");
    let out = translated("metadata", CivilRegistryCsv::to_national(&host, &cx, msg));
    assert_eq!(out.meta("so-cong-van"), Some("125/UBND-TP"));
}

#[test]
fn describe_names_both_standards() {
    let description = CivilRegistryCsv::describe();
    assert_eq!(description.name, "civil-registry-csv");
    assert_eq!(description.version, env!("CARGO_PKG_VERSION"));
    assert_eq!(
        description.standards,
        ["citizen-record@1.0", "citizen-receipt@1.0"]
    );
    assert!(description.services.is_empty());
}

/// Truncates and corrupts every fixture input and runs the results through every translation:
/// whatever comes out, nothing may panic.
#[test]
fn damaged_inputs_never_panic() {
    let host = host();
    let mut inputs = Vec::new();
    for (folder, ext) in [
        ("to-national", "csv"),
        ("to-local", "json"),
        ("reply-to-national", "csv"),
        ("reply-to-local", "json"),
        ("rejected", "csv"),
    ] {
        inputs.extend(cases(folder, ext).into_iter().map(|(_, path)| read(&path)));
    }

    // A fixed linear congruential sequence keeps the test repeatable without a dependency.
    let mut state: u64 = 0x2025_0701;
    let mut next = move || {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (state >> 33) as usize
    };
    let noise = [
        b'"', b',', b';', b'\n', b'\r', 0xff, 0xc3, b'{', b'}', b'0', b' ', b'/',
    ];
    for input in &inputs {
        let mut damaged: Vec<Vec<u8>> = (0..input.len())
            .step_by(5)
            .map(|n| input[..n].to_vec())
            .collect();
        for _ in 0..150 {
            let mut copy = input.clone();
            for _ in 0..=next() % 3 {
                let at = next() % copy.len().max(1);
                let byte = noise[next() % noise.len()];
                match next() % 3 {
                    0 if !copy.is_empty() => copy[at] = byte,
                    1 if !copy.is_empty() => {
                        copy.remove(at);
                    }
                    _ => copy.insert(at.min(copy.len()), byte),
                }
            }
            damaged.push(copy);
        }
        for body in damaged {
            for phase in [Phase::Request, Phase::Reply] {
                let _ = to_national(&host, phase, body.clone());
                let _ = to_local(&host, phase, body.clone());
            }
        }
    }
}
