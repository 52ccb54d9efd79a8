//! The same adapter in four languages: civil-registry-csv written in Rust, JavaScript, Python
//! and C must pass the same fixtures through the real hub, and each must load under the
//! hub's deny-by-default linker with nothing but the contract's imports.

use lgsp_tests::{TestHub, agencies, components, keys};

use crate::fixtures::civil_registry_suite;

/// Starts a hub whose two civil registries run `component` instead of the Rust build, checks
/// that the hub serves that very component, and runs the civil-registry fixture suite.
async fn same_fixtures_through_the_hub(component: &str) {
    let imports = lgsp_adapter_build::imports(&std::fs::read(component).expect("component"))
        .expect("a component");
    assert!(
        !imports.is_empty(),
        "the adapter logs and looks up communes"
    );
    for name in &imports {
        assert!(
            name.starts_with("lgsp:adapter/"),
            "{component} imports {name}, which is not the contract's"
        );
    }

    let rust = components::civil_registry_csv();
    let hub = TestHub::start_with(|text| {
        assert!(text.contains(&rust), "the config names the Rust build");
        text.replace(&rust, component)
    })
    .await;

    // The hub linked it (under the same linker that refuses the WASI-importing
    // `hostile-wasi`, see sandbox.rs) and serves it for both registries.
    let listing = hub.get("/admin/v1/adapters", Some(keys::OPERATOR)).await;
    assert_eq!(listing.status, 200, "{}", listing.text());
    let sha = lgsp_tests::sha256(std::fs::read(component).expect("component"));
    for agency in [agencies::REGISTRY_A, agencies::REGISTRY_B] {
        let entry = listing.json()["agencies"]
            .as_array()
            .expect("agencies")
            .iter()
            .find(|a| a["agency"] == agency)
            .cloned()
            .unwrap_or_else(|| panic!("{agency} is listed"));
        assert_eq!(
            entry["refused"],
            serde_json::Value::Null,
            "{agency}: {entry}"
        );
        assert_eq!(
            entry["active"]["sha256"], sha,
            "{agency} runs {component}: {entry}"
        );
    }

    civil_registry_suite(&hub).await;
}

#[tokio::test]
async fn civil_registry_in_javascript_passes_the_same_fixtures() {
    same_fixtures_through_the_hub(components::built(components::CIVIL_REGISTRY_CSV_JS)).await;
}

#[tokio::test]
async fn civil_registry_in_python_passes_the_same_fixtures() {
    same_fixtures_through_the_hub(components::built(components::CIVIL_REGISTRY_CSV_PYTHON)).await;
}

#[tokio::test]
async fn civil_registry_in_c_passes_the_same_fixtures() {
    same_fixtures_through_the_hub(components::built(components::CIVIL_REGISTRY_CSV_C)).await;
}

/// The Rust build passes the same suite through the shared hub in `fixtures.rs`; this checks
/// its imports the same way, so that all four are held to one rule.
#[test]
fn civil_registry_in_rust_imports_only_the_contract() {
    let bytes = std::fs::read(components::CIVIL_REGISTRY_CSV).expect("component");
    assert_eq!(lgsp_adapter_build::check_imports(&bytes), Ok(()));
}

/// The JavaScript and Python samples' own native tests (the Rust adapter's fixtures, run
/// without Wasm), with the commands their READMEs give; the C sample's run in
/// `lgsp-adapter-build`'s tests.
#[test]
fn the_javascript_and_python_samples_pass_their_native_tests() {
    let root = lgsp_tests::root();
    let home = std::path::PathBuf::from(std::env::var_os("HOME").unwrap_or_default());
    let python = std::env::var_os("LGSP_PYTHON_TOOLCHAIN")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| home.join(".cache/lgsp-toolchains/python"))
        .join("bin/python");
    let runs: [(&str, std::process::Command); 2] = [
        ("sample-adapters/civil-registry-csv-js", {
            let mut cmd = std::process::Command::new("node");
            cmd.args(["--test", "test/"]);
            cmd
        }),
        ("sample-adapters/civil-registry-csv-python", {
            let mut cmd = std::process::Command::new(python);
            cmd.args(["-m", "unittest", "discover", "-s", "tests"]);
            cmd
        }),
    ];
    for (dir, mut cmd) in runs {
        let output = cmd
            .current_dir(root.join(dir))
            .output()
            .unwrap_or_else(|err| panic!("{dir}: could not run its tests ({err})"));
        assert!(
            output.status.success(),
            "{dir}'s native tests failed:\n{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }
}
