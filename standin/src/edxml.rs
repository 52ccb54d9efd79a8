//! The two peers of the `edxml-documents` adapter: the national document exchange, which
//! speaks edXML (QCVN 102:2016), and an agency's document management system (DMS), which
//! speaks the adapter's local JSON.
//!
//! Each acknowledges what it receives the way the real systems do: with a status report,
//! code 01 (đã đến, arrived), about the document received, or about the document that a
//! received status report was about. They read only what that answer needs and judge nothing
//! else: validating messages is the hub's job. Both answer 400 with a short text to a body
//! they cannot read at all.

use std::time::{SystemTime, UNIX_EPOCH};

use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use roxmltree::{Document, Node, ParsingOptions};
use serde_json::{Value, json};

/// The namespace of QCVN 102:2016.
const NS: &str = "http://www.mic.gov.vn/TBT/QCVN_102_2016";

/// Who answers for the national exchange when the message names no receiver: the
/// Government Office, which runs it.
const EXCHANGE: (&str, &str) = ("000.00.00.G22", "Văn phòng Chính phủ");

/// Who answers for the agency's DMS when the message names no receiver.
const AGENCY: (&str, &str) = ("000.00.00.H41", "UBND Tỉnh Nghệ An");

/// Vietnam keeps UTC+7 all year; edXML times carry no zone and mean local time.
const UTC_OFFSET_SECONDS: u64 = 7 * 3600;

/// The national exchange: takes an edXML document or Status message and answers with an
/// edXML Status message 01 about the document concerned.
pub async fn national(body: Bytes) -> Response {
    match national_reply(&body, Clock::now()) {
        Ok(xml) => ([(header::CONTENT_TYPE, "application/xml")], xml).into_response(),
        Err(why) => (StatusCode::BAD_REQUEST, why).into_response(),
    }
}

/// The agency's DMS: takes a local `document` or `status` and answers with a local `status`
/// 01 about the document concerned.
pub async fn agency_dms(body: Bytes) -> Response {
    match agency_reply(&body, Clock::now()) {
        Ok(reply) => (
            [(header::CONTENT_TYPE, "application/json")],
            reply.to_string(),
        )
            .into_response(),
        Err(why) => (StatusCode::BAD_REQUEST, why).into_response(),
    }
}

/// The document an acknowledgement is about: ResponseFor in edXML, `responds_to` locally.
struct DocumentRef {
    sender: String,
    code: String,
    issued_on: String,
    id: String,
}

fn national_reply(body: &[u8], clock: Clock) -> Result<String, String> {
    let text = std::str::from_utf8(body).map_err(|_| "the body is not UTF-8".to_owned())?;
    // No DTD is ever processed: roxmltree refuses one before reading on.
    let options = ParsingOptions {
        allow_dtd: false,
        ..ParsingOptions::default()
    };
    let xml = Document::parse_with_options(text, options)
        .map_err(|err| format!("the body is not well-formed XML: {err}"))?;
    let root = xml.root_element();
    if !is(root, "edXML") {
        return Err("the body is not an edXML package".to_owned());
    }
    let header = path(root, &["edXMLEnvelope", "edXMLHeader", "MessageHeader"])
        .ok_or("the edXML package has no MessageHeader")?;

    let is_status = child(header, "StatusCode").is_some();
    let reference = if is_status {
        child(header, "ResponseFor").and_then(|r| {
            Some(DocumentRef {
                sender: text_of(r, "OrganId")?,
                code: text_of(r, "Code")?,
                issued_on: text_of(r, "PromulgationDate")?,
                id: text_of(r, "DocumentId")?,
            })
        })
    } else {
        (|| {
            let code = child(header, "Code")?;
            Some(DocumentRef {
                sender: text_of(child(header, "From")?, "OrganId")?,
                code: format!(
                    "{}/{}",
                    text_of(code, "CodeNumber")?,
                    text_of(code, "CodeNotation")?
                ),
                issued_on: text_of(child(header, "PromulgationInfo")?, "PromulgationDate")?,
                id: text_of(header, "DocumentId")?,
            })
        })()
    };
    // A reference edXML would refuse is left out whole: an empty ResponseFor is valid.
    let reference = reference.filter(|r| is_organ_id(&r.sender) && is_national_date(&r.issued_on));

    let receiver = child(header, "To").and_then(|to| {
        let id = text_of(to, "OrganId").filter(|id| is_organ_id(id))?;
        Some((
            id,
            text_of(to, "OrganName")?,
            text_of(to, "OrganizationInCharge"),
        ))
    });
    let (id, name, in_charge) =
        receiver.unwrap_or_else(|| (EXCHANGE.0.to_owned(), EXCHANGE.1.to_owned(), None));
    let description = if is_status {
        "Đã đến: trục liên thông văn bản quốc gia đã nhận báo cáo trạng thái"
    } else {
        "Đã đến: trục liên thông văn bản quốc gia đã nhận văn bản điện tử"
    };

    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    out.push_str(&format!(
        "<edXML xmlns=\"{NS}\">\n  <edXMLEnvelope>\n    <edXMLHeader>\n"
    ));
    out.push_str("      <MessageHeader>\n        <From>\n");
    leaf(&mut out, 10, "OrganId", &id);
    if let Some(in_charge) = in_charge {
        leaf(&mut out, 10, "OrganizationInCharge", &in_charge);
    }
    leaf(&mut out, 10, "OrganName", &name);
    out.push_str("        </From>\n");
    match reference {
        Some(r) => {
            out.push_str("        <ResponseFor>\n");
            leaf(&mut out, 10, "OrganId", &r.sender);
            leaf(&mut out, 10, "Code", &r.code);
            leaf(&mut out, 10, "PromulgationDate", &r.issued_on);
            leaf(&mut out, 10, "DocumentId", &r.id);
            out.push_str("        </ResponseFor>\n");
        }
        None => out.push_str("        <ResponseFor/>\n"),
    }
    out.push_str("        <StaffInfo>\n");
    leaf(
        &mut out,
        10,
        "Department",
        "Trục liên thông văn bản quốc gia",
    );
    leaf(&mut out, 10, "Staff", "Hệ thống tiếp nhận tự động");
    out.push_str("        </StaffInfo>\n");
    leaf(&mut out, 8, "StatusCode", "01");
    leaf(&mut out, 8, "Description", description);
    leaf(&mut out, 8, "Timestamp", &clock.national());
    out.push_str("      </MessageHeader>\n    </edXMLHeader>\n  </edXMLEnvelope>\n</edXML>\n");
    Ok(out)
}

