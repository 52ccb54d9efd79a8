//! The Rust SDK for LGSP adapters.
//!
//! An adapter implements [`Adapter`] for a type of its own and hands that type to
//! [`export_adapter!`]. The SDK owns the glue between that trait and the generated bindings
//! of the `lgsp:adapter` contract in `wit/`, and nothing else: the mapping itself, and every
//! decision about what is valid, belong to the adapter.
//!
//! The host is reached through the [`Host`] trait rather than the raw imports, so that the
//! same mapping code runs inside the component ([`WasmHost`]) and natively under
//! `cargo test` (`testing::MockHost`, behind the `testing` feature).
//!
//! Build an adapter crate as a `cdylib` for `wasm32-unknown-unknown` and turn it into a
//! component with `lgsp adapter build`; it then imports nothing but the contract.

// The generated code names this crate by its own name, as adapters do.
extern crate self as lgsp_guest;

/// The bindings generated from `wit/adapter.wit`.
#[expect(
    missing_docs,
    reason = "generated code; the WIT file documents every item"
)]
pub mod bindings {
    wit_bindgen::generate!({
        world: "adapter",
        path: "../wit",
        pub_export_macro: true,
        default_bindings_module: "::lgsp_guest::bindings",
        runtime_path: "::lgsp_guest::__rt",
    });
}

#[cfg(all(
    feature = "allocator",
    target_arch = "wasm32",
    target_os = "unknown",
    not(target_feature = "atomics")
))]
pub mod allocator;
mod helpers;
#[cfg(feature = "testing")]
pub mod testing;

pub use bindings::lgsp::adapter::catalogue::Entry;
pub use bindings::lgsp::adapter::log::Level;
pub use bindings::lgsp::adapter::types::{
    AdapterError, Context, Description, Message, Phase, Violation,
};
pub use helpers::{MAX_VIOLATIONS, Violations};

#[doc(hidden)]
pub use wit_bindgen::rt as __rt;

/// What an adapter can ask of the hub.
pub trait Host {
    /// Looks `code` up in the catalogue named `catalogue` (`provinces` or `communes`).
    fn lookup(&self, catalogue: &str, code: &str) -> Option<Entry>;

    /// Writes one structured line into the hub's log. Never pass message contents.
    fn log(&self, level: Level, message: &str, fields: &[(&str, &str)]);
}

/// An agency's adapter: the two translations and a description of itself.
pub trait Adapter {
    /// Name, version, standards and services of this adapter.
    fn describe() -> Description;

    /// Local form to national form.
    fn to_national(host: &dyn Host, cx: &Context, msg: Message) -> Result<Message, AdapterError>;

    /// National form to local form.
    fn to_local(host: &dyn Host, cx: &Context, msg: Message) -> Result<Message, AdapterError>;
}

/// The host as seen from inside the component: calls the contract's imports.
#[derive(Debug, Default, Clone, Copy)]
pub struct WasmHost;

impl Host for WasmHost {
    fn lookup(&self, catalogue: &str, code: &str) -> Option<Entry> {
        bindings::lgsp::adapter::catalogue::lookup(catalogue, code)
    }

    fn log(&self, level: Level, message: &str, fields: &[(&str, &str)]) {
        let fields: Vec<(String, String)> = fields
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        bindings::lgsp::adapter::log::write(level, message, &fields);
    }
}

/// Sends a panic's message to the hub's log before the component traps, so that an operator
/// sees why an adapter failed instead of a bare `unreachable` trap.
#[doc(hidden)]
pub fn __install_panic_hook() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        std::panic::set_hook(Box::new(|info| {
            let text = info.to_string();
            WasmHost.log(
                Level::Error,
                "adapter panicked",
                &[("panic", text.as_str())],
            );
        }));
    });
}

/// Exports a type that implements [`Adapter`] as the component's `mapping` interface.
///
/// ```text
/// struct MyAdapter;
/// impl lgsp_guest::Adapter for MyAdapter { /* ... */ }
/// lgsp_guest::export_adapter!(MyAdapter);
/// ```
#[macro_export]
macro_rules! export_adapter {
    ($ty:ty) => {
        // Only a Wasm build exports the contract: the export names are not valid native
        // symbols, and native builds exist to unit test the mapping.
        #[cfg(target_arch = "wasm32")]
        #[doc(hidden)]
        struct __LgspExport;

        #[cfg(target_arch = "wasm32")]
        impl $crate::bindings::exports::lgsp::adapter::mapping::Guest for __LgspExport {
            fn describe() -> $crate::Description {
                $crate::__install_panic_hook();
                <$ty as $crate::Adapter>::describe()
            }

            fn to_national(
                cx: $crate::Context,
                msg: $crate::Message,
            ) -> ::core::result::Result<$crate::Message, $crate::AdapterError> {
                $crate::__install_panic_hook();
                <$ty as $crate::Adapter>::to_national(&$crate::WasmHost, &cx, msg)
            }

            fn to_local(
                cx: $crate::Context,
                msg: $crate::Message,
            ) -> ::core::result::Result<$crate::Message, $crate::AdapterError> {
                $crate::__install_panic_hook();
                <$ty as $crate::Adapter>::to_local(&$crate::WasmHost, &cx, msg)
            }
        }

        #[cfg(target_arch = "wasm32")]
        $crate::bindings::export!(__LgspExport);
    };
}
