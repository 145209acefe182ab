FROM debian:12
FRM debian
