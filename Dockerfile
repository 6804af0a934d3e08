# The payment worker (and, with another command, the gateway simulator) as a container.
FROM node:20.20-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund

FROM node:20.20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json tsconfig.json ./
COPY activities ./activities
COPY workflows ./workflows
COPY worker ./worker
COPY client ./client
COPY simulator ./simulator
USER node
CMD ["node", "--import", "tsx", "worker/main.ts"]
