# lines: 2 3
FROM --platform=$TARGETPLATFORM debian:bullseye
FROM --platform=${TARGETPLATFORM} debian:bullseye
