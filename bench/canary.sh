#!/usr/bin/env bash
# Canary under load (as root, about a minute): flock /tmp/hanoverd-docker.lock bash bench/canary.sh
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
. scripts/setup.sh
[ -d node_modules/undici ] || npm ci --silent
npm run build --silent
exec node bench/canary.ts
