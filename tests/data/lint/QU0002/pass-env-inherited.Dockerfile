FROM debian:12 AS base
ENV TOOLS=/opt/tools
FROM base AS final
WORKDIR $TOOLS
RUN LATER=2; echo $LATER
ARG LATER=1
