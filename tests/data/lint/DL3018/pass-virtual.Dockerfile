FROM alpine:3.19
RUN apk add --no-cache --virtual build-deps gcc=13.2.1-r3 && apk add --no-cache -t .deps make=4.4.1-r2
