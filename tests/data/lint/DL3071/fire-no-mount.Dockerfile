# lines: 3
FROM maven:3
RUN mvn -B package
