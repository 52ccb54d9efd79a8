//! Builds the sample adapters into components before the tests compile, so that every test
//! runs against adapters built from the source in this checkout.

use std::path::{Path, PathBuf};

/// The adapter crates the tests load, by the name of the environment variable that carries
/// each component's path into the tests.
const ADAPTERS: [(&str, &str); 3] = [
    (
        "LGSP_TEST_EDXML_DOCUMENTS",
        "sample-adapters/edxml-documents",
    ),
    (
        "LGSP_TEST_CIVIL_REGISTRY_CSV",
        "sample-adapters/civil-registry-csv",
    ),
    ("LGSP_TEST_HOSTILE", "sample-adapters/hostile"),
];

fn main() {
    let manifest = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let root = manifest
        .parent()
        .expect("tests/ sits in the workspace")
        .to_owned();
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("set by cargo"));
    // Cargo names a workspace package's build folders by its path inside the workspace, so
    // two checkouts sharing a target directory share this script's output. Rerun whenever the
    // checkout changes (test.sh and demo.sh export LGSP_CHECKOUT), and keep each checkout's
    // Wasm build apart: a cdylib's file name carries no hash.
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
    let out = out.join(format!("checkout-{checkout:016x}"));

    for (var, dir) in ADAPTERS {
        let crate_dir = root.join(dir);
        watch(&crate_dir);
        let component =
            lgsp_adapter_build::build_adapter(&crate_dir, &target, &out.join("components"))
                .unwrap_or_else(|err| panic!("failed to build {dir}: {err}"));
        println!("cargo:rustc-env={var}={}", component.display());
    }
    let wasi = root.join("sample-adapters/hostile-wasi");
    watch(&wasi);
    let component = lgsp_adapter_build::build_for(
        lgsp_adapter_build::WASIP2_TARGET,
        &wasi,
        &target,
        &out.join("components"),
    )
    .unwrap_or_else(|err| panic!("failed to build hostile-wasi: {err}"));
    println!(
        "cargo:rustc-env=LGSP_TEST_HOSTILE_WASI={}",
        component.display()
    );

    // The same adapter in the other languages. A missing toolchain does not stop the other
    // tests from building: the variable then carries the reason, prefixed with `error:`, and
    // the tests of that language fail with it.
    type Build = fn(&Path, &Path) -> lgsp_adapter_build::Result<PathBuf>;
    let languages: [(&str, &str, Build); 3] = [
        (
            "LGSP_TEST_CIVIL_REGISTRY_CSV_JS",
            "sample-adapters/civil-registry-csv-js",
            lgsp_adapter_build::js::build,
        ),
        (
            "LGSP_TEST_CIVIL_REGISTRY_CSV_PYTHON",
            "sample-adapters/civil-registry-csv-python",
            lgsp_adapter_build::python::build,
        ),
        (
            "LGSP_TEST_CIVIL_REGISTRY_CSV_C",
            "sample-adapters/civil-registry-csv-c",
            lgsp_adapter_build::c::build,
        ),
    ];
    for (var, dir, build) in languages {
        let project = root.join(dir);
        watch(&project);
        let value = match build(&project, &out.join("components")) {
            Ok(component) => component.display().to_string(),
            Err(err) => {
                println!("cargo:warning=failed to build {dir}: {err}");
                // Try again on the next build, once the toolchain may have been installed.
                println!("cargo:rerun-if-changed={}", out.join("never").display());
                format!("error: failed to build {dir}: {err}").replace('\n', " ")
            }
        };
        println!("cargo:rustc-env={var}={value}");
    }
    println!(
        "cargo:rerun-if-env-changed={}",
        lgsp_adapter_build::js::TOOLCHAIN_ENV
    );
    println!(
        "cargo:rerun-if-env-changed={}",
        lgsp_adapter_build::python::TOOLCHAIN_ENV
    );
    println!(
        "cargo:rerun-if-env-changed={}",
        lgsp_adapter_build::c::CLANG_ENV
    );

    watch(&root.join("guest-sdk/src"));
    watch(&root.join("wit"));
}

fn watch(dir: &Path) {
    for entry in walk(dir) {
        println!("cargo:rerun-if-changed={}", entry.display());
    }
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return out;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name();
        // What builds and tests leave behind, and fixtures, do not change a component.
        if ["target", "fixtures", "build", "node_modules", "__pycache__"]
            .iter()
            .any(|skip| name == *skip)
        {
            continue;
        }
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}
