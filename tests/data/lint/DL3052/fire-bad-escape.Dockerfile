# lines: 3
FROM debian:buster
LABEL homepage="https://example.com/%zz"
