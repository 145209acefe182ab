# lines: 4
FROM debian:bullseye AS build
FROM scratch
COPY --from=build / /
