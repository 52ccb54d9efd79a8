//! Fuzz targets for everything the hub parses itself: the configuration, the request headers
//! it reads before any adapter runs, media types, national forms against both kinds of
//! standard, and the mapping of every error to a problem document.
//!
//! Under `cargo test` each target runs on generated inputs for a short while (bolero's test
//! mode); `docs/fuzzing.md` says how to run the same targets under libFuzzer for hours.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use axum::http::{HeaderMap, HeaderName, HeaderValue};

use crate::config::{Config, StandardConfig, StandardKind};
use crate::exchange::{ExchangeError, Side};
use crate::message::{Message, Violation};
use crate::problem::{Problem, TYPE_PREFIX};
use crate::provider::ProviderError;
use crate::runtime::{CallError, Phase};
use crate::standard::Standard;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Any text, and the demo configuration with one byte replaced: both must parse or fail
/// with an error, never panic.
#[test]
fn config_parsing() {
    let demo = std::fs::read(root().join("demo/lgsp.toml")).expect("demo config");
    bolero::check!()
        .with_type::<(u16, u8, String)>()
        .for_each(|(at, byte, text)| {
            let _ = Config::parse(text, Path::new("/etc/lgsp"));
            let mut mutated = demo.clone();
            let i = usize::from(*at) % mutated.len();
            mutated[i] = *byte;
            if let Ok(text) = std::str::from_utf8(&mutated)
                && let Err(err) = Config::parse(text, Path::new("/etc/lgsp"))
            {
                assert!(!err.to_string().is_empty());
            }
        });
}

/// Headers the edge reads before any adapter runs: the bearer credential and metadata.
#[test]
fn request_headers() {
    bolero::check!()
        .with_type::<Vec<(String, Vec<u8>)>>()
        .for_each(|pairs| {
            let mut headers = HeaderMap::new();
            for (name, value) in pairs {
                let name = HeaderName::from_bytes(format!("lgsp-meta-{name}").as_bytes());
                if let (Ok(name), Ok(value)) = (name, HeaderValue::from_bytes(value)) {
                    headers.append(name, value);
                }
                if let Ok(value) = HeaderValue::from_bytes(value) {
                    headers.insert("authorization", value);
                }
            }
            let metadata = crate::api::metadata_from_headers(&headers);
            assert!(metadata.len() <= crate::api::MAX_METADATA);
            if let Some(credential) = crate::api::auth::bearer(&headers) {
                assert!(!credential.is_empty() && credential.trim() == credential);
            }
        });
}

#[test]
fn media_types() {
    bolero::check!().with_type::<String>().for_each(|ct| {
        let media = crate::message::media_type(ct);
        assert!(!media.contains(';'));
        assert_eq!(media, media.to_ascii_lowercase());
    });
}

fn standard(id: &str, kind: StandardKind, schema: &str) -> Standard {
    Standard::load(&StandardConfig {
        id: id.to_owned(),
        version: "1".to_owned(),
        kind,
        schema: root().join(schema),
    })
    .expect("the shipped schema compiles")
}

/// Runs any bytes, and `seed` with one byte replaced, through `standard`.
fn national_form(standard: Standard, content_type: &str, seed: Vec<u8>) {
    // The standard is only read; a panic ends the run anyway.
    let standard = std::panic::AssertUnwindSafe(standard);
    bolero::check!()
        .with_type::<(u16, u8, Vec<u8>)>()
        .for_each(|(at, byte, bytes)| {
            let mut mutated = seed.clone();
            let i = usize::from(*at) % mutated.len();
            mutated[i] = *byte;
            for body in [bytes.clone(), mutated] {
                let msg = Message {
                    content_type: content_type.to_owned(),
                    metadata: Vec::new(),
                    body: body.into(),
                };
                if let Err(violations) = standard.validate_blocking(&msg) {
                    let most = crate::standard::MAX_VIOLATIONS + 1;
                    assert!(!violations.is_empty() && violations.len() <= most);
                }
            }
        });
}

