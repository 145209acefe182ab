FROM python:3.12
RUN pipenv install black
