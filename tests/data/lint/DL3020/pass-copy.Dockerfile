FROM debian:12
COPY requirements.txt /usr/src/app/
