//! Builds a Rust adapter crate into a component.
//!
//! This crate owns one job: run `cargo build` for `wasm32-unknown-unknown` on an adapter crate,
//! then wrap the core module into a component with `wit-component`. The result imports only
//! the interfaces the adapter's code uses from the `lgsp:adapter` contract, with no WASI at
//! all, which is the strongest sandbox the hub can offer. It is used by the `lgsp adapter
//! build` command, by the test suite's build script and by the demo.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::Command;

pub mod c;
pub mod js;
pub mod python;

/// The target every Rust adapter is compiled for.
pub const WASM_TARGET: &str = "wasm32-unknown-unknown";

/// The cargo profile adapters are built with; defined in the workspace `Cargo.toml`.
pub const ADAPTER_PROFILE: &str = "adapter";

/// Why an adapter could not be built.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    /// The crate's manifest could not be read or has no package name.
    #[error("failed to read the adapter manifest {path:?}: {reason}")]
    Manifest {
        /// The manifest's path.
        path: PathBuf,
        /// What was wrong.
        reason: String,
    },
    /// A tool could not be started at all.
    #[error("failed to run {tool:?}: {source}")]
    Spawn {
        /// The program.
        tool: String,
        /// The operating system's error.
        source: std::io::Error,
    },
    /// `rustup target add` or `cargo build` ended in failure.
    #[error("{what} failed ({status}); its output is above")]
    Failed {
        /// What was being done.
        what: String,
        /// The exit status.
        status: std::process::ExitStatus,
    },
    /// Reading the module or writing the component failed.
    #[error("failed to access {path:?}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The operating system's error.
        source: std::io::Error,
    },
    /// The core module could not be made into a component.
    #[error("failed to turn {path:?} into a component: {reason}")]
    Componentize {
        /// The core module.
        path: PathBuf,
        /// wit-component's explanation.
        reason: String,
    },
    /// The manifest names the adapter with a name that breaks [`NAME_RULE`]: it would not
    /// be a plain file name in the output folder.
    #[error("{path:?}: {field} {name:?} is not a valid adapter name: {NAME_RULE}")]
    Name {
        /// The manifest.
        path: PathBuf,
        /// The field that holds the name, such as `project.name`.
        field: String,
        /// The name found.
        name: String,
    },
    /// The project folder does not exist.
    #[error("{dir:?} does not exist")]
    NoFolder {
        /// The folder.
        dir: PathBuf,
    },
    /// No file in the folder says which language the adapter is written in.
    #[error(
        "{dir:?} is not an adapter project: expected a Cargo.toml (Rust), a package.json \
         (JavaScript), a pyproject.toml or app.py (Python), or a Makefile or .c files (C)"
    )]
    UnknownProject {
        /// The folder.
        dir: PathBuf,
    },
}

/// Longest adapter name accepted.
pub const MAX_NAME_LEN: usize = 64;

/// The naming rule every adapter name follows, whatever its language, as errors state it.
pub const NAME_RULE: &str = "use lowercase letters, digits and dashes, starting with a \
     letter, at most 64 characters (like `civil-registry-csv`)";

/// Whether `name` is a valid adapter name: `[a-z][a-z0-9-]*`, at most [`MAX_NAME_LEN`]
/// characters. The one rule for `lgsp adapter new` and for the build of every language, since
/// the name becomes a file name (`<name>.wasm`) and, in C, a string literal.
pub fn is_valid_name(name: &str) -> bool {
    let mut chars = name.chars();
    let first_ok = chars.next().is_some_and(|c| c.is_ascii_lowercase());
    let rest_ok = chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    first_ok && rest_ok && name.len() <= MAX_NAME_LEN
}

/// Checks the adapter name `name` read from `field` of the manifest at `manifest`; the error
/// names the file, the field and [`NAME_RULE`].
pub fn check_name(manifest: &Path, field: &str, name: &str) -> Result<()> {
    if is_valid_name(name) {
        Ok(())
    } else {
        Err(BuildError::Name {
            path: manifest.to_owned(),
            field: field.to_owned(),
            name: name.to_owned(),
        })
    }
}

/// Result alias for this crate.
pub type Result<T, E = BuildError> = std::result::Result<T, E>;

/// The target that builds a component with WASI imports: an adapter built for it is refused
/// by the hub. Only the test suite uses it, to prove that refusal.
pub const WASIP2_TARGET: &str = "wasm32-wasip2";

