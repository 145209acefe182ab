# lines: 3
FROM debian:buster
LABEL created="2024-01-02"
