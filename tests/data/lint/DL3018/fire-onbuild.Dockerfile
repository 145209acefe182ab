# lines: 3
FROM alpine:3.19
ONBUILD RUN apk add --no-cache curl
