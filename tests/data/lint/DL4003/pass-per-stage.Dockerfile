FROM debian:12 AS build
CMD ["a"]
FROM debian:12
CMD ["b"]
HEALTHCHECK CMD curl -f http://localhost/
