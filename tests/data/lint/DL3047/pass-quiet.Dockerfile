FROM debian:buster
RUN wget -q https://example.com/x
RUN wget --quiet https://example.com/x
RUN wget -qO- https://example.com/x | sh
RUN wget -nv https://example.com/x
RUN wget --no-verbose https://example.com/x
