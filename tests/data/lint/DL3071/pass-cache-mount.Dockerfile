FROM maven:3
RUN --mount=type=cache,target=/root/.m2 mvn -B package
