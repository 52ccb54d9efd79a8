//! The adapter of a commune civil registry whose own system speaks CSV.
//!
//! The registry sends batches of birth registrations as a CSV file and answers batches it
//! receives with a CSV receipt; nationally these are the `citizen-record` and
//! `citizen-receipt` standards (see `standards/citizen-record/`). This module only chooses a
//! translation from the message's leg and content type: `record` handles batches (the request
//! leg), `receipt` handles receipts (the reply leg), `table` and `json` read the two forms, and
//! every rule about a single value lives in `checks`. `README.md` lists the columns.
//!
//! Every translation reads its whole input and refuses it with every violation it found, so
//! that a clerk can fix a file in one round. Bad bytes, ragged rows and impossible dates become
//! violations, never panics: indexing is bounded by checks made just before it, and
//! `tests/fixtures.rs` feeds every fixture through the adapter truncated and corrupted.

mod checks;
mod date;
mod json;
mod receipt;
mod record;
mod table;

use lgsp_guest::{AdapterError, Context, Description, Host, Level, Message, Phase};

/// The registry's content type, and the only one `to_national` reads.
const CSV: &str = "text/csv; charset=utf-8";
/// The standards' content type, and the only one `to_local` reads.
const JSON: &str = "application/json";

/// The standards this adapter produces and reads, as `id@version`.
const STANDARDS: [&str; 2] = ["citizen-record@1.0", "citizen-receipt@1.0"];

/// The civil-registry CSV adapter.
pub struct CivilRegistryCsv;

impl lgsp_guest::Adapter for CivilRegistryCsv {
    fn describe() -> Description {
        Description {
            name: "civil-registry-csv".to_owned(),
            version: env!("CARGO_PKG_VERSION").to_owned(),
            standards: STANDARDS.map(str::to_owned).to_vec(),
            services: Vec::new(),
        }
    }

    fn to_national(host: &dyn Host, cx: &Context, msg: Message) -> Result<Message, AdapterError> {
        supported_standard(cx)?;
        expect_csv(&msg)?;
        let translated = match cx.phase {
            Phase::Request => record::to_national(host, &msg.body),
            Phase::Reply => receipt::to_national(host, &msg.body),
        };
        finish(host, cx, "to-national", translated, JSON, msg.metadata)
    }

    fn to_local(host: &dyn Host, cx: &Context, msg: Message) -> Result<Message, AdapterError> {
        supported_standard(cx)?;
        if msg.media_type() != JSON {
            return Err(AdapterError::Unsupported(format!(
                "content type `{}` is not read by this adapter; send `{JSON}`",
                msg.content_type
            )));
        }
        let translated = match cx.phase {
            Phase::Request => record::to_local(host, &msg.body),
            Phase::Reply => receipt::to_local(host, &msg.body),
        };
        finish(host, cx, "to-local", translated, CSV, msg.metadata)
    }
}

/// Either standard may be named on either leg: the hub may name the service's standard on
/// both, or the reply's own on the reply leg. The leg, not the name, picks the translation.
fn supported_standard(cx: &Context) -> Result<(), AdapterError> {
    if STANDARDS.contains(&cx.standard.as_str()) {
        Ok(())
    } else {
        Err(AdapterError::Unsupported(format!(
            "standard `{}` is not handled; this adapter handles {}",
            cx.standard,
            STANDARDS.join(" and ")
        )))
    }
}

/// Accepts `text/csv` in UTF-8. A file that declares another charset (Windows-1258, TCVN3)
/// would be misread, so it is declined rather than guessed at.
fn expect_csv(msg: &Message) -> Result<(), AdapterError> {
    let charset = msg.content_type.split(';').skip(1).find_map(|param| {
        let (key, value) = param.split_once('=')?;
        key.trim()
            .eq_ignore_ascii_case("charset")
            .then(|| value.trim().trim_matches('"').to_ascii_lowercase())
    });
    let utf8 = charset
        .as_deref()
        .is_none_or(|c| c == "utf-8" || c == "utf8");
    if msg.media_type() == "text/csv" && utf8 {
        Ok(())
    } else {
        Err(AdapterError::Unsupported(format!(
            "content type `{}` is not read by this adapter; send `{CSV}`",
            msg.content_type
        )))
    }
}

/// Wraps a translated body in a message, keeping the caller's metadata, and logs the outcome
/// without any of the message's contents.
fn finish(
    host: &dyn Host,
    cx: &Context,
    direction: &str,
    translated: Result<(Vec<u8>, usize), AdapterError>,
    content_type: &str,
    metadata: Vec<(String, String)>,
) -> Result<Message, AdapterError> {
    let leg = match cx.phase {
        Phase::Request => "request",
        Phase::Reply => "reply",
    };
    match translated {
        Ok((body, records)) => {
            let records = records.to_string();
            let fields = [
                ("direction", direction),
                ("phase", leg),
                ("records", records.as_str()),
            ];
            host.log(Level::Debug, "translated message", &fields);
            Ok(Message {
                content_type: content_type.to_owned(),
                metadata,
                body,
            })
        }
        Err(AdapterError::Rejected(violations)) => {
            let count = violations.len().to_string();
            let fields = [
                ("direction", direction),
                ("phase", leg),
                ("violations", count.as_str()),
            ];
            host.log(Level::Info, "refused message", &fields);
            Err(AdapterError::Rejected(violations))
        }
        Err(err) => Err(err),
    }
}

lgsp_guest::export_adapter!(CivilRegistryCsv);
