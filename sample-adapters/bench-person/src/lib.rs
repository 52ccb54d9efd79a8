//! The benchmark adapter: exactly the mapping the peers in `../shared/peers/` do, so that the
//! hub and the peers are measured doing the same work.
//!
//! `to-national` turns `{"firstName","lastName","dob","nationalId"}` into
//! `{"schemaVersion":"1.0","source":<agency>,"person":{"givenName","familyName","birthDate","id"}}`;
//! an optional `remarks` string is carried along so that the benchmarks can send messages of
//! any size through the same mapping. The adapter only maps: the checks (names not empty, a
//! `YYYY-MM-DD` date, an id of 6 to 12 digits) are the `bench-person@1.0` standard's, and the
//! hub applies them to the national form as it does for every adapter. A body that is not a
//! JSON object is rejected. On the reply leg the upstream's acknowledgement is already JSON and
//! is passed through unchanged.

use std::borrow::Cow;

use lgsp_guest::{AdapterError, Context, Description, Host, Message, Phase, Violation};
use serde::{Deserialize, Serialize};

/// The content type of both forms.
const JSON: &str = "application/json";
/// The standards this adapter produces and reads.
const STANDARDS: [&str; 2] = ["bench-person@1.0", "bench-ack@1.0"];

/// The agency's own form, as the peers receive it.
#[derive(Deserialize, Serialize, Default)]
#[serde(rename_all = "camelCase")]
struct Local<'a> {
    #[serde(borrow, default, skip_serializing_if = "Option::is_none")]
    first_name: Option<Cow<'a, str>>,
    #[serde(borrow, default, skip_serializing_if = "Option::is_none")]
    last_name: Option<Cow<'a, str>>,
    #[serde(borrow, default, skip_serializing_if = "Option::is_none")]
    dob: Option<Cow<'a, str>>,
    #[serde(borrow, default, skip_serializing_if = "Option::is_none")]
    national_id: Option<Cow<'a, str>>,
    #[serde(borrow, default, skip_serializing_if = "Option::is_none")]
    remarks: Option<Cow<'a, str>>,
}

/// The person inside the national envelope.
#[derive(Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
struct Person<'a> {
    #[serde(borrow)]
    given_name: Cow<'a, str>,
    #[serde(borrow)]
    family_name: Cow<'a, str>,
    #[serde(borrow)]
    birth_date: Cow<'a, str>,
    #[serde(borrow)]
    id: Cow<'a, str>,
    #[serde(borrow, default, skip_serializing_if = "Option::is_none")]
    remarks: Option<Cow<'a, str>>,
}

/// The national form.
#[derive(Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
struct Envelope<'a> {
    #[serde(borrow)]
    schema_version: Cow<'a, str>,
    #[serde(borrow)]
    source: Cow<'a, str>,
    #[serde(borrow)]
    person: Person<'a>,
}

/// The benchmark adapter.
pub struct BenchPerson;

impl lgsp_guest::Adapter for BenchPerson {
    fn describe() -> Description {
        Description {
            name: "bench-person".to_owned(),
            version: env!("CARGO_PKG_VERSION").to_owned(),
            standards: STANDARDS.map(str::to_owned).to_vec(),
            services: Vec::new(),
        }
    }

    fn to_national(_host: &dyn Host, cx: &Context, msg: Message) -> Result<Message, AdapterError> {
        expect_json(&msg)?;
        if cx.phase == Phase::Reply {
            return Ok(msg);
        }
        let Message { metadata, body, .. } = msg;
        let local: Local = parse(&body)?;
        let missing = || Cow::Borrowed("");
        let envelope = Envelope {
            schema_version: Cow::Borrowed("1.0"),
            source: Cow::Borrowed(cx.agency.as_str()),
            person: Person {
                given_name: local.first_name.unwrap_or_else(missing),
                family_name: local.last_name.unwrap_or_else(missing),
                birth_date: local.dob.unwrap_or_else(missing),
                id: local.national_id.unwrap_or_else(missing),
                remarks: local.remarks,
            },
        };
        Ok(Message {
            content_type: JSON.to_owned(),
            metadata,
            body: write(&envelope, body.len())?,
        })
    }

