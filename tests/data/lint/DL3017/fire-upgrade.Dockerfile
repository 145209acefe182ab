# lines: 3
FROM alpine:3.19
RUN apk update && apk upgrade
