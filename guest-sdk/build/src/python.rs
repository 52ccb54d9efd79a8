//! Builds a Python adapter project into a component with componentize-py.
//!
//! A Python adapter project is a folder with a `pyproject.toml`, whose `project.name` names
//! the component, and a `src/` folder holding the module `app`, whose class `Mapping`
//! implements the contract's `mapping` interface (see `docs/adapters-python.md`). This module
//! runs componentize-py on it against the contract this crate was built with, with WASI
//! stubbed out, then reads the component's imports back and refuses it unless every one is
//! an `lgsp:adapter` interface: a Python component carries a whole interpreter, and nothing
//! of it may reach for files, clocks or sockets. It does not install the toolchain; that is
//! `scripts/setup-python.sh`, which pins the version [`COMPONENTIZE_PY_VERSION`] names.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::{BuildError, Result, check_imports};

/// The componentize-py release adapters are built with; `scripts/setup-python.sh` installs
/// exactly this one.
pub const COMPONENTIZE_PY_VERSION: &str = "0.25.1";

/// The script that installs the toolchain, named in every error about a missing tool.
pub const SETUP_SCRIPT: &str = "scripts/setup-python.sh";

/// The module componentize-py wraps, found in the project's `src/` folder.
pub const APP_MODULE: &str = "app";

/// The environment variable naming the toolchain's virtual environment, as for the script.
pub const TOOLCHAIN_ENV: &str = "LGSP_PYTHON_TOOLCHAIN";

/// The contract, built into this crate so that a project needs no copy of its own.
const CONTRACT: &str = include_str!("../../../wit/adapter.wit");

/// The world every adapter targets.
const WORLD: &str = "adapter";

/// Builds the Python adapter project at `project_dir` and writes `<out_dir>/<name>.wasm`, a
/// component that imports only the contract. The name is `project.name` of the project's
/// `pyproject.toml`, or the folder's name without one; the sources are `src/` when it holds
/// `app.py`, otherwise the project folder itself.
pub fn build(project_dir: &Path, out_dir: &Path) -> Result<PathBuf> {
    let name = project_name(project_dir)?;
    let sources = [project_dir.join("src"), project_dir.to_owned()]
        .into_iter()
        .find(|dir| dir.join(format!("{APP_MODULE}.py")).is_file())
        .ok_or_else(|| BuildError::Manifest {
            path: project_dir.to_owned(),
            reason: format!(
                "the project has no {APP_MODULE}.py (in src/ or at its top) defining the \
                 class `Mapping`"
            ),
        })?;
    let tool = componentize_py(project_dir)?;

    std::fs::create_dir_all(out_dir).map_err(|source| BuildError::Io {
        path: out_dir.to_owned(),
        source,
    })?;
    let out = out_dir.join(format!("{name}.wasm"));
    let wit = ContractDir::write(out_dir, &name)?;

    let mut cmd = Command::new(&tool);
    cmd.arg("--quiet")
        .arg("--wit-path")
        .arg(&wit.0)
        .arg("--world")
        .arg(WORLD)
        .arg("componentize")
        .arg(APP_MODULE)
        .arg("--python-path")
        .arg(&sources)
        .arg("--output")
        .arg(&out)
        // Replaces every WASI import with a stub that traps: the hub links no WASI at all.
        .arg("--stub-wasi")
        // Otherwise componentize-py adds whichever environment the caller has activated.
        .env_remove("VIRTUAL_ENV");
    crate::run(cmd, &format!("componentize-py of adapter {name:?}"))?;
    drop(wit);

    let component = std::fs::read(&out).map_err(|source| BuildError::Io {
        path: out.clone(),
        source,
    })?;
    check_imports(&component).map_err(|reason| BuildError::Componentize {
        path: out.clone(),
        reason,
    })?;
    Ok(out)
}

/// The componentize-py of the toolchain: the one [`TOOLCHAIN_ENV`] names, else the one the
/// setup script installs under the home directory, else one on `PATH`; it must be
/// [`COMPONENTIZE_PY_VERSION`]. Errors name `project_dir`, the project being built.
fn componentize_py(project_dir: &Path) -> Result<PathBuf> {
    let venv = std::env::var_os(TOOLCHAIN_ENV)
        .map(PathBuf::from)
        .or_else(|| {
            std::env::var_os("HOME")
                .map(|home| Path::new(&home).join(".cache/lgsp-toolchains/python"))
        });
    let tool = venv
        .map(|venv| venv.join("bin/componentize-py"))
        .filter(|tool| tool.is_file())
        .unwrap_or_else(|| PathBuf::from("componentize-py"));

    check_version(&tool, project_dir)?;
    Ok(tool)
}

