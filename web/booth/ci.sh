#!/usr/bin/env bash
# CI for the browser ballot code, run from the repository root:
#   bash web/booth/ci.sh
# Installs the locked packages, runs the tests (including the Rust-made
# vectors in tests/vectors/), rebuilds static/booth.js and
# fails if the rebuilt bundle differs from the committed one.
set -euo pipefail

root="$(pwd)"
if [ ! -f "$root/web/booth/package.json" ]; then
  echo "web/booth/ci.sh: run me from the repository root (no web/booth/package.json under $root)" >&2
  exit 2
fi

cd "$root/web/booth"
npm ci --no-audit --no-fund
npm test
npm run build

cd "$root"
if ! git ls-files --error-unmatch static/booth.js >/dev/null 2>&1; then
  echo "web/booth/ci.sh: static/booth.js is not committed; run 'npm run build' in web/booth and commit it" >&2
  exit 1
fi
if ! git diff --exit-code --stat -- static/booth.js; then
  echo "web/booth/ci.sh: static/booth.js differs from the committed one: rebuild it with 'npm run build' in web/booth and commit the result" >&2
  exit 1
fi
echo "web/booth/ci.sh: static/booth.js is the bundle its sources build"
