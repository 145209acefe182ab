# lines: 3
FROM python:3.12
RUN pip install git+https://github.com/rtfd/read-ext.git#egg=read-ext
