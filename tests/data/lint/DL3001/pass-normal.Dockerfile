FROM debian:12
RUN echo ps top free && ls /usr/bin/vim
