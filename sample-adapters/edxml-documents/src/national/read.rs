//! Reading an edXML package (a document or a Status message) into the model.
//!
//! The hub validates the package against the XSD as well; this reader checks what the local
//! form depends on, in the same terms, and refuses to lose content silently: an element in the
//! envelope or body that edXML does not define, or a file whose manifest entry and encoded
//! bytes do not match up, is a violation rather than something dropped.

use lgsp_guest::{AdapterError, Violation, Violations};
use roxmltree::{Document as XmlDocument, Error as XmlError, ParsingOptions};

use super::NS;
use super::element::El;
use crate::codes::{BusinessAction, Priority, ReceiverChange, StatusCode, Steering};
use crate::model::{
    Attachment, Business, Document, DocumentRef, DocumentType, Message, Organisation,
    ReceiverUpdate, Replacement, Signer, Staff, Status, Trace, UpdateInfo,
};
use crate::{base64, rules};

/// The largest code XSD `Number` allows: nine digits.
const MAX_SMALL_CODE: u64 = 999_999_999;

/// Reads one edXML package.
pub fn read(text: &str) -> Result<Message, AdapterError> {
    // A DTD is refused outright, never expanded: roxmltree reports it before reading on.
    let options = ParsingOptions {
        allow_dtd: false,
        ..ParsingOptions::default()
    };
    let xml = XmlDocument::parse_with_options(text, options).map_err(|err| {
        let pos = err.pos();
        let (code, message) = match err {
            XmlError::DtdDetected => ("doctype", "a DOCTYPE is not allowed in edXML".to_owned()),
            other => (
                "malformed",
                format!("the body is not well-formed XML: {other}"),
            ),
        };
        let path = format!("line {}, column {}", pos.row, pos.col);
        AdapterError::Rejected(vec![Violation::new(path, code, message)])
    })?;

    let mut v = Violations::new();
    let root = El::root(xml.root_element());
    let tag = xml.root_element().tag_name();
    if tag.name() != "edXML" {
        let msg = format!("the root element is {}, not edXML", tag.name());
        v.push(root.path(), "unexpected", msg);
        return Err(v.into());
    }
    if tag.namespace() != Some(NS) {
        v.push(
            root.path(),
            "namespace",
            format!("edXML must be in the namespace {NS}"),
        );
        return Err(v.into());
    }

    only(&root, &["edXMLEnvelope", "AttachmentEncoded"], &mut v);
    let envelope = root.require("edXMLEnvelope", &mut v);
    let header = envelope.as_ref().and_then(|e| {
        only(e, &["edXMLHeader", "edXMLBody"], &mut v);
        e.require("edXMLHeader", &mut v)
    });
    let message_header = header
        .as_ref()
        .and_then(|h| h.require("MessageHeader", &mut v));
    let Some(mh) = message_header else {
        return Err(v.into());
    };

    let message = if mh.child("StatusCode").is_some() {
        read_status(&mh, &mut v).map(|s| Message::Status(Box::new(s)))
    } else {
        let body = envelope.as_ref().and_then(|e| e.child("edXMLBody"));
        read_document(&root, header.as_ref(), &mh, body.as_ref(), &mut v)
            .map(|d| Message::Document(Box::new(d)))
    };
    match message {
        Some(message) if v.is_empty() => Ok(message),
        _ => Err(v.into()),
    }
}

/// Reports child elements outside `known`, whose content the local form would lose.
fn only(el: &El<'_, '_>, known: &[&str], v: &mut Violations) {
    for (ns, name) in el.child_names() {
        if ns != Some(NS) || !known.contains(&name) {
            let msg = format!("{name} is not part of edXML here; its content would be lost");
            v.push(el.at(name), "unexpected", msg);
        }
    }
}

