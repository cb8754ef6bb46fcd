#!/usr/bin/env bash
# The hanoverd benchmark, in one command (as root, ~14 minutes on 2 cores):
#
#   bash bench/run.sh                # on a shared machine: flock /tmp/hanoverd-docker.lock bash bench/run.sh
#
# Installs what it needs (wrk, nginx, iproute2, iptables; Docker and Node via scripts/setup.sh),
# builds hanoverd from this working tree into bench/out/hanoverd (dist/ is left alone), runs
# bench/run.ts, and writes bench/RESULTS.md, bench/handover.svg and raw JSON in bench/out/.
#
#   BENCH_SOURCE=HEAD bash bench/run.sh   # benchmark the last commit instead of the working tree
#   BENCH_QUICK=1 bash bench/run.sh       # a short smoke run (figures not representative)
#   bash bench/run.sh --soak [--handovers 100] [--max-minutes 18] [--load close|keepalive|slow-mix]
#                                         # the Connection: close soak instead (bench/reset/soak.ts)
#   bash bench/run.sh --scale [--sizes 1,10,25,50]
#                                         # N apps on one host instead (bench/scale.ts), ~15 minutes
#
# Everything it creates (containers, images, nginx, network namespace, iptables rules,
# sysctls) is removed or restored on exit, also on failure or Ctrl-C.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
log() { printf 'bench: %s\n' "$*" >&2; }

[ "$(id -u)" = 0 ] || { log "run as root (iptables, network namespaces, Docker)"; exit 1; }

need=()
command -v wrk >/dev/null || need+=(wrk)
command -v nginx >/dev/null || need+=(nginx)
command -v ip >/dev/null || need+=(iproute2)
command -v iptables >/dev/null || need+=(iptables)
command -v ldd >/dev/null || need+=(libc-bin)
if [ ${#need[@]} -gt 0 ]; then
  log "installing ${need[*]}"
  apt-get update -qq
  # policy-rc.d-less machines would start the packaged nginx on port 80: we never want that.
  RUNLEVEL=1 DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  if command -v systemctl >/dev/null && systemctl is-active -q nginx 2>/dev/null; then systemctl stop nginx || true; fi
fi
# Docker engine, iptables, Node >= 22 (puts .node/bin on PATH when the machine's node is older).
. scripts/setup.sh
[ -d node_modules/undici ] || npm ci --silent

# hanoverd under test, built into bench/out/hanoverd so that dist/ is untouched.
. bench/build-under-test.sh
build_under_test bench/out/hanoverd
export HANOVERD_BENCH_CLI="$UNDER_TEST_CLI" HANOVERD_BENCH_REV="$UNDER_TEST_REV"

# Host sysctls the run changes, restored on exit whatever happens.
tw_reuse=$(sysctl -n net.ipv4.tcp_tw_reuse)
localnet=$(cat /proc/sys/net/ipv4/conf/docker0/route_localnet 2>/dev/null || echo 0)
sweep() {
  set +e
  # Backstop for a driver that died without cleaning up: everything named hvbench-*.
  names=$(docker ps -aq --filter label=hvbench 2>/dev/null; docker ps -a --format '{{.ID}} {{.Names}}' 2>/dev/null | awk '$2 ~ /^hvbench-/ {print $1}')
  [ -n "$names" ] && docker rm -f -v $names >/dev/null 2>&1
  iptables-save -t nat 2>/dev/null | grep -- '--comment "\?hanoverd:hvbench-' | sed 's/^-A /-D /' | while read -r rule; do
    printf '*nat\n%s\nCOMMIT\n' "$rule" | iptables-restore --noflush 2>/dev/null
  done
  imgs=$(docker images --format '{{.Repository}}:{{.Tag}}' 2>/dev/null | grep '^hvbench-')
  [ -n "$imgs" ] && docker rmi -f $imgs >/dev/null 2>&1
  for pid in /tmp/hvbench-*/nginx/nginx.pid; do [ -f "$pid" ] && kill -QUIT "$(cat "$pid")" 2>/dev/null; done
  for ns in $(ip netns list 2>/dev/null | awk '$1 ~ /^hvbench-/ {print $1}'); do ip netns del "$ns"; done
  rm -rf /tmp/hvbench-* /var/lib/hanoverd/hvbench-*
  sysctl -qw net.ipv4.tcp_tw_reuse="$tw_reuse"
  if ! iptables-save -t nat 2>/dev/null | grep -q 'hanoverd:'; then
    [ -e /proc/sys/net/ipv4/conf/docker0/route_localnet ] && echo "$localnet" > /proc/sys/net/ipv4/conf/docker0/route_localnet
  fi
}
trap sweep EXIT
trap 'exit 130' INT TERM

# Many short connections from one client address: let connect() reuse TIME-WAIT ports
# (as benchmarks do), so the close load measures the path, not ephemeral-port exhaustion.
sysctl -qw net.ipv4.tcp_tw_reuse=1

# `bash bench/run.sh --soak [--handovers N] [--app bench|drain-safe]`: the Connection: close
# soak (bench/reset/soak.ts) instead of the benchmark: failures per handover, with evidence.
if [ "${1:-}" = --soak ]; then
  shift
  command -v tcpdump >/dev/null && command -v conntrack >/dev/null || {
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends tcpdump conntrack >/dev/null; }
  node bench/reset/soak.ts "$@"
  exit
fi

# `bash bench/run.sh --scale [--sizes 1,10,25,50]`: many apps on one host (bench/scale.ts).
if [ "${1:-}" = --scale ]; then
  shift
  node bench/scale.ts "$@"
  exit
fi

node bench/run.ts "$@"
