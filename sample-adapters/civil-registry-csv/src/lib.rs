//! Placeholder for the civil-registry-csv sample adapter.
