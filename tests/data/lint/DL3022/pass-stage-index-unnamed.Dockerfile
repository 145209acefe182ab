FROM scratch
RUN foo
FROM node:20
COPY --from=0 foo .