fn agency_reply(body: &[u8], clock: Clock) -> Result<Value, String> {
    let message: Value =
        serde_json::from_slice(body).map_err(|err| format!("the body is not JSON: {err}"))?;
    let field = |value: &Value, key: &str| -> Result<String, String> {
        value
            .get(key)
            .and_then(Value::as_str)
            .map(str::to_owned)
            .ok_or_else(|| format!("the message has no {key:?}"))
    };

    let (reference, receiver) =
        match message.get("kind").and_then(Value::as_str) {
            Some("document") => {
                let sender = message
                    .get("sender")
                    .ok_or("the document has no \"sender\"")?;
                let (number, notation) = (field(&message, "number")?, field(&message, "notation")?);
                let issued_on = field(&message, "issued_on")?;
                let sender = field(sender, "code")?;
                let id = match message.get("id").and_then(Value::as_str) {
                    Some(id) => id.to_owned(),
                    // The exchange's convention, as the adapter applies it too.
                    None => format!(
                        "{sender},{},{number}/{notation}",
                        national_date(&issued_on)?
                    ),
                };
                let reference = json!({
                    "id": id,
                    "code": format!("{number}/{notation}"),
                    "issued_on": issued_on,
                    "sender": sender,
                });
                let receiver = message.get("receivers").and_then(|r| r.get(0)).and_then(|r| {
                Some(json!({ "code": field(r, "code").ok()?, "name": field(r, "name").ok()? }))
            });
                (reference, receiver)
            }
            Some("status") => {
                let r = message
                    .get("responds_to")
                    .ok_or("the status has no \"responds_to\"")?;
                let reference = json!({
                    "id": field(r, "id")?,
                    "code": field(r, "code")?,
                    "issued_on": field(r, "issued_on")?,
                    "sender": field(r, "sender")?,
                });
                (reference, None)
            }
            _ => return Err("the message is neither a \"document\" nor a \"status\"".to_owned()),
        };

    let sender = receiver.unwrap_or_else(|| json!({ "code": AGENCY.0, "name": AGENCY.1 }));
    Ok(json!({
        "kind": "status",
        "sender": sender,
        "responds_to": reference,
        "staff": { "department": "Văn thư", "name": "Phần mềm quản lý văn bản" },
        "status_code": "01",
        "description": "Đã đến: phần mềm quản lý văn bản đã nhận, văn thư chưa xử lý",
        "timestamp": clock.local(),
    }))
}

fn is(node: Node<'_, '_>, name: &str) -> bool {
    node.is_element() && node.tag_name().name() == name && node.tag_name().namespace() == Some(NS)
}

