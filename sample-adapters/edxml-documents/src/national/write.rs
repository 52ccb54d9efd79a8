//! Writing the model as an edXML package.
//!
//! The element order is the one `standards/edxml/qcvn-102-2016.xsd` fixes, and the layout
//! follows the packages the national exchange writes: the root in the default namespace,
//! the envelope under the `edXML:` prefix, the encoded files after the envelope. Everything
//! written was checked when the local form was read, so this side cannot fail.

use super::NS;
use crate::base64;
use crate::codes::Priority;
use crate::dates::Spelling;
use crate::model::{
    Attachment, Business, Document, DocumentRef, Message, Organisation, Staff, Status,
};
use crate::xml_writer::XmlWriter;

/// Writes one edXML package.
pub fn write(message: &Message) -> String {
    let mut w = XmlWriter::new();
    let xmlns = [("xmlns", NS)];
    let xmlns_prefixed = [("xmlns:edXML", NS)];

    w.open_with("edXML", &xmlns);
    w.prefix("edXML:");
    w.open_with("edXMLEnvelope", &xmlns_prefixed);
    w.open("edXMLHeader");
    match message {
        Message::Document(doc) => document_header(&mut w, doc),
        Message::Status(status) => status_header(&mut w, status),
    }
    w.close("edXMLHeader");
    if let Message::Document(doc) = message {
        manifest(&mut w, &doc.attachments);
    }
    w.close("edXMLEnvelope");
    w.prefix("");
    if let Message::Document(doc) = message {
        encoded(&mut w, &doc.attachments, &xmlns_prefixed);
    }
    w.close("edXML");
    w.finish()
}

fn document_header(w: &mut XmlWriter, doc: &Document) {
    w.open("MessageHeader");
    organisation(w, "From", &doc.sender);
    for receiver in &doc.receivers {
        organisation(w, "To", receiver);
    }
    w.leaf("DocumentId", &doc.id);

    w.open("Code");
    w.leaf("CodeNumber", &doc.number);
    w.leaf("CodeNotation", &doc.notation);
    w.close("Code");

    w.open("PromulgationInfo");
    w.leaf("Place", &doc.place);
    w.leaf(
        "PromulgationDate",
        &doc.issued_on.format(Spelling::National),
    );
    w.close("PromulgationInfo");

    w.open("DocumentType");
    w.leaf("Type", &doc.doc_type.code.to_string());
    w.leaf_opt(
        "TypeDetail",
        doc.doc_type.detail.map(|d| d.to_string()).as_deref(),
    );
    w.leaf("TypeName", &doc.doc_type.name);
    w.close("DocumentType");

    w.leaf("Subject", &doc.subject);
    w.leaf_opt("Content", doc.summary.as_deref());

    w.open("SignerInfo");
    w.leaf_opt("Competence", doc.signer.competence.as_deref());
    w.leaf_opt("Position", doc.signer.position.as_deref());
    w.leaf("FullName", &doc.signer.name);
    w.close("SignerInfo");

    w.leaf_opt(
        "DueDate",
        doc.due_on.map(|d| d.format(Spelling::National)).as_deref(),
    );
    other_info(w, doc);
    if let Some(r) = &doc.responds_to {
        response_for(w, r);
    }
    w.leaf_opt("SteeringType", doc.steering.map(|s| s.national()));
    if !doc.copy_to.is_empty() {
        w.open("ToPlaces");
        for place in &doc.copy_to {
            w.leaf("Place", place);
        }
        w.close("ToPlaces");
    }
    w.close("MessageHeader");

    if !doc.trace.is_empty() {
        w.open("TraceHeaderList");
        for hop in &doc.trace {
            w.open("TraceHeader");
            w.leaf_opt("OrganId", hop.agency.as_deref());
            w.leaf("Timestamp", &hop.timestamp.format(Spelling::National));
            w.close("TraceHeader");
        }
        if let Some(business) = &doc.business {
            bussiness(w, business);
        }
        w.close("TraceHeaderList");
    }
}

/// OtherInfo, written when any of its parts is known. Its Priority is required, and a
/// document that gives none is handled as the default, normal (0).
fn other_info(w: &mut XmlWriter, doc: &Document) {
    let any = doc.priority.is_some()
        || doc.circulation.is_some()
        || doc.drafter.is_some()
        || doc.copies.is_some()
        || doc.pages.is_some()
        || doc.direction.is_some()
        || !doc.appendixes.is_empty();
    if !any {
        return;
    }
    w.open("OtherInfo");
    w.leaf(
        "Priority",
        doc.priority.unwrap_or(Priority::Normal).national(),
    );
    w.leaf_opt("SphereOfPromulgation", doc.circulation.as_deref());
    w.leaf_opt("TyperNotation", doc.drafter.as_deref());
    w.leaf_opt(
        "PromulgationAmount",
        doc.copies.map(|n| n.to_string()).as_deref(),
    );
    w.leaf_opt("PageAmount", doc.pages.map(|n| n.to_string()).as_deref());
    w.leaf_opt(
        "Direction",
        doc.direction.map(|d| if d { "true" } else { "false" }),
    );
    if !doc.appendixes.is_empty() {
        w.open("Appendixes");
        for appendix in &doc.appendixes {
            w.leaf("Appendix", appendix);
        }
        w.close("Appendixes");
    }
    w.close("OtherInfo");
}

