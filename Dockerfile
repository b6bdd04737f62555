# syntax=docker/dockerfile:1
#
# Switchboard in a container: a builder with Rust and Node.js (build.rs builds the web
# client with npm and the binary embeds it), and a small runtime that runs
# `switchboard serve` as an unprivileged user. See the README's "Deploying" section.

ARG RUST_VERSION=1.95
ARG NODE_VERSION=22

FROM node:${NODE_VERSION}-bookworm-slim AS node

FROM rust:${RUST_VERSION}-bookworm AS builder
# Node.js and npm from the official image, for the web client's build.
COPY --from=node /usr/local/bin/node /usr/local/bin/node
COPY --from=node /usr/local/lib/node_modules /usr/local/lib/node_modules
RUN ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm \
    && ln -s ../lib/node_modules/npm/bin/npx-cli.js /usr/local/bin/npx
WORKDIR /src
COPY . .
# The registry, the npm cache and target/ persist between builds on the same machine.
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/root/.npm \
    --mount=type=cache,target=/src/target \
    cargo build --release --locked \
    && test -f web-client/dist/index.html \
    && cp target/release/switchboard /usr/local/bin/switchboard

FROM debian:bookworm-slim AS runtime
# TLS roots come with the binary (rustls with webpki roots); nothing else is needed but
# glibc, which the slim image has.
RUN groupadd --system --gid 10001 switchboard \
    && useradd --system --uid 10001 --gid switchboard --home-dir /data --shell /usr/sbin/nologin switchboard \
    && mkdir -p /data \
    && chown switchboard:switchboard /data
COPY --from=builder /usr/local/bin/switchboard /usr/local/bin/switchboard
USER switchboard:switchboard
# SQLite's database, generated development keys and media live here.
VOLUME ["/data"]
ENV SWITCHBOARD_DATA_DIR=/data \
    SWITCHBOARD_LISTEN=0.0.0.0:8080
EXPOSE 8080
# No curl in the image: bash's /dev/tcp asks /healthz and looks for a 200.
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
    CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/8080 && printf 'GET /healthz HTTP/1.0\\r\\nHost: localhost\\r\\n\\r\\n' >&3 && head -n 1 <&3 | grep -q ' 200 '"]
ENTRYPOINT ["/usr/local/bin/switchboard"]
CMD ["serve"]
