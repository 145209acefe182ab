FROM debian:12
# before RUN
RUN apt-get update \
# a comment inside the continuation
    # an indented comment

    && apt-get install -y --no-install-recommends \
        curl \  	
        ca-certificates \
    && rm -rf /var/lib/apt/lists/*
RUN echo backslash \\
  \
RUN echo after a lone backslash line
LABEL a=1 \
      b=2
RUN echo last line \
