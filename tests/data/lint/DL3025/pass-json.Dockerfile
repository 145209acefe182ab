FROM debian:12
ENTRYPOINT ["/bin/app"]
CMD ["--help"]
