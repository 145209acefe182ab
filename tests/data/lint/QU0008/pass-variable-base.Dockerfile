ARG VARIANT=prod
FROM debian:12 AS base-prod
USER app
FROM base-${VARIANT}
