FROM debian:buster
LABEL homepage="https://example.com/a?b=c#d"
LABEL homepage="mailto:me@example.com"
