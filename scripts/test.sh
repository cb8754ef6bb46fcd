#!/usr/bin/env bash
# The project's test command: sets the machine up (Docker engine, iptables, Node >= 22),
# installs dependencies, builds, and runs unit and end-to-end tests.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
. scripts/setup.sh
npm ci --no-audit --no-fund --loglevel=error
npm test
