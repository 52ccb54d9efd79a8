//! The document management system's JSON: reading it into the model, and writing it out.
//!
//! Reading checks everything the national form will need, so that `to_national` never
//! writes edXML that the hub would refuse: required fields, dates, agency codes, code words,
//! base64 and duplicates. Every problem is reported with its JSON pointer. Writing is plain
//! serde over the model, whose field names are the format (README.md).

use lgsp_guest::{AdapterError, Violation, Violations};
use serde_json::Value;

use crate::codes::{BusinessAction, Priority, ReceiverChange, StatusCode, Steering};
use crate::json::{Obj, object};
use crate::model::{
    Attachment, Business, Document, DocumentRef, DocumentType, Message, Organisation,
    ReceiverUpdate, Replacement, Signer, Staff, Status, Trace, UpdateInfo,
};
use crate::{base64, rules};

/// The largest code XSD `Number` allows: nine digits.
const MAX_SMALL_CODE: u64 = 999_999_999;

/// Reads one local message.
pub fn read(body: &[u8]) -> Result<Message, AdapterError> {
    let value: Value = serde_json::from_slice(body).map_err(|err| {
        AdapterError::Rejected(vec![Violation::new(
            format!("line {}, column {}", err.line(), err.column()),
            "malformed",
            format!("the body is not valid JSON: {err}"),
        )])
    })?;

    let mut v = Violations::new();
    let Some(root) = object(&value, "", &mut v) else {
        return Err(v.into());
    };
    let message = match root.text("kind", &mut v).as_deref() {
        Some("document") => read_document(&root, &mut v).map(|d| Message::Document(Box::new(d))),
        Some("status") => read_status(&root, &mut v).map(|s| Message::Status(Box::new(s))),
        Some(other) => {
            let msg = format!("{other:?} is not a kind of message: use document or status");
            v.push(root.at("kind"), "unknown-code", msg);
            None
        }
        None => None,
    };
    match message {
        Some(message) if v.is_empty() => Ok(message),
        _ => Err(v.into()),
    }
}

/// Writes one local message, pretty-printed.
pub fn write(message: &Message) -> Result<Vec<u8>, AdapterError> {
    let mut body = serde_json::to_vec_pretty(message)
        .map_err(|err| AdapterError::Internal(format!("failed to write local JSON: {err}")))?;
    body.push(b'\n');
    Ok(body)
}

