ARG BASE=debian:12
ARG APP_HOME=/srv/app
FROM ${BASE}
ARG APP_HOME
ARG VERSION=1.2.3
ENV PREFIX=/usr/local
WORKDIR ${APP_HOME}
RUN echo $VERSION $PREFIX $HOME $HTTP_PROXY
RUN for VERSION in 1 2; do echo $VERSION; done
RUN echo '$LATER' && echo \$LATER
COPY --chown=app:app . $APP_HOME
ARG LATER=1
RUN read -r OTHER < /etc/x; echo $OTHER
RUN export OTHER=1 && echo $OTHER
RUN . /etc/os-release && echo $OTHER
FROM debian:12 AS second
ARG OTHER
