FROM debian:12
RUN echo café ÿþ
LABEL description="cafÃ©"