    fn to_local(_host: &dyn Host, cx: &Context, msg: Message) -> Result<Message, AdapterError> {
        expect_json(&msg)?;
        if cx.phase == Phase::Reply {
            return Ok(msg);
        }
        let Message { metadata, body, .. } = msg;
        let envelope: Envelope = parse(&body)?;
        let p = envelope.person;
        let local = Local {
            first_name: Some(p.given_name),
            last_name: Some(p.family_name),
            dob: Some(p.birth_date),
            national_id: Some(p.id),
            remarks: p.remarks,
        };
        Ok(Message {
            content_type: JSON.to_owned(),
            metadata,
            body: write(&local, body.len())?,
        })
    }
}

fn expect_json(msg: &Message) -> Result<(), AdapterError> {
    if msg.media_type() == JSON {
        Ok(())
    } else {
        Err(AdapterError::Unsupported(format!(
            "content type `{}` is not read by this adapter; send `{JSON}`",
            msg.content_type
        )))
    }
}

fn parse<'a, T: Deserialize<'a>>(body: &'a [u8]) -> Result<T, AdapterError> {
    serde_json::from_slice(body).map_err(|err| {
        AdapterError::Rejected(vec![Violation::new(
            format!("line {}, column {}", err.line(), err.column()),
            "malformed",
            format!("the body is not a JSON object of the expected shape: {err}"),
        )])
    })
}

/// Serialises into a buffer sized for the whole output at once: the output is about as long
/// as the input, and growing a multi-megabyte buffer by doubling would touch twice the memory.
fn write(value: &impl Serialize, input_len: usize) -> Result<Vec<u8>, AdapterError> {
    let mut out = Vec::with_capacity(input_len + 128);
    serde_json::to_writer(&mut out, value)
        .map_err(|err| AdapterError::Internal(format!("failed to write JSON: {err}")))?;
    Ok(out)
}

lgsp_guest::export_adapter!(BenchPerson);

#[cfg(test)]
mod tests {
    use lgsp_guest::Adapter;
    use lgsp_guest::testing::{MockHost, context};

    use super::*;

    const PEERS_BODY: &str =
        r#"{"firstName":"Ana","lastName":"Silva","dob":"1990-01-31","nationalId":"12345678"}"#;

    fn cx(phase: Phase) -> Context {
        let mut cx = context("person.submit", "bench-person@1.0", phase);
        cx.agency = "agency-a".to_owned();
        cx
    }

    #[test]
    fn maps_the_peers_body_to_the_peers_envelope() {
        let out = BenchPerson::to_national(
            &MockHost::new(),
            &cx(Phase::Request),
            Message::new(JSON, PEERS_BODY),
        )
        .expect("maps");
        assert_eq!(out.content_type, JSON);
        assert_eq!(
            String::from_utf8(out.body).expect("utf-8"),
            r#"{"schemaVersion":"1.0","source":"agency-a","person":{"givenName":"Ana","familyName":"Silva","birthDate":"1990-01-31","id":"12345678"}}"#
        );
    }

    #[test]
    fn missing_fields_become_empty_for_the_standard_to_refuse() {
        let out = BenchPerson::to_national(
            &MockHost::new(),
            &cx(Phase::Request),
            Message::new(JSON, r#"{"firstName":"Ana","remarks":"x\"y"}"#),
        )
        .expect("maps");
        let v: serde_json::Value = serde_json::from_slice(&out.body).expect("json");
        assert_eq!(v["person"]["familyName"], "");
        assert_eq!(v["person"]["id"], "");
        assert_eq!(v["person"]["remarks"], "x\"y");
    }

    #[test]
    fn a_body_that_is_not_json_is_rejected() {
        let err = BenchPerson::to_national(
            &MockHost::new(),
            &cx(Phase::Request),
            Message::new(JSON, "not json"),
        )
        .expect_err("refused");
        let AdapterError::Rejected(v) = err else {
            panic!("expected a rejection, got {err:?}");
        };
        assert_eq!(v[0].code, "malformed");
    }

    #[test]
    fn national_form_maps_back_and_replies_pass_through() {
        let national = BenchPerson::to_national(
            &MockHost::new(),
            &cx(Phase::Request),
            Message::new(JSON, PEERS_BODY),
        )
        .expect("maps");
        let local = BenchPerson::to_local(&MockHost::new(), &cx(Phase::Request), national)
            .expect("maps back");
        assert_eq!(String::from_utf8(local.body).expect("utf-8"), PEERS_BODY);

        let ack = Message::new(JSON, r#"{"accepted":true}"#);
        let back = BenchPerson::to_local(&MockHost::new(), &cx(Phase::Reply), ack).expect("ack");
        assert_eq!(back.body, br#"{"accepted":true}"#);
    }
}
