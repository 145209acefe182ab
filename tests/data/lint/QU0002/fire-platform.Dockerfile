# lines: 3
FROM --platform=$BUILDPLATFORM golang:1.22
RUN GOARCH=$TARGETARCH go build -o /app .
ARG TARGETOS
RUN GOOS=$TARGETOS go build -o /app2 .
