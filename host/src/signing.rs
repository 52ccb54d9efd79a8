//! Ed25519 signatures over adapter components: publisher key pairs, signing, verifying.
//!
//! An agency's publisher signs the exact bytes of a component; the hub checks the signature
//! against a trusted public key when the component is uploaded and again when it is loaded at
//! start. This module owns the key and signature formats and nothing else: which keys are
//! trusted, and what a failed check means for an upload, belong to the registry.
//!
//! The formats, one line each:
//!
//! - a public key (`<name>.pub`, the configuration's `public_key`) is the standard base64 of
//!   its 32 bytes;
//! - a signature (`<component>.wasm.sig`, the `lgsp-signature` header) is the standard base64
//!   of its 64 bytes;
//! - a secret key (`<name>.key`) is a PKCS#8 PEM document (`-----BEGIN PRIVATE KEY-----`),
//!   written readable by its owner only.

use std::fmt;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use ed25519_dalek::pkcs8::{DecodePrivateKey, EncodePrivateKey};
use ed25519_dalek::{Signer, SigningKey, VerifyingKey};

/// Length of a public key, in bytes.
pub const PUBLIC_KEY_BYTES: usize = ed25519_dalek::PUBLIC_KEY_LENGTH;
/// Length of a signature, in bytes.
pub const SIGNATURE_BYTES: usize = ed25519_dalek::SIGNATURE_LENGTH;

/// Why a key or a signature could not be made, read or checked.
#[derive(Debug, thiserror::Error)]
pub enum SigningError {
    /// The text is not standard base64.
    #[error("the {what} is not valid base64: {reason}")]
    Base64 {
        /// `public key` or `signature`.
        what: &'static str,
        /// The decoder's explanation.
        reason: String,
    },
    /// The text decodes to the wrong number of bytes.
    #[error("the {what} is {got} bytes long; an Ed25519 {what} is {expected} bytes")]
    Length {
        /// `public key` or `signature`.
        what: &'static str,
        /// The length the format requires.
        expected: usize,
        /// The length found.
        got: usize,
    },
    /// 32 bytes that are not a point of the curve.
    #[error("the public key is not a valid Ed25519 public key")]
    InvalidPublicKey,
    /// The signature does not match the bytes and the key.
    #[error("the signature does not match these bytes and this public key")]
    Mismatch,
    /// A secret key file is not a PKCS#8 PEM Ed25519 key.
    #[error("failed to read the secret key in {path:?}: {reason}")]
    SecretKey {
        /// The key file.
        path: PathBuf,
        /// What was wrong with it.
        reason: String,
    },
    /// A key file already exists; keys are never overwritten.
    #[error("{path:?} already exists; choose another name or remove it first")]
    Exists {
        /// The file.
        path: PathBuf,
    },
    /// A file could not be read or written.
    #[error("failed to access {path:?}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The operating system's error.
        source: std::io::Error,
    },
    /// The operating system gave no randomness for a new key.
    #[error("failed to get randomness for a new key: {0}")]
    Random(String),
}

/// Result alias for this module.
pub type Result<T, E = SigningError> = std::result::Result<T, E>;

/// A publisher's public key: what the hub trusts.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct PublicKey(VerifyingKey);

/// A publisher's secret key: what signs components. Never printed.
pub struct SecretKey(SigningKey);

/// A signature over a component's exact bytes.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Signature(ed25519_dalek::Signature);

impl SecretKey {
    /// A new random key from the operating system's generator.
    pub fn generate() -> Result<Self> {
        let mut seed = [0u8; ed25519_dalek::SECRET_KEY_LENGTH];
        getrandom::fill(&mut seed).map_err(|err| SigningError::Random(err.to_string()))?;
        Ok(Self(SigningKey::from_bytes(&seed)))
    }

    /// The matching public key.
    pub fn public_key(&self) -> PublicKey {
        PublicKey(self.0.verifying_key())
    }

    /// Signs `bytes`.
    pub fn sign(&self, bytes: &[u8]) -> Signature {
        Signature(self.0.sign(bytes))
    }

    /// Reads a PKCS#8 PEM secret key file.
    pub fn read(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path).map_err(|source| SigningError::Io {
            path: path.to_owned(),
            source,
        })?;
        SigningKey::from_pkcs8_pem(&text)
            .map(Self)
            .map_err(|err| SigningError::SecretKey {
                path: path.to_owned(),
                reason: err.to_string(),
            })
    }

    /// The key as a PKCS#8 PEM document.
    fn to_pem(&self) -> Result<String> {
        self.0
            .to_pkcs8_pem(ed25519_dalek::pkcs8::spki::der::pem::LineEnding::LF)
            .map(|pem| pem.as_str().to_owned())
            .map_err(|err| SigningError::SecretKey {
                path: PathBuf::new(),
                reason: err.to_string(),
            })
    }
}

impl fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SecretKey")
            .field("public_key", &self.public_key())
            .finish_non_exhaustive()
    }
}

