FROM maven:3
RUN mvn --version
