#!/usr/bin/env bash
# Installs what building and testing LGSP needs on a fresh Debian machine with only a Rust
# toolchain: the Wasm targets for adapters, the C library the XSD validator links against
# (libxml2) with what its binding generator needs (libclang, pkg-config), and the toolchains
# of the other adapter languages (setup-c.sh, setup-js.sh, setup-python.sh), since the tests
# build the sample adapter in each of them. Safe to run again: it skips what is already there.
set -euo pipefail

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }

need_apt=()
for pkg in libxml2-dev libclang-dev pkg-config; do
    installed "$pkg" || need_apt+=("$pkg")
done
if ((${#need_apt[@]})); then
    echo "setup: installing ${need_apt[*]} with apt-get" >&2
    SUDO=""
    [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

# wasm32-unknown-unknown builds adapters; wasm32-wasip2 builds the test adapter that must be
# refused for importing WASI.
for target in wasm32-unknown-unknown wasm32-wasip2; do
    if ! rustup target list --installed | grep -qx "$target"; then
        echo "setup: adding the $target target" >&2
        rustup target add "$target"
    fi
done

# The other languages' toolchains: clang and wasi-libc, ComponentizeJS, componentize-py.
here="$(cd "$(dirname "$0")" && pwd)"
for lang in c js python; do
    bash "$here/setup-$lang.sh"
done
