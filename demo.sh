#!/usr/bin/env bash
# Builds everything, starts the stand-ins and the hub with the sample adapters, sends the real
# sample messages through it and prints what happened to each.
set -euo pipefail
cd "$(dirname "$0")"
bash scripts/setup.sh
# The same build as the tests (dependencies are optimised even there), so after ./test.sh
# the demo starts at once, and the other way round.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/lgsp-target}"
# Checkouts sharing that directory share the test build script's output; this tells it
# which checkout it builds the sample adapters for.
export LGSP_CHECKOUT="$PWD"
echo "demo: building the hub, the stand-ins and the demo driver (the first build takes several minutes)" >&2
cargo build --quiet -p lgsp -p lgsp-demo -p lgsp-standin
exec "$CARGO_TARGET_DIR/debug/lgsp-demo" --lgsp "$CARGO_TARGET_DIR/debug/lgsp" "$@"
