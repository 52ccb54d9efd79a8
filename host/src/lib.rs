//! LGSP, the Local Government Service Platform hub.
//!
//! The hub lets a province's agencies exchange messages with each other and with the national
//! exchange through one standard: each agency supplies a sandboxed WebAssembly adapter that
//! translates its local format, and the hub authenticates, translates, validates, forwards and
//! records every exchange. Modules, each with one owner:
//!
//! - [`config`]: the TOML file and its validation.
//! - [`catalogue`]: reference data (administrative units).
//! - [`standard`]: JSON Schema and XSD standards.
//! - [`runtime`]: wasmtime, the adapter contract and the sandbox.
//! - [`provider`]: HTTP calls to providers.
//! - [`exchange`]: the steps of one exchange.
//! - [`message_log`]: the record of every exchange.
//! - [`problem`]: errors as RFC 9457 problem documents.
//! - [`api`]: the HTTP API.
//! - [`server`]: connections, their limits, and graceful shutdown.
//! - [`hub`]: start-up and the shared state.
//! - [`admin`]: the adapter registry, run-time tables and audit log, changed through the
//!   admin API.
//! - [`signing`]: Ed25519 keys and signatures over adapter components.
//! - [`cli`]: the `lgsp` command line.

#![deny(unsafe_code)]

pub mod admin;
pub mod api;
pub mod catalogue;
pub mod cli;
pub mod config;
pub mod exchange;
pub mod hub;
pub mod message;
pub mod message_log;
pub mod problem;
pub mod provider;
pub mod runtime;
pub mod server;
pub mod signing;
pub mod standard;

#[cfg(test)]
mod fuzz;

pub use hub::Hub;

pub use server::serve;
