FROM golang:1.22
RUN --mount=type=tmpfs,target=/go/pkg/mod go mod download
