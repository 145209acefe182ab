# lines: 2
RUN --mount=type=cache,target=/var/cache/foo apk add -U curl=8.5.0-r0
