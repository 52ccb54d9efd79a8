//! `lgsp adapter new`: creates an adapter project from a template embedded in the binary.
//!
//! The templates are `guest-sdk/templates/<lang>/`, embedded by the build script. Creating a
//! project copies one of them and replaces two placeholders in file names and contents:
//! `{{name}}` by the adapter's name and `{{guest-sdk}}` by the path of the Rust guest SDK in
//! the LGSP checkout this binary knows (only the Rust template uses it). This module owns the
//! rules for names and for rendering; it never overwrites anything.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;

use super::Lang;

include!(concat!(env!("OUT_DIR"), "/templates.rs"));

/// The placeholder for the adapter's name.
pub const NAME_PLACEHOLDER: &str = "{{name}}";
/// The placeholder for the Rust guest SDK's folder.
pub const GUEST_SDK_PLACEHOLDER: &str = "{{guest-sdk}}";
/// Longest adapter name accepted: the build's, since one rule holds for every language.
pub use lgsp_adapter_build::MAX_NAME_LEN;

/// Names a Rust adapter cannot take: the SDK's own crates and the crates the Rust template
/// depends on, directly or through `lgsp-guest`. A project with one of these names shares
/// its name with a package of its own dependency graph, and cargo refuses to build it
/// ("package collision in the lockfile"), or its crate shadows the dependency's.
pub const RESERVED_RUST_NAMES: &[&str] = &[
    "lgsp",
    "lgsp-guest",
    "lgsp-adapter-build",
    "serde",
    "serde-json",
    "wit-bindgen",
    "wit-bindgen-rust-macro",
];
/// What `{{guest-sdk}}` becomes when no checkout is known: a sibling checkout, which the
/// template's README tells how to change.
pub const GUEST_SDK_FALLBACK: &str = "../lgsp/guest-sdk";

/// Why a project was not created.
#[derive(Debug, thiserror::Error)]
pub enum ScaffoldError {
    /// The name breaks the naming rule.
    #[error("{0:?} is not a valid adapter name: {rule}", rule = lgsp_adapter_build::NAME_RULE)]
    Name(String),
    /// The name is one of [`RESERVED_RUST_NAMES`].
    #[error(
        "{0:?} cannot name a Rust adapter: it is the name of a crate the Rust SDK or the \
         template uses, and cargo cannot build a project that shares a name with its own \
         dependencies; choose another name (like `{0}-adapter`)"
    )]
    Reserved(String),
    /// The project folder already exists.
    #[error("{0:?} already exists; choose another name or folder")]
    Exists(PathBuf),
    /// This binary carries no template for the language.
    #[error(
        "this lgsp has no {0} template: it was built from a checkout without \
         guest-sdk/templates/{0}/"
    )]
    NoTemplate(&'static str),
}

/// One file of a rendered project.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderedFile {
    /// Path inside the project.
    pub path: PathBuf,
    /// Unix permission bits.
    pub mode: u32,
    /// Contents.
    pub bytes: Vec<u8>,
}

/// Checks an adapter name with the build's rule ([`lgsp_adapter_build::is_valid_name`]:
/// `[a-z][a-z0-9-]*`, at most [`MAX_NAME_LEN`] characters), so that what `adapter new`
/// accepts is what `adapter build` accepts.
pub fn check_name(name: &str) -> Result<(), ScaffoldError> {
    if lgsp_adapter_build::is_valid_name(name) {
        Ok(())
    } else {
        Err(ScaffoldError::Name(name.to_owned()))
    }
}

/// [`check_name`], and for a Rust adapter also not one of [`RESERVED_RUST_NAMES`].
pub fn check_name_for(name: &str, lang: Lang) -> Result<(), ScaffoldError> {
    check_name(name)?;
    if lang == Lang::Rust && RESERVED_RUST_NAMES.contains(&name) {
        return Err(ScaffoldError::Reserved(name.to_owned()));
    }
    Ok(())
}

/// The template's files for `lang`, rendered for `name`, from `files` (`(path, mode,
/// bytes)` with paths under the templates folder, as the build script embeds them).
pub fn render(
    files: &[(&str, u32, &[u8])],
    lang: &str,
    name: &str,
    guest_sdk: &str,
) -> Vec<RenderedFile> {
    let prefix = format!("{lang}/");
    files
        .iter()
        .filter_map(|(path, mode, bytes)| {
            let relative = path.strip_prefix(&prefix)?;
            let relative = relative.replace(NAME_PLACEHOLDER, name);
            let bytes = match std::str::from_utf8(bytes) {
                Ok(text) => text
                    .replace(NAME_PLACEHOLDER, name)
                    .replace(GUEST_SDK_PLACEHOLDER, guest_sdk)
                    .into_bytes(),
                // Binary files (an icon, a prebuilt stub) are copied as they are.
                Err(_) => bytes.to_vec(),
            };
            Some(RenderedFile {
                path: relative.split('/').collect(),
                mode: *mode,
                bytes,
            })
        })
        .collect()
}

