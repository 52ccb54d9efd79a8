#!/usr/bin/env bash
# Runs every test of the workspace: unit tests, the sample adapters' fixtures natively, and the
# integration tests that drive the real hub over HTTP. Then the lints.
set -euo pipefail
cd "$(dirname "$0")"
bash scripts/setup.sh
# Reuse one target directory across clones so that wasmtime is not rebuilt every time.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/lgsp-target}"
# Checkouts sharing that directory share the test build script's output; this tells it
# which checkout it builds the sample adapters for.
export LGSP_CHECKOUT="$PWD"
cargo fmt --all --check
cargo clippy --workspace --all-targets --quiet -- -D warnings
cargo test --workspace
