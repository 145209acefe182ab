# lines: 3
FROM scratch
COPY --from=build foo .
FROM node:20 AS build
RUN true
