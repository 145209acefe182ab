# lines: 2
ARG VERSION=1