fn bussiness(w: &mut XmlWriter, b: &Business) {
    w.open("Bussiness");
    w.leaf_opt("DocumentId", b.document_id.as_deref());
    w.leaf("BussinessDocType", b.action.national());
    w.leaf_opt("BussinessDocReason", b.reason.as_deref());
    w.leaf_opt("Paper", b.paper.map(|n| n.to_string()).as_deref());
    if let Some(update) = &b.update {
        w.open("BussinessDocumentInfo");
        w.leaf("DocumentInfo", &update.document_info.to_string());
        w.leaf("DocumentReceiver", &update.document_receiver.to_string());
        if !update.receivers.is_empty() {
            w.open("ReceiverList");
            for r in &update.receivers {
                w.open("Receiver");
                w.leaf("OrganId", &r.code);
                w.leaf("ReceiverType", r.change.national());
                w.close("Receiver");
            }
            w.close("ReceiverList");
        }
        w.close("BussinessDocumentInfo");
    }
    if !b.replaces.is_empty() {
        w.open("ReplacementInfoList");
        for r in &b.replaces {
            w.open("ReplacementInfo");
            w.leaf("DocumentId", &r.document_id);
            w.open("OrganIdList");
            for agency in &r.agencies {
                w.leaf("OrganId", agency);
            }
            w.close("OrganIdList");
            w.close("ReplacementInfo");
        }
        w.close("ReplacementInfoList");
    }
    if let Some(staff) = &b.staff {
        staff_info(w, staff);
    }
    w.close("Bussiness");
}

fn status_header(w: &mut XmlWriter, status: &Status) {
    w.open("MessageHeader");
    organisation(w, "From", &status.sender);
    response_for(w, &status.responds_to);
    staff_info(w, &status.staff);
    w.leaf("StatusCode", status.status_code.national());
    w.leaf("Description", &status.description);
    w.leaf("Timestamp", &status.timestamp.format(Spelling::National));
    w.close("MessageHeader");
}

fn organisation(w: &mut XmlWriter, element: &str, org: &Organisation) {
    w.open(element);
    w.leaf("OrganId", &org.code);
    w.leaf_opt("OrganizationInCharge", org.in_charge.as_deref());
    w.leaf("OrganName", &org.name);
    w.leaf_opt("OrganAdd", org.address.as_deref());
    w.leaf_opt("Email", org.email.as_deref());
    w.leaf_opt("Telephone", org.phone.as_deref());
    w.leaf_opt("Fax", org.fax.as_deref());
    w.leaf_opt("Website", org.website.as_deref());
    w.close(element);
}

fn response_for(w: &mut XmlWriter, r: &DocumentRef) {
    w.open("ResponseFor");
    w.leaf("OrganId", &r.sender);
    w.leaf("Code", &r.code);
    w.leaf("PromulgationDate", &r.issued_on.format(Spelling::National));
    w.leaf("DocumentId", &r.id);
    w.close("ResponseFor");
}

fn staff_info(w: &mut XmlWriter, staff: &Staff) {
    w.open("StaffInfo");
    w.leaf("Department", &staff.department);
    w.leaf("Staff", &staff.name);
    w.leaf_opt("Mobile", staff.mobile.as_deref());
    w.leaf_opt("Email", staff.email.as_deref());
    w.close("StaffInfo");
}

fn manifest(w: &mut XmlWriter, attachments: &[Attachment]) {
    if attachments.is_empty() {
        return;
    }
    w.open("edXMLBody");
    w.open_with("edXMLManifest", &[("version", "1.0")]);
    for a in attachments {
        w.open("Reference");
        w.leaf("ContentId", &a.content_id);
        w.leaf("ContentType", &a.content_type);
        w.leaf_opt("Description", a.description.as_deref());
        w.leaf("AttachmentName", &a.name);
        w.close("Reference");
    }
    w.close("edXMLManifest");
    w.close("edXMLBody");
}

fn encoded(w: &mut XmlWriter, attachments: &[Attachment], xmlns_prefixed: &[(&str, &str)]) {
    if attachments.is_empty() {
        return;
    }
    w.open("AttachmentEncoded");
    for a in attachments {
        w.open("Attachment");
        w.leaf("ContentId", &a.content_id);
        w.leaf("AttachmentName", &a.name);
        w.leaf_opt("Description", a.description.as_deref());
        w.leaf(
            "ContentType",
            a.transfer_content_type
                .as_deref()
                .unwrap_or(&a.content_type),
        );
        // The exchange's packages spell this one element with its own prefix declaration.
        w.prefix("edXML:");
        w.leaf_with(
            "ContentTransferEncoded",
            xmlns_prefixed,
            &base64::encode(&a.content),
        );
        w.prefix("");
        w.close("Attachment");
    }
    w.close("AttachmentEncoded");
}
