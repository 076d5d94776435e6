# ctxsize in a container. Build:  docker build -t ctxsize .
# Run it on the current directory: docker run --rm -v "$PWD:/src" ctxsize [COMMAND] [options]
#
# Three stages, so that the image holds Node, the production dependencies and the compiled
# JavaScript, and nothing else: no TypeScript, no sources, no tests, no npm cache.
ARG NODE_IMAGE=node:20-alpine

# Build: every dependency (the compiler and the bundler included), then src/ compiled to dist/ and
# the command line bundled (scripts/bundle.js). The manifests come first so that the npm ci layer
# is reused until they change.
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json ./
COPY scripts ./scripts
COPY src ./src
RUN npm run build

# Production dependencies only, installed from the same lockfile.
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund

# Runtime. Files stay owned by root, so the unprivileged user cannot change the program it runs.
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production
LABEL org.opencontainers.image.title="ctxsize" \
      org.opencontainers.image.description="What Docker puts in your build context, exactly" \
      org.opencontainers.image.licenses="MIT"
WORKDIR /app
COPY package.json LICENSE ./
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY bin ./bin
# The node user (uid 1000) of the official Node images; numeric so that runAsNonRoot can verify it.
USER 1000:1000
WORKDIR /src
ENTRYPOINT ["node", "/app/bin/ctxsize.js"]
