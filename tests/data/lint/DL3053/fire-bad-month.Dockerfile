# lines: 3
FROM debian:buster
LABEL created="2024-13-02T10:00:00Z"
