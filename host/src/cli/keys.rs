//! Keys and signatures: `new-key` and `hash-key` for clients and operators, `keygen` and
//! `sign` for adapter publishers. The formats belong to [`crate::signing`].

use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;

use crate::api::auth;
use crate::signing;

/// Prints a new random API key or operator token and its SHA-256.
pub fn new_key() -> anyhow::Result<ExitCode> {
    let key = auth::new_key();
    println!("key:    {key}");
    println!("sha256: {}", auth::digest(&key));
    Ok(ExitCode::SUCCESS)
}

/// Prints the SHA-256 of the key on standard input's first line.
pub fn hash_key() -> anyhow::Result<ExitCode> {
    let mut key = String::new();
    std::io::stdin()
        .read_line(&mut key)
        .context("failed to read the key from standard input")?;
    println!("{}", auth::digest(key.trim()));
    Ok(ExitCode::SUCCESS)
}

/// Writes `<prefix>.key` and `<prefix>.pub` and prints the public key on standard output
/// (alone, so that a script can capture it) and the file names on standard error.
pub fn keygen(prefix: &Path) -> anyhow::Result<ExitCode> {
    if let Some(parent) = prefix.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("failed to create the folder {parent:?}"))?;
    }
    let files = signing::write_key_pair(prefix)?;
    eprintln!(
        "wrote {} (secret: keep it with the publisher, mode 0600)",
        files.secret.display()
    );
    eprintln!(
        "wrote {} (public: give it to the hub's operators)",
        files.public.display()
    );
    println!("{}", files.public_key);
    Ok(ExitCode::SUCCESS)
}

/// Writes `<component>.sig` and prints the signature.
pub fn sign(key: &Path, component: &Path) -> anyhow::Result<ExitCode> {
    let (signature, out) = signing::sign_file(key, component)?;
    eprintln!("wrote {}", out.display());
    println!("{signature}");
    Ok(ExitCode::SUCCESS)
}
