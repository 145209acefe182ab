FROM debian:12
RUN apt-get update \
# a comment inside the continuation
    # an indented comment

    && apt-get install -y --no-install-recommends \
        curl \  
        ca-certificates \
    && rm -rf /var/lib/apt/lists/*
RUN echo backslash \\
RUN echo last line \
