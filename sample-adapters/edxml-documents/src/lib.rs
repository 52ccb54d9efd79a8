//! The `edxml-documents` sample adapter: a document management system (DMS) whose local
//! form is JSON, and edXML (QCVN 102:2016/BTTTT) as the national form.
//!
//! Two kinds of message travel, told apart by `"kind"` locally and by the MessageHeader in
//! edXML: documents with their files, and Status messages about a document. Both phases of
//! an exchange use the same mapping, chosen by kind. The crate's README.md documents the
//! local JSON; `standards/edxml/` holds the XSD the hub validates the national form with.
//!
//! The mapping reads its input into one model (the `model` module) and writes the other form
//! from it, so that everything the writer needs is checked while reading, with every
//! violation reported at once. The adapter never panics on input and never expands a DTD.

use lgsp_guest::{Adapter, AdapterError, Context, Description, Host, Level, Message};

mod base64;
mod codes;
mod dates;
mod json;
mod local;
mod model;
mod national;
mod rules;
mod xml_writer;

#[cfg(not(target_arch = "wasm32"))]
mod canonical;

#[cfg(not(target_arch = "wasm32"))]
pub use canonical::xml_equivalent;

/// The one standard this adapter reads and writes.
pub const STANDARD: &str = "edxml@2016";

/// The media type of the local form.
pub const LOCAL_MEDIA_TYPE: &str = "application/json";

/// The media type of the national form.
pub const NATIONAL_MEDIA_TYPE: &str = "application/xml";

/// The adapter.
pub struct EdxmlDocuments;

impl Adapter for EdxmlDocuments {
    fn describe() -> Description {
        Description {
            name: "edxml-documents".to_owned(),
            version: env!("CARGO_PKG_VERSION").to_owned(),
            standards: vec![STANDARD.to_owned()],
            services: Vec::new(),
        }
    }

    fn to_national(host: &dyn Host, cx: &Context, msg: Message) -> Result<Message, AdapterError> {
        check_standard(cx)?;
        if msg.media_type() != LOCAL_MEDIA_TYPE {
            return Err(unsupported(&msg, LOCAL_MEDIA_TYPE));
        }
        let message = local::read(&msg.body)?;
        let body = national::write(&message);
        log(host, "local JSON translated to edXML", &message);
        Ok(Message::new(NATIONAL_MEDIA_TYPE, body))
    }

    fn to_local(host: &dyn Host, cx: &Context, msg: Message) -> Result<Message, AdapterError> {
        check_standard(cx)?;
        // Some senders still label XML text/xml; it is the same thing.
        if !matches!(msg.media_type().as_str(), NATIONAL_MEDIA_TYPE | "text/xml") {
            return Err(unsupported(&msg, NATIONAL_MEDIA_TYPE));
        }
        let message = national::read(msg.text()?)?;
        let body = local::write(&message)?;
        log(host, "edXML translated to local JSON", &message);
        Ok(Message::new(LOCAL_MEDIA_TYPE, body))
    }
}

lgsp_guest::export_adapter!(EdxmlDocuments);

fn check_standard(cx: &Context) -> Result<(), AdapterError> {
    if cx.standard == STANDARD {
        Ok(())
    } else {
        Err(AdapterError::Unsupported(format!(
            "this adapter speaks {STANDARD}, not {:?}",
            cx.standard
        )))
    }
}

fn unsupported(msg: &Message, expected: &str) -> AdapterError {
    AdapterError::Unsupported(format!(
        "content type {:?} is not handled here: expected {expected}",
        msg.content_type
    ))
}

/// One debug line per translation: the kind and the number of files, never the content.
fn log(host: &dyn Host, what: &str, message: &model::Message) {
    let (kind, files) = match message {
        model::Message::Document(doc) => ("document", doc.attachments.len()),
        model::Message::Status(_) => ("status", 0),
    };
    let files = files.to_string();
    host.log(
        Level::Debug,
        what,
        &[("kind", kind), ("attachments", &files)],
    );
}

#[cfg(test)]
mod tests {
    use lgsp_guest::testing::{MockHost, context};
    use lgsp_guest::{Adapter, AdapterError, Level, Message, Phase};

    use super::EdxmlDocuments;

