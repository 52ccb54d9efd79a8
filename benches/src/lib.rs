//! Benchmarks live in `benches/*.rs`; see `README.md`.
