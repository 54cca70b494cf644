# syntax=docker/dockerfile:1
# One image: the API, which also serves the built SPA. Build: docker build -t gatehouse .
# Node 26 is the active LTS line (since 2026-10-28); `--build-arg NODE_IMAGE=node:24-trixie-slim` builds
# on the previous one. Development and CI run Node 20.19+, the oldest line the dependencies support.
ARG NODE_IMAGE=node:26-trixie-slim

FROM ${NODE_IMAGE} AS manifests
WORKDIR /app
# Only the manifests first, so dependency layers stay cached until a package.json or the lockfile changes.
COPY package.json package-lock.json ./
COPY apps/api/package.json apps/api/
COPY apps/web/package.json apps/web/
COPY packages/types/package.json packages/types/
COPY packages/embedded-mongo/package.json packages/embedded-mongo/
COPY e2e/package.json e2e/

FROM manifests AS build
RUN npm ci --no-audit --no-fund
COPY . .
RUN npx turbo run build --filter=@gatehouse/api --filter=@gatehouse/web

FROM manifests AS runtime-deps
# The API bundles the workspace packages' source; at run time it needs only its own production
# dependencies (and the embedded engine's, for running without MONGODB_URI).
RUN npm ci --omit=dev --workspace=@gatehouse/api --no-audit --no-fund \
  && rm -rf node_modules/@gatehouse

FROM ${NODE_IMAGE}
# HOST=:: listens on every interface of the container (the default outside production is loopback).
ENV NODE_ENV=production \
    PORT=3000 \
    HOST=::
WORKDIR /app
# The root manifest marks the repo root, from which the API finds apps/web/dist and .data.
COPY --from=build /app/package.json ./
COPY --from=runtime-deps /app/node_modules ./node_modules
COPY --from=build /app/apps/api/package.json ./apps/api/
COPY --from=build /app/apps/api/dist ./apps/api/dist
COPY --from=build /app/apps/web/dist ./apps/web/dist
RUN mkdir -p .data && chown node:node .data
USER node
EXPOSE 3000
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/api/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
CMD ["node", "apps/api/dist/server.js"]
