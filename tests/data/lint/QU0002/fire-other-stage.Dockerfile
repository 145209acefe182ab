# lines: 6
FROM debian:12 AS build
ARG TARGET_DIR=/out
RUN mkdir -p $TARGET_DIR
FROM debian:12
COPY --from=build ${TARGET_DIR} /opt
