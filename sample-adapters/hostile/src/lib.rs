//! An adapter that misbehaves on request, so that tests can prove the sandbox holds.
//!
//! The `mode` metadata of a message picks the misbehaviour, or else the service name after
//! `hostile.` (replies from providers carry no metadata of ours); `echo` copies the message
//! through unchanged, which lets tests hand the hub a national form of their choosing. It
//! imports only the contract, like any adapter.

use lgsp_guest::{Adapter, AdapterError, Context, Description, Host, Level, Message};

/// The adapter; see the crate docs for its modes.
pub struct Hostile;

impl Hostile {
    fn run(
        host: &dyn Host,
        cx: &Context,
        msg: Message,
        to_local: bool,
    ) -> Result<Message, AdapterError> {
        let mode = msg
            .meta("mode")
            .or_else(|| cx.service.strip_prefix("hostile."))
            .unwrap_or("echo")
            .to_owned();
        match mode.as_str() {
            "echo" => Ok(msg),
            "panic" => panic!("hostile adapter asked to panic"),
            "unreachable-to-local" if to_local => std::process::abort(),
            "loop" => {
                let mut n: u64 = 0;
                loop {
                    n = std::hint::black_box(n.wrapping_add(1));
                }
            }
            "grow" => {
                let mut hoard: Vec<Vec<u8>> = Vec::new();
                loop {
                    hoard.push(vec![1u8; 1 << 20]);
                    std::hint::black_box(&hoard);
                }
            }
            "recurse" => Ok(Message::new(
                "text/plain",
                recurse(u64::MAX).to_le_bytes().to_vec(),
            )),
            "huge-output" => Ok(Message::new("application/json", vec![b' '; 64 << 20])),
            "big-output" => Ok(Message::new("application/json", vec![b' '; 3 << 19])),
            "log-flood" => {
                for i in 0..10_000u32 {
                    host.log(Level::Info, "flood", &[("line", &i.to_string())]);
                }
                Ok(msg)
            }
            "huge-log" => {
                let line = "x".repeat(4 << 20);
                host.log(Level::Info, &line, &[]);
                Ok(msg)
            }
            "bad-utf8" => {
                // Deliberately breaks `String`'s invariant: the contract's `content-type` is a
                // string, and the host must refuse these bytes when it lifts them.
                #[expect(
                    unsafe_code,
                    reason = "the hostile adapter lies about UTF-8 on purpose"
                )]
                let content_type =
                    unsafe { String::from_utf8_unchecked(vec![0xff, 0xfe, b'/', 0xc3]) };
                Ok(Message {
                    content_type,
                    metadata: Vec::new(),
                    body: msg.body,
                })
            }
            // A header injection attempt through the metadata the hub sends on as headers.
            "bad-metadata" => Ok(msg.with_meta("injected", "a\r\nInjected: yes")),
            "internal" => Err(AdapterError::Internal(
                "hostile adapter reports a failure".into(),
            )),
            "unsupported" => Err(AdapterError::Unsupported(
                "hostile adapter supports nothing".into(),
            )),
            _ => Ok(msg),
        }
    }
}

#[inline(never)]
fn recurse(n: u64) -> u64 {
    if n == 0 {
        0
    } else {
        std::hint::black_box(recurse(std::hint::black_box(n - 1)) + 1)
    }
}

impl Adapter for Hostile {
    fn describe() -> Description {
        Description {
            name: "hostile".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            standards: Vec::new(),
            services: Vec::new(),
        }
    }

    fn to_national(host: &dyn Host, cx: &Context, msg: Message) -> Result<Message, AdapterError> {
        Self::run(host, cx, msg, false)
    }

    fn to_local(host: &dyn Host, cx: &Context, msg: Message) -> Result<Message, AdapterError> {
        Self::run(host, cx, msg, true)
    }
}

lgsp_guest::export_adapter!(Hostile);
