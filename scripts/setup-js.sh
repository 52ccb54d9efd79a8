#!/usr/bin/env bash
# Installs the toolchain that builds JavaScript adapters: ComponentizeJS and what it pulls in,
# at the exact versions of scripts/js-toolchain/package-lock.json, under
# $HOME/.cache/lgsp-toolchains/js (override with LGSP_JS_TOOLCHAIN). On a fresh Debian
# machine it first installs Node.js and npm with apt-get. Safe to run again: it skips what is
# already there, and reinstalls only when the committed lock file changes.
#
# `lgsp adapter build` finds ComponentizeJS in that folder (see docs/adapters-js.md).
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
pins="$here/js-toolchain"
toolchain="${LGSP_JS_TOOLCHAIN:-$HOME/.cache/lgsp-toolchains/js}"

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }

if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
    need_apt=()
    for pkg in nodejs npm; do
        installed "$pkg" || need_apt+=("$pkg")
    done
    if ((${#need_apt[@]})); then
        echo "setup-js: installing ${need_apt[*]} with apt-get" >&2
        SUDO=""
        [ "$(id -u)" -eq 0 ] || SUDO="sudo"
        $SUDO apt-get update -qq
        DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_apt[@]}" >/dev/null
    fi
fi

# ComponentizeJS's parser (oxc-parser) declares Node.js 20 or later; Debian 12's own nodejs
# is 18. Say so plainly rather than let a build fail later with a parser's stack trace.
major="$(node -p 'process.versions.node.split(".")[0]')"
if [ "$major" -lt 20 ]; then
    echo "setup-js: warning: Node.js $(node --version) is older than 20, which ComponentizeJS" \
        "declares it needs; if building a JavaScript adapter fails, install Node.js 20" \
        "(for example from NodeSource) and run this script again" >&2
fi

# The lock file's digest, kept beside the installed packages, says whether they are current.
wanted="$(sha256sum "$pins/package-lock.json" | cut -d' ' -f1)"
stamp="$toolchain/.package-lock.sha256"
cli="$toolchain/node_modules/@bytecodealliance/componentize-js/src/cli.js"
if [ -f "$cli" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$wanted" ]; then
    exit 0
fi

echo "setup-js: installing ComponentizeJS from $pins into $toolchain" >&2
mkdir -p "$toolchain"
cp "$pins/package.json" "$pins/package-lock.json" "$toolchain/"
rm -f "$stamp"
(cd "$toolchain" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
if [ ! -f "$cli" ]; then
    echo "setup-js: $cli is missing after npm ci" >&2
    exit 1
fi
echo "$wanted" >"$stamp"
