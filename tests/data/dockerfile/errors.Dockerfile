FRM debian:12
FROM debian:12 AS
COPY onlyone
RUN --mount=type=cahce,target=/x true
HEALTHCHECK --interval=5 CMD true
ENV JUSTNAME
RUN echo still parsed
    && this was meant to continue
RUN <<EOF
never closed
