FROM python:3.12
ENV PIP_NO_CACHE_DIR=yes
RUN pip install six
