FROM debian:12
COPY packaged-app.tar /usr/src/app/
FROM debian:12 AS other
RUN tar -xf packaged-app.tar
