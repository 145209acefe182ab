# lines: 4
FROM python:3.12
ENV PIP_NO_CACHE_DIR=off
RUN pip install six