/// Fails unless `tool` runs and is [`COMPONENTIZE_PY_VERSION`], naming the setup script.
fn check_version(tool: &Path, project_dir: &Path) -> Result<()> {
    let missing = |found: String| BuildError::Componentize {
        path: project_dir.to_owned(),
        reason: format!(
            "componentize-py {COMPONENTIZE_PY_VERSION} is needed to build Python adapters, \
             and {found}; install it with {SETUP_SCRIPT}"
        ),
    };
    let output = Command::new(tool)
        .arg("--version")
        .output()
        .map_err(|err| missing(format!("{tool:?} could not be run ({err})")))?;
    let version = String::from_utf8_lossy(&output.stdout).trim().to_owned();
    if version == format!("componentize-py {COMPONENTIZE_PY_VERSION}") {
        Ok(())
    } else {
        Err(missing(format!("{tool:?} reports {version:?}")))
    }
}

/// The contract written out for componentize-py, removed when dropped.
struct ContractDir(PathBuf);

impl ContractDir {
    fn write(out_dir: &Path, name: &str) -> Result<Self> {
        let dir = out_dir.join(format!(".{name}-wit"));
        let file = dir.join("adapter.wit");
        std::fs::create_dir_all(&dir)
            .and_then(|()| std::fs::write(&file, CONTRACT))
            .map_err(|source| BuildError::Io { path: file, source })?;
        Ok(Self(dir))
    }
}

