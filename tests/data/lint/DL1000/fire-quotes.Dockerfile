# lines: 3 4 5
FROM debian:12
ENV GREETING it's me
COPY "my file.txt" /app/
LABEL version="1.0
