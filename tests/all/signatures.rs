//! Signed adapters: uploads checked against trusted publisher keys, the signature beside a
//! component named in the configuration, and the stored component checked again at start.

#![allow(clippy::unwrap_used, reason = "a failed step fails the test")]

use lgsp_tests::{TestHub, agencies, keys};
use serde_json::Value;

use crate::admin::{civil_bytes, register_once, upload, with_custom_section};

fn publisher() -> (lgsp::signing::SecretKey, String) {
    let key = lgsp::signing::SecretKey::generate().expect("a key");
    let public = key.public_key().to_string();
    (key, public)
}

#[tokio::test]
async fn signatures_are_checked_on_upload_and_again_at_start() {
    let (key, public) = publisher();
    let (other, _) = publisher();
    let hub = TestHub::start_with(|text| {
        // Only registry A's adapter comes through the registry, and it must be signed.
        let text = text
            .lines()
            .filter(|l| !l.starts_with("component = "))
            .collect::<Vec<_>>()
            .join("\n");
        format!(
            "{text}\n[registry]\nrequire_signatures = true\n\n[[registry.publishers]]\nname = \"so-tu-phap\"\npublic_key = \"{public}\"\nagencies = [\"{}\"]\n",
            agencies::REGISTRY_A
        )
    })
    .await;
    let bytes = civil_bytes();
    let signature = key.sign(&bytes).to_string();

    let r = upload(&hub, agencies::REGISTRY_A, bytes.clone(), "", &[]).await;
    r.problem(422, "signature-required");
    let tampered = with_custom_section(bytes.clone(), "tampered");
    let r = upload(
        &hub,
        agencies::REGISTRY_A,
        tampered,
        "",
        &[("lgsp-signature", &signature)],
    )
    .await;
    let p = r.problem(422, "signature-invalid");
    assert!(p["detail"].as_str().unwrap().contains("so-tu-phap"), "{p}");
    let wrong_key = other.sign(&bytes).to_string();
    let r = upload(
        &hub,
        agencies::REGISTRY_A,
        bytes.clone(),
        "",
        &[("lgsp-signature", &wrong_key)],
    )
    .await;
    r.problem(422, "signature-invalid");
    let r = upload(
        &hub,
        agencies::REGISTRY_A,
        bytes.clone(),
        "",
        &[("lgsp-signature", "not base64!")],
    )
    .await;
    r.problem(422, "signature-invalid");
    // The key does not cover another agency.
    let r = upload(
        &hub,
        agencies::REGISTRY_B,
        bytes.clone(),
        "",
        &[("lgsp-signature", &signature)],
    )
    .await;
    r.problem(422, "signature-invalid");

    let r = upload(
        &hub,
        agencies::REGISTRY_A,
        bytes.clone(),
        "?activate=true",
        &[("lgsp-signature", &signature)],
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.text());
    assert_eq!(r.json()["publisher"], "so-tu-phap");
    let signed_version = r.json()["version"].clone();
    assert_eq!(register_once(&hub).await.status, 200);

    // Restarted as is: the signature checks again and the adapter serves.
    let hub = hub.restart().await;
    assert_eq!(register_once(&hub).await.status, 200);

    // One byte of the stored component changed on disk: refused at start, and said so.
    let sha = lgsp_tests::sha256(&bytes);
    let stored = hub.data_dir().join("adapters").join(format!("{sha}.wasm"));
    let mut altered = std::fs::read(&stored).unwrap();
    let last = altered.len() - 1;
    altered[last] ^= 1;
    std::fs::write(&stored, altered).unwrap();
    let hub = hub.restart().await;
    register_once(&hub)
        .await
        .problem(503, "adapter-unavailable");
    let r = hub.get("/admin/v1/adapters", Some(keys::OPERATOR)).await;
    let agency = r.json()["agencies"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["agency"] == agencies::REGISTRY_A)
        .cloned()
        .unwrap();
    assert_eq!(agency["active"], Value::Null);
    let refused = agency["refused"].as_str().unwrap();
    assert!(refused.contains("altered after upload"), "{refused}");

    // The publisher's bytes, pushed again, restore the stored copy: same version, served.
    let r = upload(
        &hub,
        agencies::REGISTRY_A,
        bytes.clone(),
        "?activate=true",
        &[("lgsp-signature", &signature)],
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()["version"], signed_version, "{}", r.text());
    assert_eq!(std::fs::read(&stored).unwrap(), bytes);
    assert_eq!(register_once(&hub).await.status, 200);
}

#[tokio::test]
async fn a_signature_beside_a_configured_component_is_found_and_checked() {
    let (key, public) = publisher();
    let scratch = tempfile::tempdir().unwrap();
    let sign_all = |text: &str, key: &lgsp::signing::SecretKey| {
        // Every component the configuration names is copied and signed beside its copy.
        let mut out = Vec::new();
        for (n, line) in text.lines().enumerate() {
            let Some(path) = line
                .strip_prefix("component = \"")
                .and_then(|l| l.strip_suffix('"'))
            else {
                out.push(line.to_owned());
                continue;
            };
            let bytes = std::fs::read(path).unwrap();
            let copy = scratch.path().join(format!("{n}.wasm"));
            std::fs::write(&copy, &bytes).unwrap();
            std::fs::write(
                scratch.path().join(format!("{n}.wasm.sig")),
                key.sign(&bytes).to_string(),
            )
            .unwrap();
            out.push(format!("component = \"{}\"", copy.display()));
        }
        format!(
            "{}\n[registry]\nrequire_signatures = true\n\n[[registry.publishers]]\nname = \"so-tu-phap\"\npublic_key = \"{public}\"\n",
            out.join("\n")
        )
    };
    let hub = TestHub::start_with(|text| sign_all(&text, &key)).await;
    assert_eq!(register_once(&hub).await.status, 200);
    let r = hub.get("/admin/v1/adapters", Some(keys::OPERATOR)).await;
    for agency in r.json()["agencies"].as_array().unwrap() {
        assert_eq!(agency["active"]["publisher"], "so-tu-phap", "{agency}");
    }

    // Signed by a key the hub does not trust: the hub refuses to start, and says why.
    let (stranger, _) = publisher();
    let config = sign_all(
        &lgsp_tests::config_text("http://127.0.0.1:9", &scratch.path().join("data")),
        &stranger,
    );
    let path = scratch.path().join("lgsp.toml");
    std::fs::write(&path, config).unwrap();
    let config = lgsp::config::Config::load(&path).unwrap();
    // check-config runs the same check as serve.
    let err = lgsp::hub::Hub::check(&config).await.expect_err("refused");
    assert!(err.to_string().contains("does not match"), "{err}");
    let err = lgsp::hub::Hub::start(config).await.expect_err("refused");
    assert!(err.to_string().contains("does not match"), "{err}");
    // Without the file, the operator is told where the signature belongs.
    for entry in std::fs::read_dir(scratch.path()).unwrap().flatten() {
        if entry.path().extension().is_some_and(|e| e == "sig") {
            std::fs::remove_file(entry.path()).unwrap();
        }
    }
    let config = lgsp::config::Config::load(&path).unwrap();
    let err = lgsp::hub::Hub::check(&config).await.expect_err("refused");
    let text = err.to_string();
    assert!(
        text.contains("put the component's signature in") && text.contains(".wasm.sig"),
        "{text}"
    );
}