/// Builds the adapter crate at `crate_dir` and writes `<out_dir>/<package-name>.wasm`.
///
/// `target_dir` is the cargo target directory for the Wasm build; keep it apart from the
/// host's so that a build started from a build script never waits on its own lock.
pub fn build_adapter(crate_dir: &Path, target_dir: &Path, out_dir: &Path) -> Result<PathBuf> {
    build_for(WASM_TARGET, crate_dir, target_dir, out_dir)
}

/// Like [`build_adapter`] for another Wasm target. For [`WASM_TARGET`] the core module is
/// turned into a component; a `wasm32-wasip2` build already is one and is copied as it is.
pub fn build_for(
    target: &str,
    crate_dir: &Path,
    target_dir: &Path,
    out_dir: &Path,
) -> Result<PathBuf> {
    let manifest = crate_dir.join("Cargo.toml");
    let name = package_name(&manifest)?;

    ensure_target(target)?;
    let mut cargo = cargo_command();
    cargo
        .arg("build")
        .arg("--quiet")
        .arg("--manifest-path")
        .arg(&manifest)
        .arg("--target")
        .arg(target)
        .arg("--profile")
        .arg(ADAPTER_PROFILE)
        .arg("--target-dir")
        .arg(target_dir);
    run(cargo, &format!("cargo build of adapter {name:?}"))?;

    let module = target_dir
        .join(target)
        .join(ADAPTER_PROFILE)
        .join(format!("{}.wasm", name.replace('-', "_")));
    let bytes = std::fs::read(&module).map_err(|source| BuildError::Io {
        path: module.clone(),
        source,
    })?;
    let component = if target == WASM_TARGET {
        let component = componentize(&bytes).map_err(|reason| BuildError::Componentize {
            path: module.clone(),
            reason,
        })?;
        // As for every language: a crate that pulls in something reaching for WASI (through a
        // dependency's `std::time` or `getrandom`) is stopped here, not at upload.
        check_imports(&component).map_err(|reason| BuildError::Componentize {
            path: module.clone(),
            reason,
        })?;
        component
    } else {
        // Another target (wasip2, for the test suite's WASI adapter) is copied as it is.
        bytes
    };

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

/// The only interfaces an adapter may import, by prefix: the contract's own.
pub const ALLOWED_IMPORTS: &str = "lgsp:adapter/";

/// The names of the interfaces `component` imports, such as `lgsp:adapter/log@0.1.0`.
pub fn imports(component: &[u8]) -> Result<Vec<String>, String> {
    let decoded = wit_component::decode(component)
        .map_err(|err| format!("failed to read the component's imports: {err:#}"))?;
    let wit_component::DecodedWasm::Component(resolve, world) = decoded else {
        return Err("it is a WIT package, not a component".to_owned());
    };
    Ok(resolve.worlds[world]
        .imports
        .keys()
        .map(|key| resolve.name_world_key(key))
        .collect())
}

/// Every import of `component` is an interface of the contract; otherwise says which is not.
/// Each language's build checks its output with this, so that no toolchain can slip WASI in.
pub fn check_imports(component: &[u8]) -> Result<(), String> {
    let foreign: Vec<String> = imports(component)?
        .into_iter()
        .filter(|name| !name.starts_with(ALLOWED_IMPORTS))
        .collect();
    if foreign.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "it imports {}, which the hub does not provide; only {ALLOWED_IMPORTS}* may be \
             imported",
            foreign.join(", ")
        ))
    }
}

/// Wraps a core module built with `wit-bindgen` into a component.
pub fn componentize(module: &[u8]) -> Result<Vec<u8>, String> {
    wit_component::ComponentEncoder::default()
        .module(module)
        .and_then(|encoder| encoder.validate(true).encode())
        .map_err(|err| format!("{err:#}"))
}

fn package_name(manifest: &Path) -> Result<String> {
    let fail = |reason: String| BuildError::Manifest {
        path: manifest.to_owned(),
        reason,
    };
    let text = std::fs::read_to_string(manifest).map_err(|err| fail(err.to_string()))?;
    let doc: toml::Table = text
        .parse()
        .map_err(|err: toml::de::Error| fail(err.to_string()))?;
    doc.get("package")
        .and_then(|p| p.get("name"))
        .and_then(|n| n.as_str())
        .map(str::to_owned)
        .ok_or_else(|| fail("no `package.name`".to_owned()))
}

