//! Builds a JavaScript adapter project into a component with ComponentizeJS.
//!
//! A JavaScript adapter project is a folder with a `package.json`, whose `name` names the
//! component and whose `main` names the entry module (`src/adapter.js` when absent). The entry
//! module imports the contract's `lgsp:adapter/catalogue@0.1.0` and `lgsp:adapter/log@0.1.0`
//! and exports `mapping` (see `docs/adapters-js.md`). This module runs ComponentizeJS on it
//! against the contract this crate was built with, with every WASI feature of the engine
//! disabled (`stdio`, `random`, `clocks`, `http`, `fetch-event`), so that the component is a
//! "pure" one; then it reads the component's imports back and refuses it, deleting the file,
//! unless every one is an `lgsp:adapter` interface: a JavaScript component carries a whole
//! engine, and nothing of it may reach for files, clocks or sockets.
//!
//! It does not install the toolchain; that is `scripts/setup-js.sh`, which installs exactly
//! the ComponentizeJS release [`COMPONENTIZE_JS_VERSION`] names.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::{BuildError, Result, check_imports};

/// The ComponentizeJS release adapters are built with; `scripts/setup-js.sh` installs exactly
/// this one (its lock file pins it and everything it pulls in).
pub const COMPONENTIZE_JS_VERSION: &str = "0.23.0";

/// The script that installs the toolchain, named in every error about a missing tool.
pub const SETUP_SCRIPT: &str = "scripts/setup-js.sh";

/// The environment variable naming the toolchain's folder, as for the script.
pub const TOOLCHAIN_ENV: &str = "LGSP_JS_TOOLCHAIN";

/// The entry module when `package.json` has no `main`.
pub const DEFAULT_ENTRY: &str = "src/adapter.js";

/// The engine features that need WASI, all disabled: the hub links no WASI at all.
pub const DISABLED_FEATURES: [&str; 5] = ["stdio", "random", "clocks", "http", "fetch-event"];

/// The contract, built into this crate so that a project needs no copy of its own.
const CONTRACT: &str = include_str!("../../../wit/adapter.wit");

/// The world every adapter targets.
const WORLD: &str = "adapter";

/// Where ComponentizeJS's command line sits in the toolchain folder.
const CLI: &str = "node_modules/@bytecodealliance/componentize-js/src/cli.js";

/// Builds the JavaScript adapter project at `project_dir` and writes
/// `<out_dir>/<name>.wasm`, a component that imports only the contract.
pub fn build(project_dir: &Path, out_dir: &Path) -> Result<PathBuf> {
    let project = Project::read(project_dir)?;
    let toolchain = Toolchain::locate(&toolchain_dir(), project_dir)?;
    toolchain.componentize(&project, out_dir, &DISABLED_FEATURES)
}

/// The toolchain folder: the one [`TOOLCHAIN_ENV`] names, else the one the setup script
/// installs under the home directory.
fn toolchain_dir() -> PathBuf {
    std::env::var_os(TOOLCHAIN_ENV)
        .map(PathBuf::from)
        .or_else(|| {
            std::env::var_os("HOME").map(|home| Path::new(&home).join(".cache/lgsp-toolchains/js"))
        })
        .unwrap_or_else(|| PathBuf::from(".cache/lgsp-toolchains/js"))
}

/// What `package.json` says about the adapter.
#[derive(Debug)]
struct Project {
    dir: PathBuf,
    /// The component's file name, without `.wasm`: `name`, less any `@scope/`.
    name: String,
    /// The entry module, relative to `dir`.
    entry: PathBuf,
}

impl Project {
    fn read(dir: &Path) -> Result<Self> {
        let manifest = dir.join("package.json");
        let fail = |reason: String| BuildError::Manifest {
            path: manifest.clone(),
            reason,
        };
        let text = std::fs::read_to_string(&manifest).map_err(|err| fail(err.to_string()))?;
        let doc: serde_json::Value =
            serde_json::from_str(&text).map_err(|err| fail(err.to_string()))?;
        let full = doc
            .get("name")
            .and_then(serde_json::Value::as_str)
            .ok_or_else(|| fail("no `name`".to_owned()))?;
        // An npm scope (`@agency/`) is dropped; what is left becomes the component's file
        // name in the output folder, so it follows the adapter naming rule.
        let name = match full
            .strip_prefix('@')
            .and_then(|scoped| scoped.split_once('/'))
        {
            Some((_scope, name)) => name,
            None => full,
        };
        crate::check_name(&manifest, "`name`", name)?;
        let name = name.to_owned();
        let entry = match doc.get("main") {
            None => PathBuf::from(DEFAULT_ENTRY),
            Some(serde_json::Value::String(main)) => PathBuf::from(main),
            Some(_) => return Err(fail("`main` is not a string".to_owned())),
        };
        if !dir.join(&entry).is_file() {
            return Err(fail(format!(
                "the entry module {entry:?} does not exist; it exports the contract's `mapping`"
            )));
        }
        Ok(Self {
            dir: dir.to_owned(),
            name,
            entry,
        })
    }
}

