//! Keys and signatures: `new-key` and `hash-key` for clients and operators, `keygen` and
//! `sign` for adapter publishers. The formats belong to [`crate::signing`].

use std::path::Path;
#[cfg(test)]
use std::path::PathBuf;
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
    if key.trim().is_empty() {
        anyhow::bail!("no key on standard input: the hub never accepts an empty key");
    }
    println!("{}", auth::digest(key.trim()));
    Ok(ExitCode::SUCCESS)
}

/// Writes `<prefix>.key` and `<prefix>.pub` and prints the public key on standard output
/// (alone, so that a script can capture it) and the file names on standard error.
pub fn keygen(prefix: &Path) -> anyhow::Result<ExitCode> {
    check_key_prefix(prefix)?;
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

/// Refuses a `keygen --out` that names a folder: the files would be the hidden `keys/.key`
/// and `keys/.pub`. A missing folder of a file name is created, as the guides'
/// `--out keys/my-agency` expects.
pub fn check_key_prefix(prefix: &Path) -> anyhow::Result<()> {
    let text = prefix.to_string_lossy();
    let names_a_folder = text.ends_with('/') || prefix.is_dir() || prefix.file_name().is_none();
    if names_a_folder {
        anyhow::bail!(
            "--out {prefix:?} names a folder, not the key pair's file name: give a file name \
             such as keys/ba-dinh (which writes keys/ba-dinh.key and keys/ba-dinh.pub)"
        );
    }
    Ok(())
}

/// Writes `<component>.sig` and prints the signature.
pub fn sign(key: &Path, component: &Path) -> anyhow::Result<ExitCode> {
    check_secret_key_file(key)?;
    if !component.exists() {
        anyhow::bail!("the component {component:?} does not exist");
    }
    let (signature, out) = signing::sign_file(key, component)?;
    eprintln!("wrote {}", out.display());
    println!("{signature}");
    Ok(ExitCode::SUCCESS)
}

/// Refuses a `--key` that does not exist or is a public key (a `.pub`, one line of base64),
/// naming the file that is needed instead of failing to parse it as PEM.
pub fn check_secret_key_file(key: &Path) -> anyhow::Result<()> {
    if !key.exists() {
        anyhow::bail!(
            "the secret key file {key:?} does not exist (lgsp keygen --out NAME writes \
             NAME.key)"
        );
    }
    let is_public = std::fs::read_to_string(key)
        .is_ok_and(|text| text.trim().parse::<signing::PublicKey>().is_ok());
    if is_public {
        let secret = key.with_extension("key");
        anyhow::bail!(
            "{key:?} is a public key; signing needs the publisher's secret key, the .key file \
             that lgsp keygen wrote beside it ({secret:?})"
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keygen_wants_a_file_name_not_a_folder() {
        let dir = tempfile::tempdir().expect("temp dir");
        let keys = dir.path().join("keys");
        std::fs::create_dir(&keys).expect("mkdir");
        for folder in [keys.clone(), PathBuf::from(format!("{}/", keys.display()))] {
            let err = check_key_prefix(&folder).expect_err("a folder").to_string();
            assert!(
                err.contains("names a folder") && err.contains("such as keys/ba-dinh"),
                "{err}"
            );
        }
        check_key_prefix(&dir.path().join("new-folder/x")).expect("a folder to create");
        check_key_prefix(&keys.join("ba-dinh")).expect("a file name in a folder");
        check_key_prefix(Path::new("ba-dinh")).expect("a file name here");
    }

    #[test]
    fn signing_with_a_public_key_says_which_file_is_needed() {
        let dir = tempfile::tempdir().expect("temp dir");
        let prefix = dir.path().join("ba-dinh");
        let files = signing::write_key_pair(&prefix).expect("key pair");
        let err = check_secret_key_file(&files.public)
            .expect_err("a public key")
            .to_string();
        assert!(
            err.starts_with(&format!("{:?} is a public key", files.public))
                && err.contains(&format!("{:?}", files.secret)),
            "{err}"
        );
        check_secret_key_file(&files.secret).expect("the secret key");
        let err = check_secret_key_file(&dir.path().join("none.key"))
            .expect_err("missing")
            .to_string();
        assert!(err.contains("does not exist"), "{err}");
    }
}
