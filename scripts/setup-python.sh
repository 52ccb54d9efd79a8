#!/usr/bin/env bash
# Installs the toolchain that builds Python adapters: componentize-py, pinned, in its own
# virtual environment under $HOME/.cache/lgsp-toolchains/python (override with
# LGSP_PYTHON_TOOLCHAIN). On a fresh Debian machine it first installs Python itself and its
# venv module with apt-get. Safe to run again: it skips what is already there.
#
# `lgsp adapter build` finds componentize-py in that environment; the adapters' native tests
# run with its interpreter (see docs/adapters-python.md).
set -euo pipefail

# Keep in step with COMPONENTIZE_PY_VERSION in guest-sdk/build/src/python.rs.
COMPONENTIZE_PY_VERSION=0.25.1

toolchain="${LGSP_PYTHON_TOOLCHAIN:-$HOME/.cache/lgsp-toolchains/python}"

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }

# A python3 that can make a virtual environment with pip in it; Debian splits `venv` and
# `ensurepip` into python3-venv.
if ! command -v python3 >/dev/null || ! python3 -c 'import venv, ensurepip' 2>/dev/null; then
    need_apt=()
    for pkg in python3 python3-venv; do
        installed "$pkg" || need_apt+=("$pkg")
    done
    if ((${#need_apt[@]})); then
        echo "setup-python: installing ${need_apt[*]} with apt-get" >&2
        SUDO=""
        [ "$(id -u)" -eq 0 ] || SUDO="sudo"
        $SUDO apt-get update -qq
        DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_apt[@]}" >/dev/null
    fi
fi

current() { "$toolchain/bin/componentize-py" --version 2>/dev/null || true; }

if [ "$(current)" != "componentize-py $COMPONENTIZE_PY_VERSION" ]; then
    echo "setup-python: installing componentize-py $COMPONENTIZE_PY_VERSION in $toolchain" >&2
    if [ ! -x "$toolchain/bin/python" ]; then
        mkdir -p "$(dirname "$toolchain")"
        python3 -m venv "$toolchain"
    fi
    "$toolchain/bin/python" -m pip install --quiet --disable-pip-version-check \
        "componentize-py==$COMPONENTIZE_PY_VERSION"
    if [ "$(current)" != "componentize-py $COMPONENTIZE_PY_VERSION" ]; then
        echo "setup-python: componentize-py in $toolchain reports '$(current)'" >&2
        exit 1
    fi
fi
