# lines: 3
FROM debian:12
ONBUILD RUN ln -sfv /bin/bash /bin/sh
