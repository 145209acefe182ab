# lines: 3
FROM python:3.12
RUN pip3 install --no-cache-dir requests==2.31.0 flask
