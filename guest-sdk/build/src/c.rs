//! Builds a C adapter project into a component with clang 14, wasi-libc and wit-bindgen's C
//! bindings.
//!
//! A C adapter project is a folder with an `lgsp-adapter.toml` (`[adapter]` with `name` and
//! `version`) and its sources under `src/` (every `.c` file there, at any depth, with `src/`
//! and, if present, `include/` on the include path). This module writes the contract's C
//! bindings (`adapter.h`, `adapter.c` and the object that carries the component type) from
//! the WIT built into this crate, so a project holds no generated code; it compiles and links
//! everything in one clang run for `wasm32-wasi` as a reactor (no `main`, no `_start`), then
//! wraps the core module into a component with `wit-component`.
//!
//! No WASI adapter is used and none is stubbed: wasi-libc's string, memory and allocation
//! functions import nothing, and a project that calls one that does (`printf`, `fopen`,
//! `time`, `getenv`) fails to build with a message that says so. The component is then read
//! back and refused unless it imports only `lgsp:adapter` interfaces. This module does not
//! install the toolchain; that is `scripts/setup-c.sh`, named in every error about a missing
//! piece.

use std::path::{Path, PathBuf};
use std::process::Command;

use wit_bindgen_core::Files;
use wit_bindgen_core::wit_parser::Resolve;

use crate::{BuildError, Result, check_imports};

/// The script that installs the toolchain, named in every error about a missing piece.
pub const SETUP_SCRIPT: &str = "scripts/setup-c.sh";

/// The project's manifest, at its top.
pub const MANIFEST: &str = "lgsp-adapter.toml";

/// The environment variable that names another clang than [`DEFAULT_CLANG`].
pub const CLANG_ENV: &str = "LGSP_CLANG";

/// The compiler the setup script installs (Debian 12's `clang-14`).
pub const DEFAULT_CLANG: &str = "clang-14";

/// The contract, built into this crate so that a project needs no copy of its own.
const CONTRACT: &str = include_str!("../../../wit/adapter.wit");

/// The world every adapter targets; the bindings' files are named after it.
const WORLD: &str = "adapter";

/// The flags every adapter is compiled and linked with.
///
/// A reactor exports its functions and `_initialize` (which wit-component calls once at
/// instantiation) instead of a `_start` that would import `proc_exit`. The stack goes first
/// in linear memory, so that a stack overflow traps instead of overwriting data; 256 KiB is
/// four times the linker's default, for recursive parsers.
const FLAGS: &[&str] = &[
    "--target=wasm32-wasi",
    "-mexec-model=reactor",
    "-std=c17",
    "-Os",
    "-Wall",
    "-Wextra",
    "-Wl,--stack-first",
    "-Wl,-z,stack-size=262144",
    "-Wl,--strip-all",
];

/// What the project's manifest says: the component's name and the adapter's version, passed
/// to the sources as `LGSP_ADAPTER_NAME` and `LGSP_ADAPTER_VERSION` for `describe`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Manifest {
    /// The adapter's name, `[a-z][a-z0-9-]*`; the component is `<name>.wasm`.
    pub name: String,
    /// The adapter's own version, such as `0.1.0`.
    pub version: String,
}

impl Manifest {
    /// Reads `<project_dir>/lgsp-adapter.toml`.
    pub fn read(project_dir: &Path) -> Result<Self> {
        let path = project_dir.join(MANIFEST);
        let fail = |reason: String| BuildError::Manifest {
            path: path.clone(),
            reason,
        };
        let text = std::fs::read_to_string(&path).map_err(|err| fail(err.to_string()))?;
        let doc: toml::Table = text
            .parse()
            .map_err(|err: toml::de::Error| fail(err.to_string()))?;
        let field = |key: &str| {
            doc.get("adapter")
                .and_then(|a| a.get(key))
                .and_then(|v| v.as_str())
                .map(str::to_owned)
                .ok_or_else(|| fail(format!("no `adapter.{key}`")))
        };
        let (name, version) = (field("name")?, field("version")?);

        // Both become C string literals and a file name: only plain characters.
        crate::check_name(&path, "`adapter.name`", &name)?;
        let version_ok = !version.is_empty()
            && version
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || ".+-".contains(c));
        if !version_ok {
            return Err(fail(format!(
                "`adapter.version` {version:?} is not a version such as 0.1.0"
            )));
        }
        Ok(Self { name, version })
    }
}