fn read_document(
    root: &El<'_, '_>,
    header: Option<&El<'_, '_>>,
    mh: &El<'_, '_>,
    body: Option<&El<'_, '_>>,
    v: &mut Violations,
) -> Option<Document> {
    let sender = mh.require("From", v).and_then(|f| read_organisation(&f, v));
    let receivers = read_receivers(mh, v);
    let id = mh.text("DocumentId", v);
    let code = mh.require("Code", v);
    let number = code.as_ref().and_then(|c| c.text("CodeNumber", v));
    let notation = code.as_ref().and_then(|c| c.text("CodeNotation", v));
    let promulgation = mh.require("PromulgationInfo", v);
    let place = promulgation.as_ref().and_then(|p| p.text("Place", v));
    let issued_on = promulgation
        .as_ref()
        .and_then(|p| p.date("PromulgationDate", v));
    let doc_type = mh.require("DocumentType", v).and_then(|t| read_type(&t, v));
    let subject = mh.text("Subject", v);
    let summary = mh.opt_text("Content");
    let signer = mh.require("SignerInfo", v).and_then(|s| read_signer(&s, v));
    let due_on = mh.opt_date("DueDate", v);
    let other = mh.child("OtherInfo");
    let priority = other
        .as_ref()
        .and_then(|o| o.code("Priority", Priority::national_list(), v));
    let responds_to = match mh.child("ResponseFor") {
        Some(r) if r.has_children() => read_ref(&r, v),
        _ => None,
    };
    let steering = mh.opt_code("SteeringType", Steering::national_list(), v);
    let copy_to = mh
        .child("ToPlaces")
        .map(|p| p.texts("Place"))
        .unwrap_or_default();
    let traces = header.and_then(|h| h.child("TraceHeaderList"));
    let trace = traces
        .as_ref()
        .map(|t| read_trace(t, v))
        .unwrap_or_default();
    let business = traces
        .as_ref()
        .and_then(|t| t.child("Bussiness"))
        .and_then(|b| read_business(&b, v));
    let attachments = read_attachments(root, body, v);
    let circulation = other
        .as_ref()
        .and_then(|o| o.opt_text("SphereOfPromulgation"));
    let drafter = other.as_ref().and_then(|o| o.opt_text("TyperNotation"));
    let copies = other
        .as_ref()
        .and_then(|o| o.opt_number("PromulgationAmount", u64::MAX, v));
    let pages = other
        .as_ref()
        .and_then(|o| o.opt_number("PageAmount", u64::MAX, v));
    let direction = other.as_ref().and_then(|o| o.opt_bool("Direction", v));
    let appendixes = other
        .as_ref()
        .and_then(|o| o.child("Appendixes"))
        .map(|a| a.texts("Appendix"))
        .unwrap_or_default();

    Some(Document {
        id: id?,
        number: number?,
        notation: notation?,
        issued_on: issued_on?,
        place: place?,
        doc_type: doc_type?,
        subject: subject?,
        summary,
        signer: signer?,
        due_on,
        priority,
        sender: sender?,
        receivers: receivers?,
        copy_to,
        circulation,
        drafter,
        copies,
        pages,
        direction,
        appendixes,
        responds_to,
        steering,
        business,
        trace,
        attachments: attachments?,
    })
}

fn read_organisation(el: &El<'_, '_>, v: &mut Violations) -> Option<Organisation> {
    let code = el.organ_id("OrganId", v);
    let name = el.text("OrganName", v);
    Some(Organisation {
        code: code?,
        name: name?,
        in_charge: el.opt_text("OrganizationInCharge"),
        address: el.opt_text("OrganAdd"),
        email: el.opt_text("Email"),
        phone: el.opt_text("Telephone"),
        fax: el.opt_text("Fax"),
        website: el.opt_text("Website"),
    })
}

fn read_receivers(mh: &El<'_, '_>, v: &mut Violations) -> Option<Vec<Organisation>> {
    let tos = mh.children("To");
    if tos.is_empty() {
        v.push(
            mh.at("To"),
            "required",
            "a document needs at least one receiver (To)",
        );
        return None;
    }
    let mut receivers: Vec<Organisation> = Vec::new();
    let mut complete = true;
    for to in &tos {
        match read_organisation(to, v) {
            Some(r) if receivers.iter().any(|seen| seen.code == r.code) => {
                let msg = format!("{:?} is already a receiver", r.code);
                v.push(to.at("OrganId"), "duplicate", msg);
                complete = false;
            }
            Some(r) => receivers.push(r),
            None => complete = false,
        }
    }
    complete.then_some(receivers)
}

