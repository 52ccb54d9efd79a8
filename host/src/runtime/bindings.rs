//! Host bindings generated from `wit/adapter.wit`.
//!
//! Exports are async so that the epoch deadline can yield to Tokio while an adapter runs;
//! the two imports are quick, synchronous look-ups.

wasmtime::component::bindgen!({
    world: "adapter",
    path: "../wit",
    exports: { default: async },
});
