FROM debian:12 AS base
RUN useradd -r app
USER app
FROM base
CMD ["/app"]
