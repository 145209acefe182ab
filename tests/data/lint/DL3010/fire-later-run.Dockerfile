# lines: 3
FROM debian:12
COPY app.tar.gz /src/
WORKDIR /src
RUN echo hi && tar -xzf app.tar.gz
