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
        componentize(&bytes).map_err(|reason| BuildError::Componentize {
            path: module.clone(),
            reason,
        })?
    } else {
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