    const STATUS: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<edXML xmlns="http://www.mic.gov.vn/TBT/QCVN_102_2016">
  <edXMLEnvelope><edXMLHeader><MessageHeader>
    <From><OrganName>UBND Tỉnh Nghệ An</OrganName><OrganId>000.00.00.H41</OrganId></From>
    <ResponseFor>
      <OrganId>000.00.00.G22</OrganId><Code>7816/VPCP-TTĐT</Code>
      <PromulgationDate>2015/09/30</PromulgationDate><DocumentId>X-1</DocumentId>
    </ResponseFor>
    <StaffInfo><Staff>Nguyễn Văn A</Staff><Department>Văn thư</Department></StaffInfo>
    <StatusCode>03</StatusCode>
    <Description>Đã tiếp nhận &amp; vào sổ</Description>
    <Timestamp>2015/09/20 11:08:36</Timestamp>
  </MessageHeader></edXMLHeader></edXMLEnvelope>
</edXML>"#;

    fn to_local(content_type: &str, body: &str) -> Result<Message, AdapterError> {
        let cx = context("documents.status", "edxml@2016", Phase::Reply);
        EdxmlDocuments::to_local(&MockHost::new(), &cx, Message::new(content_type, body))
    }

    fn to_national(body: &str) -> Result<Message, AdapterError> {
        let cx = context("documents.send", "edxml@2016", Phase::Request);
        EdxmlDocuments::to_national(
            &MockHost::new(),
            &cx,
            Message::new("application/json", body),
        )
    }

    fn codes(result: Result<Message, AdapterError>) -> Vec<(String, String)> {
        match result {
            Err(AdapterError::Rejected(vs)) => vs.into_iter().map(|v| (v.path, v.code)).collect(),
            other => panic!("expected a rejection, got {other:?}"),
        }
    }

    fn json(msg: &Message) -> serde_json::Value {
        serde_json::from_slice(&msg.body).expect("JSON")
    }

    #[test]
    fn describes_itself() {
        let d = EdxmlDocuments::describe();
        assert_eq!(d.name, "edxml-documents");
        assert_eq!(d.version, env!("CARGO_PKG_VERSION"));
        assert_eq!(d.standards, ["edxml@2016"]);
        assert!(d.services.is_empty());
    }

    #[test]
    fn any_prefix_and_child_order_of_the_exchange_is_read() {
        let out = to_local("text/xml; charset=utf-8", STATUS).expect("a valid status");
        assert_eq!(out.content_type, "application/json");
        let local = json(&out);
        assert_eq!(local["kind"], "status");
        assert_eq!(local["sender"]["code"], "000.00.00.H41");
        assert_eq!(local["staff"]["department"], "Văn thư");
        assert_eq!(local["description"], "Đã tiếp nhận & vào sổ");
        assert_eq!(local["responds_to"]["issued_on"], "30/09/2015");
    }

    #[test]
    fn other_content_types_and_standards_are_unsupported() {
        assert!(matches!(
            to_local("text/csv", STATUS),
            Err(AdapterError::Unsupported(_))
        ));
        let cx = context("documents.send", "edxml@2020", Phase::Request);
        let msg = Message::new("application/xml", STATUS);
        let result = EdxmlDocuments::to_local(&MockHost::new(), &cx, msg);
        assert!(matches!(result, Err(AdapterError::Unsupported(_))));
        let msg = Message::new("application/xml", "{}");
        let cx = context("documents.send", "edxml@2016", Phase::Request);
        let result = EdxmlDocuments::to_national(&MockHost::new(), &cx, msg);
        assert!(matches!(result, Err(AdapterError::Unsupported(_))));
    }

    #[test]
    fn a_doctype_is_refused_not_expanded() {
        let body =
            "<?xml version=\"1.0\"?>\n<!DOCTYPE edXML SYSTEM \"file:///etc/passwd\">\n<edXML/>";
        assert_eq!(
            codes(to_local("application/xml", body)),
            [("line 1, column 1".into(), "doctype".into())]
        );
    }

