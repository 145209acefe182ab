FROM debian:12 AS latest
FROM latest
