#!/usr/bin/env bash
# Builds everything, starts the national stand-in and the hub with the sample adapters, sends
# the real sample messages through it and prints what happened to each.
set -euo pipefail
cd "$(dirname "$0")"
bash scripts/setup.sh
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"
echo "demo: building the hub, the stand-ins and the demo driver (the first build takes a while)" >&2
cargo build --release --quiet -p lgsp -p lgsp-demo
exec "$CARGO_TARGET_DIR/release/lgsp-demo" --lgsp "$CARGO_TARGET_DIR/release/lgsp" "$@"
