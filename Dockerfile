# syntax=docker/dockerfile:1

# --- build: compile src/ to dist/, then drop the dev dependencies ---
FROM node:24-bookworm-slim AS build
WORKDIR /app
# argon2 0.44.0 loads its prebuilt binary: no python3/make/g++ needed.
COPY package.json package-lock.json ./
# patch-package applies patches/ at install (graphql-shield on Node 24: see patches/README.md).
COPY patches ./patches
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

# --- runtime ---
FROM node:24-bookworm-slim
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=4000
WORKDIR /app
# package.json is needed at run time: it declares "type": "module" for dist/.
# Files stay owned by root, so the app cannot rewrite its own code.
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
USER node
EXPOSE 4000
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 4000) + '/health/ready').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# node runs as PID 1 and handles SIGTERM itself (src/main.ts drains requests, then closes the pool).
# The heap cap keeps V8 from growing a ~50 MB live heap to hundreds of MB under load (see docs/performance.md);
# raise it with NODE_OPTIONS for an instance that must hold much more.
CMD ["node", "--max-old-space-size=256", "dist/main.js", "--production"]
