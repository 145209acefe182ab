FROM debian:buster
LABEL other="doo"
