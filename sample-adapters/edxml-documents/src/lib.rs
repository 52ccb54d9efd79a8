//! Placeholder for the edxml-documents sample adapter.
