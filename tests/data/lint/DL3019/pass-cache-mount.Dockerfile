FROM alpine:3.19
RUN --mount=type=cache,target=/var/cache/apk apk add -U curl=8.5.0-r0
RUN --mount=type=tmpfs,target=/var/cache/apk apk add -U curl=8.5.0-r0
