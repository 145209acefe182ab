FROM debian:bullseye AS build
FROM scratch
COPY --from=build /app /
COPY / /
