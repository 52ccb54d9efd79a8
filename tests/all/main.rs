//! Integration tests: the real hub over HTTP, with the sample adapters built from source.

mod admin;
mod catalogues;
mod cli;
mod errors;
mod fixtures;
mod hostile_input;
mod languages;
mod load;
mod message_log;
mod sandbox;
mod scaffold;
mod signatures;
