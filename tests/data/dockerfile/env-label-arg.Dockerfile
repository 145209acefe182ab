ARG VERSION=1.0 NAME
FROM debian:12
ENV A=1 B="two words" C=three\ words D='$literal' E= F="a\"b"
ENV LEGACY some  value "with quotes"
LABEL org.opencontainers.image.title="quai" \
      description='a "quoted" word' "quoted key"=v
ARG ONE TWO=2 THREE="3 3"
ENV PATH="/opt/bin:${PATH}" HOME=${HOME:-/root}
