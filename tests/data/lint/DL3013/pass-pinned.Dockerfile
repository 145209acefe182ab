FROM python:3.12
RUN pip install MySQL_python==1.2.2 'alabaster>=0.7' 'six<2' 'a!=1' 'b~=1.0' c===1