/// Node.js and an installed ComponentizeJS of the expected release.
#[derive(Debug)]
struct Toolchain {
    cli: PathBuf,
}

impl Toolchain {
    /// Finds the toolchain in `dir`, or says what is missing and how to install it. Errors
    /// name `project_dir`, the project being built.
    fn locate(dir: &Path, project_dir: &Path) -> Result<Self> {
        let missing = |what: String| BuildError::Componentize {
            path: project_dir.to_owned(),
            reason: format!(
                "{what} is needed to build JavaScript adapters; install it with {SETUP_SCRIPT}"
            ),
        };

        let node = Command::new("node").arg("--version").output();
        if !node.is_ok_and(|out| out.status.success()) {
            return Err(missing(
                "node (Node.js), which was not found on PATH,".to_owned(),
            ));
        }

        let manifest = dir.join("node_modules/@bytecodealliance/componentize-js/package.json");
        let version = std::fs::read_to_string(&manifest)
            .ok()
            .and_then(|text| serde_json::from_str::<serde_json::Value>(&text).ok())
            .and_then(|doc| doc.get("version")?.as_str().map(str::to_owned));
        let wanted = format!("ComponentizeJS {COMPONENTIZE_JS_VERSION} (in {dir:?})");
        match version {
            Some(version) if version == COMPONENTIZE_JS_VERSION => Ok(Self { cli: dir.join(CLI) }),
            Some(version) => Err(missing(format!("{wanted}, not {version},"))),
            None => Err(missing(format!("{wanted}, which was not found,"))),
        }
    }

    /// Runs ComponentizeJS on `project` with `disabled` engine features, checks the result's
    /// imports, and returns the component's path.
    fn componentize(
        &self,
        project: &Project,
        out_dir: &Path,
        disabled: &[&str],
    ) -> Result<PathBuf> {
        std::fs::create_dir_all(out_dir).map_err(|source| BuildError::Io {
            path: out_dir.to_owned(),
            source,
        })?;
        let out = out_dir.join(format!("{}.wasm", project.name));
        let wit = ContractDir::write(out_dir, &project.name)?;
        let out_abs = std::path::absolute(&out).map_err(|source| BuildError::Io {
            path: out.clone(),
            source,
        })?;

        let mut cmd = Command::new("node");
        cmd.arg(&self.cli)
            .arg(&project.entry)
            .arg("--wit")
            .arg(&wit.0)
            .arg("--world-name")
            .arg(WORLD)
            .arg("--out")
            .arg(&out_abs)
            .current_dir(&project.dir);
        if !disabled.is_empty() {
            cmd.arg("--disable").args(disabled);
        }
        crate::run(
            cmd,
            &format!("ComponentizeJS of adapter {:?}", project.name),
        )?;
        drop(wit);

        let component = std::fs::read(&out).map_err(|source| BuildError::Io {
            path: out.clone(),
            source,
        })?;
        if let Err(reason) = check_imports(&component) {
            // A component the hub would refuse must not be left where it could be pushed.
            let _ = std::fs::remove_file(&out);
            return Err(BuildError::Componentize { path: out, reason });
        }
        Ok(out)
    }
}

/// The contract written out for ComponentizeJS, removed when dropped.
struct ContractDir(PathBuf);

