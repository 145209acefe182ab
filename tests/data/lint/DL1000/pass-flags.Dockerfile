FROM --platform=$BUILDPLATFORM golang:1.22 AS build
ARG TARGETOS TARGETARCH
RUN --mount=type=cache,target=/root/.cache/go-build \
    --mount=type=bind,source=.,target=/src,ro \
    --mount=type=secret,id=netrc,target=/root/.netrc,required=true \
    --mount=type=ssh,required \
    --network=default \
    go build -o /out/app ./...
FROM debian:12
COPY --from=build --chown=app:app --chmod=0755 --link /out/app /usr/local/bin/
COPY --parents --exclude=*.md --exclude=docs ./src /app/
ADD --checksum=sha256:24454f830cdb571e2c4ad15481119c43b3cafd48dd869a9b2945d1036d1dc68d https://example.com/x.tar.gz /tmp/
ADD --keep-git-dir=true https://github.com/moby/buildkit.git#v0.10.1 /buildkit
HEALTHCHECK --interval=1m30s --timeout=10s --start-period=5s --start-interval=500ms --retries=3 CMD curl -f http://localhost/ || exit 1
