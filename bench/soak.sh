#!/usr/bin/env bash
# The hanoverd soak: N handovers in a row under a bounded load, the daemon's RSS, open fds
# and listening sockets along the way (as root; ~1.5 s a handover on 2 cores, so ~5 min
# for the default 200):
#
#   bash bench/soak.sh                        # on a shared machine: flock /tmp/hanoverd-docker.lock bash bench/soak.sh
#   bash bench/soak.sh --handovers 50         # any flag of bench/soak.ts
#   BENCH_SOURCE=HEAD bash bench/soak.sh      # soak the last commit instead of the working tree
#
# Builds hanoverd from this working tree into bench/out/soak (dist/ is left alone), runs
# bench/soak.ts, and writes the section "Soak: RSS and fds over handovers" of
# bench/RESULTS.md and bench/out/soak.json. Everything it creates is removed on exit.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
log() { printf 'soak: %s\n' "$*" >&2; }

[ "$(id -u)" = 0 ] || { log "run as root (iptables, Docker)"; exit 1; }
for tool in docker iptables ss; do command -v "$tool" >/dev/null || { log "$tool is needed"; exit 1; }; done
[ -x /bin/busybox ] || { log "/bin/busybox is needed (apt-get install busybox-static): the test app is built from it"; exit 1; }
[ -d node_modules/undici ] || npm ci --silent

. bench/build-under-test.sh
build_under_test bench/out/soak
export HANOVERD_SOAK_CLI="$UNDER_TEST_CLI" HANOVERD_SOAK_REV="$UNDER_TEST_REV"

# Backstop for a driver that died without cleaning up (soak.ts removes its own on exit):
# containers, images and nat rules of hte2e-d-soak-* apps, and, once no hanoverd rule is
# left, the localnet guard and route_localnet as they were.
localnet=$(cat /proc/sys/net/ipv4/conf/docker0/route_localnet 2>/dev/null || echo 0)
sweep() {
  set +e
  names=$(docker ps -a --format '{{.Names}}' 2>/dev/null | grep '^hte2e-d-soak-')
  [ -n "$names" ] && docker rm -f -v $names >/dev/null 2>&1
  imgs=$(docker images --format '{{.Repository}}:{{.Tag}}' 2>/dev/null | grep '^hte2e-d-soak-')
  [ -n "$imgs" ] && docker rmi -f $imgs >/dev/null 2>&1
  jumps=$(iptables-save -t nat 2>/dev/null | grep -- '--comment "\?hanoverd:hte2e-d-soak-' | grep '^-A \(PREROUTING\|OUTPUT\|POSTROUTING\) ')
  while read -r rule; do
    [ -n "$rule" ] && printf '*nat\n%s\nCOMMIT\n' "${rule/#-A /-D }" | iptables-restore --noflush 2>/dev/null
  done <<<"$jumps"
  for chain in $(grep -o -- '-j HANOVERD-[0-9a-f]*\(-MASQ\)\?' <<<"$jumps" | cut -c4- | sort -u); do
    iptables -t nat -F "$chain" 2>/dev/null; iptables -t nat -X "$chain" 2>/dev/null
  done
  if ! iptables-save -t nat 2>/dev/null | grep -q 'hanoverd:'; then
    iptables-save -t filter 2>/dev/null | grep -- 'hanoverd:localnet-guard' | sed 's/^-A /-D /' | while read -r rule; do
      printf '*filter\n%s\nCOMMIT\n' "$rule" | iptables-restore --noflush 2>/dev/null
    done
    [ -e /proc/sys/net/ipv4/conf/docker0/route_localnet ] && echo "$localnet" > /proc/sys/net/ipv4/conf/docker0/route_localnet
  fi
}
trap sweep EXIT
trap 'exit 130' INT TERM

node bench/soak.ts "$@"
