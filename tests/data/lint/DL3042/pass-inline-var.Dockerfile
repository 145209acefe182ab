FROM python:3.12
RUN PIP_NO_CACHE_DIR=1 pip install six
RUN export PIP_NO_CACHE_DIR=true && pip install six
