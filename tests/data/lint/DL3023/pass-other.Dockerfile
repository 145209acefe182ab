FROM scratch AS build
RUN foo
FROM node:20 AS run
COPY --from=build foo .
