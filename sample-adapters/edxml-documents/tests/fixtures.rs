//! Runs every fixture under `fixtures/` through the mapping and compares it with the
//! expected output beside it:
//!
//! - `to-local/<case>.input.edxml` gives `<case>.expected.json` (compared as JSON values);
//! - `to-national/<case>.input.json` gives `<case>.expected.edxml` (compared with
//!   [`xml_equivalent`]);
//! - `rejected/<case>.input.{json,edxml}` is refused with exactly the `{path, code}` list of
//!   `<case>.expected-violations.json`, in order.
//!
//! Both phases must give the same result. After a deliberate change of the mapping, run with
//! `EDXML_BLESS=1` to rewrite the expected files, then review the diff before committing.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use edxml_documents::{EdxmlDocuments, xml_equivalent};
use lgsp_guest::testing::{MockHost, context};
use lgsp_guest::{Adapter, AdapterError, Message, Phase};
use serde_json::{Value, json};

fn fixture_dir(kind: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(kind)
}

fn xsd() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../standards/edxml/qcvn-102-2016.xsd")
}

/// Every `<case>.input.*` in a fixture folder, as the case name and the input's path.
fn cases(kind: &str) -> Vec<(String, PathBuf)> {
    let mut cases: Vec<(String, PathBuf)> = fs::read_dir(fixture_dir(kind))
        .unwrap_or_else(|err| panic!("failed to list fixtures/{kind}: {err}"))
        .map(|entry| entry.expect("a directory entry").path())
        .filter_map(|path| {
            let name = path.file_name()?.to_str()?.to_owned();
            let (case, _) = name.split_once(".input.")?;
            Some((case.to_owned(), path))
        })
        .collect();
    cases.sort();
    assert!(!cases.is_empty(), "no fixtures in fixtures/{kind}");
    cases
}

fn blessing() -> bool {
    std::env::var_os("EDXML_BLESS").is_some()
}

fn read(path: &Path) -> Vec<u8> {
    fs::read(path).unwrap_or_else(|err| panic!("failed to read {}: {err}", path.display()))
}

/// Runs one direction in both phases and checks that they agree.
fn run(national: bool, input: Vec<u8>) -> Result<Message, AdapterError> {
    let host = MockHost::new();
    let results: Vec<_> = [Phase::Request, Phase::Reply]
        .into_iter()
        .map(|phase| {
            let cx = context("documents.send", "edxml@2016", phase);
            if national {
                let msg = Message::new("application/xml", input.clone());
                EdxmlDocuments::to_local(&host, &cx, msg)
            } else {
                let msg = Message::new("application/json", input.clone());
                EdxmlDocuments::to_national(&host, &cx, msg)
            }
        })
        .collect();
    // The contract's types have no PartialEq; their Debug form shows every field.
    assert_eq!(
        format!("{:?}", results[0]),
        format!("{:?}", results[1]),
        "the two phases disagree"
    );
    results.into_iter().next().expect("two results")
}

#[test]
fn national_fixtures_translate_to_the_expected_local_json() {
    for (case, input) in cases("to-local") {
        let out = run(true, read(&input)).unwrap_or_else(|err| panic!("{case}: refused: {err:?}"));
        assert_eq!(out.content_type, "application/json", "{case}");
        let actual: Value = serde_json::from_slice(&out.body).expect("the adapter writes JSON");
        let expected_path = fixture_dir("to-local").join(format!("{case}.expected.json"));
        if blessing() {
            fs::write(&expected_path, &out.body).expect("write expected output");
            continue;
        }
        let expected: Value = serde_json::from_slice(&read(&expected_path)).expect("valid JSON");
        assert_eq!(actual, expected, "{case}");
    }
}

#[test]
fn local_fixtures_translate_to_the_expected_edxml() {
    for (case, input) in cases("to-national") {
        let out = run(false, read(&input)).unwrap_or_else(|err| panic!("{case}: refused: {err:?}"));
        assert_eq!(out.content_type, "application/xml", "{case}");
        let actual = String::from_utf8(out.body).expect("the adapter writes UTF-8");
        let expected_path = fixture_dir("to-national").join(format!("{case}.expected.edxml"));
        if blessing() {
            fs::write(&expected_path, &actual).expect("write expected output");
            continue;
        }
        let expected = String::from_utf8(read(&expected_path)).expect("UTF-8");
        assert!(xml_equivalent(&actual, &expected), "{case}: got\n{actual}");
    }
}

#[test]
fn bad_fixtures_are_refused_with_the_expected_violations() {
    for (case, input) in cases("rejected") {
        let national = input.extension().is_some_and(|ext| ext == "edxml");
        let err = run(national, read(&input)).expect_err(&case);
        let AdapterError::Rejected(violations) = err else {
            panic!("{case}: expected a rejection, got {err:?}");
        };
        for v in &violations {
            assert!(!v.message.is_empty(), "{case}: {} has no message", v.path);
        }
        let actual: Vec<Value> = violations
            .iter()
            .map(|v| json!({ "path": v.path, "code": v.code }))
            .collect();
        let expected_path =
            fixture_dir("rejected").join(format!("{case}.expected-violations.json"));
        if blessing() {
            let text = serde_json::to_string_pretty(&actual).expect("JSON") + "\n";
            fs::write(&expected_path, text).expect("write expected output");
            continue;
        }
        let expected: Vec<Value> =
            serde_json::from_slice(&read(&expected_path)).expect("a JSON array");
        assert_eq!(actual, expected, "{case}");
    }
}

/// National → local → national → local gives the same local form: nothing the local form
/// carries is lost on the way out.
#[test]
fn local_form_survives_a_round_trip() {
    for (case, input) in cases("to-local") {
        let first = run(true, read(&input)).expect("translates");
        let national = run(false, first.body.clone()).expect("translates back");
        let second = run(true, national.body).expect("translates again");
        let first: Value = serde_json::from_slice(&first.body).expect("JSON");
        let second: Value = serde_json::from_slice(&second.body).expect("JSON");
        assert_eq!(first, second, "{case}");
    }
}

/// Everything the adapter writes passes the standard's XSD. Needs `xmllint` (libxml2-utils);
/// the hub's own integration test checks the same with libxml2 where it is missing.
#[test]
fn national_output_passes_the_xsd() {
    if Command::new("xmllint").arg("--version").output().is_err() {
        eprintln!("skipped: xmllint is not installed (apt-get install libxml2-utils)");
        return;
    }
    let scratch = std::env::temp_dir().join(format!("edxml-fixtures-{}", std::process::id()));
    fs::create_dir_all(&scratch).expect("scratch folder");

    let mut outputs: Vec<(String, Vec<u8>)> = Vec::new();
    for (case, input) in cases("to-national") {
        outputs.push((
            format!("to-national/{case}"),
            run(false, read(&input)).expect("ok").body,
        ));
    }
    for (case, input) in cases("to-local") {
        let local = run(true, read(&input)).expect("ok").body;
        outputs.push((
            format!("round-trip/{case}"),
            run(false, local).expect("ok").body,
        ));
    }
    for (name, body) in outputs {
        let file = scratch.join("out.edxml");
        fs::write(&file, body).expect("write scratch file");
        let result = Command::new("xmllint")
            .args(["--noout", "--nonet", "--schema"])
            .arg(xsd())
            .arg(&file)
            .output()
            .expect("xmllint runs");
        let stderr = String::from_utf8_lossy(&result.stderr);
        assert!(result.status.success(), "{name} fails the XSD:\n{stderr}");
    }
    let _ = fs::remove_dir_all(&scratch);
}
