FROM gradle:8
RUN java -version
