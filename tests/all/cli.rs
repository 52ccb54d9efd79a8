//! An operator's `lgsp` commands against a running hub: keygen, sign, adapter push (signed,
//! with its progress lines), list, activate and rollback, each checked against what the hub
//! then serves.

use std::path::Path;
use std::process::{Command, Output};

use lgsp_tests::{TestHub, agencies, components, keys};
use serde_json::Value;

use crate::scaffold::lgsp;

/// Runs `lgsp args` with the operator token, off the async runtime so that the hub serves.
async fn lgsp_as_operator(hub: &TestHub, args: &[&str]) -> Output {
    let args: Vec<String> = args.iter().map(|a| (*a).to_owned()).collect();
    let url = hub.url.clone();
    tokio::task::spawn_blocking(move || {
        let output = Command::new(lgsp())
            .args(&args)
            .env("LGSP_HUB", url)
            .env("LGSP_ADMIN_TOKEN", keys::OPERATOR)
            .env("RUST_LOG", "warn")
            .output()
            .expect("lgsp runs");
        eprintln!(
            "$ lgsp {}\n{}{}",
            args.join(" "),
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        output
    })
    .await
    .expect("the command's thread")
}

fn ok(output: &Output) -> String {
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// `lgsp adapter list --agency A --json`: the active version and how many there are.
async fn listed(hub: &TestHub, agency: &str) -> (Value, usize) {
    let out = ok(&lgsp_as_operator(hub, &["adapter", "list", "--agency", agency, "--json"]).await);
    let doc: Value = serde_json::from_str(&out).expect("JSON");
    let count = doc["versions"].as_array().expect("versions").len();
    (doc["active"].clone(), count)
}

/// The SHA-256 of the adapter that served one civil-registry exchange, from the message log.
async fn served_by(hub: &TestHub) -> String {
    let csv =
        std::fs::read(lgsp_tests::root().join(
            "sample-adapters/civil-registry-csv/fixtures/to-national/ba-dinh-batch.input.csv",
        ))
        .expect("fixture");
    let r = hub
        .exchange(
            "citizens.register",
            Some(keys::REGISTRY_A),
            "text/csv; charset=utf-8",
            csv,
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let id = r.exchange_id.expect("an exchange id");
    let record = hub
        .get(&format!("/v1/messages/{id}"), Some(keys::OPERATOR))
        .await;
    record.json()["caller_adapter_sha256"]
        .as_str()
        .expect("the adapter's digest")
        .to_owned()
}

fn path(p: &Path) -> &str {
    p.to_str().expect("a UTF-8 path")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_operator_pushes_a_signed_version_activates_it_and_rolls_back() {
    let dir = tempfile::tempdir().expect("temp dir");
    let prefix = dir.path().join("keys/so-tu-phap");
    let public =
        ok(&lgsp_as_operator(&TestHub::shared(), &["keygen", "--out", path(&prefix)]).await);
    let public = public.trim().to_owned();
    assert_eq!(public.len(), 44, "base64 of 32 bytes: {public}");

    // Version 2 is the C build of the same adapter: other bytes, the same behaviour.
    let v2 = dir.path().join("civil-registry-csv-c.wasm");
    std::fs::copy(components::built(components::CIVIL_REGISTRY_CSV_C), &v2).expect("copy");
    let key = prefix.with_extension("key");
    let sign = lgsp_as_operator(
        &TestHub::shared(),
        &["sign", "--key", path(&key), path(&v2)],
    )
    .await;
    ok(&sign);
    assert!(
        v2.with_extension("wasm.sig").is_file(),
        "sign writes <component>.sig"
    );

    let hub = TestHub::start_with(|text| {
        format!(
            "{text}\n[[registry.publishers]]\nname = \"so-tu-phap\"\npublic_key = \"{public}\"\n\
             agencies = [\"{}\"]\n",
            agencies::REGISTRY_A
        )
    })
    .await;
    let agency = agencies::REGISTRY_A;
    let v1_sha = served_by(&hub).await;
    assert_eq!(
        v1_sha,
        lgsp_tests::sha256(std::fs::read(components::civil_registry_csv()).expect("v1"))
    );

    let push = lgsp_as_operator(
        &hub,
        &[
            "adapter",
            "push",
            path(&v2),
            "--agency",
            agency,
            "--activate",
        ],
    )
    .await;
    let out = ok(&push);
    let err = String::from_utf8_lossy(&push.stderr);
    assert!(
        err.contains("signature: "),
        "the .sig beside it is sent: {err}"
    );
    assert!(err.contains("uploading "), "a progress line: {err}");
    assert!(err.contains("the hub is validating and compiling"), "{err}");
    assert!(
        out.starts_with(&format!(
            "uploaded version 2 of {agency}'s adapter (compiled in "
        )),
        "{out}"
    );
    assert!(out.contains("so-tu-phap"), "the publisher is shown: {out}");

    let v2_sha = lgsp_tests::sha256(std::fs::read(&v2).expect("v2"));
    let (active, count) = listed(&hub, agency).await;
    assert_eq!((active, count), (Value::from(2), 2));
    assert_eq!(served_by(&hub).await, v2_sha);

    let out = ok(&lgsp_as_operator(&hub, &["adapter", "rollback", "--agency", agency]).await);
    assert!(
        out.starts_with(&format!(
            "rolled back: version 1 of {agency}'s adapter is active again"
        )),
        "{out}"
    );
    assert_eq!(listed(&hub, agency).await.0, Value::from(1));
    assert_eq!(served_by(&hub).await, v1_sha);

    let out = ok(&lgsp_as_operator(&hub, &["adapter", "activate", "--agency", agency, "2"]).await);
    assert!(
        out.starts_with(&format!(
            "version 2 of {agency}'s adapter is active (was version 1)"
        )),
        "{out}"
    );
    assert_eq!(served_by(&hub).await, v2_sha);

    // The table names both versions and stars the active one.
    let table = ok(&lgsp_as_operator(&hub, &["adapter", "list", "--agency", agency]).await);
    let starred: Vec<&str> = table
        .lines()
        .filter(|l| l.split_whitespace().nth(1) == Some("*"))
        .collect();
    assert_eq!(starred.len(), 1, "{table}");
    assert!(starred[0].trim_start().starts_with('2'), "{table}");

    // Pushing the same bytes again registers nothing new.
    let out =
        ok(&lgsp_as_operator(&hub, &["adapter", "push", path(&v2), "--agency", agency]).await);
    assert!(
        out.starts_with(&format!(
            "already registered: these bytes are version 2 of {agency}'s adapter"
        )),
        "{out}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn push_reports_the_hubs_refusal_and_fails() {
    let hub = TestHub::shared();
    let dir = tempfile::tempdir().expect("temp dir");
    let junk = dir.path().join("not-a-component.wasm");
    std::fs::write(&junk, b"\0asm\x01\0\0\0 this is no component").expect("write");
    let out = lgsp_as_operator(
        &hub,
        &[
            "adapter",
            "push",
            path(&junk),
            "--agency",
            agencies::REGISTRY_A,
        ],
    )
    .await;
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    let last = err.lines().last().unwrap_or_default();
    assert!(
        last.starts_with("error: Not a valid adapter: failed to compile the component"),
        "the hub's reason is shown: {err}"
    );

    let out = lgsp_as_operator(&hub, &["adapter", "rollback", "--agency", "no-such-agency"]).await;
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        err.trim_end(),
        "error: Conflicts with the hub's current state: agency \"no-such-agency\" has no \
         active adapter"
    );
}
