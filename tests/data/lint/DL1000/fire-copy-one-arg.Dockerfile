# lines: 3 4
FROM debian:12
COPY app.tar.gz
ADD ["only-one"]
COPY a b
