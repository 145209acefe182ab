# lines: 3
FROM maven:3
ONBUILD RUN mvn -B package
