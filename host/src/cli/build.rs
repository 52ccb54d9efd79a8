//! `lgsp adapter build`: builds an adapter project, whatever its language, into a component
//! with `lgsp-adapter-build`, which owns every toolchain detail.

use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;

/// Builds the project in `dir` and prints the component's path and size.
pub fn run(dir: &Path, target_dir: &Path, out: &Path) -> anyhow::Result<ExitCode> {
    let language = lgsp_adapter_build::detect_language(dir)?;
    eprintln!(
        "building the {} adapter in {}",
        language.as_str(),
        dir.display()
    );
    let path = lgsp_adapter_build::build_project(dir, target_dir, out)
        .with_context(|| format!("failed to build the adapter in {dir:?}"))?;
    let size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
    println!("built {} ({size} bytes)", path.display());
    Ok(ExitCode::SUCCESS)
}
