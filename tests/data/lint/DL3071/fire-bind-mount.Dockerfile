# lines: 3
FROM maven:3
RUN --mount=type=bind,target=/root/.m2 mvn -B package