/// Builds the C adapter project at `project_dir` and writes `<out_dir>/<name>.wasm`, a
/// component that imports only the contract. The generated bindings and the core module are
/// made in a work folder under the system's temporary folder, removed when the build ends:
/// nothing but the component is left in `out_dir`.
pub fn build(project_dir: &Path, out_dir: &Path) -> Result<PathBuf> {
    let manifest = Manifest::read(project_dir)?;
    let name = &manifest.name;
    let sources = sources(project_dir)?;
    let toolchain = Toolchain::find(&clang(), project_dir)?;

    let work = WorkDir::create(name)?;
    let bindings = work.0.join("bindings");
    write_bindings(&bindings).map_err(|reason| BuildError::Componentize {
        path: project_dir.to_owned(),
        reason,
    })?;

    let core = work.0.join(format!("{name}.core.wasm"));
    let mut cmd = Command::new(&toolchain.clang);
    cmd.args(FLAGS)
        .arg(format!("-DLGSP_ADAPTER_NAME=\"{name}\""))
        .arg(format!("-DLGSP_ADAPTER_VERSION=\"{}\"", manifest.version))
        .arg("-I")
        .arg(project_dir.join("src"));
    if project_dir.join("include").is_dir() {
        cmd.arg("-I").arg(project_dir.join("include"));
    }
    cmd.arg("-I")
        .arg(&bindings)
        .args(&sources)
        .arg(bindings.join(format!("{WORLD}.c")))
        .arg(bindings.join(format!("{WORLD}_component_type.o")))
        .arg("-o")
        .arg(&core);
    crate::run(cmd, &format!("clang build of adapter {name:?}"))?;

    let module = std::fs::read(&core).map_err(|source| BuildError::Io {
        path: core.clone(),
        source,
    })?;
    let component = crate::componentize(&module).map_err(|reason| BuildError::Componentize {
        path: core.clone(),
        reason: format!(
            "{reason} (a C adapter can call only the contract's imports: functions such as \
             printf, fopen, time or getenv need WASI, which the hub does not provide)"
        ),
    })?;
    check_imports(&component).map_err(|reason| BuildError::Componentize {
        path: core.clone(),
        reason,
    })?;

    std::fs::create_dir_all(out_dir).map_err(|source| BuildError::Io {
        path: out_dir.to_owned(),
        source,
    })?;
    let out = out_dir.join(format!("{name}.wasm"));
    std::fs::write(&out, component).map_err(|source| BuildError::Io {
        path: out.clone(),
        source,
    })?;
    Ok(out)
}

/// A build's work folder (bindings and core module) under the system's temporary folder,
/// removed when dropped, whether the build succeeded or not.
struct WorkDir(PathBuf);

impl WorkDir {
    fn create(name: &str) -> Result<Self> {
        static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let dir =
            std::env::temp_dir().join(format!("lgsp-c-work-{name}-{}-{n}", std::process::id()));
        // A folder left by a killed build of an earlier process with the same id.
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).map_err(|source| BuildError::Io {
            path: dir.clone(),
            source,
        })?;
        Ok(Self(dir))
    }
}

impl Drop for WorkDir {
    fn drop(&mut self) {
        // Best effort: a leftover folder in the temporary folder is harmless.
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The clang to build with: the one [`CLANG_ENV`] names, else [`DEFAULT_CLANG`] on `PATH`.
fn clang() -> PathBuf {
    let named = std::env::var_os(CLANG_ENV)
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(DEFAULT_CLANG));
    installed_path(&named).unwrap_or(named)
}

/// Where the compiler really is, with symbolic links resolved. Debian's `/usr/bin/clang-14`
/// is a link into `/usr/lib/llvm-14/bin/`, and clang looks for `wasm-ld` beside the path it
/// was started by: started from the link it finds no linker, since lld-14 puts only
/// `wasm-ld-14` on the `PATH`.
fn installed_path(program: &Path) -> Option<PathBuf> {
    if program.components().count() > 1 {
        return std::fs::canonicalize(program).ok();
    }
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|dir| dir.join(program))
        .find(|candidate| candidate.is_file())
        .and_then(|found| std::fs::canonicalize(found).ok())
}