fn child<'a, 'i>(node: Node<'a, 'i>, name: &str) -> Option<Node<'a, 'i>> {
    node.children().find(|n| is(*n, name))
}

fn path<'a, 'i>(node: Node<'a, 'i>, names: &[&str]) -> Option<Node<'a, 'i>> {
    names.iter().try_fold(node, |node, name| child(node, name))
}

/// The trimmed text of the child `name`, if it has any.
fn text_of(node: Node<'_, '_>, name: &str) -> Option<String> {
    let text = child(node, name)?.text()?.trim();
    (!text.is_empty()).then(|| text.to_owned())
}

/// The shape the standard's XSD gives organisation ids: dot-separated letters and digits,
/// with a digit somewhere.
fn is_organ_id(text: &str) -> bool {
    text.split('.')
        .all(|g| !g.is_empty() && g.bytes().all(|b| b.is_ascii_alphanumeric()))
        && text.bytes().any(|b| b.is_ascii_digit())
}

/// `yyyy/mm/dd`, by shape only.
fn is_national_date(text: &str) -> bool {
    let b = text.as_bytes();
    b.len() == 10
        && b[4] == b'/'
        && b[7] == b'/'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
}

/// `dd/mm/yyyy` turned into `yyyy/mm/dd`.
fn national_date(local: &str) -> Result<String, String> {
    let mut parts = local.split('/');
    match (parts.next(), parts.next(), parts.next(), parts.next()) {
        (Some(d), Some(m), Some(y), None) => Ok(format!("{y}/{m}/{d}")),
        _ => Err(format!("{local:?} is not a date written dd/mm/yyyy")),
    }
}

/// Appends `<name>text</name>` on its own line, with the text escaped.
fn leaf(out: &mut String, indent: usize, name: &str, text: &str) {
    out.push_str(&" ".repeat(indent));
    out.push_str(&format!("<{name}>"));
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
    out.push_str(&format!("</{name}>\n"));
}

/// A moment in Vietnam's local time, to the second.
#[derive(Clone, Copy)]
struct Clock {
    date: (u64, u64, u64),
    time: (u64, u64, u64),
}

impl Clock {
    fn now() -> Self {
        let since_epoch = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default();
        Self::from_unix(since_epoch.as_secs())
    }

    fn from_unix(seconds: u64) -> Self {
        let local = seconds + UTC_OFFSET_SECONDS;
        let (days, rest) = (local / 86_400, local % 86_400);
        Self {
            date: civil_from_days(days),
            time: (rest / 3600, rest % 3600 / 60, rest % 60),
        }
    }

    /// `yyyy/mm/dd HH:MM:SS`.
    fn national(&self) -> String {
        let ((y, mo, d), (h, mi, s)) = (self.date, self.time);
        format!("{y:04}/{mo:02}/{d:02} {h:02}:{mi:02}:{s:02}")
    }

    /// `dd/mm/yyyy HH:MM:SS`.
    fn local(&self) -> String {
        let ((y, mo, d), (h, mi, s)) = (self.date, self.time);
        format!("{d:02}/{mo:02}/{y:04} {h:02}:{mi:02}:{s:02}")
    }
}

