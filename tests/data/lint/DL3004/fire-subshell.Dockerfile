# lines: 3
FROM debian:12
RUN if true; then sudo make install; fi