/// Every `.c` file under `<project_dir>/src`, in a stable order.
fn sources(project_dir: &Path) -> Result<Vec<PathBuf>> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
        for entry in std::fs::read_dir(dir)? {
            let path = entry?.path();
            if path.is_dir() {
                walk(&path, out)?;
            } else if path.extension().is_some_and(|ext| ext == "c") {
                out.push(path);
            }
        }
        Ok(())
    }
    let src = project_dir.join("src");
    let mut found = Vec::new();
    if src.is_dir() {
        walk(&src, &mut found).map_err(|source| BuildError::Io {
            path: src.clone(),
            source,
        })?;
    }
    if found.is_empty() {
        return Err(BuildError::Manifest {
            path: project_dir.join(MANIFEST),
            reason: format!("the project has no .c file under {src:?}"),
        });
    }
    found.sort();
    Ok(found)
}

/// A compiler that can build for `wasm32-wasi`, with every piece it needs.
#[derive(Debug)]
struct Toolchain {
    clang: PathBuf,
}

impl Toolchain {
    /// Checks that `clang` runs and finds wasi-libc, its Wasm builtins and `wasm-ld`; an
    /// error names the missing piece, its Debian package and [`SETUP_SCRIPT`]. Errors name
    /// `project_dir`, the project being built.
    fn find(clang: &Path, project_dir: &Path) -> Result<Self> {
        let missing = |what: String| BuildError::Componentize {
            path: project_dir.to_owned(),
            reason: format!(
                "the C toolchain is incomplete: {what}; install it with {SETUP_SCRIPT}"
            ),
        };
        let ask = |arg: &str| {
            Command::new(clang)
                .args(["--target=wasm32-wasi", arg])
                .output()
                .map(|out| String::from_utf8_lossy(&out.stdout).trim().to_owned())
        };
        let version = ask("--version").map_err(|err| {
            missing(format!(
                "{clang:?} could not be run ({err}); it comes with the Debian package clang-14"
            ))
        })?;
        if version.is_empty() {
            return Err(missing(format!("{clang:?} did not say its version")));
        }

        let pieces = [
            ("-print-file-name=libc.a", "wasi-libc (libc.a)", "wasi-libc"),
            (
                "-print-file-name=crt1-reactor.o",
                "wasi-libc's reactor start file",
                "wasi-libc",
            ),
            (
                "-print-libgcc-file-name",
                "the compiler's Wasm builtins",
                "libclang-rt-14-dev-wasm32",
            ),
            (
                "-print-prog-name=wasm-ld",
                "the Wasm linker wasm-ld",
                "lld-14",
            ),
        ];
        for (arg, what, package) in pieces {
            let found = ask(arg).map_err(|err| missing(format!("{clang:?} failed ({err})")))?;
            let path = Path::new(&found);
            if !(path.is_absolute() && path.exists()) {
                return Err(missing(format!(
                    "{what} was not found by {clang:?}; it comes with the Debian package \
                     {package}"
                )));
            }
        }
        Ok(Self {
            clang: clang.to_owned(),
        })
    }
}

