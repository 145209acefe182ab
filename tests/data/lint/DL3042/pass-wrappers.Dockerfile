FROM python:3.12
RUN pipx install software
RUN pipenv install library
RUN python3 -m pipx install x