fn read_type(el: &El<'_, '_>, v: &mut Violations) -> Option<DocumentType> {
    let code = el.number("Type", MAX_SMALL_CODE, v);
    let detail = el.opt_number("TypeDetail", MAX_SMALL_CODE, v);
    let name = el.text("TypeName", v);
    Some(DocumentType {
        code: u32::try_from(code?).ok()?,
        detail: detail.and_then(|d| u32::try_from(d).ok()),
        name: name?,
    })
}

fn read_signer(el: &El<'_, '_>, v: &mut Violations) -> Option<Signer> {
    Some(Signer {
        name: el.text("FullName", v)?,
        position: el.opt_text("Position"),
        competence: el.opt_text("Competence"),
    })
}

fn read_ref(el: &El<'_, '_>, v: &mut Violations) -> Option<DocumentRef> {
    let sender = el.organ_id("OrganId", v);
    let code = el.text("Code", v);
    let issued_on = el.date("PromulgationDate", v);
    let id = el.text("DocumentId", v);
    Some(DocumentRef {
        id: id?,
        code: code?,
        issued_on: issued_on?,
        sender: sender?,
    })
}

fn read_staff(el: &El<'_, '_>, v: &mut Violations) -> Option<Staff> {
    let department = el.text("Department", v);
    let name = el.text("Staff", v);
    Some(Staff {
        department: department?,
        name: name?,
        mobile: el.opt_text("Mobile"),
        email: el.opt_text("Email"),
    })
}

fn read_trace(list: &El<'_, '_>, v: &mut Violations) -> Vec<Trace> {
    list.children("TraceHeader")
        .iter()
        .filter_map(|t| {
            let agency = t.opt_organ_id("OrganId", v);
            let timestamp = t.timestamp("Timestamp", v)?;
            Some(Trace { agency, timestamp })
        })
        .collect()
}

fn read_business(el: &El<'_, '_>, v: &mut Violations) -> Option<Business> {
    let action = el.code("BussinessDocType", BusinessAction::national_list(), v);
    let update = el.child("BussinessDocumentInfo").and_then(|info| {
        let document_info = info.number("DocumentInfo", MAX_SMALL_CODE, v);
        let document_receiver = info.number("DocumentReceiver", MAX_SMALL_CODE, v);
        let receivers = info
            .child("ReceiverList")
            .map(|list| list.children("Receiver"))
            .unwrap_or_default()
            .iter()
            .filter_map(|r| {
                let code = r.organ_id("OrganId", v);
                let change = r.code("ReceiverType", ReceiverChange::national_list(), v);
                Some(ReceiverUpdate {
                    code: code?,
                    change: change?,
                })
            })
            .collect();
        Some(UpdateInfo {
            document_info: u32::try_from(document_info?).ok()?,
            document_receiver: u32::try_from(document_receiver?).ok()?,
            receivers,
        })
    });
    let replaces = el
        .child("ReplacementInfoList")
        .map(|list| list.children("ReplacementInfo"))
        .unwrap_or_default()
        .iter()
        .filter_map(|r| {
            let document_id = r.text("DocumentId", v);
            let agencies = r.require("OrganIdList", v).map(|list| {
                let mut codes = Vec::new();
                for id in list.children("OrganId") {
                    match id.own_text() {
                        Some(code) if rules::is_organ_id(&code) => codes.push(code),
                        Some(code) => {
                            let msg = format!("{code:?} is not an organisation id");
                            v.push(id.path(), "format", msg);
                        }
                        None => v.push(id.path(), "required", "OrganId must not be blank"),
                    }
                }
                codes
            });
            Some(Replacement {
                document_id: document_id?,
                agencies: agencies?,
            })
        })
        .collect();
    let paper = el.opt_number("Paper", u64::MAX, v);
    let staff = el.child("StaffInfo").and_then(|s| read_staff(&s, v));
    Some(Business {
        action: action?,
        document_id: el.opt_text("DocumentId"),
        reason: el.opt_text("BussinessDocReason"),
        paper,
        update,
        replaces,
        staff,
    })
}