/// Writes the contract's C bindings into `dir`: `adapter.h`, `adapter.c` and
/// `adapter_component_type.o`, the object whose custom section tells wit-component the world.
fn write_bindings(dir: &Path) -> Result<(), String> {
    let mut resolve = Resolve::default();
    let package = resolve
        .push_str("adapter.wit", CONTRACT)
        .map_err(|err| format!("failed to read the contract: {err:#}"))?;
    let world = resolve
        .select_world(&[package], Some(WORLD))
        .map_err(|err| format!("failed to find the world {WORLD:?}: {err:#}"))?;
    let mut files = Files::default();
    wit_bindgen_c::Opts::default()
        .build()
        .generate(&mut resolve, world, &mut files)
        .map_err(|err| format!("failed to generate the C bindings: {err:#}"))?;

    std::fs::create_dir_all(dir).map_err(|err| format!("failed to create {dir:?}: {err}"))?;
    for (name, bytes) in files.iter() {
        let path = dir.join(name);
        std::fs::write(&path, bytes).map_err(|err| format!("failed to write {path:?}: {err}"))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::imports;

    fn repo() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
    }

    /// A fresh, empty folder under the system's temporary folder.
    fn temp_dir(label: &str) -> PathBuf {
        static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let dir =
            std::env::temp_dir().join(format!("lgsp-c-build-{label}-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap_or_else(|err| panic!("{dir:?}: {err}"));
        dir
    }

    /// Whether the toolchain is installed. On CI it must be: a missing one fails the test
    /// there instead of skipping it.
    fn toolchain_installed() -> bool {
        match Toolchain::find(&clang(), Path::new("test")) {
            Ok(_) => true,
            Err(err) => {
                assert!(
                    std::env::var_os("CI").is_none(),
                    "the C toolchain must be installed on CI: {err}"
                );
                eprintln!("skipped: {err}");
                false
            }
        }
    }

    #[test]
    fn the_bindings_come_from_the_contract() {
        let dir = temp_dir("bindings");
        write_bindings(&dir).unwrap_or_else(|err| panic!("{err}"));
        let header =
            std::fs::read_to_string(dir.join("adapter.h")).unwrap_or_else(|err| panic!("{err}"));
        for function in [
            "exports_lgsp_adapter_mapping_describe(",
            "exports_lgsp_adapter_mapping_to_national(",
            "exports_lgsp_adapter_mapping_to_local(",
            "lgsp_adapter_catalogue_lookup(",
            "lgsp_adapter_log_write(",
        ] {
            assert!(header.contains(function), "adapter.h declares {function}");
        }
        assert!(dir.join("adapter.c").is_file());
        assert!(dir.join("adapter_component_type.o").is_file());
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn a_missing_compiler_names_its_package_and_the_setup_script() {
        let err = Toolchain::find(
            Path::new("/nonexistent/bin/clang-14"),
            Path::new("my-adapter"),
        )
        .expect_err("no such compiler")
        .to_string();
        assert!(err.contains(SETUP_SCRIPT), "{err}");
        assert!(err.contains("clang-14"), "{err}");
        assert!(err.contains("my-adapter"), "{err}");
    }

    #[test]
    fn the_manifest_names_the_adapter_plainly() {
        let dir = temp_dir("manifest");
        let err = Manifest::read(&dir).expect_err("no manifest");
        assert!(matches!(err, BuildError::Manifest { .. }), "{err}");

        let write = |text: &str| {
            std::fs::write(dir.join(MANIFEST), text).unwrap_or_else(|err| panic!("{err}"))
        };
        write("[adapter]\nname = \"birth-records\"\n");
        let err = Manifest::read(&dir).expect_err("no version").to_string();
        assert!(err.contains("no `adapter.version`"), "{err}");
        write("[adapter]\nname = \"Birth \\\"records\"\nversion = \"0.1.0\"\n");
        let err = Manifest::read(&dir)
            .expect_err("a name that breaks a C string")
            .to_string();
        assert!(err.ends_with(crate::NAME_RULE), "{err}");
        write("[adapter]\nname = \"../../tmp/pwned-c\"\nversion = \"0.1.0\"\n");
        let err = Manifest::read(&dir).expect_err("a path").to_string();
        assert_eq!(
            err,
            format!(
                "{:?}: `adapter.name` \"../../tmp/pwned-c\" is not a valid adapter name: {}",
                dir.join(MANIFEST),
                crate::NAME_RULE
            )
        );
        write("[adapter]\nname = \"birth-records\"\nversion = \"0.1.0\"\n");
        assert_eq!(
            Manifest::read(&dir).ok(),
            Some(Manifest {
                name: "birth-records".to_owned(),
                version: "0.1.0".to_owned()
            })
        );

        let err = build(&dir, &dir.join("out"))
            .expect_err("no sources")
            .to_string();
        assert!(err.contains("no .c file"), "{err}");
        let _ = std::fs::remove_dir_all(dir);
    }

    /// The sample adapter builds into a component that imports the contract's interfaces
    /// and nothing else: no WASI, stubbed or not.
    #[test]
    fn the_sample_adapter_imports_only_the_contract() {
        if !toolchain_installed() {
            return;
        }
        let out = temp_dir("sample");
        let project = repo().join("sample-adapters/civil-registry-csv-c");
        let component = build(&project, &out).unwrap_or_else(|err| panic!("{err}"));
        assert_eq!(component, out.join("civil-registry-csv-c.wasm"));
        let left: Vec<_> = std::fs::read_dir(&out)
            .unwrap_or_else(|err| panic!("{err}"))
            .flatten()
            .map(|e| e.file_name())
            .collect();
        assert_eq!(
            left,
            ["civil-registry-csv-c.wasm"],
            "only the component is left"
        );
        let bytes = std::fs::read(&component).unwrap_or_else(|err| panic!("{err}"));
        let mut imports = imports(&bytes).unwrap_or_else(|err| panic!("{err}"));
        imports.sort();
        assert_eq!(
            imports,
            [
                "lgsp:adapter/catalogue@0.1.0",
                "lgsp:adapter/log@0.1.0",
                "lgsp:adapter/types@0.1.0"
            ]
        );
        let _ = std::fs::remove_dir_all(out);
    }

    /// What `lgsp adapter new --lang c` creates builds as it is.
    #[test]
    fn the_template_builds() {
        if !toolchain_installed() {
            return;
        }
        let dir = temp_dir("template");
        let project = dir.join("birth-records");
        crate::test_support::render_template("c", "birth-records", &project);
        let component = build(&project, &dir.join("out")).unwrap_or_else(|err| panic!("{err}"));
        let bytes = std::fs::read(&component).unwrap_or_else(|err| panic!("{err}"));
        let imports = imports(&bytes).unwrap_or_else(|err| panic!("{err}"));
        assert!(check_imports(&bytes).is_ok(), "{imports:?}");
        let _ = std::fs::remove_dir_all(dir);
    }

    /// Runs `make test` in `project` (its native tests, under the address and
    /// undefined-behaviour sanitizers) with the build folder in `build`, and returns what it
    /// printed.
    fn make_test(project: &Path, build: &Path) -> String {
        let output = Command::new("make")
            .arg("--no-print-directory")
            .arg("-C")
            .arg(project)
            .arg("test")
            .arg(format!("BUILD={}", build.display()))
            .output()
            .unwrap_or_else(|err| panic!("make could not be run ({err}); see {SETUP_SCRIPT}"));
        let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
        assert!(
            output.status.success(),
            "make test in {project:?} failed:\n{stdout}{}",
            String::from_utf8_lossy(&output.stderr)
        );
        stdout
    }

    /// The sample's native tests: every fixture of the Rust adapter, round trips, declined
    /// content types, and truncated and corrupted inputs through every translation.
    #[test]
    fn the_sample_passes_its_native_tests() {
        if !toolchain_installed() {
            return;
        }
        let build = temp_dir("sample-native");
        let project = repo().join("sample-adapters/civil-registry-csv-c");
        let printed = make_test(&project, &build);
        let summary = printed.lines().last().unwrap_or_default();
        assert!(summary.ends_with("checks passed, 0 failed"), "{printed}");
        assert!(printed.contains("damaged inputs: "), "{printed}");
        let _ = std::fs::remove_dir_all(build);
    }

    /// What `lgsp adapter new --lang c` creates passes its own native tests.
    #[test]
    fn the_template_passes_its_native_tests() {
        if !toolchain_installed() {
            return;
        }
        let dir = temp_dir("template-native");
        let project = dir.join("birth-records");
        crate::test_support::render_template("c", "birth-records", &project);
        let printed = make_test(&project, &dir.join("build"));
        assert!(printed.contains("ok    rejected/bad-fields"), "{printed}");
        assert_eq!(
            printed.lines().last(),
            Some("3 passed, 0 failed"),
            "{printed}"
        );
        let _ = std::fs::remove_dir_all(dir);
    }

    /// A source that calls into WASI fails to build, and the error says why.
    #[test]
    fn a_call_that_needs_wasi_is_refused() {
        if !toolchain_installed() {
            return;
        }
        let dir = temp_dir("wasi");
        let project = dir.join("clocked");
        crate::test_support::render_template("c", "clocked", &project);
        // A constructor runs at instantiation, so the linker keeps it and what it calls.
        let clock = "#include <time.h>\n\
                     __attribute__((constructor)) static void started(void)\n\
                     {\n    volatile time_t now = time(NULL);\n    (void)now;\n}\n";
        std::fs::write(project.join("src/clock.c"), clock).unwrap_or_else(|err| panic!("{err}"));
        let err = build(&project, &dir.join("out"))
            .expect_err("time() imports WASI")
            .to_string();
        assert!(err.contains("need WASI"), "{err}");
        let _ = std::fs::remove_dir_all(dir);
    }
}
