# lines: 3
FROM python:3.12
RUN pip install MySQL_python