/// Joins the manifest's entries with the encoded files by ContentId.
fn read_attachments(
    root: &El<'_, '_>,
    body: Option<&El<'_, '_>>,
    v: &mut Violations,
) -> Option<Vec<Attachment>> {
    if let Some(body) = body {
        only(body, &["edXMLManifest"], v);
    }
    let references = body
        .and_then(|b| b.child("edXMLManifest"))
        .map(|m| m.children("Reference"))
        .unwrap_or_default();
    let encoded = root
        .child("AttachmentEncoded")
        .map(|a| a.children("Attachment"))
        .unwrap_or_default();
    let encoded_ids: Vec<Option<String>> =
        encoded.iter().map(|e| e.opt_text("ContentId")).collect();

    let before = v.as_slice().len();
    let mut attachments: Vec<Attachment> = Vec::new();
    for reference in &references {
        let content_id = reference.text("ContentId", v);
        let content_type = reference.text("ContentType", v);
        let name = reference.text("AttachmentName", v);
        let (Some(content_id), Some(content_type), Some(name)) = (content_id, content_type, name)
        else {
            continue;
        };
        if !rules::is_content_id(&content_id) {
            let msg = format!("{content_id:?} is not a content id (cid:...)");
            v.push(reference.at("ContentId"), "format", msg);
        }
        if !rules::is_media_type(&content_type) {
            let msg = format!("{content_type:?} is not a media type such as application/pdf");
            v.push(reference.at("ContentType"), "format", msg);
        }
        if attachments.iter().any(|a| a.content_id == content_id) {
            let msg = format!("{content_id:?} is listed twice");
            v.push(reference.at("ContentId"), "duplicate", msg);
            continue;
        }
        let Some(i) = encoded_ids
            .iter()
            .position(|id| id.as_deref() == Some(&content_id))
        else {
            let msg = "no Attachment in AttachmentEncoded carries this ContentId";
            v.push(reference.at("ContentId"), "unmatched", msg);
            continue;
        };
        let file = &encoded[i];
        let transfer_type = file.text("ContentType", v);
        if let Some(t) = transfer_type
            .as_deref()
            .filter(|t| !rules::is_media_type(t))
        {
            let msg = format!("{t:?} is not a media type such as application/zip");
            v.push(file.at("ContentType"), "format", msg);
        }
        let Some(content) = file.text("ContentTransferEncoded", v) else {
            continue;
        };
        let Some(bytes) = base64::decode(&content) else {
            v.push(
                file.at("ContentTransferEncoded"),
                "encoding",
                "is not valid base64",
            );
            continue;
        };
        attachments.push(Attachment {
            transfer_content_type: transfer_type.filter(|t| *t != content_type),
            content_id,
            name,
            description: reference
                .opt_text("Description")
                .or_else(|| file.opt_text("Description")),
            content_type,
            content: bytes,
        });
    }

    for (file, id) in encoded.iter().zip(&encoded_ids) {
        match id {
            None => {
                v.push(file.at("ContentId"), "required", "ContentId is required");
            }
            Some(id)
                if !references
                    .iter()
                    .any(|r| r.opt_text("ContentId").as_ref() == Some(id)) =>
            {
                let msg = format!("{id:?} is not listed in the edXMLManifest");
                v.push(file.at("ContentId"), "unmatched", msg);
            }
            Some(_) => {}
        }
    }
    (v.as_slice().len() == before).then_some(attachments)
}

fn read_status(mh: &El<'_, '_>, v: &mut Violations) -> Option<Status> {
    let sender = mh.require("From", v).and_then(|f| read_organisation(&f, v));
    let responds_to = mh.require("ResponseFor", v).and_then(|r| read_ref(&r, v));
    let staff = mh.require("StaffInfo", v).and_then(|s| read_staff(&s, v));
    let status_code = mh.code("StatusCode", StatusCode::national_list(), v);
    let description = mh.text("Description", v);
    let timestamp = mh.timestamp("Timestamp", v);
    Some(Status {
        sender: sender?,
        responds_to: responds_to?,
        staff: staff?,
        status_code: status_code?,
        description: description?,
        timestamp: timestamp?,
    })
}