/// The Gregorian date `days` after 1970-01-01 (Howard Hinnant's `civil_from_days`, for
/// dates after the epoch).
fn civil_from_days(days: u64) -> (u64, u64, u64) {
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + u64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOCUMENT: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<edXML xmlns="http://www.mic.gov.vn/TBT/QCVN_102_2016">
  <edXML:edXMLEnvelope xmlns:edXML="http://www.mic.gov.vn/TBT/QCVN_102_2016">
    <edXML:edXMLHeader>
      <edXML:MessageHeader>
        <edXML:From><edXML:OrganId>000.00.00.G22</edXML:OrganId>
          <edXML:OrganName>Văn phòng Chính phủ</edXML:OrganName></edXML:From>
        <edXML:To><edXML:OrganId>000.00.00.H41</edXML:OrganId>
          <edXML:OrganName>UBND Tỉnh Nghệ An</edXML:OrganName></edXML:To>
        <edXML:DocumentId>000.00.00.G22,2015/09/30,7816/VPCP-TTĐT</edXML:DocumentId>
        <edXML:Code><edXML:CodeNumber>7816</edXML:CodeNumber>
          <edXML:CodeNotation>VPCP-TTĐT</edXML:CodeNotation></edXML:Code>
        <edXML:PromulgationInfo><edXML:Place>Hà Nội</edXML:Place>
          <edXML:PromulgationDate>2015/09/30</edXML:PromulgationDate></edXML:PromulgationInfo>
      </edXML:MessageHeader>
    </edXML:edXMLHeader>
  </edXML:edXMLEnvelope>
</edXML>"#;

    fn clock() -> Clock {
        Clock::from_unix(1_700_000_000)
    }

    #[test]
    fn the_clock_keeps_vietnam_time() {
        assert_eq!(Clock::from_unix(0).national(), "1970/01/01 07:00:00");
        assert_eq!(clock().national(), "2023/11/15 05:13:20");
        assert_eq!(clock().local(), "15/11/2023 05:13:20");
        assert_eq!(
            Clock::from_unix(951_782_400).national(),
            "2000/02/29 07:00:00"
        );
    }

    #[test]
    fn the_exchange_acknowledges_a_document_to_its_sender() {
        let reply = national_reply(DOCUMENT.as_bytes(), clock()).expect("a reply");
        for part in [
            "<From>\n          <OrganId>000.00.00.H41</OrganId>",
            "<ResponseFor>\n          <OrganId>000.00.00.G22</OrganId>",
            "<Code>7816/VPCP-TTĐT</Code>",
            "<PromulgationDate>2015/09/30</PromulgationDate>",
            "<DocumentId>000.00.00.G22,2015/09/30,7816/VPCP-TTĐT</DocumentId>",
            "<StatusCode>01</StatusCode>",
            "<Timestamp>2023/11/15 05:13:20</Timestamp>",
        ] {
            assert!(reply.contains(part), "{part} missing from\n{reply}");
        }
    }

    #[test]
    fn the_exchange_acknowledges_a_status_about_the_same_document() {
        let status = national_reply(DOCUMENT.as_bytes(), clock()).expect("a reply");
        let reply = national_reply(status.as_bytes(), clock()).expect("a reply");
        assert!(reply.contains("<OrganId>000.00.00.G22</OrganId>\n          <OrganName>"));
        assert!(reply.contains("<DocumentId>000.00.00.G22,2015/09/30,7816/VPCP-TTĐT</DocumentId>"));
    }

    #[test]
    fn the_exchange_refuses_what_is_not_edxml() {
        for body in [
            "<edXML",
            "<Envelope/>",
            "<!DOCTYPE x [<!ENTITY a 'b'>]><edXML/>",
            "{}",
        ] {
            assert!(national_reply(body.as_bytes(), clock()).is_err(), "{body}");
        }
        assert!(national_reply(&[0xff, 0xfe], clock()).is_err());
    }

    #[tokio::test]
    async fn the_dms_acknowledges_a_document_from_its_first_receiver() {
        let document = json!({
            "kind": "document", "number": "7816", "notation": "VPCP-TTĐT",
            "issued_on": "30/09/2015", "sender": { "code": "000.00.00.G22" },
            "receivers": [{ "code": "000.00.00.H14", "name": "UBND Tỉnh Cao Bằng" }],
        });
        let response = agency_dms(Bytes::from(document.to_string())).await;
        assert_eq!(response.status(), StatusCode::OK);
        let body = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .expect("body");
        let reply: Value = serde_json::from_slice(&body).expect("JSON");
        assert_eq!(reply["status_code"], "01");
        assert_eq!(reply["sender"]["code"], "000.00.00.H14");
        assert_eq!(
            reply["responds_to"],
            json!({
                "id": "000.00.00.G22,2015/09/30,7816/VPCP-TTĐT", "code": "7816/VPCP-TTĐT",
                "issued_on": "30/09/2015", "sender": "000.00.00.G22",
            })
        );
    }

    #[test]
    fn the_dms_acknowledges_a_status_about_the_same_document() {
        let status = json!({
            "kind": "status",
            "responds_to": { "id": "X-1", "code": "1/A", "issued_on": "01/02/2020",
                             "sender": "000.00.00.G22" },
        });
        let reply = agency_reply(status.to_string().as_bytes(), clock()).expect("a reply");
        assert_eq!(reply["responds_to"], status["responds_to"]);
        assert_eq!(reply["sender"]["code"], AGENCY.0);
        assert_eq!(reply["timestamp"], "15/11/2023 05:13:20");
    }

    #[tokio::test]
    async fn the_dms_refuses_what_it_cannot_read() {
        for body in [
            "{",
            "[]",
            r#"{"kind":"memo"}"#,
            r#"{"kind":"document","number":"1"}"#,
        ] {
            let response = agency_dms(Bytes::from(body)).await;
            assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{body}");
        }
    }
}