impl Drop for ContractDir {
    fn drop(&mut self) {
        // Best effort: a leftover folder is harmless, and rewritten by the next build.
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// `project.name` from `pyproject.toml`, or the folder's name when there is no such file.
fn project_name(project_dir: &Path) -> Result<String> {
    let manifest = project_dir.join("pyproject.toml");
    let fail = |reason: String| BuildError::Manifest {
        path: manifest.clone(),
        reason,
    };
    if !manifest.exists() {
        let folder = std::fs::canonicalize(project_dir).map_err(|err| fail(err.to_string()))?;
        let name = folder
            .file_name()
            .map(|name| name.to_string_lossy().into_owned())
            .ok_or_else(|| fail("no pyproject.toml, and the folder has no name".to_owned()))?;
        crate::check_name(
            &folder,
            "the folder's name (there is no pyproject.toml)",
            &name,
        )?;
        return Ok(name);
    }
    let text = std::fs::read_to_string(&manifest).map_err(|err| fail(err.to_string()))?;
    let doc: toml::Table = text
        .parse()
        .map_err(|err: toml::de::Error| fail(err.to_string()))?;
    let name = doc
        .get("project")
        .and_then(|p| p.get("name"))
        .and_then(|n| n.as_str())
        .map(str::to_owned)
        .ok_or_else(|| fail("no `project.name`".to_owned()))?;
    // The name becomes the component's file name in the output folder.
    crate::check_name(&manifest, "`project.name`", &name)?;
    Ok(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A component whose imports are those of `world` in `wit`, built without any toolchain.
    fn component_of(wit: &str, world: &str) -> Vec<u8> {
        let mut resolve = wit_parser::Resolve::default();
        let package = resolve
            .push_str("test.wit", wit)
            .unwrap_or_else(|err| panic!("test WIT does not parse: {err:#}"));
        let world = resolve
            .select_world(&[package], Some(world))
            .unwrap_or_else(|err| panic!("no world {world}: {err:#}"));
        let mut module = wit_component::dummy_module(
            &resolve,
            world,
            wit_parser::ManglingAndAbi::Legacy(wit_parser::LiftLowerAbi::Sync),
        );
        wit_component::embed_component_metadata(
            &mut module,
            &resolve,
            world,
            wit_component::StringEncoding::UTF8,
        )
        .unwrap_or_else(|err| panic!("failed to embed metadata: {err:#}"));
        crate::componentize(&module).unwrap_or_else(|err| panic!("not a component: {err}"))
    }

    #[test]
    fn the_contract_alone_is_accepted() {
        let component = component_of(CONTRACT, WORLD);
        assert_eq!(check_imports(&component), Ok(()));
    }

    #[test]
    fn wasi_imports_are_named_and_refused() {
        let wit = "package test:guest;\n\
                   interface environment { get-environment: func() -> list<tuple<string, string>>; }\n\
                   world guest { import environment; export run: func(); }";
        let component = component_of(wit, "guest");
        let refused = check_imports(&component).expect_err("a foreign import");
        assert!(
            refused.starts_with("it imports test:guest/environment,"),
            "{refused}"
        );
    }

    #[test]
    fn a_missing_tool_names_the_setup_script() {
        let tool = Path::new("/nonexistent/bin/componentize-py");
        let err = check_version(tool, Path::new("my-adapter"))
            .expect_err("no such tool")
            .to_string();
        assert!(err.contains(SETUP_SCRIPT), "{err}");
        assert!(err.contains(COMPONENTIZE_PY_VERSION), "{err}");
    }

    #[test]
    fn a_project_needs_a_name_and_an_app_module() {
        let dir = std::env::temp_dir().join(format!("lgsp-python-build-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("src")).unwrap_or_else(|err| panic!("{err}"));
        let out = dir.join("out");
        let write = |file: &str, text: &str| {
            std::fs::write(dir.join(file), text).unwrap_or_else(|err| panic!("{err}"))
        };

        let err = build(&dir, &out).expect_err("no app.py").to_string();
        assert!(err.contains("no app.py"), "{err}");

        write("pyproject.toml", "[project]\nversion = \"0.1.0\"\n");
        let err = build(&dir, &out).expect_err("no name").to_string();
        assert!(err.contains("no `project.name`"), "{err}");

        // A name is a file name in the output folder, never a path out of it.
        write(
            "pyproject.toml",
            "[project]\nname = \"../../../tmp/pwned-py\"\n",
        );
        let err = build(&dir, &out).expect_err("a path as name").to_string();
        assert_eq!(
            err,
            format!(
                "{:?}: `project.name` \"../../../tmp/pwned-py\" is not a valid adapter name: {}",
                dir.join("pyproject.toml"),
                crate::NAME_RULE
            )
        );
        assert!(!out.exists(), "nothing is written for a refused name");

        write("pyproject.toml", "[project]\nname = \"my-adapter\"\n");
        assert_eq!(project_name(&dir).ok().as_deref(), Some("my-adapter"));
        std::fs::remove_file(dir.join("pyproject.toml")).unwrap_or_else(|err| panic!("{err}"));
        let folder = dir.file_name().map(|n| n.to_string_lossy().into_owned());
        assert_eq!(project_name(&dir).ok(), folder);

        let _ = std::fs::remove_dir_all(&dir);
    }

    /// Runs componentize-py for real: needs `scripts/setup-python.sh` to have run, and about
    /// half a minute.
    #[test]
    fn the_template_builds_into_a_component_that_imports_only_the_contract() {
        let dir = std::env::temp_dir().join(format!("lgsp-python-template-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let project = dir.join("demo-adapter");
        crate::test_support::render_template("python", "demo-adapter", &project);

        let out = build(&project, &dir.join("out")).unwrap_or_else(|err| panic!("{err}"));
        assert_eq!(out, dir.join("out/demo-adapter.wasm"));
        let component = std::fs::read(&out).unwrap_or_else(|err| panic!("{err}"));
        assert_eq!(check_imports(&component), Ok(()));
        assert!(
            !dir.join("out/.demo-adapter-wit").exists(),
            "the contract's copy is removed"
        );
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn the_setup_script_installs_the_version_the_build_expects() {
        let script = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../")
            .join(SETUP_SCRIPT);
        let text = std::fs::read_to_string(&script)
            .unwrap_or_else(|err| panic!("failed to read {}: {err}", script.display()));
        let pin = format!("\nCOMPONENTIZE_PY_VERSION={COMPONENTIZE_PY_VERSION}\n");
        assert!(
            text.contains(&pin),
            "{} does not pin {pin:?}",
            script.display()
        );
    }
}
