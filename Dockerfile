# hanoverd itself, as a container image. It runs with host networking (its iptables
# rules live in the host's nat table), NET_ADMIN, and the Docker socket:
#
#   docker run -d --name hanoverd-myapp --network host --cap-add NET_ADMIN \
#     -v /var/run/docker.sock:/var/run/docker.sock -v "$PWD":/srv/app -w /srv/app \
#     hanoverd -p 8080:8000
#
# NODE_IMAGE names any image with Node.js >= 22 on Debian (node:24-bookworm-slim by default).
ARG NODE_IMAGE=node:24-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /src
COPY package.json package-lock.json tsconfig.json ./
RUN npm ci --no-audit --no-fund
COPY src src
RUN npm run build && npm prune --omit=dev

FROM ${NODE_IMAGE}
RUN apt-get update && apt-get install -y --no-install-recommends iptables && rm -rf /var/lib/apt/lists/*
WORKDIR /opt/hanoverd
COPY package.json ./
COPY --from=build /src/node_modules node_modules
COPY --from=build /src/dist dist
WORKDIR /srv/app
ENTRYPOINT ["node", "/opt/hanoverd/dist/cli.js"]
