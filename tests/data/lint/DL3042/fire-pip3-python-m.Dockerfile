# lines: 3 4
FROM python:3.12
RUN pip3 install six
RUN python3 -m pip install six
