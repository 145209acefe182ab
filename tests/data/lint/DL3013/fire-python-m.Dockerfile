# lines: 3
FROM python:3.12
RUN python -m pip install --index-url https://example.com/simple example
