FROM debian:12
COPY package.json /usr/src/app/
RUN tar -xf other.tar
