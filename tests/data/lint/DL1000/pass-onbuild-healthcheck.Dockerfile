FROM debian:12
ONBUILD COPY . /app
ONBUILD RUN make -C /app
ONBUILD RUN <<EOF
echo building
EOF
HEALTHCHECK NONE
HEALTHCHECK CMD ["/bin/check", "--quiet"]
HEALTHCHECK --interval=5s CMD /bin/check || exit 1
STOPSIGNAL SIGQUIT
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
EXPOSE 80/tcp 53/udp 8000-8010
USER 1000:1000
WORKDIR /srv/my app
MAINTAINER someone <someone@example.com>