/// Writes `files` into `project`, which must not exist yet.
pub fn write_project(project: &Path, files: &[RenderedFile]) -> anyhow::Result<()> {
    if project.exists() {
        return Err(ScaffoldError::Exists(project.to_owned()).into());
    }
    for file in files {
        let path = project.join(&file.path);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("failed to create the folder {parent:?}"))?;
        }
        std::fs::write(&path, &file.bytes).with_context(|| format!("failed to write {path:?}"))?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(file.mode))
                .with_context(|| format!("failed to set the mode of {path:?}"))?;
        }
    }
    Ok(())
}

/// The Rust guest SDK's folder in the checkout this binary knows, as `{{guest-sdk}}`
/// becomes; [`GUEST_SDK_FALLBACK`] when there is none.
pub fn guest_sdk_path() -> (String, bool) {
    match super::checkout() {
        Some(checkout) => (
            checkout.join("guest-sdk").to_string_lossy().into_owned(),
            true,
        ),
        None => (GUEST_SDK_FALLBACK.to_owned(), false),
    }
}

/// Runs the command.
pub fn run(name: &str, lang: Lang, parent: &Path) -> anyhow::Result<ExitCode> {
    check_name_for(name, lang)?;
    let project = parent.join(name);
    if project.exists() {
        return Err(ScaffoldError::Exists(project).into());
    }
    let (guest_sdk, known) = guest_sdk_path();
    let files = render(TEMPLATE_FILES, lang.as_str(), name, &guest_sdk);
    if files.is_empty() {
        return Err(ScaffoldError::NoTemplate(lang.as_str()).into());
    }
    write_project(&project, &files)?;

    println!(
        "created {} ({} adapter, {} files)",
        project.display(),
        lang.as_str(),
        files.len()
    );
    if lang == Lang::Rust && !known {
        println!(
            "note: no LGSP checkout found; Cargo.toml expects the guest SDK at \
             {GUEST_SDK_FALLBACK} (relative to the project). Set LGSP_CHECKOUT and run again, \
             or edit the two lgsp-guest lines of Cargo.toml (its README says how)."
        );
    }
    println!("next steps (the project's README.md says more):");
    println!(
        "  lgsp adapter build {} --out target/adapters",
        project.display()
    );
    println!(
        "  lgsp adapter test target/adapters/<the component the build printed> \\\n    \
         --fixtures {0}/fixtures --standard {0}/standard.schema.json",
        project.display()
    );
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_the_rule() {
        for good in ["a", "civil-registry-csv", "x9", "a-1-b"] {
            check_name(good).unwrap_or_else(|e| panic!("{good}: {e}"));
        }
        for bad in [
            "",
            "9lives",
            "-x",
            "Civil",
            "civil_registry",
            "a b",
            "đ",
            "../x",
        ] {
            let err = check_name(bad).expect_err(bad);
            assert!(
                err.to_string()
                    .starts_with(&format!("{bad:?} is not a valid adapter name")),
                "{err}"
            );
        }
        check_name(&"a".repeat(MAX_NAME_LEN)).expect("at the limit");
        check_name(&"a".repeat(MAX_NAME_LEN + 1)).expect_err("past the limit");
    }

    #[test]
    fn a_rust_adapter_cannot_take_the_name_of_its_own_dependencies() {
        for name in [
            "lgsp-guest",
            "lgsp-adapter-build",
            "serde-json",
            "wit-bindgen",
        ] {
            let err = check_name_for(name, Lang::Rust)
                .expect_err(name)
                .to_string();
            assert!(
                err.starts_with(&format!("{name:?} cannot name a Rust adapter")),
                "{err}"
            );
            // Other languages have no cargo lockfile to collide in.
            check_name_for(name, Lang::Js).unwrap_or_else(|e| panic!("{name}: {e}"));
        }
        check_name_for("lgsp-guest-adapter", Lang::Rust).expect("a longer name is fine");
        check_name_for("Bad", Lang::Js).expect_err("the rule holds for every language");
    }

    /// Every crate the Rust template and the SDK depend on is reserved, so that the list
    /// follows the manifests.
    #[test]
    fn the_reserved_names_cover_the_template_and_sdk_dependencies() {
        let manifests = [
            String::from_utf8(
                render(TEMPLATE_FILES, "rust", "demo-adapter", "/sdk")
                    .into_iter()
                    .find(|f| f.path == Path::new("Cargo.toml"))
                    .expect("the Rust template has a Cargo.toml")
                    .bytes,
            )
            .expect("UTF-8"),
            std::fs::read_to_string(
                Path::new(env!("CARGO_MANIFEST_DIR")).join("../guest-sdk/Cargo.toml"),
            )
            .expect("the guest SDK's manifest"),
        ];
        let mut seen = 0;
        for text in manifests {
            let doc: toml::Table = text.parse().expect("a TOML manifest");
            for table in ["dependencies", "dev-dependencies"] {
                let Some(deps) = doc.get(table).and_then(|d| d.as_table()) else {
                    continue;
                };
                for dep in deps.keys() {
                    seen += 1;
                    let name = dep.replace('_', "-");
                    assert!(
                        RESERVED_RUST_NAMES.contains(&name.as_str()),
                        "{name} is a dependency but not reserved"
                    );
                }
            }
        }
        assert!(seen >= 4, "{seen} dependencies read");
    }

    #[test]
    fn rendering_replaces_the_name_in_paths_and_contents_of_one_language_only() {
        let files: &[(&str, u32, &[u8])] = &[
            (
                "rust/Cargo.toml",
                0o644,
                b"name = \"{{name}}\"\npath = \"{{guest-sdk}}\"\n",
            ),
            ("rust/src/{{name}}.rs", 0o644, b"// {{name}} and {{name}}\n"),
            ("rust/run.sh", 0o755, b"#!/bin/sh\n"),
            ("rust/icon.bin", 0o644, b"\xff{{name}}\xfe"),
            ("js/{{name}}.js", 0o644, b"{{name}}"),
        ];
        let out = render(files, "rust", "my-adapter", "/src/lgsp/guest-sdk");
        let paths: Vec<String> = out
            .iter()
            .map(|f| f.path.to_string_lossy().into_owned())
            .collect();
        assert_eq!(
            paths,
            ["Cargo.toml", "src/my-adapter.rs", "run.sh", "icon.bin"]
        );
        assert_eq!(
            out[0].bytes,
            b"name = \"my-adapter\"\npath = \"/src/lgsp/guest-sdk\"\n"
        );
        assert_eq!(out[1].bytes, b"// my-adapter and my-adapter\n");
        assert_eq!(out[2].mode, 0o755);
        assert_eq!(
            out[3].bytes, b"\xff{{name}}\xfe",
            "binary files are copied as they are"
        );
        assert!(render(files, "python", "x", "").is_empty());
    }

    #[test]
    fn the_rust_template_is_embedded_and_renders_whole() {
        let out = render(TEMPLATE_FILES, "rust", "demo-adapter", "/sdk");
        let find = |p: &str| {
            out.iter()
                .find(|f| f.path == Path::new(p))
                .unwrap_or_else(|| panic!("{p} is in the Rust template"))
        };
        let manifest = String::from_utf8(find("Cargo.toml").bytes.clone()).expect("UTF-8");
        assert!(manifest.contains("name = \"demo-adapter\""), "{manifest}");
        assert!(manifest.contains("path = \"/sdk\""), "{manifest}");
        find("standard.schema.json");
        find("fixtures/to-national/example.input.json");
        find("fixtures/to-national/example.expected.json");
        for f in &out {
            let text = String::from_utf8_lossy(&f.bytes);
            assert!(
                !text.contains(NAME_PLACEHOLDER) && !text.contains(GUEST_SDK_PLACEHOLDER),
                "{} keeps a placeholder",
                f.path.display()
            );
        }
    }

    #[test]
    fn an_existing_folder_is_never_overwritten() {
        let dir = tempfile::tempdir().expect("temp dir");
        let project = dir.path().join("taken");
        std::fs::create_dir(&project).expect("mkdir");
        std::fs::write(project.join("keep.txt"), "mine").expect("write");
        let files = vec![RenderedFile {
            path: PathBuf::from("keep.txt"),
            mode: 0o644,
            bytes: b"theirs".to_vec(),
        }];
        let err = write_project(&project, &files).expect_err("exists");
        assert!(
            err.to_string()
                .ends_with("already exists; choose another name or folder")
        );
        assert_eq!(
            std::fs::read_to_string(project.join("keep.txt")).expect("read"),
            "mine"
        );
    }
}
