FROM python:3.12
RUN pip install --no-cache-dir six
RUN pip3 install six --no-cache-dir
