# lines: 3
FROM debian:buster
RUN wget https://example.com/big.tar.gz