/// Installs the Wasm target through rustup when it is missing, so that a fresh machine with
/// only a Rust toolchain can build adapters.
fn ensure_target(target: &str) -> Result<()> {
    let sysroot = Command::new(rustc())
        .args(["--print", "sysroot"])
        .output()
        .map_err(|source| BuildError::Spawn {
            tool: "rustc".to_owned(),
            source,
        })?;
    let sysroot = String::from_utf8_lossy(&sysroot.stdout).trim().to_owned();
    let installed = Path::new(&sysroot)
        .join("lib/rustlib")
        .join(target)
        .exists();
    if installed {
        return Ok(());
    }
    let mut rustup = Command::new("rustup");
    rustup.args(["target", "add", target]);
    run(rustup, &format!("rustup target add {target}"))
}

fn rustc() -> String {
    std::env::var("RUSTC").unwrap_or_else(|_| "rustc".to_owned())
}

/// A `cargo` command cleaned of what an enclosing cargo (a build script's) sets for the host
/// target: its flags would be wrong for Wasm.
fn cargo_command() -> Command {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let mut cmd = Command::new(cargo);
    for (key, _) in std::env::vars_os() {
        let key_str = key.to_string_lossy();
        let inherited = key_str == "RUSTFLAGS"
            || key_str == "CARGO_ENCODED_RUSTFLAGS"
            || key_str == "CARGO_TARGET_DIR"
            || key_str == "CARGO_BUILD_TARGET"
            || key_str == "RUSTC_WORKSPACE_WRAPPER"
            || key_str.starts_with("CARGO_FEATURE_")
            || key_str.starts_with("CARGO_CFG_");
        if inherited {
            cmd.env_remove(OsStr::new(&*key_str));
        }
    }
    cmd
}

fn run(mut cmd: Command, what: &str) -> Result<()> {
    let program = cmd.get_program().to_string_lossy().into_owned();
    let status = cmd.status().map_err(|source| BuildError::Spawn {
        tool: program,
        source,
    })?;
    if status.success() {
        Ok(())
    } else {
        Err(BuildError::Failed {
            what: what.to_owned(),
            status,
        })
    }
}

/// The languages an adapter project can be written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Language {
    /// A crate using the `lgsp-guest` SDK.
    Rust,
    /// JavaScript, componentized by [`js`].
    Js,
    /// Python, componentized with [`python`].
    Python,
    /// C, compiled with clang and wasi-libc by [`c`].
    C,
}

impl Language {
    /// The name `lgsp adapter new --lang` takes.
    pub fn as_str(self) -> &'static str {
        match self {
            Language::Rust => "rust",
            Language::Js => "js",
            Language::Python => "python",
            Language::C => "c",
        }
    }
}

/// Which language the adapter project in `dir` is written in, from the files at its top:
/// `Cargo.toml` is Rust, `package.json` JavaScript, `pyproject.toml` or `app.py` (at the
/// top or in `src/`) Python, a `Makefile` or `.c` files (at the top or in `src/`) C, in that
/// order.
pub fn detect_language(dir: &Path) -> Result<Language> {
    if !dir.exists() {
        return Err(BuildError::NoFolder {
            dir: dir.to_owned(),
        });
    }
    let has = |name: &str| dir.join(name).is_file();
    let has_c = |folder: &Path| {
        std::fs::read_dir(folder).is_ok_and(|entries| {
            entries
                .flatten()
                .any(|e| e.path().extension().is_some_and(|x| x == "c"))
        })
    };
    if has("Cargo.toml") {
        Ok(Language::Rust)
    } else if has("package.json") {
        Ok(Language::Js)
    } else if has("pyproject.toml") || has("app.py") || has("src/app.py") {
        Ok(Language::Python)
    } else if has("Makefile") || has_c(dir) || has_c(&dir.join("src")) {
        Ok(Language::C)
    } else {
        Err(BuildError::UnknownProject {
            dir: dir.to_owned(),
        })
    }
}

/// Builds the adapter project in `dir`, whatever its language ([`detect_language`]), into a
/// component in `out_dir`, and returns its path. `target_dir` is the cargo target directory
/// of a Rust build; the other languages do not use it.
pub fn build_project(dir: &Path, target_dir: &Path, out_dir: &Path) -> Result<PathBuf> {
    match detect_language(dir)? {
        Language::Rust => build_adapter(dir, target_dir, out_dir),
        Language::Js => js::build(dir, out_dir),
        Language::Python => python::build(dir, out_dir),
        Language::C => c::build(dir, out_dir),
    }
}

/// What the language modules' tests share.
#[cfg(test)]
pub(crate) mod test_support {
    use std::path::Path;