fn read_document(o: &Obj<'_>, v: &mut Violations) -> Option<Document> {
    o.only(
        &[
            "kind",
            "id",
            "number",
            "notation",
            "issued_on",
            "place",
            "type",
            "subject",
            "summary",
            "signer",
            "due_on",
            "priority",
            "sender",
            "receivers",
            "copy_to",
            "circulation",
            "drafter",
            "copies",
            "pages",
            "direction",
            "appendixes",
            "responds_to",
            "steering",
            "business",
            "trace",
            "attachments",
        ],
        v,
    );

    let id = o.opt_text("id", v);
    let number = o.text("number", v);
    let notation = o.text("notation", v);
    let issued_on = o.date("issued_on", v);
    let place = o.text("place", v);
    let doc_type = o.object("type", v).and_then(|t| read_type(&t, v));
    let subject = o.text("subject", v);
    let summary = o.opt_text("summary", v);
    let signer = o.object("signer", v).and_then(|s| read_signer(&s, v));
    let due_on = o.opt_date("due_on", v);
    let priority = o.opt_code("priority", Priority::local_list(), v);
    let sender = o.object("sender", v).and_then(|s| read_organisation(&s, v));
    let receivers = read_receivers(o, v);
    let copy_to = o.texts("copy_to", v);
    let circulation = o.opt_text("circulation", v);
    let drafter = o.opt_text("drafter", v);
    let copies = o.opt_number("copies", u64::MAX, v);
    let pages = o.opt_number("pages", u64::MAX, v);
    let direction = o.opt_bool("direction", v);
    let appendixes = o.texts("appendixes", v);
    let responds_to = o.opt_object("responds_to", v).and_then(|r| read_ref(&r, v));
    let steering = o.opt_code("steering", Steering::local_list(), v);
    let business = o
        .opt_object("business", v)
        .and_then(|b| read_business(&b, v));
    let trace = read_trace(o, v);
    let attachments = read_attachments(o, v);
    if business.is_some() && !o.is_given("trace") {
        let msg = "a document with a business block needs at least one trace entry: \
                   edXML keeps both in its TraceHeaderList";
        v.push(o.at("trace"), "required", msg);
    }

    let (number, notation, issued_on, sender) = (number?, notation?, issued_on?, sender?);
    // The exchange's own convention for a document id, when the system keeps none:
    // sender, date of promulgation, số/ký hiệu.
    let id = id.unwrap_or_else(|| format!("{},{issued_on},{number}/{notation}", sender.code));
    Some(Document {
        id,
        number,
        notation,
        issued_on,
        place: place?,
        doc_type: doc_type?,
        subject: subject?,
        summary,
        signer: signer?,
        due_on,
        priority,
        sender,
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

fn read_type(o: &Obj<'_>, v: &mut Violations) -> Option<DocumentType> {
    o.only(&["code", "detail", "name"], v);
    let code = o.number("code", MAX_SMALL_CODE, v);
    let detail = o.opt_number("detail", MAX_SMALL_CODE, v);
    let name = o.text("name", v);
    Some(DocumentType {
        code: u32::try_from(code?).ok()?,
        detail: detail.and_then(|d| u32::try_from(d).ok()),
        name: name?,
    })
}

fn read_signer(o: &Obj<'_>, v: &mut Violations) -> Option<Signer> {
    o.only(&["name", "position", "competence"], v);
    let name = o.text("name", v);
    let position = o.opt_text("position", v);
    let competence = o.opt_text("competence", v);
    Some(Signer {
        name: name?,
        position,
        competence,
    })
}

fn read_organisation(o: &Obj<'_>, v: &mut Violations) -> Option<Organisation> {
    o.only(
        &[
            "code",
            "name",
            "in_charge",
            "address",
            "email",
            "phone",
            "fax",
            "website",
        ],
        v,
    );
    let code = o.organ_id("code", v);
    let name = o.text("name", v);
    let in_charge = o.opt_text("in_charge", v);
    let address = o.opt_text("address", v);
    let email = o.opt_text("email", v);
    let phone = o.opt_text("phone", v);
    let fax = o.opt_text("fax", v);
    let website = o.opt_text("website", v);
    Some(Organisation {
        code: code?,
        name: name?,
        in_charge,
        address,
        email,
        phone,
        fax,
        website,
    })
}

fn read_receivers(o: &Obj<'_>, v: &mut Violations) -> Option<Vec<Organisation>> {
    let items = o.array("receivers", v);
    if items.is_empty() {
        v.push(
            o.at("receivers"),
            "required",
            "at least one receiver is required",
        );
        return None;
    }
    let mut receivers = Vec::new();
    let mut complete = true;
    for (path, item) in items {
        let receiver = object(item, &path, v).and_then(|r| read_organisation(&r, v));
        match receiver {
            Some(r)
                if receivers
                    .iter()
                    .any(|seen: &Organisation| seen.code == r.code) =>
            {
                let msg = format!("{:?} is already a receiver", r.code);
                v.push(format!("{path}/code"), "duplicate", msg);
                complete = false;
            }
            Some(r) => receivers.push(r),
            None => complete = false,
        }
    }
    complete.then_some(receivers)
}

fn read_ref(o: &Obj<'_>, v: &mut Violations) -> Option<DocumentRef> {
    o.only(&["id", "code", "issued_on", "sender"], v);
    let id = o.text("id", v);
    let code = o.text("code", v);
    let issued_on = o.date("issued_on", v);
    let sender = o.organ_id("sender", v);
    Some(DocumentRef {
        id: id?,
        code: code?,
        issued_on: issued_on?,
        sender: sender?,
    })
}

fn read_staff(o: &Obj<'_>, v: &mut Violations) -> Option<Staff> {
    o.only(&["department", "name", "mobile", "email"], v);
    let department = o.text("department", v);
    let name = o.text("name", v);
    let mobile = o.opt_text("mobile", v);
    let email = o.opt_text("email", v);
    Some(Staff {
        department: department?,
        name: name?,
        mobile,
        email,
    })
}

fn read_business(o: &Obj<'_>, v: &mut Violations) -> Option<Business> {
    o.only(
        &[
            "action",
            "document_id",
            "reason",
            "paper",
            "update",
            "replaces",
            "staff",
        ],
        v,
    );
    let action = o.code("action", BusinessAction::local_list(), v);
    let document_id = o.opt_text("document_id", v);
    let reason = o.opt_text("reason", v);
    let paper = o.opt_number("paper", u64::MAX, v);
    let update = match o.opt_object("update", v) {
        None => Some(None),
        Some(u) => read_update(&u, v).map(Some),
    };
    let mut replaces = Vec::new();
    for (path, item) in o.array("replaces", v) {
        let Some(r) = object(item, &path, v) else {
            continue;
        };
        r.only(&["document_id", "agencies"], v);
        let document_id = r.text("document_id", v);
        let agencies = read_agency_list(&r, "agencies", v);
        if let (Some(document_id), Some(agencies)) = (document_id, agencies) {
            replaces.push(Replacement {
                document_id,
                agencies,
            });
        }
    }
    let staff = o.opt_object("staff", v).and_then(|s| read_staff(&s, v));
    Some(Business {
        action: action?,
        document_id,
        reason,
        paper,
        update: update?,
        replaces,
        staff,
    })
}

fn read_update(o: &Obj<'_>, v: &mut Violations) -> Option<UpdateInfo> {
    o.only(&["document_info", "document_receiver", "receivers"], v);
    let document_info = o.number("document_info", MAX_SMALL_CODE, v);
    let document_receiver = o.number("document_receiver", MAX_SMALL_CODE, v);
    let mut receivers = Vec::new();
    for (path, item) in o.array("receivers", v) {
        let Some(r) = object(item, &path, v) else {
            continue;
        };
        r.only(&["code", "change"], v);
        let code = r.organ_id("code", v);
        let change = r.code("change", ReceiverChange::local_list(), v);
        if let (Some(code), Some(change)) = (code, change) {
            receivers.push(ReceiverUpdate { code, change });
        }
    }
    Some(UpdateInfo {
        document_info: u32::try_from(document_info?).ok()?,
        document_receiver: u32::try_from(document_receiver?).ok()?,
        receivers,
    })
}

/// A required, non-empty array of agency codes.
fn read_agency_list(o: &Obj<'_>, key: &str, v: &mut Violations) -> Option<Vec<String>> {
    let codes = o.texts(key, v);
    if codes.is_empty() {
        v.push(
            o.at(key),
            "required",
            "at least one agency code is required",
        );
        return None;
    }
    let bad: Vec<usize> = (0..codes.len())
        .filter(|&i| !rules::is_organ_id(&codes[i]))
        .collect();
    for &i in &bad {
        let msg = format!("{:?} is not an agency code", codes[i]);
        v.push(format!("{}/{i}", o.at(key)), "format", msg);
    }
    bad.is_empty().then_some(codes)
}

fn read_trace(o: &Obj<'_>, v: &mut Violations) -> Vec<Trace> {
    let mut trace = Vec::new();
    for (path, item) in o.array("trace", v) {
        let Some(t) = object(item, &path, v) else {
            continue;
        };
        t.only(&["agency", "timestamp"], v);
        let agency = t.opt_text("agency", v);
        if let Some(code) = agency.as_deref().filter(|c| !rules::is_organ_id(c)) {
            v.push(
                t.at("agency"),
                "format",
                format!("{code:?} is not an agency code"),
            );
        }
        if let Some(timestamp) = t.timestamp("timestamp", v) {
            trace.push(Trace { agency, timestamp });
        }
    }
    trace
}

fn read_attachments(o: &Obj<'_>, v: &mut Violations) -> Option<Vec<Attachment>> {
    let mut attachments: Vec<Attachment> = Vec::new();
    let mut complete = true;
    for (i, (path, item)) in o.array("attachments", v).into_iter().enumerate() {
        let attachment = object(item, &path, v).and_then(|a| read_attachment(&a, i, v));
        match attachment {
            Some(a)
                if attachments
                    .iter()
                    .any(|seen| seen.content_id == a.content_id) =>
            {
                let msg = format!("{:?} names another attachment already", a.content_id);
                v.push(format!("{path}/content_id"), "duplicate", msg);
                complete = false;
            }
            Some(a) => attachments.push(a),
            None => complete = false,
        }
    }
    complete.then_some(attachments)
}

fn read_attachment(o: &Obj<'_>, index: usize, v: &mut Violations) -> Option<Attachment> {
    o.only(
        &[
            "content_id",
            "name",
            "description",
            "content_type",
            "transfer_content_type",
            "content",
        ],
        v,
    );
    let content_id = o.opt_text("content_id", v);
    if let Some(id) = content_id.as_deref().filter(|id| !rules::is_content_id(id)) {
        v.push(
            o.at("content_id"),
            "format",
            format!("{id:?} is not a content id (cid:...)"),
        );
    }
    let name = o.text("name", v);
    let description = o.opt_text("description", v);
    let content_type = media_type(o, "content_type", o.text("content_type", v), v);
    let transfer = media_type(
        o,
        "transfer_content_type",
        o.opt_text("transfer_content_type", v),
        v,
    );
    let content = o.text("content", v);
    let bytes = content.as_deref().and_then(|text| {
        let bytes = base64::decode(text);
        if bytes.is_none() {
            v.push(
                o.at("content"),
                "encoding",
                "is not valid base64 (RFC 4648, with padding)",
            );
        }
        bytes
    });
    Some(Attachment {
        // Files without an id of their own are numbered in order, which is stable.
        content_id: content_id.unwrap_or_else(|| format!("cid:attachment-{}", index + 1)),
        name: name?,
        description,
        content_type: content_type?,
        transfer_content_type: transfer,
        content: bytes?,
    })
}

/// Checks that a media type has no parameters and the right shape.
fn media_type(o: &Obj<'_>, key: &str, text: Option<String>, v: &mut Violations) -> Option<String> {
    let text = text?;
    if rules::is_media_type(&text) {
        Some(text)
    } else {
        let msg = format!("{text:?} is not a media type such as application/pdf");
        v.push(o.at(key), "format", msg);
        None
    }
}

fn read_status(o: &Obj<'_>, v: &mut Violations) -> Option<Status> {
    o.only(
        &[
            "kind",
            "sender",
            "responds_to",
            "staff",
            "status_code",
            "description",
            "timestamp",
        ],
        v,
    );
    let sender = o.object("sender", v).and_then(|s| read_organisation(&s, v));
    let responds_to = o.object("responds_to", v).and_then(|r| read_ref(&r, v));
    let staff = o.object("staff", v).and_then(|s| read_staff(&s, v));
    let status_code = o.code("status_code", StatusCode::local_list(), v);
    let description = o.text("description", v);
    let timestamp = o.timestamp("timestamp", v);
    Some(Status {
        sender: sender?,
        responds_to: responds_to?,
        staff: staff?,
        status_code: status_code?,
        description: description?,
        timestamp: timestamp?,
    })
}
