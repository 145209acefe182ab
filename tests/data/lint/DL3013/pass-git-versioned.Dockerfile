FROM python:3.12
RUN pip install git+https://github.com/rtfd/r-ext.git@0.6-alpha#egg=r-ext
