# lines: 3
FROM debian:buster
LABEL homepage="example.com/foo bar"
