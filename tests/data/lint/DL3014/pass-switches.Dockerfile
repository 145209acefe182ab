FROM debian:12
RUN apt-get install -y a=1 && apt-get install --yes b=1 && apt-get -qq install c=1 && apt-get install --assume-yes d=1