impl PublicKey {
    /// Checks that `signature` was made over exactly `bytes` with this key's secret half.
    /// Strict: weak keys and malleable signatures are refused.
    pub fn verify(&self, bytes: &[u8], signature: &Signature) -> Result<()> {
        self.0
            .verify_strict(bytes, &signature.0)
            .map_err(|_| SigningError::Mismatch)
    }
}

/// Checks `signature` over `bytes` against `key`: what the registry calls on every upload and
/// every load of a signed component.
pub fn verify(key: &PublicKey, bytes: &[u8], signature: &Signature) -> Result<()> {
    key.verify(bytes, signature)
}

fn decode<const N: usize>(what: &'static str, text: &str) -> Result<[u8; N]> {
    let bytes = BASE64
        .decode(text.trim())
        .map_err(|err| SigningError::Base64 {
            what,
            reason: err.to_string(),
        })?;
    let got = bytes.len();
    bytes.try_into().map_err(|_| SigningError::Length {
        what,
        expected: N,
        got,
    })
}

impl FromStr for PublicKey {
    type Err = SigningError;

    /// Parses the base64 of 32 bytes; surrounding whitespace is ignored.
    fn from_str(text: &str) -> Result<Self> {
        let bytes = decode::<PUBLIC_KEY_BYTES>("public key", text)?;
        VerifyingKey::from_bytes(&bytes)
            .map(Self)
            .map_err(|_| SigningError::InvalidPublicKey)
    }
}

impl FromStr for Signature {
    type Err = SigningError;

    /// Parses the base64 of 64 bytes; surrounding whitespace is ignored.
    fn from_str(text: &str) -> Result<Self> {
        let bytes = decode::<SIGNATURE_BYTES>("signature", text)?;
        Ok(Self(ed25519_dalek::Signature::from_bytes(&bytes)))
    }
}

impl fmt::Display for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&BASE64.encode(self.0.as_bytes()))
    }
}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PublicKey({self})")
    }
}

impl fmt::Display for Signature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&BASE64.encode(self.0.to_bytes()))
    }
}

impl fmt::Debug for Signature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Signature({self})")
    }
}

/// Reads a one-line text file: a `.pub` or a `.sig`.
pub fn read_text(path: &Path) -> Result<String> {
    std::fs::read_to_string(path).map_err(|source| SigningError::Io {
        path: path.to_owned(),
        source,
    })
}

/// The two files of a key pair written by [`write_key_pair`].
#[derive(Debug)]
pub struct KeyFiles {
    /// `<prefix>.key`, the secret key, mode 0600.
    pub secret: PathBuf,
    /// `<prefix>.pub`, the public key.
    pub public: PathBuf,
    /// The public key written.
    pub public_key: PublicKey,
}

/// Generates a key pair and writes `<prefix>.key` (PKCS#8 PEM, readable by its owner only)
/// and `<prefix>.pub` (one line of base64). Refuses to overwrite either file.
pub fn write_key_pair(prefix: &Path) -> Result<KeyFiles> {
    let secret_path = with_suffix(prefix, "key");
    let public_path = with_suffix(prefix, "pub");
    for path in [&secret_path, &public_path] {
        if path.exists() {
            return Err(SigningError::Exists { path: path.clone() });
        }
    }

    let key = SecretKey::generate()?;
    let public_key = key.public_key();
    write_new(&secret_path, key.to_pem()?.as_bytes(), 0o600)?;
    write_new(&public_path, format!("{public_key}\n").as_bytes(), 0o644)?;
    Ok(KeyFiles {
        secret: secret_path,
        public: public_path,
        public_key,
    })
}

/// Signs the file at `component` with the secret key in `key_file` and writes the signature
/// to `<component>.sig`, replacing an older one. Returns the signature and where it went.
pub fn sign_file(key_file: &Path, component: &Path) -> Result<(Signature, PathBuf)> {
    let key = SecretKey::read(key_file)?;
    let bytes = std::fs::read(component).map_err(|source| SigningError::Io {
        path: component.to_owned(),
        source,
    })?;
    let signature = key.sign(&bytes);
    let out = with_suffix(component, "sig");
    std::fs::write(&out, format!("{signature}\n")).map_err(|source| SigningError::Io {
        path: out.clone(),
        source,
    })?;
    Ok((signature, out))
}

/// `path` with `.suffix` appended to its file name (`a.wasm` becomes `a.wasm.sig`).
pub fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(".");
    name.push(suffix);
    PathBuf::from(name)
}

/// Creates `path`, which must not exist, with `mode` from the start, so that a secret key is
/// never readable by others, not even for an instant.
fn write_new(path: &Path, bytes: &[u8], mode: u32) -> Result<()> {
    let io = |source| SigningError::Io {
        path: path.to_owned(),
        source,
    };
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(mode);
    }
    #[cfg(not(unix))]
    let _ = mode;
    let mut file = options.open(path).map_err(io)?;
    file.write_all(bytes).map_err(io)?;
    file.sync_all().map_err(io)
}

