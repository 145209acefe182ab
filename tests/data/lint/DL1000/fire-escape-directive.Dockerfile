# escape=x
FROM debian:12
