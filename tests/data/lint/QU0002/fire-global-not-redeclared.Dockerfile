# lines: 4 5
ARG APP_HOME=/srv/app
FROM debian:12
WORKDIR ${APP_HOME}
COPY app.sh $APP_HOME/
