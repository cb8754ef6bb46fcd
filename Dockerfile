# hanoverd itself, as a container image. Build hanoverd on the host first, then:
#
#   npm ci && npm run build
#   docker build -t hanoverd .                      # on any Node >= 22 Debian base
#   docker run -d --name hanoverd-myapp --network host --cap-add NET_ADMIN \
#     --security-opt systempaths=unconfined \
#     -v /var/run/docker.sock:/var/run/docker.sock -v "$PWD":"$PWD" -w "$PWD" \
#     -v /var/lib/hanoverd:/var/lib/hanoverd hanoverd -p 8080:8000
#
# It needs the host's network namespace (its rules live in the host's nat table),
# NET_ADMIN, a writable /proc/sys for route_localnet (systempaths=unconfined), and the
# Docker socket. Mount the app directory at the same path so -v bind sources match.
# Where no base image can be pulled, scripts/base-image.sh makes one from this
# machine's binaries: docker build --build-arg BASE=hanoverd-base:local -t hanoverd .
ARG BASE=node:24-bookworm-slim
FROM ${BASE}
RUN command -v iptables-restore >/dev/null && command -v nft >/dev/null || \
    (apt-get update && apt-get install -y --no-install-recommends iptables nftables conntrack && rm -rf /var/lib/apt/lists/*)
WORKDIR /opt/hanoverd
COPY package.json ./
COPY node_modules node_modules
COPY dist dist
ENTRYPOINT ["node", "/opt/hanoverd/dist/cli.js"]