#[cfg(test)]
mod tests {
    use super::*;

    const COMPONENT: &[u8] = b"\0asm\x0d\0\x01\0 pretend component bytes";

    #[test]
    fn a_signature_verifies_and_survives_its_text_form() {
        let key = SecretKey::generate().expect("randomness");
        let signature = key.sign(COMPONENT);
        let public: PublicKey = key.public_key().to_string().parse().expect("public key");
        let parsed: Signature = format!("{signature}\n").parse().expect("signature");
        assert_eq!(parsed, signature);
        verify(&public, COMPONENT, &parsed).expect("a good signature verifies");
    }

    #[test]
    fn one_flipped_byte_in_the_message_fails() {
        let key = SecretKey::generate().expect("randomness");
        let signature = key.sign(COMPONENT);
        for i in 0..COMPONENT.len() {
            let mut tampered = COMPONENT.to_vec();
            tampered[i] ^= 0x01;
            let err = verify(&key.public_key(), &tampered, &signature)
                .expect_err("a tampered component must not verify");
            assert!(matches!(err, SigningError::Mismatch), "byte {i}: {err}");
        }
    }

    #[test]
    fn one_flipped_byte_in_the_signature_fails() {
        let key = SecretKey::generate().expect("randomness");
        let bytes = key.sign(COMPONENT).0.to_bytes();
        for i in 0..bytes.len() {
            let mut tampered = bytes;
            tampered[i] ^= 0x80;
            let signature = Signature(ed25519_dalek::Signature::from_bytes(&tampered));
            assert!(
                verify(&key.public_key(), COMPONENT, &signature).is_err(),
                "signature byte {i} flipped still verifies"
            );
        }
    }

    #[test]
    fn another_publishers_key_fails() {
        let signer = SecretKey::generate().expect("randomness");
        let other = SecretKey::generate().expect("randomness");
        let err = verify(&other.public_key(), COMPONENT, &signer.sign(COMPONENT))
            .expect_err("the wrong key must not verify");
        assert!(matches!(err, SigningError::Mismatch), "{err}");
    }

    #[test]
    fn bad_text_gives_a_clear_error() {
        let err = "not base64!".parse::<PublicKey>().expect_err("bad base64");
        assert!(
            err.to_string()
                .starts_with("the public key is not valid base64:"),
            "{err}"
        );

        let short = BASE64.encode([7u8; 31]);
        let err = short.parse::<PublicKey>().expect_err("31 bytes");
        assert_eq!(
            err.to_string(),
            "the public key is 31 bytes long; an Ed25519 public key is 32 bytes"
        );

        let long = BASE64.encode([7u8; 65]);
        let err = long.parse::<Signature>().expect_err("65 bytes");
        assert_eq!(
            err.to_string(),
            "the signature is 65 bytes long; an Ed25519 signature is 64 bytes"
        );

        let err = "AAAA=AAA".parse::<Signature>().expect_err("bad padding");
        assert!(
            err.to_string()
                .starts_with("the signature is not valid base64:"),
            "{err}"
        );
    }

    #[test]
    fn key_files_round_trip_and_the_secret_is_private() {
        let dir = tempfile::tempdir().expect("temp dir");
        let prefix = dir.path().join("publisher");
        let files = write_key_pair(&prefix).expect("key pair");
        assert_eq!(files.secret, dir.path().join("publisher.key"));
        assert_eq!(files.public, dir.path().join("publisher.pub"));

        let pem = std::fs::read_to_string(&files.secret).expect("key file");
        assert!(pem.starts_with("-----BEGIN PRIVATE KEY-----\n"), "{pem}");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&files.secret)
                .expect("metadata")
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }

        let public: PublicKey = read_text(&files.public)
            .expect("pub file")
            .parse()
            .expect("public key");
        assert_eq!(public, files.public_key);

        let component = dir.path().join("adapter.wasm");
        std::fs::write(&component, COMPONENT).expect("component");
        let (signature, sig_path) = sign_file(&files.secret, &component).expect("sign");
        assert_eq!(sig_path, dir.path().join("adapter.wasm.sig"));
        let from_file: Signature = read_text(&sig_path)
            .expect("sig file")
            .parse()
            .expect("signature");
        assert_eq!(from_file, signature);
        verify(&public, COMPONENT, &from_file).expect("verifies");

        let err = write_key_pair(&prefix).expect_err("never overwrite a key");
        assert!(matches!(err, SigningError::Exists { .. }), "{err}");
    }

    #[test]
    fn a_secret_key_file_that_is_not_pem_is_refused_with_its_path() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("broken.key");
        std::fs::write(&path, "-----BEGIN PRIVATE KEY-----\nnope\n").expect("write");
        let err = SecretKey::read(&path).expect_err("not a key");
        assert!(
            err.to_string()
                .starts_with(&format!("failed to read the secret key in {path:?}:")),
            "{err}"
        );
    }
}
