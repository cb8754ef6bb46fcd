#!/usr/bin/env bash
# Makes a base image for hanoverd's own container image from this machine's binaries,
# for machines that cannot pull one: busybox (sh), node, iptables (nft), nft and conntrack
# with the shared libraries and xtables extensions they load. Tags it hanoverd-base:local.
#   scripts/base-image.sh && docker build --build-arg BASE=hanoverd-base:local -t hanoverd .
set -euo pipefail
tag=${1:-hanoverd-base:local}
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT

copy() { # copy FILE...: each file and the libraries ldd lists for it, at the same paths
  for file in "$@"; do
    mkdir -p "$root$(dirname "$file")"
    cp -L "$file" "$root$file"
    { ldd "$file" 2>/dev/null || true; } | { grep -oE '/[^ ]+' || true; } | while read -r lib; do
      mkdir -p "$root$(dirname "$lib")"
      [ -e "$root$lib" ] || cp -L "$lib" "$root$lib"
    done
  done
}

node_bin=$(command -v node)
copy /bin/busybox "$node_bin" /usr/sbin/xtables-nft-multi
for tool in nft conntrack; do ! command -v "$tool" >/dev/null || copy "$(command -v "$tool")"; done
for lib in /usr/lib/x86_64-linux-gnu/xtables/*.so; do copy "$lib"; done
mkdir -p "$root/usr/local/bin" "$root/usr/sbin" "$root/bin" "$root/etc" "$root/tmp" "$root/run" "$root/var/lib"
chmod 1777 "$root/tmp"
[ "$node_bin" = /usr/local/bin/node ] || mv "$root$node_bin" "$root/usr/local/bin/node"
for name in iptables iptables-save iptables-restore; do ln -sf xtables-nft-multi "$root/usr/sbin/$name"; done
for name in sh cat ls mkdir rm; do ln -sf busybox "$root/bin/$name"; done
cp /etc/protocols /etc/services "$root/etc/"
printf 'root:x:0:0:root:/root:/bin/sh\n' > "$root/etc/passwd"
printf 'root:x:0:\n' > "$root/etc/group"
printf 'FROM scratch\nCOPY . /\nENV PATH=/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\n' > "$root/Dockerfile"
docker build -q -t "$tag" "$root" >/dev/null
echo "$tag"
