//! edXML, the national form: reading packages into the model and writing them out.

mod element;
mod read;
mod write;

pub use read::read;
pub use write::write;

/// The namespace of QCVN 102:2016.
pub const NS: &str = "http://www.mic.gov.vn/TBT/QCVN_102_2016";
