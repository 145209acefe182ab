FROM scratch AS build
RUN foo
FROM node:20
COPY --from=build foo .
