# The payment worker as a container; docker-compose.yml also runs the gateway simulator from this image
# (another command). Production dependencies only: tsx runs the TypeScript sources directly, and the
# worker bundles workflows/ itself at start. Guide: docs/production.md.

# Stage 1: production node_modules, exactly as locked.
FROM node:20.20.2-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund

# Stage 2: the runtime, as the unprivileged `node` user of the official image.
FROM node:20.20.2-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json tsconfig.json ./
# Every folder worker/main.ts and simulator/main.ts import (test/static/dockerfile.test.ts checks the list).
COPY activities ./activities
COPY codec ./codec
COPY simulator ./simulator
COPY worker ./worker
COPY workflows ./workflows
# The key store's folder (SQB_KEY_STORE_FILE), owned by the worker's user so a fresh volume is writable.
RUN mkdir -p /var/lib/upay && chown node:node /var/lib/upay && chmod 700 /var/lib/upay
USER node
# WORKER_HEALTH_PORT (8081): /healthz = process alive, /readyz = polling (503 while starting or draining).
# WORKER_METRICS_ADDRESS (0.0.0.0:9464): Prometheus /metrics.
EXPOSE 8081 9464
# Ready, not just alive: bundling workflows takes a few seconds after start.
HEALTHCHECK --interval=10s --timeout=5s --start-period=60s --retries=6 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.WORKER_HEALTH_PORT || 8081) + '/readyz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# SIGTERM/SIGINT: the SDK's runtime drains the worker (running gateway calls finish), then it exits.
CMD ["node", "--import", "tsx", "worker/main.ts"]
