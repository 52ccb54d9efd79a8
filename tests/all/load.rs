//! Loading components: only the contract's imports are accepted, and the refusal names the
//! offending import.

use std::sync::Arc;

use lgsp::catalogue::Catalogues;
use lgsp::runtime::{AdapterLimits, LoadError, Runtime, RuntimeSettings};

fn runtime() -> Runtime {
    let settings = RuntimeSettings {
        pool_instances: 16,
        ..RuntimeSettings::default()
    };
    Runtime::new(settings, Arc::new(Catalogues::default())).expect("runtime")
}

const LIMITS: AdapterLimits = AdapterLimits {
    deadline: std::time::Duration::from_secs(1),
    max_memory_bytes: 64 << 20,
    max_output_bytes: 1 << 20,
    max_in_flight: 4,
};

async fn load_wat(wat: &str) -> Result<String, LoadError> {
    let bytes = wasmtime_wat(wat);
    runtime()
        .load("test", &bytes, LIMITS)
        .await
        .map(|a| a.label())
}

fn wasmtime_wat(wat: &str) -> Vec<u8> {
    // wasmtime's `wat` feature parses text components; build the binary through the engine's
    // own parser so the test needs no other tool.
    wat::parse_str(wat).expect("valid WAT")
}

#[tokio::test]
async fn a_filesystem_import_is_refused_by_name() {
    let err = load_wat(r#"(component (import "wasi:filesystem/preopens@0.2.0" (instance)))"#)
        .await
        .expect_err("refused");
    assert!(
        matches!(&err, LoadError::ForbiddenImport(names) if names == &["wasi:filesystem/preopens@0.2.0"]),
        "{err}"
    );
    assert!(err.to_string().contains("wasi:filesystem/preopens@0.2.0"));
}

#[tokio::test]
async fn socket_and_environment_imports_are_refused_by_name() {
    for name in [
        "wasi:sockets/tcp@0.2.0",
        "wasi:cli/environment@0.2.0",
        "lgsp:adapter/secrets@0.1.0",
        "lgsp:adapter/log@0.2.0",
    ] {
        let wat = format!(r#"(component (import "{name}" (instance)))"#);
        let err = load_wat(&wat).await.expect_err("refused");
        assert!(
            matches!(&err, LoadError::ForbiddenImport(names) if names == &[name]),
            "{name}: {err}"
        );
    }
}

#[tokio::test]
async fn a_component_without_the_exports_is_refused() {
    let err = load_wat("(component)").await.expect_err("refused");
    assert!(matches!(err, LoadError::Contract(_)), "{err}");
}

#[tokio::test]
async fn garbage_and_core_modules_are_refused() {
    let err = runtime()
        .load("test", b"not wasm at all", LIMITS)
        .await
        .expect_err("refused");
    assert!(matches!(err, LoadError::NotBinary), "{err}");
    // The text format is refused too: a component is one exact binary, and one digest.
    let err = runtime()
        .load("test", b"(component)", LIMITS)
        .await
        .expect_err("refused");
    assert!(matches!(err, LoadError::NotBinary), "{err}");
    let err = runtime()
        .load("test", b"\0asm\x0d\0\x01\0garbage", LIMITS)
        .await
        .expect_err("refused");
    assert!(matches!(err, LoadError::Compile(_)), "{err}");
    let core = wasmtime_wat("(module)");
    let err = runtime()
        .load("test", &core, LIMITS)
        .await
        .expect_err("refused");
    assert!(matches!(err, LoadError::Compile(_)), "{err}");
}

#[tokio::test]
async fn the_sample_adapters_load_and_describe_themselves() {
    let rt = runtime();
    for (path, name) in [
        (lgsp_tests::components::EDXML_DOCUMENTS, "edxml-documents"),
        (
            lgsp_tests::components::CIVIL_REGISTRY_CSV,
            "civil-registry-csv",
        ),
    ] {
        let bytes = std::fs::read(path).expect("built by build.rs");
        let adapter = rt.load("test", &bytes, LIMITS).await.expect("loads");
        assert_eq!(adapter.description().name, name);
        assert_eq!(adapter.sha256(), lgsp_tests::sha256(&bytes));
    }
}

#[tokio::test]
async fn a_memory_cap_under_the_initial_memory_is_refused_at_load_saying_so() {
    let bytes =
        std::fs::read(lgsp_tests::components::CIVIL_REGISTRY_CSV).expect("built by build.rs");
    let cap = 2 << 20;
    let limits = AdapterLimits {
        max_memory_bytes: cap,
        ..LIMITS
    };
    let err = runtime()
        .load("test", &bytes, limits)
        .await
        .map(|a| a.label())
        .expect_err("over its cap before the first call");
    let text = err.to_string();
    assert!(
        text.contains("initial memory is more than its max_memory_bytes=2097152"),
        "{text}"
    );

    let roomy = AdapterLimits {
        max_memory_bytes: 3 << 20,
        ..LIMITS
    };
    runtime()
        .load("test", &bytes, roomy)
        .await
        .expect("loads under a 3 MiB cap");
}

#[tokio::test]
async fn the_hub_refuses_to_start_with_a_forbidden_adapter() {
    let dir = tempfile::tempdir().expect("tmp");
    let bad = dir.path().join("bad.wasm");
    std::fs::write(
        &bad,
        wasmtime_wat(r#"(component (import "wasi:sockets/tcp@0.2.0" (instance)))"#),
    )
    .expect("write");
    let text = lgsp_tests::config_text("http://127.0.0.1:9", &dir.path().join("data"))
        .replace(lgsp_tests::components::HOSTILE, &bad.display().to_string());
    let config = lgsp::config::Config::parse(&text, dir.path()).expect("config");
    let err = lgsp::Hub::start(config)
        .await
        .expect_err("refused at start");
    let text = err.to_string();
    assert!(
        text.contains("\"hostile\"") && text.contains("wasi:sockets/tcp@0.2.0"),
        "{text}"
    );
}

#[tokio::test]
async fn an_adapter_built_against_wasi_is_refused_naming_files_sockets_and_environment() {
    let bytes = std::fs::read(lgsp_tests::components::HOSTILE_WASI).expect("built by build.rs");
    let err = runtime()
        .load("test", &bytes, LIMITS)
        .await
        .expect_err("refused");
    let LoadError::ForbiddenImport(names) = &err else {
        panic!("expected a forbidden import, got {err}");
    };
    for family in ["wasi:filesystem/", "wasi:sockets/", "wasi:cli/environment"] {
        assert!(
            names.iter().any(|n| n.starts_with(family)),
            "{family} is named in {names:?}"
        );
    }
    assert!(
        !names.iter().any(|n| n.starts_with("lgsp:adapter/")),
        "the contract is not: {names:?}"
    );
    let text = err.to_string();
    assert!(
        text.contains("wasi:filesystem/") && text.contains("wasi:sockets/"),
        "{text}"
    );
}
