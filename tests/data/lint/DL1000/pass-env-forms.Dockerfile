FROM debian:12
ENV A=1 B="two words" C=three\ words D='$literal' E=
ENV LEGACY some value "with quotes"
LABEL org.opencontainers.image.title="quai" \
      description='a "quoted" word'
ARG ONE TWO=2 THREE="3 3"
ENV PATH="/opt/bin:${PATH}" HOME=${HOME:-/root}