impl ContractDir {
    fn write(out_dir: &Path, name: &str) -> Result<Self> {
        let dir = std::path::absolute(out_dir.join(format!(".{name}-wit"))).map_err(|source| {
            BuildError::Io {
                path: out_dir.to_owned(),
                source,
            }
        })?;
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

#[cfg(test)]
mod tests {
    use super::*;

    /// A fresh folder under the system's temporary folder.
    fn scratch(what: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("lgsp-js-{what}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap_or_else(|err| panic!("{err}"));
        dir
    }

    #[test]
    fn a_missing_toolchain_names_the_tool_and_the_setup_script() {
        let err = Toolchain::locate(Path::new("/nonexistent/lgsp-js"), Path::new("my-adapter"))
            .expect_err("no toolchain there")
            .to_string();
        assert!(err.contains(SETUP_SCRIPT), "{err}");
        assert!(
            err.contains(&format!("ComponentizeJS {COMPONENTIZE_JS_VERSION}"))
                || err.contains("node"),
            "{err}"
        );
    }

    #[test]
    fn a_project_needs_a_name_and_its_entry_module() {
        let dir = scratch("manifest");
        let err = Project::read(&dir).expect_err("no package.json");
        assert!(matches!(err, BuildError::Manifest { .. }), "{err}");

        std::fs::write(dir.join("package.json"), r#"{"version":"0.1.0"}"#)
            .unwrap_or_else(|err| panic!("{err}"));
        let err = Project::read(&dir).expect_err("no name").to_string();
        assert!(err.contains("no `name`"), "{err}");

        std::fs::write(dir.join("package.json"), r#"{"name":"@agency/x"}"#)
            .unwrap_or_else(|err| panic!("{err}"));
        let err = Project::read(&dir).expect_err("no entry").to_string();
        assert!(err.contains(DEFAULT_ENTRY), "{err}");

        std::fs::create_dir_all(dir.join("lib")).unwrap_or_else(|err| panic!("{err}"));
        std::fs::write(dir.join("lib/main.js"), "").unwrap_or_else(|err| panic!("{err}"));
        std::fs::write(
            dir.join("package.json"),
            r#"{"name":"@agency/x","main":"lib/main.js"}"#,
        )
        .unwrap_or_else(|err| panic!("{err}"));
        let project = Project::read(&dir).unwrap_or_else(|err| panic!("{err}"));
        assert_eq!(project.name, "x");

        // A name is a file name in the output folder, never a path out of it.
        for bad in [
            "../../../tmp/pwned-js",
            "a/..",
            "..",
            "@agency/../x",
            "@agency/",
        ] {
            std::fs::write(
                dir.join("package.json"),
                serde_json::json!({"name": bad, "main": "lib/main.js"}).to_string(),
            )
            .unwrap_or_else(|err| panic!("{err}"));
            let err = Project::read(&dir).expect_err(bad).to_string();
            assert!(
                err.starts_with(&format!("{:?}: `name` ", dir.join("package.json")))
                    && err.ends_with(&format!(
                        "is not a valid adapter name: {}",
                        crate::NAME_RULE
                    )),
                "{bad}: {err}"
            );
        }
        assert_eq!(project.entry, Path::new("lib/main.js"));
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn the_setup_script_installs_the_version_the_build_expects() {
        let lock = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../scripts/js-toolchain/package-lock.json");
        let text = std::fs::read_to_string(&lock)
            .unwrap_or_else(|err| panic!("failed to read {}: {err}", lock.display()));
        let lock: serde_json::Value =
            serde_json::from_str(&text).unwrap_or_else(|err| panic!("{err}"));
        let pinned = &lock["packages"]["node_modules/@bytecodealliance/componentize-js"]["version"];
        assert_eq!(pinned.as_str(), Some(COMPONENTIZE_JS_VERSION));
    }

    /// Builds the template with the installed toolchain (`scripts/setup-js.sh`): with every
    /// WASI feature disabled the component imports only the contract; with them enabled it
    /// imports WASI, and the build refuses it and leaves no file behind.
    #[test]
    fn the_template_builds_into_a_component_that_imports_only_the_contract() {
        let out = scratch("template");
        let project_dir = out.join("demo-adapter");
        crate::test_support::render_template("js", "demo-adapter", &project_dir);
        let built = build(&project_dir, &out).unwrap_or_else(|err| panic!("{err}"));
        assert_eq!(built, out.join("demo-adapter.wasm"));
        let component = std::fs::read(&built).unwrap_or_else(|err| panic!("{err}"));
        assert_eq!(check_imports(&component), Ok(()));
        assert!(
            !out.join(".demo-adapter-wit").exists(),
            "the contract's copy is removed"
        );

        let project = Project::read(&project_dir).unwrap_or_else(|err| panic!("{err}"));
        let toolchain =
            Toolchain::locate(&toolchain_dir(), &project_dir).unwrap_or_else(|err| panic!("{err}"));
        let err = toolchain
            .componentize(&project, &out.join("with-wasi"), &[])
            .expect_err("WASI imports are refused")
            .to_string();
        assert!(err.contains("it imports wasi:"), "{err}");
        assert!(!out.join("with-wasi/demo-adapter.wasm").exists());
        let _ = std::fs::remove_dir_all(&out);
    }
}
