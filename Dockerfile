# syntax=docker/dockerfile:1

# ── Stage 1: build ────────────────────────────────────────────────────────────
# Full Swift toolchain; produces one release binary with the Swift runtime
# linked in statically, so the runtime image needs no Swift install.
FROM swift:6.3-bookworm AS build

# Headers for the C libraries the dependencies link against.
RUN apt-get update \
 && apt-get install -y libssl-dev libyaml-dev libsqlite3-dev \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /src

# Resolve dependencies from the manifest alone, so this layer stays cached
# until Package.swift (or Package.resolved, when present) changes.
COPY Package.swift Package.resolved* ./
RUN swift package resolve

# Build the daemon and copy the binary to a fixed path.
COPY Sources ./Sources
RUN swift build -c release --product sidecar --static-swift-stdlib \
 && cp "$(swift build -c release --show-bin-path)/sidecar" /usr/local/bin/sidecar

# ── Stage 2: runtime ──────────────────────────────────────────────────────────
# Slim Debian with only TLS roots, OpenSSL and time zone data.
FROM debian:bookworm-slim

RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates libssl3 tzdata \
 && rm -rf /var/lib/apt/lists/*

# Run as an unprivileged user.
RUN groupadd --system --gid 10001 sidecar \
 && useradd --system --uid 10001 --gid sidecar --home-dir /app --no-create-home \
      --shell /usr/sbin/nologin sidecar

WORKDIR /app

COPY --from=build /usr/local/bin/sidecar /usr/local/bin/sidecar
COPY sidecar.yaml /app/sidecar.yaml

# /app/run holds the Unix socket, the SQLite store and filesystem storage.
# The application container mounts the same volume to reach the socket.
RUN mkdir -p /app/run && chown sidecar:sidecar /app/run
VOLUME ["/app/run"]

USER sidecar

# Optional webhook listener (webhooks_listen); the app API is on the socket.
EXPOSE 8090

# SIGTERM triggers a graceful drain and shutdown.
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/local/bin/sidecar"]
CMD ["serve", "--config", "/app/sidecar.yaml"]