    #[test]
    fn foreign_roots_namespaces_and_bytes_are_refused() {
        let cases = [
            ("<Envelope/>", "unexpected"),
            ("<edXML/>", "namespace"),
            ("<edXML xmlns=\"urn:other\"/>", "namespace"),
            ("<edXML", "malformed"),
            ("", "malformed"),
        ];
        for (body, code) in cases {
            let got = codes(to_local("application/xml", body));
            assert_eq!(got.len(), 1, "{body}");
            assert_eq!(got[0].1, code, "{body}");
        }
        let cx = context("documents.send", "edxml@2016", Phase::Request);
        let msg = Message::new("application/xml", vec![0xff, 0xfe, b'<']);
        let result = EdxmlDocuments::to_local(&MockHost::new(), &cx, msg);
        assert_eq!(codes(result)[0].1, "encoding");
    }

    #[test]
    fn an_empty_response_for_in_a_document_means_none() {
        let body =
            include_str!("../fixtures/to-local/852e179c-8eca-4502-ac38-0b97321f29c3.input.edxml");
        let local = json(&to_local("application/xml", body).expect("valid"));
        assert!(local.get("responds_to").is_none());
    }

    #[test]
    fn a_status_must_say_which_document_it_reports_on() {
        let start = STATUS.find("<ResponseFor>").expect("in the sample");
        let end = STATUS.find("<StaffInfo>").expect("in the sample");
        let body = STATUS.replace(&STATUS[start..end], "<ResponseFor/>");
        let got = codes(to_local("application/xml", &body));
        let base = "/edXML/edXMLEnvelope/edXMLHeader/MessageHeader/ResponseFor";
        let paths: Vec<&str> = got.iter().map(|(p, _)| p.as_str()).collect();
        assert_eq!(
            paths,
            [
                format!("{base}/OrganId"),
                format!("{base}/Code"),
                format!("{base}/PromulgationDate"),
                format!("{base}/DocumentId"),
            ]
        );
    }

    #[test]
    fn a_document_without_id_or_content_ids_gets_stable_ones() {
        let body = include_str!("../fixtures/to-national/document-minimal.input.json");
        let first = to_national(body).expect("valid");
        let second = to_national(body).expect("valid");
        assert_eq!(first.body, second.body);
        let xml = String::from_utf8(first.body).expect("UTF-8");
        assert!(
            xml.contains(
                "<edXML:DocumentId>000.00.00.H41,2025/10/16,125/UBND-VP</edXML:DocumentId>"
            )
        );
        assert!(xml.contains("<ContentId>cid:attachment-1</ContentId>"));
    }

    #[test]
    fn control_characters_and_markup_in_local_text() {
        let body = include_str!("../fixtures/to-national/document-minimal.input.json");
        let mut doc: serde_json::Value = serde_json::from_str(body).expect("JSON");
        doc["subject"] = "a <b> & \"c\"".into();
        let xml = to_national(&doc.to_string()).expect("markup is escaped, not refused");
        let xml = String::from_utf8(xml.body).expect("UTF-8");
        assert!(xml.contains("<edXML:Subject>a &lt;b&gt; &amp; \"c\"</edXML:Subject>"));

        doc["subject"] = "bell \u{7}".into();
        assert_eq!(
            codes(to_national(&doc.to_string())),
            [("/subject".into(), "format".into())]
        );
    }

    #[test]
    fn logs_one_debug_line_without_content() {
        let host = MockHost::new();
        let cx = context("documents.status", "edxml@2016", Phase::Reply);
        EdxmlDocuments::to_local(&host, &cx, Message::new("application/xml", STATUS)).expect("ok");
        let logs = host.logs();
        assert_eq!(logs.len(), 1);
        assert!(matches!(logs[0].0, Level::Debug));
        assert!(!logs[0].1.contains("Nghệ An"));
    }

    #[test]
    fn truncated_input_never_panics() {
        // Truncations and byte flips of a real package: each must end in Ok or a rejection.
        let body = include_str!("../fixtures/to-local/edoc_update.input.edxml");
        let head = &body.as_bytes()[..8000];
        for cut in (0..head.len()).step_by(97) {
            let cx = context("documents.send", "edxml@2016", Phase::Request);
            let msg = Message::new("application/xml", head[..cut].to_vec());
            let _ = EdxmlDocuments::to_local(&MockHost::new(), &cx, msg);
            let _ = to_national(&String::from_utf8_lossy(&head[..cut]));
        }
    }
}
