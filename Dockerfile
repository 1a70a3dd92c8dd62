# syntax=docker/dockerfile:1
# codethread container: compiled JavaScript on Node 20, non-root, no dev dependencies at run time.
#   docker build -t codethread .                                   the bot only (agents in pods, or an OPENCODE_URL)
#   docker build --build-arg AGENTS="claude-code opencode" -t codethread .   plus the pinned agent CLIs
# The agent CLIs are tools the bot runs (like kubectl), installed by the same script CI uses.
ARG NODE_IMAGE=node:20-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json agent-clis.json ./
COPY scripts ./scripts
COPY src ./src
RUN npm run build

FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund

FROM ${NODE_IMAGE} AS agents
# Space-separated agent CLIs pinned in agent-clis.json: claude-code, opencode (or ID@VERSION). Empty: none.
ARG AGENTS=""
WORKDIR /app
COPY agent-clis.json ./
COPY scripts/install-agents.mjs ./scripts/
RUN mkdir -p .agents && if [ -n "$AGENTS" ]; then node scripts/install-agents.mjs $AGENTS; fi

FROM ${NODE_IMAGE} AS runtime
# git: worktrees and pushes; tini: signals reach node (SIGTERM drains); kubectl comes from KUBECTL_IMAGE if agents run in pods.
RUN apt-get update && apt-get install -y --no-install-recommends git tini ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --gid 10001 codethread && useradd --uid 10001 --gid 10001 --create-home codethread \
    && mkdir -p /var/lib/codethread && chown codethread:codethread /var/lib/codethread
ENV NODE_ENV=production \
    CODETHREAD_DATA_DIR=/var/lib/codethread
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=agents /app/.agents ./.agents
COPY package.json agent-clis.json ./
COPY bin ./bin
USER codethread
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s \
  CMD ["node", "-e", "fetch(`http://127.0.0.1:${process.env.PORT||3000}/healthz`).then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
ENTRYPOINT ["tini", "--", "node", "/app/bin/codethread.js"]
CMD ["start"]