#[test]
fn national_json() {
    let citizen = standard(
        "citizen-record",
        StandardKind::JsonSchema,
        "standards/citizen-record/citizen-record.schema.json",
    );
    let seed = root().join(
        "sample-adapters/civil-registry-csv/fixtures/to-national/ba-dinh-batch.expected.json",
    );
    national_form(
        citizen,
        "application/json",
        std::fs::read(seed).expect("fixture"),
    );
}

#[test]
fn national_xml() {
    let edxml = standard(
        "edxml",
        StandardKind::Xsd,
        "standards/edxml/qcvn-102-2016.xsd",
    );
    let seed = root()
        .join("sample-adapters/edxml-documents/fixtures/to-local/status_finish_06.input.edxml");
    national_form(
        edxml,
        "application/xml",
        std::fs::read(seed).expect("fixture"),
    );
}

/// Every error maps to a problem of its own kind with a 4xx or 5xx status, and to 500 only
/// for the hub's own failure.
#[test]
fn problem_mapping() {
    bolero::check!()
        .with_type::<(u8, u8, String, u16, Vec<(String, String, String)>)>()
        .for_each(|(kind, sub, text, number, raw)| {
            let side = if sub % 2 == 0 {
                Side::Caller
            } else {
                Side::Provider
            };
            let phase = if sub % 3 == 0 {
                Phase::Request
            } else {
                Phase::Reply
            };
            let violations: Vec<Violation> = raw
                .iter()
                .map(|(p, c, m)| Violation::new(p, c, m))
                .collect();
            let call = match sub % 10 {
                7 => CallError::MemoryLimit(usize::from(*number)),
                8 => CallError::StackOverflow(usize::from(*number)),
                9 => CallError::TransferLimit(usize::from(*number)),
                0 => CallError::Internal(text.clone()),
                1 => CallError::Deadline(Duration::from_millis(u64::from(*number))),
                2 => CallError::Trap(text.clone()),
                3 => CallError::Instantiate(text.clone()),
                4 => CallError::Busy(usize::from(*number)),
                5 => CallError::OutputTooLarge {
                    size: usize::from(*number),
                    limit: 1,
                },
                _ => CallError::Unsupported(text.clone()),
            };
            let err = match kind % 15 {
                0 => ExchangeError::Unauthenticated,
                1 => ExchangeError::Forbidden {
                    agency: text.clone(),
                    service: text.clone(),
                },
                2 => ExchangeError::UnknownService(text.clone()),
                3 => ExchangeError::BodyTooLarge {
                    limit: usize::from(*number),
                },
                4 => ExchangeError::BodyRead(text.clone()),
                5 => ExchangeError::BodyTimeout(Duration::from_millis(u64::from(*number))),
                6 => ExchangeError::AdapterRejected {
                    side,
                    phase,
                    agency: text.clone(),
                    violations: violations.clone(),
                },
                7 => ExchangeError::AdapterUnsupported {
                    side,
                    phase,
                    agency: text.clone(),
                    reason: text.clone(),
                },
                8 => ExchangeError::AdapterFault {
                    side,
                    phase,
                    agency: text.clone(),
                    adapter: text.clone(),
                    source: call,
                },
                9 => ExchangeError::StandardViolation {
                    side,
                    standard: text.clone(),
                    violations: violations.clone(),
                },
                10 => ExchangeError::Provider(match sub % 4 {
                    0 => ProviderError::Unreachable(text.clone()),
                    1 => ProviderError::Timeout(Duration::from_millis(u64::from(*number))),
                    2 => ProviderError::Status(*number),
                    _ => ProviderError::TooLarge,
                }),
                11 => ExchangeError::Timeout(Duration::from_millis(u64::from(*number))),
                12 => ExchangeError::HeadersTooLarge {
                    limit: usize::from(*number),
                },
                _ => ExchangeError::Log(text.clone()),
            };
            let problem = Problem::from(&err);
            assert!((400..600).contains(&problem.status), "{err:?}");
            assert_eq!(
                problem.status == 500,
                matches!(err, ExchangeError::Log(_)),
                "{err:?}"
            );
            assert!(problem.type_.starts_with(TYPE_PREFIX) && problem.kind().len() > 3);
            let json = serde_json::to_value(&problem).expect("serialises");
            assert_eq!(json["status"], problem.status);
            let _ = Arc::new(problem);
        });
}
