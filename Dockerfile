# Cipherscale Directory: a release build in the Swift image, run from a slim image as a non-root user.
#   docker build -t cipherscale-directory .
#   docker run -p 8080:8080 -v cipherscale-data:/app/data cipherscale-directory
# (SQLite in /app/data by default; set DATABASE_URL=postgres://... for PostgreSQL.)

# swift-prometheus needs Swift 6.2 or later.
FROM swift:6.2-noble AS build
WORKDIR /src
# Dependencies first, so a change to the sources reuses their layer.
COPY Package.swift ./
RUN swift package resolve
COPY . .
RUN swift build -c release --product cipherscale --static-swift-stdlib \
    && mkdir /staging \
    && cp "$(swift build -c release --show-bin-path)/cipherscale" /staging/ \
    && cp -R "$(swift build -c release --show-bin-path)"/*.resources /staging/

FROM ubuntu:noble
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ca-certificates tzdata curl \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --home-dir /app --shell /usr/sbin/nologin cipherscale \
    && mkdir -p /app/data \
    && chown cipherscale /app/data
WORKDIR /app
# The binary and its resource bundles (the console's templates and assets, the OpenAPI document) side by side.
COPY --from=build /staging/ /app/
USER cipherscale
ENV HOST=0.0.0.0 PORT=8080
EXPOSE 8080
VOLUME /app/data
HEALTHCHECK --interval=10s --timeout=3s CMD curl -fsS http://127.0.0.1:8080/health || exit 1
ENTRYPOINT ["/app/cipherscale"]
CMD ["serve"]
