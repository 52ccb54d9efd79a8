//! Embeds the adapter project templates (`guest-sdk/templates/<lang>/`) into the `lgsp`
//! binary, so that `lgsp adapter new` works from an installed binary without a checkout.
//!
//! Writes `$OUT_DIR/templates.rs`: one `(path, unix mode, bytes)` entry per file, the path
//! relative to `guest-sdk/templates/` with `/` separators. Build output that an author may
//! have left inside a template folder (`target/`, `node_modules/`, ...) is not embedded.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// Folders that hold what a build made, never template sources.
const SKIPPED: [&str; 7] = [
    "build",
    "target",
    "node_modules",
    "__pycache__",
    ".venv",
    ".pytest_cache",
    ".git",
];

fn main() {
    let manifest = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let templates = manifest.join("../guest-sdk/templates");
    // A folder here makes cargo rerun this script when anything under it changes.
    println!("cargo:rerun-if-changed={}", templates.display());

    let mut files = Vec::new();
    walk(&templates, &templates, &mut files);
    files.sort();

    let mut code = String::from(
        "/// Every template file: path under `guest-sdk/templates/`, unix mode, bytes.\n\
         pub static TEMPLATE_FILES: &[(&str, u32, &[u8])] = &[\n",
    );
    for (relative, mode, absolute) in &files {
        writeln!(
            code,
            "    ({relative:?}, 0o{mode:o}, include_bytes!({:?})),",
            absolute.display().to_string()
        )
        .expect("writing to a String");
    }
    code.push_str("];\n");
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("set by cargo"));
    std::fs::write(out.join("templates.rs"), code).expect("failed to write templates.rs");
}

fn walk(root: &Path, dir: &Path, out: &mut Vec<(String, u32, PathBuf)>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        if path.is_dir() {
            if !SKIPPED.contains(&name.as_str()) {
                walk(root, &path, out);
            }
            continue;
        }
        if name.ends_with(".wasm") || name.ends_with(".pyc") {
            continue;
        }
        let relative = path
            .strip_prefix(root)
            .expect("under the root")
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect::<Vec<_>>()
            .join("/");
        let absolute = path.canonicalize().unwrap_or(path);
        out.push((relative, mode(&entry), absolute));
    }
}

#[cfg(unix)]
fn mode(entry: &std::fs::DirEntry) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    entry
        .metadata()
        .map(|m| m.permissions().mode() & 0o777)
        .unwrap_or(0o644)
}

#[cfg(not(unix))]
fn mode(_entry: &std::fs::DirEntry) -> u32 {
    0o644
}
