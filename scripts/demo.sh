#!/usr/bin/env bash
# `npm run demo`: sets the machine up (Docker engine, busybox, Node >= 22), builds hanoverd,
# and runs scripts/demo.ts (as root; about half a minute).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
. scripts/setup.sh
[ -d node_modules/undici ] || npm ci --no-audit --no-fund --loglevel=error
npm run build --silent
exec node scripts/demo.ts
