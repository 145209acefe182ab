# lines: 3
FROM debian:12
COPY packaged-app.tar /usr/src/app/
RUN tar -xf /usr/src/app/packaged-app.tar
