# lines: 3
FROM debian:buster
LABEL homepage="not a url"