    /// Copies the `lang` template into `to` as `lgsp adapter new NAME --lang <lang>` writes
    /// it: `{{name}}` replaced by `name` in paths and contents.
    pub(crate) fn render_template(lang: &str, name: &str, to: &Path) {
        fn copy(from: &Path, to: &Path, name: &str) {
            std::fs::create_dir_all(to).unwrap_or_else(|err| panic!("{to:?}: {err}"));
            for entry in std::fs::read_dir(from).unwrap_or_else(|err| panic!("{from:?}: {err}")) {
                let path = entry.unwrap_or_else(|err| panic!("{from:?}: {err}")).path();
                let file = path
                    .file_name()
                    .map(|f| f.to_string_lossy().replace("{{name}}", name));
                let target = to.join(file.unwrap_or_default());
                if path.is_dir() {
                    copy(&path, &target, name);
                } else {
                    let text = std::fs::read_to_string(&path)
                        .unwrap_or_else(|err| panic!("{path:?}: {err}"));
                    std::fs::write(&target, text.replace("{{name}}", name))
                        .unwrap_or_else(|err| panic!("{target:?}: {err}"));
                }
            }
        }
        let template = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../templates")
            .join(lang);
        copy(&template, to, name);
    }
}

#[cfg(test)]
mod detect_tests {
    use super::*;

    /// A fresh, empty folder under the system's temporary folder.
    fn project(files: &[&str]) -> PathBuf {
        static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("lgsp-detect-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        for file in files {
            let path = dir.join(file);
            std::fs::create_dir_all(path.parent().expect("a parent")).expect("mkdir");
            std::fs::write(path, "").expect("write");
        }
        std::fs::create_dir_all(&dir).expect("mkdir");
        dir
    }

    #[test]
    fn each_language_is_told_by_its_files() {
        let cases: [(&[&str], Language); 8] = [
            (&["Cargo.toml", "src/lib.rs"], Language::Rust),
            (&["package.json", "src/adapter.js"], Language::Js),
            (&["pyproject.toml", "src/app.py"], Language::Python),
            (&["app.py"], Language::Python),
            (&["src/app.py"], Language::Python),
            (&["Makefile"], Language::C),
            (&["adapter.c"], Language::C),
            (&["src/adapter.c", "include/adapter.h"], Language::C),
        ];
        for (files, language) in cases {
            let dir = project(files);
            assert_eq!(
                detect_language(&dir).expect("detected"),
                language,
                "{files:?}"
            );
            let _ = std::fs::remove_dir_all(dir);
        }
    }

    #[test]
    fn the_manifest_wins_over_sources_of_other_languages() {
        // A Rust crate with a C helper, a JS project with a Makefile for its own tasks.
        let dir = project(&["Cargo.toml", "src/helper.c"]);
        assert_eq!(detect_language(&dir).expect("detected"), Language::Rust);
        let _ = std::fs::remove_dir_all(dir);
        let dir = project(&["package.json", "Makefile"]);
        assert_eq!(detect_language(&dir).expect("detected"), Language::Js);
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn the_name_rule_is_one_for_every_language() {
        for good in ["a", "civil-registry-csv", "x9", "a-1-b"] {
            assert!(is_valid_name(good), "{good}");
        }
        for bad in [
            "",
            "9lives",
            "-x",
            "Civil",
            "civil_registry",
            "a b",
            "\u{111}",
            "../x",
            "../../../tmp/pwned",
            "@agency/x",
            "a/b",
            "...",
        ] {
            assert!(!is_valid_name(bad), "{bad:?}");
        }
        assert!(is_valid_name(&"a".repeat(MAX_NAME_LEN)));
        assert!(!is_valid_name(&"a".repeat(MAX_NAME_LEN + 1)));
        assert!(NAME_RULE.contains(&format!("at most {MAX_NAME_LEN} characters")));

        let err = check_name(Path::new("p/pyproject.toml"), "`project.name`", "../x")
            .expect_err("a path is not a name")
            .to_string();
        assert_eq!(
            err,
            format!(
                "\"p/pyproject.toml\": `project.name` \"../x\" is not a valid adapter name: {NAME_RULE}"
            )
        );
    }

    #[test]
    fn a_missing_folder_is_said_to_be_missing() {
        let dir = std::env::temp_dir().join(format!("lgsp-detect-none-{}", std::process::id()));
        let err = detect_language(&dir)
            .expect_err("no such folder")
            .to_string();
        assert_eq!(err, format!("{dir:?} does not exist"));
    }

    #[test]
    fn a_folder_of_something_else_is_refused_with_what_was_expected() {
        let dir = project(&["README.md", "notes/a.txt"]);
        let err = detect_language(&dir).expect_err("nothing to build");
        assert!(
            err.to_string()
                .contains("is not an adapter project: expected a Cargo.toml"),
            "{err}"
        );
        let _ = std::fs::remove_dir_all(dir);
    }
}
