ARG BASE=debian:12
FROM --platform=$BUILDPLATFORM golang:1.22 AS Build
RUN --mount=type=cache,target=/root/.cache/go-build,sharing=locked \
    --mount=type=secret,id=netrc,target=/root/.netrc \
    --network=none go build -o /out/app ./...
FROM ${BASE}
COPY --from=build --chown=app:app --chmod=0755 --link /out/app /usr/local/bin/
COPY --parents --exclude=*.md ./a ./b /app/
ADD --checksum=sha256:abc --keep-git-dir=true https://example.com/x.tgz /tmp/
ADD ["a b", "/c d/"]
EXPOSE 80/tcp 53/udp 8000-8010
VOLUME ["/data", "/logs"]
VOLUME /cache /tmp
USER 1000:1000
WORKDIR /srv/my app
STOPSIGNAL SIGQUIT
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
HEALTHCHECK --interval=30s --timeout=3s --start-period=5s --start-interval=1s --retries=3 \
  CMD curl -f http://localhost/ || exit 1
HEALTHCHECK NONE
ONBUILD COPY . /app
MAINTAINER someone <someone@example.com>
ENTRYPOINT ["tini", "--"]
CMD ["serve", "--port", "80"]
cmd echo shell form
