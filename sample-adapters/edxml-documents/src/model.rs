//! The messages this adapter translates, independent of either spelling.
//!
//! `local` reads and `national` writes these types, and the other way round, so that the
//! two directions cannot drift apart. Their field names and serde attributes *are* the local
//! JSON format (README.md documents it); nothing here knows about XML.

use serde::Serialize;

use crate::codes::{BusinessAction, Priority, ReceiverChange, StatusCode, Steering};
use crate::dates::{Date, Timestamp};

/// One message of either kind, tagged by `"kind"` in the local form.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Message {
    /// A document (công văn điện tử).
    Document(Box<Document>),
    /// A status report about a document.
    Status(Box<Status>),
}

/// A document with its files.
#[derive(Debug, Clone, Serialize)]
pub struct Document {
    /// The exchange-wide id (DocumentId).
    pub id: String,
    /// Số: the number part of the document's code.
    pub number: String,
    /// Ký hiệu: the notation part of the document's code.
    pub notation: String,
    /// Ngày ban hành.
    pub issued_on: Date,
    /// Nơi ban hành.
    pub place: String,
    /// Loại văn bản.
    #[serde(rename = "type")]
    pub doc_type: DocumentType,
    /// Trích yếu.
    pub subject: String,
    /// Nội dung tóm tắt.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    /// Người ký.
    pub signer: Signer,
    /// Hạn xử lý.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub due_on: Option<Date>,
    /// Mức độ ưu tiên; absent when the sender gave none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub priority: Option<Priority>,
    /// The sending organisation.
    pub sender: Organisation,
    /// The main receivers, at least one.
    pub receivers: Vec<Organisation>,
    /// Nơi nhận kept for the record, by name (ToPlaces).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub copy_to: Vec<String>,
    /// Phạm vi lưu hành.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub circulation: Option<String>,
    /// Ký hiệu người soạn thảo (TyperNotation).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub drafter: Option<String>,
    /// Số lượng phát hành.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub copies: Option<u64>,
    /// Số trang.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pages: Option<u64>,
    /// The Direction flag of OtherInfo, carried as given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub direction: Option<bool>,
    /// Phụ lục, by name.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub appendixes: Vec<String>,
    /// The document this one answers.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub responds_to: Option<DocumentRef>,
    /// Loại chỉ đạo.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub steering: Option<Steering>,
    /// What this document does to earlier ones (new, revoke, update, replace).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub business: Option<Business>,
    /// The route the document has taken so far.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub trace: Vec<Trace>,
    /// The files.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub attachments: Vec<Attachment>,
}

/// Loại văn bản.
#[derive(Debug, Clone, Serialize)]
pub struct DocumentType {
    /// Mã loại văn bản.
    pub code: u32,
    /// The finer TypeDetail code, when the sender gives one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<u32>,
    /// Tên loại văn bản, such as `Công văn`.
    pub name: String,
}

/// Người ký.
#[derive(Debug, Clone, Serialize)]
pub struct Signer {
    /// Họ tên.
    pub name: String,
    /// Chức vụ.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub position: Option<String>,
    /// Quyền hạn: TL., KT., ...
    #[serde(skip_serializing_if = "Option::is_none")]
    pub competence: Option<String>,
}

/// An organisation, identified by its agency code.
#[derive(Debug, Clone, Serialize)]
pub struct Organisation {
    /// Mã định danh, such as `000.00.00.H41`.
    pub code: String,
    /// Tên đơn vị.
    pub name: String,
    /// Đơn vị chủ quản, as the sender writes it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub in_charge: Option<String>,
    /// Postal address.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    /// E-mail address.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Telephone number.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// Fax number.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fax: Option<String>,
    /// Website.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub website: Option<String>,
}

/// A reference to a document elsewhere (ResponseFor).
#[derive(Debug, Clone, Serialize)]
pub struct DocumentRef {
    /// Its DocumentId.
    pub id: String,
    /// Its số/ký hiệu written together, such as `7816/VPCP-TTĐT`.
    pub code: String,
    /// Its date of promulgation.
    pub issued_on: Date,
    /// The agency code of its sender.
    pub sender: String,
}

/// One hop of a document's route.
#[derive(Debug, Clone, Serialize)]
pub struct Trace {
    /// The organisation the document passed, when recorded.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub agency: Option<String>,
    /// When it passed.
    pub timestamp: Timestamp,
}

/// The business block: what this document does to earlier documents.
#[derive(Debug, Clone, Serialize)]
pub struct Business {
    /// New, revoke, update or replace.
    pub action: BusinessAction,
    /// The document revoked or updated.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub document_id: Option<String>,
    /// Why.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The Paper count, as given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub paper: Option<u64>,
    /// What an update changes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub update: Option<UpdateInfo>,
    /// What a replacement supersedes.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub replaces: Vec<Replacement>,
    /// Who took the action.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub staff: Option<Staff>,
}

/// What an update changes (BussinessDocumentInfo).
#[derive(Debug, Clone, Serialize)]
pub struct UpdateInfo {
    /// The DocumentInfo code, as given.
    pub document_info: u32,
    /// The DocumentReceiver code, as given.
    pub document_receiver: u32,
    /// Receivers added or removed.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub receivers: Vec<ReceiverUpdate>,
}

/// One receiver added to or removed from a document's receivers.
#[derive(Debug, Clone, Serialize)]
pub struct ReceiverUpdate {
    /// The receiver's agency code.
    pub code: String,
    /// Added or removed.
    pub change: ReceiverChange,
}

/// One document superseded by a replacement, and where.
#[derive(Debug, Clone, Serialize)]
pub struct Replacement {
    /// The superseded document.
    pub document_id: String,
    /// The receivers at which it is superseded.
    pub agencies: Vec<String>,
}

/// A person at an organisation.
#[derive(Debug, Clone, Serialize)]
pub struct Staff {
    /// Phòng ban.
    pub department: String,
    /// Họ tên.
    pub name: String,
    /// Điện thoại di động.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mobile: Option<String>,
    /// E-mail address.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
}

/// One file of a document.
#[derive(Debug, Clone, Serialize)]
pub struct Attachment {
    /// The MIME content-id that ties the manifest to the file, `cid:...`.
    pub content_id: String,
    /// File name.
    pub name: String,
    /// What the file says about itself.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The file's own media type, as the manifest lists it.
    pub content_type: String,
    /// The media type of the bytes carried, when they differ from the file's own (gateways
    /// often pack files into a zip and say so only here).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub transfer_content_type: Option<String>,
    /// The bytes carried.
    #[serde(serialize_with = "crate::base64::serialize")]
    pub content: Vec<u8>,
}

/// A status report about a document.
#[derive(Debug, Clone, Serialize)]
pub struct Status {
    /// The reporting organisation.
    pub sender: Organisation,
    /// The document reported on.
    pub responds_to: DocumentRef,
    /// Who at the sender is responsible.
    pub staff: Staff,
    /// Where the document stands.
    pub status_code: StatusCode,
    /// A sentence for the document's sender.
    pub description: String,
    /// When the report was made.
    pub timestamp: Timestamp,
}
