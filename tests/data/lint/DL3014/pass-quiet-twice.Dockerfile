FROM debian:12
RUN apt-get install -q -q a=1 && apt-get install -q=2 b=1 && apt-get install --quiet --quiet c=1 && apt-get install -yq d=1
