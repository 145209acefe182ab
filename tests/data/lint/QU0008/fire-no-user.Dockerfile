# lines: 4
FROM golang:1.22 AS build
USER builder
FROM debian:12
COPY --from=build /app /app
CMD ["/app"]
