# syntax=docker/dockerfile:1
# Guichet engine: one image for the api (default command), the worker and the migrate job.
# Node 24 is the active LTS and within package.json's engines (>=20.19 <25). Bookworm (glibc),
# not Alpine: @temporalio/core-bridge ships prebuilt glibc binaries only.
# For reproducible builds pin the digest too: node:24.11.1-bookworm-slim@sha256:...
ARG NODE_IMAGE=node:24.11.1-bookworm-slim

# --- deps: every dependency (dev included, for tsc and the workflow bundler) -------------
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
COPY prisma.config.ts ./
COPY prisma ./prisma
# --ignore-scripts, then the one script we need (the root postinstall, `prisma generate`):
# the same result whichever npm the base image carries, whether or not it honours
# package.json's allowScripts; dependencies' install scripts would only fetch native Prisma
# engines (unused: the js engine + pg adapter) and the embedded PostgreSQL (local runs only).
RUN npm ci --ignore-scripts --no-audit --no-fund \
 && npx prisma generate

# --- build: dist/ (tsc, rootDir "."), dist/workflow-bundle.js and web/dist (Vite) -----------
FROM deps AS build
COPY tsconfig.json tsconfig.build.json ./
COPY activities ./activities
COPY api ./api
COPY app ./app
COPY records ./records
COPY domain ./domain
COPY infra ./infra
COPY scripts ./scripts
COPY worker ./worker
COPY workflows ./workflows
COPY web ./web
# The generated Prisma client (generated/prisma, TypeScript) is compiled into dist/generated,
# where dist/infra/db.js requires it: the runtime needs no `prisma generate`.
RUN npm run build

# --- temporal: the Temporal server with the guichet's authorizer, its SQL tool and the Web UI in
# one binary (deploy/temporal-server; go.temporal.io/server v1.29.1 pinned by its go.sum).
# docker-compose.yml builds this target for temporal-schema, temporal and temporal-ui.
FROM golang:1.25-bookworm AS temporal-build
WORKDIR /src
COPY deploy/temporal-server/go.mod deploy/temporal-server/go.sum ./
RUN go mod download
COPY deploy/temporal-server/*.go ./
RUN CGO_ENABLED=0 go build -trimpath -o /out/guichet-temporal .

FROM debian:bookworm-slim AS temporal
RUN useradd --system --uid 1000 --home-dir /nonexistent temporal
COPY --from=temporal-build /out/guichet-temporal /usr/local/bin/guichet-temporal
# The configuration templates; docker-compose.yml mounts the same directory over it.
COPY deploy/temporal-server/config /etc/temporal/config
USER temporal
EXPOSE 7233 8080
ENTRYPOINT ["guichet-temporal"]
CMD ["start", "--config", "/etc/temporal/config", "--env", "production"]

# --- runtime: production dependencies and compiled JS only --------------------------------
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    NPM_CONFIG_UPDATE_NOTIFIER=false \
    CHECKPOINT_DISABLE=1
WORKDIR /app
COPY package.json package-lock.json ./
# prisma (CLI, for `migrate deploy`), tsx and the pg adapter are runtime dependencies.
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
 && npm cache clean --force
# The migrate service runs `prisma migrate deploy`: it reads prisma.config.ts and prisma/.
COPY prisma.config.ts ./
COPY prisma ./prisma
COPY --from=build /app/dist ./dist
# The Chancellery's workspace, where dist/api/routes/staff.js looks for it (../../web/dist).
COPY --from=build /app/web/dist ./dist/web/dist
# Files stay root-owned and read-only to the process; it runs as the image's unprivileged
# `node` user (uid 1000) and writes nothing to disk.
USER node
# In a container the API must listen on all interfaces (the config default is loopback).
# worker/main.ts's default bundle path is relative to its source layout, not dist/: name it.
ENV HOST=0.0.0.0 \
    PORT=3000 \
    WORKFLOW_BUNDLE_PATH=/app/dist/workflow-bundle.js
EXPOSE 3000
# Liveness via Node's own fetch (slim images have no curl). The worker and migrate
# services, which serve no HTTP, switch it off in docker-compose.yml.
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# Compiled JS, not `node --import tsx`: no TypeScript transpiling at start.
CMD ["node", "dist/api/main.js"]
