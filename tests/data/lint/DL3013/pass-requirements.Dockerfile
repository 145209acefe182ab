FROM python:3.12
RUN pip install -r requirements.txt && pip install --requirement req.txt && pip install .
