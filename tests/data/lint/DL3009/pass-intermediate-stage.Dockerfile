FROM debian:12 AS build
RUN apt-get update && apt-get install -y gcc
FROM debian:12
COPY --from=build /out /out
