FROM scratch AS build
FROM node:20 AS run
COPY --from=0 foo .
