//! Builds the benchmark adapter, `sample-adapters/bench-person`, into a component before the
//! benchmarks compile, as the tests' build script does for the other sample adapters.

use std::path::{Path, PathBuf};

fn main() {
    let manifest = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let root = manifest
        .parent()
        .expect("benches/ sits in the workspace")
        .to_owned();
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("set by cargo"));
    // As in tests/build.rs: checkouts sharing a target directory keep their Wasm builds apart.
    println!("cargo:rerun-if-env-changed=LGSP_CHECKOUT");
    let checkout = {
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        root.hash(&mut h);
        h.finish()
    };
    let target = out
        .parent()
        .unwrap_or(&out)
        .join(format!("wasm-target-{checkout:016x}"));
    let components = out.join(format!("checkout-{checkout:016x}"));

    let crate_dir = root.join("sample-adapters/bench-person");
    watch(&crate_dir);
    watch(&root.join("guest-sdk/src"));
    watch(&root.join("wit"));
    let component = lgsp_adapter_build::build_adapter(&crate_dir, &target, &components)
        .unwrap_or_else(|err| panic!("failed to build bench-person: {err}"));
    println!("cargo:rustc-env=LGSP_BENCH_PERSON={}", component.display());
}

fn watch(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if entry.file_name() == "target" {
            continue;
        }
        if path.is_dir() {
            watch(&path);
        } else {
            println!("cargo:rerun-if-changed={}", path.display());
        }
    }
}
