# resetd in a container: compiled in one stage (tsc needs the dev dependencies), run in the
# last with production dependencies only, as an unprivileged user. deploy/compose.yaml uses it.
FROM node:20-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
# No install scripts: compiling needs no native module.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY scripts/build.mjs scripts/
COPY generated generated
COPY src src
RUN npm run build

FROM node:20-slim AS deps
# better-sqlite3, argon2 and bcrypt come prebuilt; the toolchain builds them where no prebuilt fits.
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund

FROM node:20-slim
ENV NODE_ENV=production PORT=8080 DATABASE_URL=sqlite:/app/data/resetd.db
WORKDIR /app
COPY --from=deps /app/node_modules node_modules
COPY package.json ./
COPY bin bin
COPY --from=build /src/dist dist
# Without scripts/build.mjs, bin/resetd.js runs dist/ as it is (it never tries to build).
RUN mkdir data && chown node:node data
USER node
VOLUME /app/data
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 8080) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# node is PID 1 and handles SIGTERM itself (a graceful stop, SHUTDOWN_TIMEOUT); compose gives it time.
STOPSIGNAL SIGTERM
# A young generation of 8 MB a semi-space from the start (V8 takes 16 on a large machine): README, "Speed".
ENTRYPOINT ["node", "--max-semi-space-size=8", "--min-semi-space-size=8", "bin/resetd.js"]
CMD ["serve"]
