#!/usr/bin/env bash
# Installs what building LGSP needs on a fresh Debian machine with only a Rust toolchain:
# the Wasm target for adapters, and the C libraries the XSD validator (libxml2) and its
# binding generator (libclang) link against. Safe to run again; it skips what is there.
set -euo pipefail

need_apt=()
pkg-config --exists libxml-2.0 2>/dev/null || need_apt+=(libxml2-dev pkg-config)
ls /usr/lib/llvm-*/lib/libclang*.so* >/dev/null 2>&1 || ls /usr/lib/x86_64-linux-gnu/libclang*.so* >/dev/null 2>&1 || need_apt+=(libclang-dev)
if ((${#need_apt[@]})); then
    echo "setup: installing ${need_apt[*]}" >&2
    SUDO=""
    [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    echo "setup: adding the wasm32-unknown-unknown target" >&2
    rustup target add wasm32-unknown-unknown
fi
