# lines: 3
FROM golang:1.22
RUN --mount=type=bind,target=/root/.cache/go-build go build -o /app .
