FROM python:3.12
RUN pip install pykafka -c http://foo.bar.baz && pip install pykafka --constraint c.txt
