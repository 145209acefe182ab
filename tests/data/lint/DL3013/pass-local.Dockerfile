FROM python:3.12
RUN pip install mypkg.whl mypkg.tar.gz foo/bar https://foo.bar/baz.zip
