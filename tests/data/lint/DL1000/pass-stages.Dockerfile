ARG BASE=debian:12
FROM ${BASE} AS base
FROM base AS build
RUN make
FROM scratch
COPY --from=build /out /
COPY --from=0 /etc/passwd /etc/passwd
